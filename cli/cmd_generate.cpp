// `sanavideo generate`: text-to-video (image-to-video with --image) as a node graph. It takes the default
// graph (resources/graphs/text-to-video.json or image-to-video.json, compiled in), writes the options into
// its node parameters (generate_options.h: checked by each parameter's descriptor, as `run --set` does),
// prints the settings and runs the graph through the Executor, as `sanavideo run` would. So the CLI, `run`
// and the editor share one set of defaults, one device/dtype policy and one size/frames validation: the
// nodes'.
//
// Output: Save Video writes into a private staging folder; only a finished run moves the MP4 or Y4M (or the
// frames and their graph.json) to --out, or copies the Y4M to stdout for `--out -` (output_target.h). SIGINT,
// SIGTERM and SIGHUP cancel within a step and leave nothing behind (cancel_signals.h).
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
#include "generate_options.h"
#include "media/video_writer.h"
#include "node_packs.h"
#include "output_target.h"
#include "plugin/graph/validation.h"
#include "progress_bar.h"
#include "run_timings.h"
#include "terminal_text.h"

using namespace sv::plugin;

namespace sv::cli {

namespace {

struct GenerateOptions {
    std::map<std::string, std::string, std::less<>> values;  // the value options given, by flag
    std::set<std::string, std::less<>> flags;                // the flags given
    std::string out;
    bool overwrite = false;
    std::string timings;  // --timings FILE.json
};

/// `--device cuda:1` is the node's device "cuda" on its cuda_device 1.
void applyDevice(GraphDocument& doc, const NodeRegistry& registry, const std::string& text) {
    if (!text.starts_with("cuda:"))
        return setParam(doc, registry, {"load_model", "device"}, text, "--device");
    setParam(doc, registry, {"load_model", "device"}, "cuda", "--device");
    setParam(doc, registry, {"load_model", "cuda_device"}, text.substr(5), "--device");
}

/// The default graph with the command line written into it.
GraphDocument buildGraph(const GenerateOptions& o, const NodeRegistry& registry, const OutputTarget& target) {
    const bool imageToVideo = o.values.count("--image") > 0;
    GraphDocument doc = GraphDocument::parse(defaultGraphText(imageToVideo),
                                             imageToVideo ? "image-to-video graph" : "text-to-video graph");
    for (const GraphOption& go : generateOptions()) {
        std::optional<std::string> text;
        if (go.valueName.empty() && o.flags.count(go.flag)) text = std::string(go.flagValue);
        if (auto it = o.values.find(go.flag); !go.valueName.empty() && it != o.values.end())
            text = it->second;
        if (!text) continue;
        if (go.flag == "--device") {
            applyDevice(doc, registry, *text);
            continue;
        }
        for (const ParamRef& t : go.targets) setParam(doc, registry, t, *text, go.flag);
    }
    setParam(doc, registry, {"save_video", "filename"}, OutputTarget::kStem, "--out");
    setParam(doc, registry, {"save_video", "format"}, target.format(), "--out");
    std::vector<GraphIssue> errors;
    for (auto& issue : validateGraph(doc, registry))
        if (issue.isError()) errors.push_back(std::move(issue));
    SV_CHECK(errors.empty(), "the default graph cannot run:\n", formatIssues(errors),
             "(is the SANA-Video node pack installed? see sanavideo nodes)");
    return doc;
}

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
            if (t.node == node && t.param == param) return concat(go.flag, message.substr(q + 1));
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
            if (e.nodeId == "save_video" && e.level == LogLevel::Info) return;
            endBar();
            printLine(stderr,
                      concat("  ", e.level == LogLevel::Info ? "" : concat(logLevelName(e.level), ": "),
                             e.message));
        } else if (e.kind != K::NodePreview && e.kind != K::NodeDisplay) {
            endBar();
        }
    }

  private:
    void startBar(const std::string& node) {
        endBar();
        barNode_ = node;
        if (node == "sampler")
            bar_.emplace("sampling", "step");
        else if (node == "vae_decode")
            bar_.emplace("decoding", "frame");
        else if (node == "save_video")
            bar_.emplace("writing", "frame");
        else
            bar_.emplace(node, "step");
    }
    void endBar() {
        bar_.reset();
        barNode_.clear();
    }

    const NodeRegistry& registry_;
    std::optional<ProgressBar> bar_;
    std::string barNode_;
};

