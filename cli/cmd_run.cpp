// `sanavideo run GRAPH`: headless graph execution for render boxes. GRAPH is a graph document (JSON) or a
// file with one embedded (an MP4 from Save Video, a frame-sequence folder, a Save Latent file). Built only
// with the node SDK (SV_CLI_WITH_PLUGIN).
#ifdef SV_CLI_WITH_PLUGIN
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "base/error.h"
#include "cancel_signals.h"
#include "commands.h"
#include "node_packs.h"
#include "plugin/graph/graph_file.h"
#include "plugin/graph/param_override.h"
#include "run_timings.h"
#include "terminal_text.h"

namespace fs = std::filesystem;
using namespace sv::plugin;

namespace sv::cli {

namespace {

struct RunOptions {
    std::string graph;
    std::vector<std::string> sets, pluginDirs, targets;
    std::string outputDir;
    std::string timings;  // --timings FILE.json
};

int runRun(const RunOptions& o) {
    RunTimings timings("run");
    NodeRegistry registry;
    loadNodePacks(registry, {o.pluginDirs.begin(), o.pluginDirs.end()}, "run");
    GraphDocument doc = loadGraphFile(o.graph);
    for (const auto& s : o.sets) applyParamText(doc, registry, s);
    RunRequest request;
    request.targets = o.targets;
    request.outputDir = o.outputDir.empty() ? fs::current_path() : fs::path(o.outputDir);
    CancelOnSignals signals;
    Executor executor(registry);
    const RunResult result = runGraph(executor, doc, request, signals, "run", [&](const ExecutionEvent& e) {
        printRunEvent(e);
        timings.onEvent(e);
    });
    const int rc = reportRunEnd(result, signals, "run", o.graph);
    if (rc == 0 && !o.timings.empty()) timings.write(o.timings, result.durationSeconds);
    if (rc == 0)
        std::fprintf(stderr, "sanavideo run: done in %.1f s (%zu node(s) run, %zu cached)\n",
                     result.durationSeconds, result.evaluated.size(), result.cached.size());
    return rc;
}

}  // namespace

CommandRun setupRun(CLI::App& cmd) {
    cmd.footer(
        "Runs a saved graph headless: loads the node packs, validates the graph (every error is printed), "
        "evaluates the output nodes and what they need, and prints progress on stderr. Ctrl-C, SIGTERM and "
        "SIGHUP cancel within one step. Exit code: 0 on success, 1 on an invalid graph or a node error, 128 "
        "+ the signal when interrupted (130 for Ctrl-C).");
    auto o = std::make_shared<RunOptions>();
    cmd.add_option(
           "GRAPH", o->graph,
           "a graph (.json), or a file with a graph embedded: an MP4 written by Save Video, a frame-sequence "
           "folder, a Save Latent .safetensors file")
        ->required();
    cmd.add_option("--set", o->sets,
                   "override a parameter, NODE.PARAM=VALUE (VALUE parsed by the parameter's type)")
        ->allow_extra_args(false)
        ->type_name("NODE.PARAM=VALUE");
    cmd.add_option("--output-dir", o->outputDir, "where output nodes write (default: the current folder)");
    cmd.add_option(
           "--plugin-dir", o->pluginDirs,
           "also load node packs from DIR (searched before SV_PLUGIN_PATH and the install; repeatable)")
        ->allow_extra_args(false);
    cmd.add_option("--target", o->targets,
                   "compute NODE (and what it needs) instead of the graph's output nodes")
        ->allow_extra_args(false)
        ->type_name("NODE");
    addTimingsOption(cmd, o->timings);
    return [o] { return runRun(*o); };
}

}  // namespace sv::cli
#endif  // SV_CLI_WITH_PLUGIN
