// Load Model's offload_text_encoder parameter, run by the executor on the demo model: the node loads with it,
// says so in its log, and the prompt embeddings and the decoded video equal those of the resident text
// encoder (the CPU runs the same per-layer copy path as a GPU, models/gemma2.h).
#include <gtest/gtest.h>

#include "nodes/model_values.h"
#include "sana_pack_fixture.h"

namespace sv::plugin {
namespace {

struct OffloadRun {
    std::string loadedLine;
    Tensor embeds;
    std::shared_ptr<const Video> video;
};

TEST_F(SanaNodesTest, LoadModelOffloadsTheTextEncoderWithIdenticalResults) {
    auto runWith = [&](const std::string& offload, const std::string& weights) {
        GraphDocument doc = tinyGraph(false);
        set(doc, "load_model", "offload_text_encoder", offload);
        set(doc, "load_model", "weights", weights);
        const Outcome r = run(doc, {{"text_encode", "vae_decode"}, {}});
        EXPECT_TRUE(r.result.ok()) << r.result.failedNode << ": " << r.result.message;
        OffloadRun o;
        for (const auto* e : r.of(EK::NodeLog, "load_model"))
            if (e->message.rfind("loaded ", 0) == 0) o.loadedLine = e->message;
        if (!r.result.ok()) return o;
        o.embeds = r.result.outputs.at("text_encode")
                       .getObject<nodes::Conditioning>("conditioning", nodes::kConditioningTag)
                       .encoding.embeds;
        o.video = r.result.outputs.at("vae_decode").get("video").toVideo();
        return o;
    };
    EXPECT_EQ(
        ParamSpec::toJson(registry.find("sana.load_model")->findParam("offload_text_encoder")->defaultValue),
        false);
    for (const char* weights : {"auto", "int8"}) {
        SCOPED_TRACE(weights);
        const OffloadRun resident = runWith("false", weights), offloaded = runWith("true", weights);
        EXPECT_EQ(resident.loadedLine.find("offloaded"), std::string::npos) << resident.loadedLine;
        EXPECT_NE(offloaded.loadedLine.find("; text encoder offloaded to host memory)"), std::string::npos)
            << offloaded.loadedLine;
        ASSERT_TRUE(resident.embeds.defined() && offloaded.embeds.defined());
        EXPECT_EQ(offloaded.embeds.toFloatVector(), resident.embeds.toFloatVector());
        ASSERT_TRUE(resident.video && offloaded.video);
        EXPECT_TRUE(offloaded.video->rgb == resident.video->rgb) << "decoded frames differ";
    }
}

}  // namespace
}  // namespace sv::plugin
