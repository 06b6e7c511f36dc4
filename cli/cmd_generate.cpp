// `sanavideo generate`: text-to-video (image-to-video with --image) as a node graph. It takes the default
// graph (resources/graphs/text-to-video.json or image-to-video.json, compiled in), writes the options into
// its node parameters (generate_options.h: checked by each parameter's descriptor, as `run --set` does),
// prints the settings and runs the graph through the Executor, as `sanavideo run` would. So the CLI, `run`
// and the editor share one set of defaults, one device/dtype policy and one size/frames validation: the
// nodes'.
//
// Output: Save Video writes into a private staging folder; only a finished run moves the MP4 (or the frames
// and their graph.json) to --out (output_target.h). SIGINT, SIGTERM and SIGHUP cancel within a step and leave
// nothing behind (cancel_signals.h).
#ifdef SV_CLI_WITH_PLUGIN
#include <chrono>
#include <cstdio>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "base/error.h"
#include "cancel_signals.h"
#include "commands.h"
#include "generate_graph.h"
#include "generate_options.h"
#include "media/video_writer.h"
#include "node_packs.h"
#include "output_target.h"
#include "run_progress.h"
#include "run_timings.h"
#include "terminal_text.h"

using namespace sv::plugin;

namespace sv::cli {

namespace {

int64_t intParam(const GraphDocument& doc, const NodeRegistry& registry, ParamRef p) {
    return nlohmann::json::parse(effectiveValue(doc, registry, p)).get<int64_t>();
}

/// A node error in the words of the command line: "parameter 'transformer_dtype': ..." of node load_model
/// becomes "--dtype: ...".
std::string inOptionTerms(const std::string& node, const std::string& message) {
    const std::string key = "parameter '";
    const size_t p = message.find(key);
    const size_t q = p == std::string::npos ? p : message.find('\'', p + key.size());
    if (q == std::string::npos) return message;
    const std::string param = message.substr(p + key.size(), q - p - key.size());
    for (const GraphOption& go : generateOptions())
        for (const ParamRef& t : go.targets)
            if (t.node == baseNodeId(node) && t.param == param) return concat(go.flag, message.substr(q + 1));
    return message;
}

/// The parameters the summary reads: the Sampler's and VAE Decode's, or Long Video's.
struct SummaryRefs {
    ParamRef frames, width, height, fps;
};

SummaryRefs summaryRefs(GraphKind kind) {
    if (kind == GraphKind::LongVideo)
        return {{"long_video", "frames"},
                {"long_video", "width"},
                {"long_video", "height"},
                {"long_video", "fps"}};
    return {{"sampler", "frames"}, {"sampler", "width"}, {"sampler", "height"}, {"vae_decode", "fps"}};
}

std::string_view kindWords(GraphKind kind) {
    return kind == GraphKind::LongVideo      ? "LongSANA long video"
           : kind == GraphKind::ImageToVideo ? "image-to-video"
                                             : "text-to-video";
}

/// "wrote <path> (N frames, WxH, F fps) in S s", one line per video.
void printWritten(const std::vector<std::string>& paths, const GraphDocument& doc,
                  const NodeRegistry& registry, GraphKind kind, const OutputTarget& target,
                  std::chrono::steady_clock::time_point t0) {
    const SummaryRefs r = summaryRefs(kind);
    int64_t frames = intParam(doc, registry, r.frames);
    if (doc.findNode("load_video")) frames = -1;  // a continued clip: its length is the clip's plus the new
    char seconds[32];
    std::snprintf(seconds, sizeof seconds, "%.1f",
                  std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    const std::string fps = effectiveValue(doc, registry, r.fps);
    for (const std::string& path : paths)
        printLine(
            target.toStdout() ? stderr : stdout,  // `--out -`: stdout carries the video
            concat(
                "wrote ", target.toStdout() ? std::string("a Y4M stream to stdout") : path, " (",
                frames < 0 ? std::string("the clip and its continuation")
                           : concat(frames, frames == 1 ? " frame" : " frames"),
                ", ", intParam(doc, registry, r.width), "x", intParam(doc, registry, r.height),
                target.isSequence() ? "" : concat(", ", Value::fromFloat(std::stod(fps)).describe(), " fps"),
                ") in ", seconds, " s"));
}

/// The outputs of one generate run: the video (none with --no-decode) and the latents (--save-latents),
/// checked before any model loads and moved into place only when the run finished.
struct GenerateTargets {
    std::optional<OutputTarget> video;
    std::optional<LatentsTarget> latents;

    GenerateTargets(const GenerateOptions& o, GraphKind kind) {
        // LongSANA writes its growing MP4 (or Y4M) in place, so it can be watched and a cancelled run keeps
        // its finished chunks; everything else appears only when the run succeeded.
        if (!o.noDecode)
            video.emplace(o.out, o.overwrite,
                          kind == GraphKind::LongVideo ? OutputTarget::Placement::Direct
                                                       : OutputTarget::Placement::Staged);
        if (!o.saveLatents.empty()) latents.emplace(o.saveLatents, o.overwrite);
    }
    void checkFree(int64_t frames) const {
        if (video) video->checkFree(frames);
        if (latents) latents->checkFree();
    }
    /// The run's output folder: the video's staging folder, else the latents' own.
    std::filesystem::path stage() { return video ? video->stage() : latents->stage(); }
};

int runGenerate(const GenerateOptions& o) {
    const auto t0 = std::chrono::steady_clock::now();
    const GraphKind kind = chooseGraph(o);
    GenerateTargets targets(o, kind);  // checked before loading
    media::setFfmpegQuiet(true);
    NodeRegistry registry;
    loadNodePacks(registry, {}, "generate");
    Executor executor(registry);
    const GraphDocument doc =
        buildGenerateGraph(o, kind, executor, targets.video ? &*targets.video : nullptr);
    const int64_t frames = intParam(doc, registry, summaryRefs(kind).frames);
    targets.checkFree(frames);
    printLine(stderr, concat(kindWords(kind), " with these settings:"));
    for (const auto& line : describeSettings(doc, registry)) printLine(stderr, "  " + line);

    CancelOnSignals signals;
    RunTimings timings("generate");
    const std::filesystem::path staging = targets.stage();
    const RunResult result = runWithProgress(executor, doc, staging, signals, "generate", registry, timings);
    const std::string& wanted = o.noDecode ? o.saveLatents : o.out;
    if (result.status == RunResult::Status::Cancelled) {
        printLine(stderr,
                  concat("sanavideo generate: cancelled by ", CancelOnSignals::describe(signals.signal()),
                         kind == GraphKind::LongVideo ? concat("; ", o.out, " keeps the finished chunks")
                                                      : concat(", nothing written to ", wanted)));
        return signals.exitCode();
    }
    if (result.status == RunResult::Status::Failed && !result.failedNode.empty()) {
        printError("generate", inOptionTerms(result.failedNode, result.message));
        return 1;
    }
    if (const int rc = reportRunEnd(result, signals, "generate", "generated from the options"); rc != 0)
        return rc;
    const auto commitStart = std::chrono::steady_clock::now();
    if (targets.latents) {
        const std::string& path = targets.latents->commit(staging);
        printLine(targets.video && targets.video->toStdout() ? stderr : stdout,
                  concat("wrote ", path, " (the sampled latents; `sanavideo decode ", path,
                         " --model DIR --out clip.mp4` makes the video)"));
    }
    if (targets.video) printWritten(targets.video->commit(frames), doc, registry, kind, *targets.video, t0);
    const double commitSeconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - commitStart).count();
    if (!o.timings.empty()) timings.write(o.timings, result.durationSeconds, {{"commit_s", commitSeconds}});
    return 0;
}

}  // namespace

namespace {

/// "[default]" in --help: the value the default graph holds (the long-video graph's for LongSANA options).
void showDefault(CLI::Option& opt, const GraphOption& go, const GraphDocument& regular,
                 const GraphDocument& longVideo) {
    if (go.flag == "--prompt" || go.valueName.empty()) return;  // required; a flag has no value to show
    for (const ParamRef& t : go.targets) {
        const GraphNode* n = (go.group == kLongGroup ? longVideo : regular).findNode(t.node);
        if (!n) continue;
        auto it = n->params.find(std::string(t.param));
        if (it != n->params.end() && !(it->is_string() && it->get<std::string>().empty()))
            opt.default_str(it->is_string() ? it->get<std::string>() : it->dump());
        return;
    }
}

CLI::Option* addGraphOption(CLI::App& cmd, const GraphOption& go, const std::shared_ptr<GenerateOptions>& o) {
    const std::string flag(go.flag);
    if (go.valueName.empty())
        return cmd.add_flag_callback(
            flag, [o, flag] { o->flags.insert(flag); }, std::string(go.help));
    if (go.repeatable)
        return cmd
            .add_option_function<std::vector<std::string>>(
                flag, [o, flag](const std::vector<std::string>& v) { o->lists[flag] = v; },
                std::string(go.help))
            ->type_name(std::string(go.valueName))
            ->expected(1)
            ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
    // A later value replaces an earlier one, so a command can be shrunk by appending options.
    return cmd
        .add_option_function<std::string>(
            flag, [o, flag](const std::string& v) { o->values[flag] = v; }, std::string(go.help))
        ->type_name(std::string(go.valueName))
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
}

}  // namespace

/// --save-latents and --no-decode; --out is required unless --no-decode.
void addLatentOptions(CLI::App& cmd, GenerateOptions& o, CLI::Option* out) {
    CLI::Option* save =
        cmd.add_option(
               "--save-latents", o.saveLatents,
               "also write the sampled latents (the whole batch, with their size) to this .safetensors "
               "file, as Save Latent does: `sanavideo decode FILE` makes the video later or elsewhere "
               "(not LongSANA)")
            ->type_name("FILE")
            ->group(std::string(kCommonGroup));
    cmd.add_flag("--no-decode", o.noDecode,
                 "stop after sampling: write only --save-latents (no VAE decode, no video, no --out; the VAE "
                 "decoder is not loaded)")
        ->needs(save)
        ->excludes(out)
        ->group(std::string(kCommonGroup));
    cmd.callback([&o] {
        if (o.out.empty() && !o.noDecode) throw CLI::RequiredError("--out");
    });
}

CommandRun setupGenerate(CLI::App& cmd) {
    cmd.footer(
        "Generates a video with a SANA-Video model folder (diffusers layout), exactly as diffusers' "
        "SanaVideoPipeline (SanaImageToVideoPipeline with --image or --continue) would: it runs the default "
        "text-to-video (image-to-video) graph with the options written into its nodes, as `sanavideo run` "
        "would. A LongSANA folder runs the long-video graph instead: chunk after chunk is appended to --out "
        "while it renders (832x480, 961 frames = one minute at 16 fps, 4 steps per chunk unless set). "
        "Defaults (after '=') are the default graph's. Ctrl-C, SIGTERM and SIGHUP stop within a step and "
        "leave nothing behind (LongSANA: --out keeps the finished chunks).");
    auto o = std::make_shared<GenerateOptions>();
    const GraphDocument regular =
        GraphDocument::parse(defaultGraphText(GraphKind::TextToVideo), "text-to-video graph");
    const GraphDocument longVideo =
        GraphDocument::parse(defaultGraphText(GraphKind::LongVideo), "long-video graph");
    std::map<std::string, CLI::Option*, std::less<>> added;
    for (const GraphOption& go : generateOptions()) {
        CLI::Option* opt = addGraphOption(cmd, go, o);
        opt->group(std::string(go.group));
        showDefault(*opt, go, regular, longVideo);
        added[std::string(go.flag)] = opt;
    }
    added["--model"]->required();
    added["--prompt"]->required();
    added["--motion-score"]->excludes(added["--no-motion-score"]);
    CLI::Option* out =
        cmd.add_option(
               "--out", o->out,
               ".mp4 file; .y4m file (raw YUV 4:2:0, needs no media library); - for a Y4M stream on stdout "
               "(`| ffmpeg -i - clip.mp4`); or a frame sequence: a folder (PNG frames) or a pattern such as "
               "frames/%04d.png or frames/%04d.exr; LongSANA: an .mp4 or .y4m file, written as it renders")
            ->group(std::string(kCommonGroup));
    cmd.add_flag("--overwrite", o->overwrite,
                 "replace an existing --out (or --save-latents) file (otherwise it is an error)")
        ->group(std::string(kCommonGroup));
    addLatentOptions(cmd, *o, out);
    addTimingsOption(cmd, o->timings)->group(std::string(kCommonGroup));
    cmd.add_flag(
           "--long", o->longVideo,
           "LongSANA: run the long-video graph even when the model folder is not recognised as LongSANA's")
        ->group(std::string(kLongGroup));
    cmd.add_option_function<double>(
           "--seconds", [o](double s) { o->seconds = s; },
           "the length in seconds instead of --frames (frames = fps x S + 1)")
        ->type_name("S")
        ->excludes(added["--frames"])
        ->group(std::string(kLongGroup));
    cmd.add_option(
           "--continue", o->continueClip,
           "regular model: continue CLIP.mp4 (image-to-video from its last frame; --out gets the clip "
           "followed by the new frames)")
        ->type_name("CLIP")
        ->excludes(added["--image"])
        ->group(std::string(kLongGroup));
    return [o] { return runGenerate(*o); };
}

}  // namespace sv::cli
#endif  // SV_CLI_WITH_PLUGIN
