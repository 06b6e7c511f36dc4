// Regression tests for the fuzzer's config findings: absurd sizes must be rejected with an error naming the
// key and file (before they overflow int arithmetic or build billions of weight declarations).
#include <limits>

#include <gtest/gtest.h>

#include "io/json_util.h"
#include "models/gemma2_config.h"
#include "models/transformer_config.h"
#include "models/wan_vae_config.h"
#include "schedulers/scheduler.h"
#include "support/reference.h"

namespace sv {
namespace {

nlohmann::json fixtureConfig(const std::string& folder) {
    return readJsonFile(test::referenceDir() / folder / "config.json");
}

template <class F>
void expectRejected(F&& parse, const std::string& fragment) {
    try {
        parse();
        ADD_FAILURE() << "accepted; expected an error mentioning " << fragment;
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("x/config.json"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
    }
}

TEST(ConfigBounds, TransformerWidthOverflow) {
    nlohmann::json j = fixtureConfig("transformer_tiny");
    j["num_attention_heads"] = 65536;
    j["attention_head_dim"] = 65536;
    expectRejected([&] { TransformerConfig::fromJson(j, "x/config.json"); }, "attention");
    j = fixtureConfig("transformer_tiny");
    j["num_layers"] = 100000000;
    expectRejected([&] { TransformerConfig::fromJson(j, "x/config.json"); }, "num_layers");
    j = fixtureConfig("transformer_tiny");
    j["mlp_ratio"] = 1e300;
    expectRejected([&] { TransformerConfig::fromJson(j, "x/config.json"); }, "mlp_ratio");
}

TEST(ConfigBounds, VaeStageCount) {
    nlohmann::json j = fixtureConfig("vae_tiny");
    j["dim_mult"] = std::vector<int>(40, 1);
    j["temperal_downsample"] = std::vector<bool>(39, true);
    expectRejected([&] { WanVaeConfig::fromJson(j, "x/config.json"); }, "dim_mult");
    j = fixtureConfig("vae_tiny");
    j["in_channels"] = 0;
    expectRejected([&] { WanVaeConfig::fromJson(j, "x/config.json"); }, "in_channels");
}

TEST(ConfigBounds, GemmaLayerCount) {
    nlohmann::json j = fixtureConfig("gemma2_tiny");
    j["num_hidden_layers"] = 50000000;
    j.erase("layer_types");
    expectRejected([&] { Gemma2Config::fromJson(j, "x/config.json"); }, "num_hidden_layers");
    j = fixtureConfig("gemma2_tiny");
    j["eos_token_id"] = {"one"};
    expectRejected([&] { Gemma2Config::fromJson(j, "x/config.json"); }, "eos_token_id");
}

TEST(ConfigBounds, NanEpsilonsAreRefusedWhenTheConfigIsRead) {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    nlohmann::json j = fixtureConfig("transformer_tiny");
    j["norm_eps"] = nan;
    expectRejected([&] { TransformerConfig::fromJson(j, "x/config.json"); }, "norm_eps");
    j["norm_eps"] = 0.0;
    expectRejected([&] { TransformerConfig::fromJson(j, "x/config.json"); }, "norm_eps");
    // Through the lenient reader as diffusers writes it: a NaN literal.
    const nlohmann::json parsed = parseJsonLenient(R"({"a": NaN})", "x/config.json");
    j = fixtureConfig("gemma2_tiny");
    j["rms_norm_eps"] = parsed["a"];
    expectRejected([&] { Gemma2Config::fromJson(j, "x/config.json"); }, "rms_norm_eps");
    j = fixtureConfig("gemma2_tiny");
    j.erase("rope_parameters");  // transformers 5's spelling would take precedence
    j["rope_theta"] = parsed["a"];
    expectRejected([&] { Gemma2Config::fromJson(j, "x/config.json"); }, "rope_theta");
}

TEST(ConfigBounds, OneTrainingTimestepIsRefusedWhenTheConfigIsRead) {
    for (const char* cls :
         {"DPMSolverMultistepScheduler", "UniPCMultistepScheduler", "FlowMatchEulerDiscreteScheduler"}) {
        SCOPED_TRACE(cls);
        const std::string folder = std::string(cls) == "DPMSolverMultistepScheduler" ? "scheduler"
                                   : std::string(cls) == "UniPCMultistepScheduler"   ? "scheduler_unipc"
                                                                                     : "scheduler_flow_euler";
        nlohmann::json j =
            readJsonFile(test::referenceDir() / "full_size" / folder / "scheduler_config.json");
        ASSERT_EQ(j["_class_name"], cls);
        j["num_train_timesteps"] = 1;
        expectRejected([&] { (void)makeScheduler(cls, j, "x/config.json"); }, "num_train_timesteps");
        j["num_train_timesteps"] = 2;  // the smallest that gives decreasing sigmas
        auto s = makeScheduler(cls, j, "x/config.json");
        EXPECT_NO_THROW(s->setTimesteps(50));
    }
}

}  // namespace
}  // namespace sv
