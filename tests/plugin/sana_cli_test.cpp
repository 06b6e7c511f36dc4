// End to end through the sanavideo binary: `sanavideo run` of the shipped default graphs on a demo model
// writes an MP4 whose embedded graph (`sanavideo graph-from`) is the graph that ran, --set values included.
#include <gtest/gtest.h>

#include "base/tensor.h"
#include "media/video_writer.h"
#include "plugin/graph/graph_document.h"
#include "sana_test_support.h"

namespace sv::test {
namespace {

using nlohmann::json;
using plugin::GraphDocument;

class SanaCliTest : public ::testing::Test {
  protected:
    void SetUp() override { media::setFfmpegQuiet(true); }

    /// Runs a default graph with the tiny settings; returns the MP4 it wrote and the graph with the settings
    /// applied (as `--set` applies them: values parsed by the parameter's type).
    void runDefaultGraph(bool imageToVideo) {
        const fs::path model = makeDemoModel(dir.path());
        const fs::path graph = graphsDir() / (imageToVideo ? "image-to-video.json" : "text-to-video.json");
        std::vector<std::string> args = {"run", graph.string(), "--output-dir",
                                         (dir.path() / "out").string()};
        GraphDocument expected = GraphDocument::load(graph);
        for (const auto& s : tinySettings(model, imageToVideo)) {
            args.push_back("--set");
            args.push_back(s.node + "." + s.param + "=" + s.value);
            json v = s.value;  // strings stay strings; numbers are parsed like the parameter types do
            if (!s.value.empty() && s.value.find_first_not_of("0123456789") == std::string::npos)
                v = std::stoll(s.value);
            if (s.value == "true" || s.value == "false") v = s.value == "true";
            expected.setParam(s.node, s.param, v);
        }
        const CommandResult r = runSanavideo(args, dir.path());
        ASSERT_EQ(r.rc, 0) << r.out << r.err;
        EXPECT_NE(r.err.find("[sampler] step 2/2"), std::string::npos) << r.err;

        const fs::path mp4 =
            dir.path() / "out" / (imageToVideo ? "sana_i2v_00001.mp4" : "sana_t2v_00001.mp4");
        ASSERT_TRUE(fs::exists(mp4)) << r.err;
        const auto info = media::probeVideo(mp4);
        EXPECT_EQ(info.codec, "h264");
        EXPECT_EQ(info.frames, 5);
        EXPECT_EQ(info.width, 32);
        EXPECT_EQ(info.height, 32);

        const CommandResult g = runSanavideo({"graph-from", mp4.string()}, dir.path());
        ASSERT_EQ(g.rc, 0) << g.err;
        const json embedded = json::parse(g.out);
        EXPECT_EQ(embedded, expected.toJson());
        // The extracted graph runs again as is (a second file, counted up).
        const fs::path again = dir.path() / "again.json";
        GraphDocument::parse(g.out).save(again);
        const CommandResult r2 =
            runSanavideo({"run", again.string(), "--output-dir", (dir.path() / "out").string()}, dir.path());
        ASSERT_EQ(r2.rc, 0) << r2.err;
        EXPECT_TRUE(
            fs::exists(dir.path() / "out" / (imageToVideo ? "sana_i2v_00002.mp4" : "sana_t2v_00002.mp4")));
    }

    TempDir dir;
};

TEST_F(SanaCliTest, TextToVideoEmbedsTheGraphThatRan) {
    runDefaultGraph(false);
}

TEST_F(SanaCliTest, ImageToVideoEmbedsTheGraphThatRan) {
    runDefaultGraph(true);
}

TEST_F(SanaCliTest, GraphFromNamesTheFileWithoutAGraph) {
    const fs::path plain = dir.path() / "plain.mp4";
    media::writeVideo(plain, Tensor::zeros({1, 16, 16, 3}, DType::U8));
    CommandResult r = runSanavideo({"graph-from", plain.string()}, dir.path());
    EXPECT_EQ(r.rc, 1);
    EXPECT_NE(r.err.find(plain.string() + ": no node graph embedded"), std::string::npos) << r.err;

    const fs::path missing = dir.path() / "missing.mp4";
    r = runSanavideo({"graph-from", missing.string()}, dir.path());
    EXPECT_EQ(r.rc, 1);
    EXPECT_NE(r.err.find(missing.string()), std::string::npos) << r.err;

    media::VideoWriterOptions o;
    o.metadata[media::kGraphMetadataKey] = "just a comment";
    const fs::path commented = dir.path() / "commented.mp4";
    media::writeVideo(commented, Tensor::zeros({1, 16, 16, 3}, DType::U8), o);
    r = runSanavideo({"graph-from", commented.string()}, dir.path());
    EXPECT_EQ(r.rc, 1);
    EXPECT_NE(r.err.find("not a Sana Video node graph"), std::string::npos) << r.err;
}

TEST_F(SanaCliTest, DefaultGraphWithoutAModelFolderNamesTheParameter) {
    const CommandResult r = runSanavideo(
        {"run", (graphsDir() / "text-to-video.json").string(), "--output-dir", (dir.path() / "out").string()},
        dir.path());
    EXPECT_EQ(r.rc, 1);
    EXPECT_NE(r.err.find("parameter 'folder' is empty"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace sv::test
