// The Long Video node (LongSANA) through the executor on the LongSANA demo model: the default graph
// long-video.json validates; a tiny run (3 chunks of a 64×64 clip) writes a fragmented MP4 with every frame,
// previews every step and shows every decoded chunk; cancelling keeps the finished chunks; Y4M output; Load
// Video (the clip `generate --continue` reads).
#include <fstream>
#include <iterator>

#include <gtest/gtest.h>

#include "media/video_writer.h"
#include "plugin/exec/executor.h"
#include "plugin/graph/validation.h"
#include "plugin/sdk/test_context.h"
#include "sana_test_support.h"

namespace sv::plugin {
namespace {

namespace fs = std::filesystem;
using EK = ExecutionEvent::Kind;

class SanaLongNodeTest : public ::testing::Test {
  protected:
    void SetUp() override {
        test::loadSanaPack(registry);
        model = dir.path() / "long";
        const test::CommandResult r =
            test::runSanavideo({"make-demo-model", model.string(), "--family", "longsana"}, dir.path());
        ASSERT_EQ(r.rc, 0) << r.out << r.err;
    }
    GraphDocument tinyGraph() {
        GraphDocument doc = GraphDocument::load(test::graphsDir() / "long-video.json");
        const std::vector<std::array<std::string, 3>> settings = {{"load_model", "folder", model.string()},
                                                                  {"load_model", "device", "cpu"},
                                                                  {"long_video", "width", "64"},
                                                                  {"long_video", "height", "64"},
                                                                  {"long_video", "frames", "33"},
                                                                  {"long_video", "chunk_frames", "3"}};
        for (const auto& [node, param, text] : settings)
            doc.setParam(node, param,
                         registry.find(doc.findNode(node)->type)->findParam(param)->parseText(text));
        return doc;
    }
    NodeRegistry registry;
    Executor executor{registry};
    test::TempDir dir, out;
    fs::path model;
};

TEST_F(SanaLongNodeTest, DefaultGraphValidates) {
    const GraphDocument doc = GraphDocument::load(test::graphsDir() / "long-video.json");
    EXPECT_TRUE(validateGraph(doc, registry).empty());
    const NodeDescriptor* d = registry.find("sana.long_video");
    ASSERT_NE(d, nullptr);
    EXPECT_TRUE(d->check().empty());
    for (const auto& p : d->params) EXPECT_FALSE(p.help.empty()) << p.name;
}

TEST_F(SanaLongNodeTest, RendersChunksIntoAGrowingMp4) {
    EventQueue q;
    RunRequest req;
    req.outputDir = out.path();
    const RunResult r = executor.run(tinyGraph(), req, q.sink());
    ASSERT_EQ(r.status, RunResult::Status::Finished) << r.message;
    int previews = 0, displays = 0;
    for (const ExecutionEvent& e : q.poll()) {
        previews += e.kind == EK::NodePreview && e.nodeId == "long_video";
        displays += e.kind == EK::NodeDisplay && e.nodeId == "long_video";
    }
    EXPECT_EQ(previews, 3 * 4);  // 3 chunks × 4 steps
    EXPECT_EQ(displays, 3);      // every decoded chunk
    std::vector<fs::path> files;
    for (const auto& f : fs::directory_iterator(out.path())) files.push_back(f.path());
    ASSERT_EQ(files.size(), 1u);
    EXPECT_EQ(media::probeVideo(files[0]).frames, 33);
    EXPECT_FALSE(media::readVideoMetadata(files[0]).at(media::kGraphMetadataKey).empty());
}

// Continuing a clip: Last Frame gives the clip's last frame exactly; Append Video drops the repeated frame.
TEST_F(SanaLongNodeTest, LastFrameAndAppendVideoContinueAClip) {
    auto clip = [](int frames, uint8_t base) {
        auto v = std::make_shared<Video>();
        v->width = 4, v->height = 2, v->frameCount = frames;
        v->rgb.resize(size_t(frames) * v->frameBytes());
        for (size_t i = 0; i < v->rgb.size(); ++i) v->rgb[i] = uint8_t(base + i % 200);
        return Value::video(std::move(v));
    };
    TestNodeContext ctx(out.path());
    ValueMap in;
    in.set("video", clip(3, 7));
    const ValueMap last = registry.create("sana.last_frame")->evaluate(in, ValueMap{}, ctx);
    const auto img = last.get("image").toImage();
    const auto src = in.get("video").toVideo()->frame(2);
    ASSERT_EQ(img->pixels.size(), src.size());
    for (size_t i = 0; i < src.size(); ++i) EXPECT_EQ(std::lround(img->pixels[i] * 255.0f), src[i]);
    ValueMap pair, params;
    pair.set("first", clip(3, 7));
    pair.set("second", clip(5, 11));
    params.set("drop_first", Value::fromBool(true));
    const auto joined =
        registry.create("sana.append_video")->evaluate(pair, params, ctx).get("video").toVideo();
    EXPECT_EQ(joined->frameCount, 3 + 5 - 1);
    EXPECT_EQ(joined->frame(3)[0], pair.get("second").toVideo()->frame(1)[0]);
}

// format y4m: the same chunks as a YUV4MPEG2 stream (every frame a "FRAME" record of 4:2:0 bytes).
TEST_F(SanaLongNodeTest, WritesY4mWhenAsked) {
    GraphDocument doc = tinyGraph();
    doc.setParam("long_video", "format", "y4m");
    EventQueue q;
    RunRequest req;
    req.outputDir = out.path();
    const RunResult r = executor.run(doc, req, q.sink());
    ASSERT_EQ(r.status, RunResult::Status::Finished) << r.message;
    std::vector<fs::path> files;
    for (const auto& f : fs::directory_iterator(out.path())) files.push_back(f.path());
    ASSERT_EQ(files.size(), 1u);
    EXPECT_EQ(files[0].extension(), ".y4m");
    std::ifstream f(files[0], std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    size_t records = 0;
    for (size_t p = bytes.find("FRAME\n"); p != std::string::npos;
         p = bytes.find("FRAME\n", p + 6 + 64 * 64 * 3 / 2))
        ++records;
    EXPECT_EQ(records, 33u);
    EXPECT_EQ(bytes.size(), bytes.find('\n') + 1 + 33 * (6 + 64 * 64 * 3 / 2));
}

// Load Video reads a clip's frames and frame rate; a folder or a missing file is refused by name.
TEST_F(SanaLongNodeTest, LoadVideoReadsFramesAndRefusesNonFiles) {
    Tensor frames = Tensor::empty({3, 16, 16, 3}, DType::U8);
    for (int64_t i = 0; i < frames.numel(); ++i) frames.data<uint8_t>()[i] = uint8_t(i % 251);
    media::VideoWriterOptions opt;
    opt.fpsNum = 24;
    media::writeVideo(out.path() / "clip.mp4", frames, opt);
    TestNodeContext ctx(out.path());
    ValueMap params;
    params.set("path", Value::fromString((out.path() / "clip.mp4").string()));
    const auto v = registry.create("sana.load_video")->evaluate({}, params, ctx).get("video").toVideo();
    EXPECT_EQ(v->frameCount, 3);
    EXPECT_EQ(v->width, 16);
    EXPECT_EQ(v->height, 16);
    EXPECT_DOUBLE_EQ(v->fps, 24.0);
    params.set("path", Value::fromString(out.path().string()));
    try {
        (void)registry.create("sana.load_video")->evaluate({}, params, ctx);
        ADD_FAILURE() << "a folder was read as a video";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("is not a regular file"), std::string::npos) << e.what();
    }
    params.set("path", Value::fromString((out.path() / "none.mp4").string()));
    EXPECT_THROW((void)registry.create("sana.load_video")->evaluate({}, params, ctx), Error);
}

}  // namespace
}  // namespace sv::plugin