int runGenerate(const GenerateOptions& o) {
    const auto t0 = std::chrono::steady_clock::now();
    RunTimings timings("generate");
    OutputTarget target(o.out, o.overwrite);  // checked before anything is loaded
    media::setFfmpegQuiet(true);
    NodeRegistry registry;
    loadNodePacks(registry, {}, "generate");
    const GraphDocument doc = buildGraph(o, registry, target);
    const int64_t frames = intParam(doc, registry, {"sampler", "frames"});
    target.checkFree(frames);
    printLine(stderr, concat(o.values.count("--image") ? "image" : "text", "-to-video with these settings:"));
    for (const auto& line : describeSettings(doc, registry)) printLine(stderr, "  " + line);

    CancelOnSignals signals;
    RunRequest request;
    request.outputDir = target.stage();
    Executor executor(registry);
    ProgressPrinter progress(registry);
    const RunResult result =
        runGraph(executor, doc, request, signals, "generate", [&](const ExecutionEvent& e) {
            progress(e);
            timings.onEvent(e);
        });
    if (result.status == RunResult::Status::Cancelled) {
        printLine(stderr,
                  concat("sanavideo generate: cancelled by ", CancelOnSignals::describe(signals.signal()),
                         ", nothing written to ", o.out));
        return signals.exitCode();
    }
    if (result.status == RunResult::Status::Failed && !result.failedNode.empty()) {
        printError("generate", inOptionTerms(result.failedNode, result.message));
        return 1;
    }
    if (const int rc = reportRunEnd(result, signals, "generate", "generated from the options"); rc != 0)
        return rc;
    const auto commitStart = std::chrono::steady_clock::now();
    target.commit(frames);
    const double commitSeconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - commitStart).count();
    char seconds[32];
    std::snprintf(seconds, sizeof seconds, "%.1f",
                  std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    const std::string fps = effectiveValue(doc, registry, {"vae_decode", "fps"});
    printLine(
        target.toStdout() ? stderr : stdout,  // `--out -`: stdout carries the video
        concat("wrote ", target.toStdout() ? "a Y4M stream to stdout" : o.out, " (", frames,
               frames == 1 ? " frame, " : " frames, ", intParam(doc, registry, {"sampler", "width"}), "x",
               intParam(doc, registry, {"sampler", "height"}),
               target.isSequence() ? "" : concat(", ", Value::fromFloat(std::stod(fps)).describe(), " fps"),
               ") in ", seconds, " s"));
    if (!o.timings.empty()) timings.write(o.timings, result.durationSeconds, {{"commit_s", commitSeconds}});
    return 0;
}

}  // namespace

CommandRun setupGenerate(CLI::App& cmd) {
    cmd.footer(
        "Generates a video with a SANA-Video model folder (diffusers layout), exactly as diffusers' "
        "SanaVideoPipeline (SanaImageToVideoPipeline with --image) would: it runs the default text-to-video "
        "(image-to-video) graph with the options written into its nodes, as `sanavideo run` would. Defaults "
        "(in brackets) are the graph's. Ctrl-C, SIGTERM and SIGHUP stop within a step and leave nothing "
        "behind.");
    auto o = std::make_shared<GenerateOptions>();
    const GraphDocument defaults = GraphDocument::parse(defaultGraphText(false), "text-to-video graph");
    std::map<std::string, CLI::Option*, std::less<>> added;
    for (const GraphOption& go : generateOptions()) {
        const std::string flag(go.flag);
        CLI::Option* opt = nullptr;
        if (go.valueName.empty()) {
            opt = cmd.add_flag_callback(
                flag, [o, flag] { o->flags.insert(flag); }, std::string(go.help));
        } else {
            opt = cmd.add_option_function<std::string>(
                flag, [o, flag](const std::string& v) { o->values[flag] = v; }, std::string(go.help));
            opt->type_name(std::string(go.valueName));
            if (const GraphNode* n = defaults.findNode(go.targets.front().node); n && flag != "--prompt") {
                auto it = n->params.find(std::string(go.targets.front().param));
                if (it != n->params.end() && !(it->is_string() && it->get<std::string>().empty()))
                    opt->default_str(it->is_string() ? it->get<std::string>() : it->dump());
            }
        }
        added[flag] = opt;
    }
    added["--model"]->required();
    added["--prompt"]->required();
    added["--motion-score"]->excludes(added["--no-motion-score"]);
    cmd.add_option(
           "--out", o->out,
           ".mp4 file; .y4m file (raw YUV 4:2:0, needs no media library); - for a Y4M stream on "
           "stdout (`| ffmpeg -i - clip.mp4`); or a frame sequence: a folder (PNG frames) or a pattern "
           "such as frames/%04d.png or frames/%04d.exr")
        ->required();
    cmd.add_flag("--overwrite", o->overwrite, "replace an existing --out file (otherwise it is an error)");
    addTimingsOption(cmd, o->timings);
    return [o] { return runGenerate(*o); };
}

}  // namespace sv::cli
#endif  // SV_CLI_WITH_PLUGIN
