// The SANA-Video node pack, loaded in-process from the build tree and run by the executor on a demo model:
// descriptors, the default graphs, text/image-to-video runs, caching (through executor events), cancellation,
// Save/Load Latent, output naming and errors that name the parameter.
#include <array>
#include <chrono>
#include <set>

#include <gtest/gtest.h>

#include "backend/device.h"
#include "base/engine_instance.h"
#include "base/error.h"
#include "io/safetensors.h"
#include "media/video_writer.h"
#include "nodes/latent_value.h"
#include "pipelines/latent_preview.h"
#include "pipelines/postprocess.h"
#include "pipelines/sana_pipeline.h"
#include "plugin/exec/executor.h"
#include "plugin/exec/executor_thread.h"
#include "plugin/graph/validation.h"
#include "sana_pack_fixture.h"
#include "sana_test_support.h"

namespace sv::plugin {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const Ids kAllTypes = {"sana.load_model",  "sana.text_encode", "sana.load_image", "sana.image_encode",
                       "sana.sampler",     "sana.vae_decode",  "sana.save_video", "sana.preview_video",
                       "sana.save_latent", "sana.load_latent", "sana.load_lora"};

// ---- descriptors and default graphs
// ------------------------------------------------------------------------------

TEST_F(SanaNodesTest, PackRegistersEveryNodeWithHelp) {
    for (const auto& t : kAllTypes) {
        const NodeDescriptor* d = registry.find(t);
        ASSERT_NE(d, nullptr) << t;
        EXPECT_TRUE(d->check().empty()) << t;
        EXPECT_GE(d->version, 1) << t;
        EXPECT_FALSE(d->category.empty()) << t;
        EXPECT_FALSE(d->help.empty()) << t;
        for (const auto& p : d->params) EXPECT_FALSE(p.help.empty()) << t << "." << p.name << " has no help";
    }
    EXPECT_TRUE(registry.find("sana.save_video")->isOutput);
    EXPECT_TRUE(registry.find("sana.preview_video")->isOutput);
    EXPECT_TRUE(registry.find("sana.save_latent")->isOutput);
}

TEST_F(SanaNodesTest, NodeDefaultsAreDiffusersCallDefaults) {
    // SanaVideoPipeline.__call__ / SanaImageToVideoPipeline.__call__ (diffusers, pipelines/sana_video/):
    // height 480, width 832, frames 81, num_inference_steps 50, guidance_scale 6.0, negative_prompt "",
    // use_resolution_binning True, max_sequence_length 300, complex_human_instruction on, the scheduler of
    // the model folder; no motion-score suffix (the examples add it to the prompt themselves).
    auto def = [&](const char* type, const char* p) {
        return ParamSpec::toJson(registry.find(type)->findParam(p)->defaultValue);
    };
    EXPECT_EQ(def("sana.sampler", "width"), 832);
    EXPECT_EQ(def("sana.sampler", "height"), 480);
    EXPECT_EQ(def("sana.sampler", "frames"), 81);
    EXPECT_EQ(def("sana.sampler", "steps"), 50);
    EXPECT_EQ(def("sana.sampler", "guidance"), 6.0);
    EXPECT_EQ(def("sana.sampler", "resolution_binning"), true);
    EXPECT_EQ(def("sana.sampler", "scheduler"), "model");
    EXPECT_EQ(def("sana.sampler", "flow_shift"), 0.0);
    EXPECT_EQ(def("sana.text_encode", "negative_prompt"), "");
    EXPECT_EQ(def("sana.text_encode", "motion_score"), 0);
    EXPECT_EQ(def("sana.text_encode", "max_length"), 300);
    EXPECT_EQ(def("sana.text_encode", "instruction"), true);
    EXPECT_EQ(def("sana.image_encode", "resolution_binning"), true);
    EXPECT_EQ(def("sana.load_model", "device"), "auto");
}

TEST_F(SanaNodesTest, DefaultGraphsValidateWithTheDocumentedDefaults) {
    for (const char* name : {"text-to-video.json", "image-to-video.json"}) {
        SCOPED_TRACE(name);
        const GraphDocument doc = GraphDocument::load(test::graphsDir() / name);
        const auto issues = validateGraph(doc, registry);
        EXPECT_TRUE(issues.empty()) << formatIssues(issues);
        // Every parameter the graph sets equals the node default, except the settings of the SANA-Video
        // example that a graph file may carry: its negative prompt and motion score 30 (and the graph's own
        // prompt, seed, output name and which model components it loads).
        const std::set<std::string> fromTheExample = {
            "text_encode.negative_prompt", "text_encode.motion_score", "text_encode.prompt", "sampler.seed",
            "save_video.filename",         "load_model.vae_encoder"};
        for (const GraphNode& n : doc.nodes()) {
            const NodeDescriptor* d = registry.find(n.type);
            ASSERT_NE(d, nullptr);
            for (const auto& [p, v] : n.params.items()) {
                if (fromTheExample.count(n.id + "." + p)) continue;
                const ParamSpec* spec = d->findParam(p);
                ASSERT_NE(spec, nullptr) << n.id << "." << p;
                EXPECT_EQ(spec->fromJson(v), spec->defaultValue) << n.id << "." << p << " = " << v.dump();
            }
        }
        const GraphNode* encode = doc.findNode("text_encode");
        EXPECT_EQ(encode->params.value("motion_score", json()), 30);
        EXPECT_TRUE(
            encode->params.value("negative_prompt", std::string())
                .starts_with("A chaotic sequence with misshapen, deformed limbs in heavy motion blur"));
        // Laid out in columns, left to right: every link goes rightwards, or down within a column.
        for (const auto& l : doc.links()) {
            const auto from = doc.findNode(l.from.node)->ui.at("pos"),
                       to = doc.findNode(l.to.node)->ui.at("pos");
            const double fx = from[0].get<double>(), tx = to[0].get<double>();
            EXPECT_TRUE(fx < tx || (fx == tx && from[1].get<double>() < to[1].get<double>()))
                << l.from.node << " -> " << l.to.node;
        }
    }
    const GraphDocument i2v = GraphDocument::load(test::graphsDir() / "image-to-video.json");
    EXPECT_NE(i2v.inputLink("sampler", "latent"), nullptr);
}

// ---- runs on the demo model
// --------------------------------------------------------------------------------------

TEST_F(SanaNodesTest, TextToVideoRunsWithProgressAndPreviews) {
    Outcome r = run(tinyGraph(false));
    ASSERT_TRUE(r.result.ok()) << r.result.failedNode << ": " << r.result.message;
    EXPECT_EQ(r.nodes(EK::NodeFinished),
              (Ids{"load_model", "load_lora", "text_encode", "sampler", "vae_decode", "save_video"}));
    // One progress event and one preview per sampler step; previews are the latent size (1/8), one picture
    // per latent frame (5 frames → 2 latent frames).
    const auto progress = r.of(EK::NodeProgress, "sampler");
    ASSERT_EQ(progress.size(), 2u);
    EXPECT_EQ(progress.back()->step, 2);
    EXPECT_EQ(progress.back()->total, 2);
    const auto previews = r.of(EK::NodePreview, "sampler");
    ASSERT_EQ(previews.size(), 2u);
    EXPECT_EQ(previews[0]->image->width, 4);
    EXPECT_EQ(previews[0]->image->height, 4);
    EXPECT_EQ(previews[0]->image->frameCount, 2);
    // VAE Decode reports every decoded frame.
    const auto decoded = r.of(EK::NodeProgress, "vae_decode");
    ASSERT_FALSE(decoded.empty());
    EXPECT_EQ(decoded.back()->step, 5);
    EXPECT_EQ(decoded.back()->total, 5);

    const std::string path = r.result.outputs.at("save_video").getString("path");
    EXPECT_EQ(fs::path(path).filename(), "sana_t2v_00001.mp4");
    const auto info = media::probeVideo(path);
    EXPECT_EQ(info.codec, "h264");
    EXPECT_EQ(info.frames, 5);
    EXPECT_EQ(info.width, 32);
    EXPECT_EQ(info.height, 32);
    EXPECT_EQ(info.fps(), 16.0);
}

// A 720p model (LTX-2 VAE, 1×1×1 patches): Load Model reports the family it loaded, and the default graph
// runs at 720p geometry (sizes multiples of 32, 8k + 1 frames), previews included.
TEST_F(SanaNodesTest, Model720pRunsAndReportsItsFamily) {
    const fs::path dir = modelDir.path() / "model720";
    const test::CommandResult mk =
        test::runSanavideo({"make-demo-model", dir.string(), "--family", "720p"}, modelDir.path());
    ASSERT_EQ(mk.rc, 0) << mk.out << mk.err;
    GraphDocument doc = GraphDocument::load(test::graphsDir() / "text-to-video.json");
    for (const auto& s : test::tinySettings(dir, false)) set(doc, s.node, s.param, s.value);
    set(doc, "sampler", "width", "64");
    set(doc, "sampler", "height", "64");
    set(doc, "sampler", "frames", "9");
    Outcome r = run(doc);
    ASSERT_TRUE(r.result.ok()) << r.result.failedNode << ": " << r.result.message;
    bool reported = false;
    for (const auto* e : r.of(EK::NodeLog, "load_model"))
        reported = reported || e->message.find("720p LTX-2") != std::string::npos;
    EXPECT_TRUE(reported) << "Load Model's log does not name the family";
    EXPECT_EQ(r.of(EK::NodePreview, "sampler").size(), 2u);
    const auto info = media::probeVideo(r.result.outputs.at("save_video").getString("path"));
    EXPECT_EQ(info.frames, 9);
    EXPECT_EQ(info.width, 64);
    EXPECT_EQ(info.height, 64);
}

// Load Model's weights option: the log says which 8-bit format the run uses, and says nothing of 8 bits for
// float weights.
TEST_F(SanaNodesTest, LoadModelNamesItsEightBitWeights) {
    auto loadedLine = [&](const std::string& weights) {
        GraphDocument doc = tinyGraph(false);
        set(doc, "load_model", "weights", weights);
        RunRequest request;
        request.targets = {"load_model"};
        const Outcome r = run(doc, request);
        EXPECT_TRUE(r.result.ok()) << r.result.message;
        for (const auto* e : r.of(EK::NodeLog, "load_model"))
            if (e->message.rfind("loaded ", 0) == 0) return e->message;
        return std::string("(no 'loaded' line)");
    };
    const std::string f = loadedLine("auto"), i8 = loadedLine("int8"), f8 = loadedLine("fp8");
    EXPECT_EQ(f.find(" weights)"), std::string::npos) << f;
    EXPECT_NE(i8.find("; int8 weights)"), std::string::npos) << i8;
    // fp8: the transformer in e4m3, Gemma-2 in int8 (fp8StorageFormat).
    EXPECT_NE(f8.find("; int8 and fp8 weights)"), std::string::npos) << f8;
}

TEST_F(SanaNodesTest, SamplerPreviewsEveryLatentFrameOfEachStep) {
    GraphDocument doc = tinyGraph(false);
    set(doc, "sampler", "frames", "9");  // 3 latent frames
    set(doc, "sampler", "width", "48");  // 6x4 latent pixels
    set(doc, "sampler", "steps", "3");
    set(doc, "sampler", "scheduler", "euler");
    RunRequest request;
    request.targets = {"sampler"};
    Outcome r = run(doc, request);
    ASSERT_TRUE(r.result.ok()) << r.result.failedNode << ": " << r.result.message;
    const auto& latent = r.result.outputs.at("sampler").getObject<nodes::Latent>("latent", nodes::kLatentTag);
    const Tensor& z = latent.latents;  // [1, 16, F', h, w]
    ASSERT_EQ(z.rank(), 5);

    const auto previews = r.of(EK::NodePreview, "sampler");
    ASSERT_EQ(previews.size(), 3u);
    for (size_t i = 0; i < previews.size(); ++i) {
        const ExecutionEvent& e = *previews[i];
        EXPECT_EQ(e.step, int64_t(i) + 1);
        EXPECT_EQ(e.total, 3);
        ASSERT_TRUE(e.image);
        const PreviewImage& p = *e.image;
        EXPECT_EQ(p.step, int64_t(i) + 1);
        EXPECT_EQ(p.totalSteps, 3);
        EXPECT_EQ(p.frameCount, z.dim(2));
        EXPECT_EQ(p.height, z.dim(3));
        EXPECT_EQ(p.width, z.dim(4));
        EXPECT_TRUE(p.isValid());
    }
    // Euler's last step lands on its x0 estimate: the last preview is the linear map of every frame of the
    // sampled latent, in order (up to rounding of the 8-bit values).
    const PreviewImage& last = *previews.back()->image;
    const Tensor expected = latentPreviewRgb(z).contiguous();  // U8 [F', h, w, 3]
    ASSERT_EQ(size_t(expected.numel()), last.rgb.size());
    int maxDiff = 0;
    for (size_t i = 0; i < last.rgb.size(); ++i)
        maxDiff = std::max(maxDiff, std::abs(int(last.rgb[i]) - int(expected.data<uint8_t>()[i])));
    EXPECT_LE(maxDiff, 1);
    // The frames are different pictures, not one frame repeated.
    EXPECT_FALSE(std::equal(last.frame(0).begin(), last.frame(0).end(), last.frame(1).begin()));
}

TEST_F(SanaNodesTest, SeedChangeRerunsOnlySamplerDecodeAndSave) {
    GraphDocument doc = tinyGraph(false);
    ASSERT_TRUE(run(doc).result.ok());

    set(doc, "sampler", "seed", "8");
    Outcome r = run(doc);
    ASSERT_TRUE(r.result.ok()) << r.result.message;
    EXPECT_EQ(r.nodes(EK::NodeCached), (Ids{"load_model", "load_lora", "text_encode"}));
    EXPECT_EQ(r.nodes(EK::NodeStarted), (Ids{"sampler", "vae_decode", "save_video"}));
    EXPECT_EQ(fs::path(r.result.outputs.at("save_video").getString("path")).filename(), "sana_t2v_00002.mp4");

    set(doc, "text_encode", "prompt", "a red fox in the snow");
    r = run(doc);
    ASSERT_TRUE(r.result.ok()) << r.result.message;
    EXPECT_EQ(r.nodes(EK::NodeCached), (Ids{"load_model", "load_lora"}));
    EXPECT_EQ(r.nodes(EK::NodeStarted), (Ids{"text_encode", "sampler", "vae_decode", "save_video"}));
}

TEST_F(SanaNodesTest, CancelMidSamplingReturnsPromptlyAndRerunReusesTheTextEncoding) {
    GraphDocument doc = tinyGraph(false);
    set(doc, "sampler", "steps", "1000");
    EventQueue q;
    ExecutorThread worker(executor);
    worker.start(doc, {{}, out.path()}, q.sink());
    bool sampling = false;
    for (int i = 0; i < 100000 && !sampling; ++i) {
        auto e = q.waitNext(std::chrono::seconds(60));
        ASSERT_TRUE(e.has_value()) << "no event for 60 s";
        ASSERT_NE(e->kind, EK::RunFinished) << "1000 steps finished before the cancel";
        ASSERT_NE(e->kind, EK::RunFailed) << e->message;
        sampling = e->kind == EK::NodeProgress && e->nodeId == "sampler" && e->step >= 2;
    }
    const auto start = std::chrono::steady_clock::now();
    worker.cancel();
    const RunResult cancelled = worker.wait();
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    EXPECT_EQ(cancelled.status, RunResult::Status::Cancelled);
    EXPECT_EQ(cancelled.failedNode, "sampler");
    EXPECT_LT(secs, 2.0) << "cancel took " << secs << " s";
    EXPECT_FALSE(fs::exists(out.path() / "sana_t2v_00001.mp4"));

    set(doc, "sampler", "steps", "2");
    const Outcome r = run(doc);
    ASSERT_TRUE(r.result.ok()) << r.result.message;
    EXPECT_EQ(r.nodes(EK::NodeCached), (Ids{"load_model", "load_lora", "text_encode"}));
    EXPECT_EQ(r.nodes(EK::NodeStarted), (Ids{"sampler", "vae_decode", "save_video"}));
}

TEST_F(SanaNodesTest, CancelDuringDecodingStopsWithinAFrameAndWritesNothing) {
    GraphDocument doc = tinyGraph(false);
    set(doc, "sampler", "frames", "401");  // 101 latent frames: decoding takes a while
    set(doc, "sampler", "steps", "1");
    EventQueue q;
    ExecutorThread worker(executor);
    worker.start(doc, {{}, out.path()}, q.sink());
    bool decoding = false;
    while (!decoding) {
        auto e = q.waitNext(std::chrono::seconds(60));
        ASSERT_TRUE(e.has_value()) << "no event for 60 s";
        ASSERT_NE(e->kind, EK::RunFinished) << "decoding finished before the cancel";
        ASSERT_NE(e->kind, EK::RunFailed) << e->message;
        decoding = e->kind == EK::NodeProgress && e->nodeId == "vae_decode";
    }
    const auto start = std::chrono::steady_clock::now();
    worker.cancel();
    const RunResult cancelled = worker.wait();
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    EXPECT_EQ(cancelled.status, RunResult::Status::Cancelled);
    EXPECT_EQ(cancelled.failedNode, "vae_decode");
    EXPECT_LT(secs, 5.0) << "cancel took " << secs << " s";
    EXPECT_TRUE(fs::is_empty(out.path()));
    // The sampled latents stay cached: nothing upstream of the decoder runs again.
    const Outcome r = run(doc, {{"sampler"}, {}});
    ASSERT_TRUE(r.result.ok()) << r.result.message;
    EXPECT_EQ(r.nodes(EK::NodeCached), (Ids{"load_model", "load_lora", "text_encode", "sampler"}));
    EXPECT_TRUE(r.nodes(EK::NodeStarted).empty());
}

TEST_F(SanaNodesTest, ImageToVideoRuns) {
    Outcome r = run(tinyGraph(true));
    ASSERT_TRUE(r.result.ok()) << r.result.failedNode << ": " << r.result.message;
    EXPECT_EQ(r.nodes(EK::NodeFinished).size(), 8u);
    const auto info = media::probeVideo(r.result.outputs.at("save_video").getString("path"));
    EXPECT_EQ(info.frames, 5);
    EXPECT_EQ(info.width, 32);
    // The image latent changes with the image only: a seed change keeps Load Image and Image Encode cached.
    GraphDocument doc = tinyGraph(true);
    set(doc, "sampler", "seed", "99");
    r = run(doc);
    ASSERT_TRUE(r.result.ok()) << r.result.message;
    EXPECT_EQ(r.nodes(EK::NodeStarted), (Ids{"sampler", "vae_decode", "save_video"}));
}

TEST_F(SanaNodesTest, ImageToVideoTakesItsSizeFromTheImageLatent) {
    // Image Encode at 48x32, the Sampler left at 32x32: no second size to keep in step, the video is 48x32.
    GraphDocument doc = tinyGraph(true);
    set(doc, "image_encode", "width", "48");
    const Outcome r = run(doc);
    ASSERT_TRUE(r.result.ok()) << r.result.failedNode << ": " << r.result.message;
    const auto info = media::probeVideo(r.result.outputs.at("save_video").getString("path"));
    EXPECT_EQ(info.width, 48);
    EXPECT_EQ(info.height, 32);
    const ParamSpec* width = registry.find("sana.sampler")->findParam("width");
    EXPECT_EQ(width->takenFromInput, "latent");
    EXPECT_EQ(registry.find("sana.sampler")->findParam("height")->takenFromInput, "latent");
    EXPECT_TRUE(registry.find("sana.sampler")->findParam("frames")->takenFromInput.empty());
}

TEST_F(SanaNodesTest, SaveLatentAndLoadLatentRoundTrip) {
    GraphDocument doc = tinyGraph(false);
    doc.addNode("sana.save_latent", 1, {{"filename", "keep/run_{counter:03}"}}, json::object(),
                "save_latent");
    doc.connect({"sampler", "latent"}, {"save_latent", "latent"});
    const Outcome first = run(doc, {{"save_latent", "vae_decode"}, {}});
    ASSERT_TRUE(first.result.ok()) << first.result.message;
    const fs::path file = first.result.outputs.at("save_latent").getString("path");
    EXPECT_EQ(file, out.path() / "keep" / "run_001.safetensors");

    auto st = SafetensorsFile::open(file);
    EXPECT_EQ(st->metadata().at("format"), "sanavideo.latent");
    EXPECT_EQ(st->metadata().at("kind"), "video");
    EXPECT_EQ(st->metadata().at("width"), "32");
    EXPECT_EQ(st->metadata().at("frames"), "5");
    EXPECT_EQ(json::parse(st->metadata().at("graph")), doc.toJson());
    EXPECT_EQ(st->get("latents").shape(), (Shape{1, 16, 2, 4, 4}));

    // Decoding the saved latents gives exactly the frames of the run that sampled them.
    GraphDocument reload;
    reload.addNode("sana.load_model", 1, doc.findNode("load_model")->params, json::object(), "load_model");
    reload.addNode("sana.load_latent", 1, {{"path", file.string()}}, json::object(), "load_latent");
    reload.addNode("sana.vae_decode", 1, json::object(), json::object(), "vae_decode");
    reload.connect({"load_model", "model"}, {"vae_decode", "model"});
    reload.connect({"load_latent", "latent"}, {"vae_decode", "latent"});
    const Outcome second = run(reload, {{"vae_decode"}, {}});
    ASSERT_TRUE(second.result.ok()) << second.result.message;
    const auto a = first.result.outputs.at("vae_decode").get("video").toVideo();
    const auto b = second.result.outputs.at("vae_decode").get("video").toVideo();
    EXPECT_EQ(b->frameCount, 5);
    EXPECT_EQ(b->width, 32);
    EXPECT_TRUE(a->rgb == b->rgb) << "decoded frames differ";

    // A second save counts up.
    set(doc, "sampler", "seed", "1");
    const Outcome third = run(doc, {{"save_latent"}, {}});
    ASSERT_TRUE(third.result.ok()) << third.result.message;
    EXPECT_EQ(fs::path(third.result.outputs.at("save_latent").getString("path")).filename(),
              "run_002.safetensors");
}

TEST_F(SanaNodesTest, LoadLatentRejectsForeignFilesNamingThePath) {
    const fs::path foreign = out.path() / "foreign.safetensors";
    const std::vector<std::pair<std::string, Tensor>> tensors{
        {"latents", Tensor::zeros({1, 16, 1, 2, 2}, DType::F32)}};
    writeSafetensors(foreign, tensors, {{"format", "something.else"}});
    GraphDocument doc;
    doc.addNode("sana.load_latent", 1, {{"path", foreign.string()}}, json::object(), "ll");
    const Outcome r = run(doc, {{"ll"}, {}});
    ASSERT_EQ(r.result.status, RunResult::Status::Failed);
    EXPECT_EQ(r.result.failedNode, "ll");
    EXPECT_NE(r.result.message.find("parameter 'path'"), std::string::npos) << r.result.message;
    EXPECT_NE(r.result.message.find("not a Sana Video latent file"), std::string::npos) << r.result.message;
}

TEST_F(SanaNodesTest, PngSequenceAndPreview) {
    GraphDocument doc = tinyGraph(false);
    set(doc, "save_video", "format", "png");
    doc.addNode("sana.preview_video", 1, json::object(), json::object(), "preview");
    doc.connect({"vae_decode", "video"}, {"preview", "video"});
    const Outcome r = run(doc);
    ASSERT_TRUE(r.result.ok()) << r.result.message;
    const fs::path folder = r.result.outputs.at("save_video").getString("path");
    EXPECT_EQ(folder.filename(), "sana_t2v_00001");
    for (int i = 0; i < 5; ++i) EXPECT_TRUE(fs::exists(folder / concat("frame_000", i, ".png"))) << i;
    EXPECT_EQ(json::parse(test::readFile(folder / "graph.json")), doc.toJson());
    const auto shown = r.of(EK::NodeDisplay, "preview");
    ASSERT_EQ(shown.size(), 1u);
    EXPECT_EQ(shown[0]->value.toVideo()->frameCount, 5);
}

// ---- errors name the parameter
// -----------------------------------------------------------------------------------

TEST_F(SanaNodesTest, ErrorsNameTheParameter) {
    struct Case {
        bool i2v;
        std::string node, param, value, failedNode, expected;
    };
    // What the node knows from its parameters alone is refused by validation, before anything runs.
    const std::vector<Case> invalid = {
        {false, "sampler", "frames", "6", "sampler", "parameter 'frames': 6 is not 1 + 4·k"},
        {false, "sampler", "width", "40", "sampler", "parameter 'width': 40 is not a multiple of 16"},
        {true, "image_encode", "height", "33", "image_encode", "parameter 'height': 33 is not a multiple"},
        {false, "save_video", "filename", "clip_{count}", "save_video", "parameter 'filename'"},
    };
    for (const auto& c : invalid) {
        SCOPED_TRACE(c.node + "." + c.param + "=" + c.value);
        GraphDocument doc = tinyGraph(c.i2v);
        set(doc, c.node, c.param, c.value);
        const Outcome r = run(doc);
        ASSERT_EQ(r.result.status, RunResult::Status::Invalid) << r.result.message;
        EXPECT_TRUE(r.of(EK::NodeStarted).empty()) << "nothing ran";
        EXPECT_NE(r.result.message.find("node '" + c.failedNode + "'"), std::string::npos)
            << r.result.message;
        EXPECT_NE(r.result.message.find(c.expected), std::string::npos) << r.result.message;
    }
    std::vector<Case> cases = {
        {false, "load_model", "folder", (out.path() / "nowhere").string(), "load_model",
         "parameter 'folder'"},
        {false, "load_model", "text_encoder", "false", "text_encode", "parameter 'text_encoder'"},
        {true, "load_model", "vae_encoder", "false", "image_encode", "parameter 'vae_encoder'"},
        {true, "load_image", "path", (out.path() / "missing.png").string(), "load_image", "parameter 'path'"},
        {false, "text_encode", "prompt", "", "text_encode", "parameter 'prompt' is empty"},
        {false, "load_model", "vae_dtype", "bf16", "load_model",
         "parameter 'vae_dtype': the CPU backend runs in f32 only, got bf16"},
    };
    if (!device::available(Device::cuda()))
        cases.push_back({false, "load_model", "device", "cuda", "load_model", "parameter 'device'"});
    for (const auto& c : cases) {
        SCOPED_TRACE(c.node + "." + c.param + "=" + c.value);
        GraphDocument doc = tinyGraph(c.i2v);
        set(doc, c.node, c.param, c.value);
        const Outcome r = run(doc);
        ASSERT_EQ(r.result.status, RunResult::Status::Failed) << r.result.message;
        EXPECT_EQ(r.result.failedNode, c.failedNode);
        EXPECT_NE(r.result.message.find(c.expected), std::string::npos) << r.result.message;
    }
}

TEST_F(SanaNodesTest, SizesAndFrameCountsAreCheckedBeforeAnythingRuns) {
    // The step grids of the parameters: refused when the graph is validated, naming node and parameter.
    const std::vector<std::array<std::string, 4>> cases = {
        {"sampler", "frames", "6",
         "node 'sampler' (sana.sampler): parameter 'frames': 6 is not 1 + 4·k (nearest: 5)"},
        {"sampler", "width", "40",
         "node 'sampler' (sana.sampler): parameter 'width': 40 is not a multiple of 16"},
        {"image_encode", "height", "33",
         "node 'image_encode' (sana.image_encode): parameter 'height': 33 is not a multiple of 16"},
    };
    for (const auto& [node, param, value, expected] : cases) {
        SCOPED_TRACE(node + "." + param + "=" + value);
        GraphDocument doc = tinyGraph(true);
        set(doc, node, param, value);
        const Outcome r = run(doc);
        ASSERT_EQ(r.result.status, RunResult::Status::Invalid) << r.result.message;
        EXPECT_NE(r.result.message.find(expected), std::string::npos) << r.result.message;
        EXPECT_TRUE(r.of(EK::NodeStarted).empty());
    }
}

// ---- one engine, one front end
// ------------------------------------------------------------------------------------------

TEST_F(SanaNodesTest, ThePackRunsOnTheHostsEngine) {
    // The engine is one shared library: the pack reports the engine copy it links (its Qt property
    // "engineInstance"), which must be this process's. A pack with its own static copy would report another.
    PluginLoader loader;
    NodeRegistry other;
    const PluginReport rep = loader.loadFile(SV_SANA_PACK_FILE, other);
    ASSERT_TRUE(rep.loaded) << rep.message;
    std::string instance;
    for (const auto& [name, value] : rep.properties)
        if (name == "engineInstance") instance = value;
    EXPECT_EQ(instance, std::to_string(sv::engineInstance()));
}

TEST_F(SanaNodesTest, TheDefaultGraphComputesWhatThePipelineComputes) {
    // `generate` runs this graph; before, it called the pipeline directly. Same settings, same frames.
    GraphDocument doc = tinyGraph(false);
    set(doc, "text_encode", "prompt", "a red fox in the snow");
    RunRequest request;
    request.targets = {"vae_decode"};
    const Outcome r = run(doc, request);
    ASSERT_TRUE(r.result.ok()) << r.result.failedNode << ": " << r.result.message;
    const auto video = r.result.outputs.at("vae_decode").get("video").toVideo();

    ModelLoadOptions lo;
    lo.device = Device::cpu();
    lo.vaeEncoder = false;
    TextToVideoRequest req;
    req.prompts = {"a red fox in the snow"};
    req.negativePrompts = {doc.findNode("text_encode")->params.at("negative_prompt").get<std::string>()};
    req.motionScore = 30;
    req.steps = 2;
    req.height = req.width = 32;
    req.frames = 5;
    req.seed = 7;
    req.useResolutionBinning = false;
    const VideoResult expected =
        TextToVideoPipeline(std::make_shared<const SanaModels>(SanaModels::load(model(), lo))).run(req);
    const Tensor frames = floatFramesToUint8(expected.frames.select(0, 0)).contiguous();  // [F, H, W, 3]
    ASSERT_EQ(size_t(frames.numel()), video->rgb.size());
    EXPECT_EQ(std::vector<uint8_t>(frames.data<uint8_t>(), frames.data<uint8_t>() + frames.numel()),
              video->rgb);
}

// ---- Load LoRA, the CUDA generator, custom schedules, prompt batches (issue #14)
// ------------------------------------------------------

/// The adapters of the lora_tiny fixture fit the demo transformer (width 64, 2 blocks).
fs::path styleLora() {
    return fs::path(SV_SOURCE_DIR) / "tests/data/reference/lora_tiny/style/pytorch_lora_weights.safetensors";
}

TEST_F(SanaNodesTest, LoadLoraChangesTheVideoAndReRunsFromItself) {
    if (!fs::exists(styleLora())) GTEST_SKIP() << styleLora() << " is absent";
    GraphDocument doc = tinyGraph(false);
    Outcome plain = run(doc);
    ASSERT_TRUE(plain.result.ok()) << plain.result.message;
    set(doc, "load_lora", "file", styleLora().string());
    set(doc, "load_lora", "strength", "0.7");
    Outcome styled = run(doc);
    ASSERT_TRUE(styled.result.ok()) << styled.result.message;
    EXPECT_EQ(styled.nodes(EK::NodeCached), (Ids{"load_model", "text_encode"}));
    const auto a = media::probeVideo(plain.result.outputs.at("save_video").getString("path"));
    const auto b = media::probeVideo(styled.result.outputs.at("save_video").getString("path"));
    EXPECT_EQ(a.frames, b.frames);
    // A new strength re-runs Load LoRA and what follows; merged gives the same model.
    set(doc, "load_lora", "mode", "merged");
    Outcome merged = run(doc);
    ASSERT_TRUE(merged.result.ok()) << merged.result.message;
    EXPECT_EQ(merged.nodes(EK::NodeStarted), (Ids{"load_lora", "sampler", "vae_decode", "save_video"}));
    set(doc, "load_lora", "file", (out.path() / "missing.safetensors").string());
    Outcome bad = run(doc);
    ASSERT_FALSE(bad.result.ok());
    EXPECT_EQ(bad.result.failedNode, "load_lora");
    EXPECT_NE(bad.result.message.find("parameter 'file'"), std::string::npos) << bad.result.message;
}

TEST_F(SanaNodesTest, SamplerTakesTheCudaGeneratorAndCustomSchedules) {
    GraphDocument doc = tinyGraph(false);
    set(doc, "sampler", "generator", "cuda");
    set(doc, "sampler", "cuda_grid", "132x2048");  // emulated where there is no GPU
    Outcome r = run(doc);
    ASSERT_TRUE(r.result.ok()) << r.result.message;
    set(doc, "sampler", "scheduler", "euler");
    set(doc, "sampler", "sigmas", "1.0, 0.6, 0.2");
    r = run(doc);
    ASSERT_TRUE(r.result.ok()) << r.result.message;
    EXPECT_EQ(r.of(EK::NodeProgress, "sampler").back()->total, 3);
    set(doc, "sampler", "timesteps", "900, 500");
    r = run(doc);
    ASSERT_FALSE(r.result.ok());
    EXPECT_NE(r.result.message.find("not both"), std::string::npos) << r.result.message;
    set(doc, "sampler", "timesteps", "");
    set(doc, "sampler", "cuda_grid", "132");
    r = run(doc);
    ASSERT_FALSE(r.result.ok());
    EXPECT_NE(r.result.message.find("parameter 'cuda_grid'"), std::string::npos) << r.result.message;
}

TEST_F(SanaNodesTest, PromptLinesAndVideosPerPromptMakeABatch) {
    GraphDocument doc = tinyGraph(false);
    set(doc, "text_encode", "prompt", "a red fox\n\na grey cat\n");
    set(doc, "text_encode", "one_prompt_per_line", "true");
    set(doc, "text_encode", "num_videos", "2");
    set(doc, "vae_decode", "video", "3");  // the cat's second video
    Outcome r = run(doc);
    ASSERT_TRUE(r.result.ok()) << r.result.message;
    set(doc, "vae_decode", "video", "4");
    r = run(doc);
    ASSERT_FALSE(r.result.ok());
    EXPECT_NE(r.result.message.find("beyond the batch of 4 videos"), std::string::npos) << r.result.message;
}

}  // namespace
}  // namespace sv::plugin
