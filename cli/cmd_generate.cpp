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
#include "progress_bar.h"
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

/// Progress on stderr: a bar while the Sampler, VAE Decode and Save Video count steps or frames, a line when
/// a node starts, and the nodes' log lines.
class ProgressPrinter {
  public:
    explicit ProgressPrinter(const NodeRegistry& registry) : registry_(registry) {}

    void operator()(const ExecutionEvent& e) {
        using K = ExecutionEvent::Kind;
        if (e.kind == K::NodeStarted) {
            endBar();
            const NodeDescriptor* d = registry_.find(e.nodeType);
            printLine(stderr, concat(d ? d->caption : e.nodeId, " ..."));
        } else if (e.kind == K::NodeProgress) {
            if (barNode_ != e.nodeId) startBar(e.nodeId);
            bar_->update(int(e.step), int(e.total));
        } else if (e.kind == K::NodeLog) {
            // Save Video's "wrote <staging>/video.mp4" is replaced by the summary naming --out.
            if (baseNodeId(e.nodeId) == "save_video" && e.level == LogLevel::Info) return;
            endBar();
            printLine(stderr,
                      concat("  ", e.level == LogLevel::Info ? "" : concat(logLevelName(e.level), ": "),
                             e.message));
        } else if (e.kind != K::NodePreview && e.kind != K::NodeDisplay) {
            endBar();
        }
    }

  private:
    void startBar(const std::string& id) {
        endBar();
        barNode_ = id;
        const std::string_view node = baseNodeId(id);
        if (node == "long_video")
            bar_.emplace("generating", "chunk");
        else if (node == "sampler")
            bar_.emplace("sampling", "step");
        else if (node == "vae_decode")
            bar_.emplace("decoding", "frame");
        else if (node == "save_video")
            bar_.emplace("writing", "frame");
        else
            bar_.emplace(id, "step");
    }
    void endBar() {
        bar_.reset();
        barNode_.clear();
    }

    const NodeRegistry& registry_;
    std::optional<ProgressBar> bar_;
    std::string barNode_;
};

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

int runGenerate(const GenerateOptions& o) {
    const auto t0 = std::chrono::steady_clock::now();
    const GraphKind kind = chooseGraph(o);
    // LongSANA writes its growing MP4 (or Y4M) in place, so it can be watched and a cancelled run keeps its
    // finished chunks; everything else appears only when the run succeeded.
    OutputTarget target(o.out, o.overwrite,
                        kind == GraphKind::LongVideo
                            ? OutputTarget::Placement::Direct
                            : OutputTarget::Placement::Staged);  // checked before loading
    media::setFfmpegQuiet(true);
    NodeRegistry registry;
    loadNodePacks(registry, {}, "generate");
    Executor executor(registry);
    const GraphDocument doc = buildGenerateGraph(o, kind, executor, target);
    const int64_t frames = intParam(doc, registry, summaryRefs(kind).frames);
    target.checkFree(frames);
    printLine(stderr, concat(kindWords(kind), " with these settings:"));
    for (const auto& line : describeSettings(doc, registry)) printLine(stderr, "  " + line);

    CancelOnSignals signals;
    RunRequest request;
    request.outputDir = target.stage();
    ProgressPrinter progress(registry);
    RunTimings timings("generate");
    const RunResult result =
        runGraph(executor, doc, request, signals, "generate", [&](const ExecutionEvent& e) {
            progress(e);
            timings.onEvent(e);
        });
    if (result.status == RunResult::Status::Cancelled) {
        printLine(stderr,
                  concat("sanavideo generate: cancelled by ", CancelOnSignals::describe(signals.signal()),
                         kind == GraphKind::LongVideo ? concat("; ", o.out, " keeps the finished chunks")
                                                      : concat(", nothing written to ", o.out)));
        return signals.exitCode();
    }
    if (result.status == RunResult::Status::Failed && !result.failedNode.empty()) {
        printError("generate", inOptionTerms(result.failedNode, result.message));
        return 1;
    }
    if (const int rc = reportRunEnd(result, signals, "generate", "generated from the options"); rc != 0)
        return rc;
    const auto commitStart = std::chrono::steady_clock::now();
    const std::vector<std::string> placed = target.commit(frames);
    const double commitSeconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - commitStart).count();
    printWritten(placed, doc, registry, kind, target, t0);
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
    cmd.add_option(
           "--out", o->out,
           ".mp4 file; .y4m file (raw YUV 4:2:0, needs no media library); - for a Y4M stream on stdout "
           "(`| ffmpeg -i - clip.mp4`); or a frame sequence: a folder (PNG frames) or a pattern such as "
           "frames/%04d.png or frames/%04d.exr; LongSANA: an .mp4 or .y4m file, written as it renders")
        ->required()
        ->group(std::string(kCommonGroup));
    cmd.add_flag("--overwrite", o->overwrite, "replace an existing --out file (otherwise it is an error)")
        ->group(std::string(kCommonGroup));
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
