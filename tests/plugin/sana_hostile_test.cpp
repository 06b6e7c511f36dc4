// The SANA-Video nodes against hostile graphs and files (docs/SECURITY.md): outputs never replace a file and
// never leave the output folder through a symbolic link; Load Latent checks a file's metadata against its
// tensor before anything is allocated for it; FIFOs and devices given as input paths are refused at once.
#include <fstream>
#include <iterator>
#include <map>

#include <gtest/gtest.h>

#include "base/error.h"
#include "io/safetensors.h"
#include "sana_pack_fixture.h"
#include "support/hostile_files.h"

namespace sv::plugin {
namespace {

using nlohmann::json;

std::string contents(const fs::path& p) {
    std::ifstream f(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

using test::entriesBelow;

/// load_model + load_latent(path) → vae_decode.
GraphDocument decodeGraph(const fs::path& model, const fs::path& latent) {
    GraphDocument doc;
    doc.addNode("sana.load_model", 1, {{"folder", model.string()}, {"device", "cpu"}}, json::object(),
                "load_model");
    doc.addNode("sana.load_latent", 1, {{"path", latent.string()}}, json::object(), "load_latent");
    doc.addNode("sana.vae_decode", 1, json::object(), json::object(), "vae_decode");
    doc.connect({"load_model", "model"}, {"vae_decode", "model"});
    doc.connect({"load_latent", "latent"}, {"vae_decode", "latent"});
    return doc;
}

TEST_F(SanaNodesTest, SaveVideoNeverReplacesAFile) {
    const fs::path precious = out.path() / "keep.mp4";
    std::ofstream(precious) << "precious";
    GraphDocument doc = tinyGraph(false);
    set(doc, "save_video", "filename", "keep");
    const Outcome r = run(doc);
    ASSERT_EQ(r.result.status, RunResult::Status::Failed) << r.result.message;
    EXPECT_EQ(r.result.failedNode, "save_video");
    EXPECT_NE(r.result.message.find("keep.mp4 already exists; output nodes never replace a file"),
              std::string::npos)
        << r.result.message;
    EXPECT_EQ(contents(precious), "precious");
    EXPECT_EQ(entriesBelow(out.path()), 1u) << "no temporary file left";
}

TEST_F(SanaNodesTest, SaveLatentNeverReplacesAFile) {
    const fs::path precious = out.path() / "lat.safetensors";
    std::ofstream(precious) << "precious";
    GraphDocument doc = tinyGraph(false);
    doc.addNode("sana.save_latent", 1, {{"filename", "lat"}}, json::object(), "save_latent");
    doc.connect({"sampler", "latent"}, {"save_latent", "latent"});
    const Outcome r = run(doc, {{"save_latent"}, {}});
    ASSERT_EQ(r.result.status, RunResult::Status::Failed) << r.result.message;
    EXPECT_NE(r.result.message.find("already exists"), std::string::npos) << r.result.message;
    EXPECT_EQ(contents(precious), "precious");
}

TEST_F(SanaNodesTest, OutputsDoNotFollowSymbolicLinksOutOfTheFolder) {
    test::TempDir outside;
    fs::create_directory_symlink(outside.path(), out.path() / "escape");
    for (const char* format : {"mp4", "png"}) {
        SCOPED_TRACE(format);
        GraphDocument doc = tinyGraph(false);
        set(doc, "save_video", "filename", "escape/x");
        set(doc, "save_video", "format", format);
        const Outcome r = run(doc);
        ASSERT_EQ(r.result.status, RunResult::Status::Failed) << r.result.message;
        EXPECT_NE(r.result.message.find("outside the output folder"), std::string::npos) << r.result.message;
        EXPECT_EQ(entriesBelow(outside.path()), 0u) << "nothing written outside";
    }
}

TEST_F(SanaNodesTest, LoadLatentChecksTheMetadataAgainstTheTensor) {
    // 6.4 KB of latents ([1, 16, 1, 10, 10] F32) whose metadata claims 401 frames of 4096x4096: VAE Decode
    // would have allocated for 20 GB of frames.
    const fs::path liar = out.path() / "liar.safetensors";
    const std::vector<std::pair<std::string, Tensor>> tensors{
        {"latents", Tensor::zeros({1, 16, 1, 10, 10}, DType::F32)}};
    std::map<std::string, std::string> meta = {{"format", "sanavideo.latent"},
                                               {"version", "1"},
                                               {"kind", "video"},
                                               {"width", "4096"},
                                               {"height", "4096"},
                                               {"frames", "401"}};
    writeSafetensors(liar, tensors, meta);
    EXPECT_LT(fs::file_size(liar), 7000u);
    resetHostTensorPeak();
    const int64_t before = hostTensorMemory().current;
    Outcome r = run(decodeGraph(model(), liar));
    ASSERT_EQ(r.result.status, RunResult::Status::Failed) << r.result.message;
    EXPECT_EQ(r.result.failedNode, "load_latent");
    EXPECT_NE(r.result.message.find("metadata claims 401 frames, but its tensor [1, 16, 1, 10, 10] holds 1"),
              std::string::npos)
        << r.result.message;
    EXPECT_LT(hostTensorMemory().peak - before, 64 << 20);
    // Pixel sizes beyond any Sampler's, and channel counts beyond any VAE's, are refused too.
    meta["frames"] = "1";
    meta["width"] = "100000";
    writeSafetensors(liar, tensors, meta);
    r = run(decodeGraph(model(), liar));
    EXPECT_NE(r.result.message.find("width and height must be in [1, 4096]"), std::string::npos)
        << r.result.message;
    // Consistent metadata decodes.
    meta["width"] = meta["height"] = "80";
    writeSafetensors(liar, tensors, meta);
    r = run(decodeGraph(model(), liar));
    ASSERT_TRUE(r.result.ok()) << r.result.message;
    EXPECT_EQ(r.result.outputs.at("vae_decode").get("video").toVideo()->frameCount, 1);
}

TEST_F(SanaNodesTest, VaeDecodeChecksTheLatentsAgainstItsModel) {
    // A latent file is valid on its own (Load Latent accepts any SANA-Video VAE's geometry: 4x or 8x
    // temporal compression, up to 256 channels); VAE Decode refuses latents its model's VAE cannot decode.
    const fs::path file = out.path() / "other.safetensors";
    auto save = [&](Shape shape, const char* frames) {
        const std::vector<std::pair<std::string, Tensor>> tensors{
            {"latents", Tensor::zeros(shape, DType::F32)}};
        writeSafetensors(file, tensors,
                         {{"format", "sanavideo.latent"},
                          {"version", "1"},
                          {"kind", "video"},
                          {"width", "80"},
                          {"height", "80"},
                          {"frames", frames}},
                         io::Overwrite::Replace);
    };
    save({1, 128, 2, 10, 10}, "9");  // LTX-2's channels and temporal compression
    Outcome r = run(decodeGraph(model(), file));
    ASSERT_EQ(r.result.status, RunResult::Status::Failed) << r.result.message;
    EXPECT_EQ(r.result.failedNode, "vae_decode");
    EXPECT_NE(
        r.result.message.find("has 128 latent channels, but the model's VAE (AutoencoderKLWan) takes 16"),
        std::string::npos)
        << r.result.message;
    save({1, 16, 2, 10, 10}, "9");  // Wan's channels, LTX-2's 8x temporal compression
    r = run(decodeGraph(model(), file));
    EXPECT_EQ(r.result.failedNode, "vae_decode");
    EXPECT_NE(
        r.result.message.find("claims 9 frames, but the model's VAE (AutoencoderKLWan) decodes 2 latent "
                              "frames to 5"),
        std::string::npos)
        << r.result.message;
    // A batch of two loads; VAE Decode's `video` picks one.
    save({2, 16, 2, 10, 10}, "5");
    GraphDocument doc = decodeGraph(model(), file);
    set(doc, "vae_decode", "video", "1");
    r = run(doc);
    ASSERT_TRUE(r.result.ok()) << r.result.message;
    EXPECT_EQ(r.result.outputs.at("vae_decode").get("video").toVideo()->frameCount, 5);
}

TEST_F(SanaNodesTest, InputPathsThatAreNotFilesAreRefusedAtOnce) {
    const fs::path fifo = out.path() / "pipe.safetensors";
    test::makeFifo(fifo);
    auto refuse = [&](const GraphDocument& doc) {
        const Outcome r = run(doc);
        if (!r.result.ok()) throw Error(r.result.message);
    };
    auto loadLatent = [](const fs::path& path) {
        GraphDocument doc;
        doc.addNode("sana.load_latent", 1, {{"path", path.string()}}, json::object(), "load_latent");
        return doc;
    };
    test::expectRefusedQuickly([&] { refuse(loadLatent(fifo)); }, "is a named pipe (FIFO)", fifo);
    test::expectRefusedQuickly([&] { refuse(loadLatent("/dev/zero")); }, "is a character device");
    GraphDocument image;
    image.addNode("sana.load_image", 1, {{"path", fifo.string()}}, json::object(), "load_image");
    test::expectRefusedQuickly([&] { refuse(image); }, "parameter 'path'", fifo);
}

}  // namespace
}  // namespace sv::plugin
