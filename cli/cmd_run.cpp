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

/// Applies "NODE.PARAM=VALUE", parsing VALUE by the parameter's type.
void applySet(GraphDocument& doc, const NodeRegistry& registry, const std::string& spec) {
    auto eq = spec.find('=');
    auto dot = spec.find('.');
    SV_CHECK(eq != std::string::npos && dot != std::string::npos && dot < eq && dot > 0 && eq > dot + 1,
             "--set expects NODE.PARAM=VALUE, got \"", spec, "\"");
    const std::string nodeId = spec.substr(0, dot);
    const std::string param = spec.substr(dot + 1, eq - dot - 1);
    const std::string text = spec.substr(eq + 1);
    const GraphNode* node = doc.findNode(nodeId);
    SV_CHECK(node != nullptr, "--set ", spec, ": no node '", nodeId, "' in the graph");
    const NodeDescriptor* d = registry.find(node->type);
    SV_CHECK(d != nullptr, "--set ", spec, ": node '", nodeId, "' has the unknown type '", node->type, "'");
    const ParamSpec* p = d->findParam(param);
    if (!p) {
        std::string names;
        for (const auto& q : d->params) names += (names.empty() ? "" : ", ") + q.name;
        fail("--set ", spec, ": node '", nodeId, "' (", node->type, ") has no parameter '", param,
             "' (parameters: ", names.empty() ? "none" : names, ")");
    }
    std::string problem;
    auto value = p->tryParseText(text, problem);
    SV_CHECK(value.has_value(), "--set ", spec, ": node '", nodeId, "': parameter '", param, "': ", problem);
    doc.setParam(nodeId, param, std::move(*value));
}

void printEvent(const ExecutionEvent& e) {
    using K = ExecutionEvent::Kind;
    if (e.kind != K::NodePreview && e.kind != K::NodeDisplay && e.kind != K::RunFailed)
        printLine(stderr, describeEvent(e));
}

int runRun(const RunOptions& o) {
    RunTimings timings("run");
    NodeRegistry registry;
    loadNodePacks(registry, {o.pluginDirs.begin(), o.pluginDirs.end()}, "run");
    GraphDocument doc = loadGraphFile(o.graph);
    for (const auto& s : o.sets) applySet(doc, registry, s);
    RunRequest request;
    request.targets = o.targets;
    request.outputDir = o.outputDir.empty() ? fs::current_path() : fs::path(o.outputDir);
    CancelOnSignals signals;
    Executor executor(registry);
    const RunResult result = runGraph(executor, doc, request, signals, "run", [&](const ExecutionEvent& e) {
        printEvent(e);
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
