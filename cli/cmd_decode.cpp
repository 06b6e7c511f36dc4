// `sanavideo decode LATENTS --model DIR --out clip.mp4|clip.y4m|-`: the second half of a split run
// (`generate --save-latents FILE --no-decode` on one machine, the decode on another). It runs the graph
// Load Model (the VAE decoder only) → Load Latent → VAE Decode → Save Video through the Executor, as `run`
// and `generate` do, so the file is checked by Load Latent and the latents against the model by VAE Decode;
// --out follows generate's rules (output_target.h: staged, never replacing a file without --overwrite).
// Before any model loads, the file's header is read to fail early: not a safetensors file, no "latents"
// tensor of rank 5, or a channel count other than the model's VAE's (vae/config.json).
#ifdef SV_CLI_WITH_PLUGIN
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "base/error.h"
#include "cancel_signals.h"
#include "commands.h"
#include "generate_graph.h"
#include "generate_options.h"
#include "io/safetensors.h"
#include "media/video_writer.h"
#include "models/video_vae.h"
#include "node_packs.h"
#include "output_target.h"
#include "run_progress.h"
#include "run_timings.h"
#include "terminal_text.h"

using namespace sv::plugin;
namespace fs = std::filesystem;

namespace sv::cli {

namespace {

struct DecodeArgs {
    std::string latents, model, out, timings;
    std::string device = "auto", vaeDtype = "auto", fps;  // as given; checked by the node parameters
    bool overwrite = false;
};

/// Load Latent's batch limit (nodes/latent_value.h kMaxLatentBatch): the graph gets one VAE Decode per video.
constexpr int64_t kMaxVideos = 256;

/// What the header of the latents file says, read before any model loads.
struct LatentsHeader {
    Shape shape;  // [N, C, F', h, w]
    std::map<std::string, std::string> meta;
};

LatentsHeader readHeader(const DecodeArgs& a) {
    const auto file = SafetensorsFile::open(a.latents, io::InputKind::Latent);  // names the file and problem
    const TensorInfo* t = file->find("latents");
    SV_CHECK(t != nullptr, a.latents,
             ": no tensor \"latents\" (not a file written by Save Latent or "
             "`generate --save-latents`)");
    SV_CHECK(t->shape.size() == 5 && t->shape[0] >= 1 && t->shape[0] <= kMaxVideos, a.latents,
             ": tensor \"latents\" must be [N, C, F', h, w] with N <= ", kMaxVideos, ", got ",
             shapeToString(t->shape));
    const fs::path vaeConfig = fs::path(a.model) / "vae" / "config.json";
    std::error_code ec;
    if (fs::is_regular_file(vaeConfig, ec)) {  // a folder without it is Load Model's error to report
        const VideoVaeConfig vae = VideoVaeConfig::load(vaeConfig);
        SV_CHECK(t->shape[1] == vae.latentChannels(), a.latents, " holds latents of ", t->shape[1],
                 " channels, but the VAE of ", a.model, " (", vae.className(), ") takes ",
                 vae.latentChannels(), ": the latents were made with another model family");
    }
    return {t->shape, file->metadata()};
}

/// A node's error in the words of the command line ("parameter 'path': ..." of load_latent → "LATENTS: ...").
std::string inDecodeTerms(const std::string& node, const std::string& message) {
    static const struct {
        std::string_view node, param, option;
    } kTerms[] = {{"load_latent", "path", "LATENTS"},
                  {"load_model", "folder", "--model"},
                  {"load_model", "device", "--device"},
                  {"load_model", "vae_dtype", "--vae-dtype"},
                  {"vae_decode", "fps", "--fps"}};
    for (const auto& t : kTerms) {
        const std::string key = concat("parameter '", t.param, "'");
        if (baseNodeId(node) == t.node && message.starts_with(key))
            return concat(t.option, message.substr(key.size()));
    }
    return message;
}

/// Load Model (VAE decoder only) → Load Latent → VAE Decode → Save Video, one decode and save per video.
GraphDocument buildDecodeGraph(const DecodeArgs& a, const NodeRegistry& registry, OutputTarget& target) {
    GraphDocument doc;
    auto at = [](double x, double y) { return nlohmann::json{{"pos", {x, y}}}; };
    doc.addNode("sana.load_model", 1, nlohmann::json::object(), at(0, 0), "load_model");
    doc.addNode("sana.load_latent", 1, nlohmann::json::object(), at(0, 220), "load_latent");
    doc.addNode("sana.vae_decode", 1, nlohmann::json::object(), at(320, 80), "vae_decode");
    doc.addNode("sana.save_video", 1, nlohmann::json::object(), at(620, 80), "save_video");
    doc.connect({"load_model", "model"}, {"vae_decode", "model"});
    doc.connect({"load_latent", "latent"}, {"vae_decode", "latent"});
    doc.connect({"vae_decode", "video"}, {"save_video", "video"});
    setParam(doc, registry, {"load_model", "folder"}, a.model, "--model");
    setDeviceParams(doc, registry, a.device, "--device");
    setParam(doc, registry, {"load_model", "vae_dtype"}, a.vaeDtype, "--vae-dtype");
    for (const char* part : {"text_encoder", "transformer", "vae_encoder"})
        setParam(doc, registry, {"load_model", part}, "false", "--model");
    setParam(doc, registry, {"load_latent", "path"}, a.latents, "LATENTS");
    if (!a.fps.empty()) setParam(doc, registry, {"vae_decode", "fps"}, a.fps, "--fps");
    (void)addVideoOutputs(doc, registry, target);
    return doc;
}

int runDecode(const DecodeArgs& a) {
    const auto t0 = std::chrono::steady_clock::now();
    OutputTarget target(a.out, a.overwrite);  // checked before anything is read or loaded
    SV_CHECK(!target.isSequence(),
             "--out: decode writes an .mp4 or .y4m file, or - (a Y4M stream on stdout)");
    const LatentsHeader header = readHeader(a);
    target.setVideoCount(header.shape[0]);
    target.checkFree(0);
    media::setFfmpegQuiet(true);
    NodeRegistry registry;
    loadNodePacks(registry, {}, "decode");
    Executor executor(registry);
    const GraphDocument doc = buildDecodeGraph(a, registry, target);
    printLine(stderr, concat("decoding ", a.latents, " (", shapeToString(header.shape), ") with the VAE of ",
                             a.model));
    CancelOnSignals signals;
    RunTimings timings("decode");
    const RunResult result =
        runWithProgress(executor, doc, target.stage(), signals, "decode", registry, timings);
    if (result.status == RunResult::Status::Failed && !result.failedNode.empty()) {
        printError("decode", inDecodeTerms(result.failedNode, result.message));
        return 1;
    }
    if (const int rc = reportRunEnd(result, signals, "decode", "decoding the latents"); rc != 0) return rc;
    const std::vector<std::string> placed = target.commit(0);
    const auto meta = [&](const char* key) {
        auto it = header.meta.find(key);
        return it == header.meta.end() ? std::string("?") : it->second;
    };
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    for (const std::string& path : placed)
        printLine(target.toStdout() ? stderr : stdout,
                  concat("wrote ", target.toStdout() ? std::string("a Y4M stream to stdout") : path, " (",
                         meta("frames"), " frames, ", meta("width"), "x", meta("height"), ", ",
                         a.fps.empty() ? "16" : a.fps, " fps) in ", int64_t(seconds * 10) / 10.0, " s"));
    if (!a.timings.empty()) timings.write(a.timings, result.durationSeconds, {});
    return 0;
}

}  // namespace

CommandRun setupDecode(CLI::App& cmd) {
    cmd.footer(
        "Decodes latents written by `sanavideo generate --save-latents FILE` (or the Save Latent node) into "
        "a video: the graph Load Model (VAE decoder only) -> Load Latent -> VAE Decode -> Save Video, run as "
        "`sanavideo run` would. With `generate --save-latents FILE --no-decode` on one machine and `decode` "
        "on another, sampling and decoding can run where each fits; .y4m and - need no media library. The "
        "latents must come from a model of the same family (the same VAE). A batch of several videos is "
        "written as numbered .mp4 files next to --out.");
    auto a = std::make_shared<DecodeArgs>();
    cmd.add_option("LATENTS", a->latents, "the .safetensors latents file")->required();
    cmd.add_option("--model", a->model, "the model folder whose VAE decodes the latents (diffusers layout)")
        ->type_name("DIR")
        ->required();
    cmd.add_option("--out", a->out,
                   ".mp4 file; .y4m file (raw YUV 4:2:0, needs no media library); or - for a Y4M stream on "
                   "stdout (`| ffmpeg -i - clip.mp4`)")
        ->required();
    cmd.add_flag("--overwrite", a->overwrite, "replace an existing --out file (otherwise it is an error)");
    cmd.add_option("--device", a->device,
                   "where the VAE runs (auto: the first CUDA GPU when one is present, else the CPU)")
        ->type_name("auto|cpu|cuda[:N]")
        ->default_str("auto");
    cmd.add_option("--vae-dtype", a->vaeDtype, std::string(kVaeDtypeHelp))
        ->type_name("auto|f32|bf16|f16")
        ->default_str("auto");
    cmd.add_option("--fps", a->fps, "frame rate of the video")->type_name("N")->default_str("16");
    addTimingsOption(cmd, a->timings);
    return [a] { return runDecode(*a); };
}

}  // namespace sv::cli
#endif  // SV_CLI_WITH_PLUGIN
