// `sanavideo run GRAPH.json`: headless graph execution for render boxes. Built only with the node SDK
// (SV_CLI_WITH_PLUGIN, i.e. when the sv_plugin target exists).
#ifdef SV_CLI_WITH_PLUGIN
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "base/error.h"
#include "commands.h"
#include "graph_runner.h"
#include "node_packs.h"
#include "plugin/exec/executor.h"
#include "plugin/graph/param_override.h"

namespace fs = std::filesystem;
using namespace sv::plugin;

namespace sv::cli {

namespace {

void printRunUsage() {
    std::printf(
        "usage: sanavideo run GRAPH.json [--set NODE.PARAM=VALUE ...] [--output-dir DIR] [--plugin-dir DIR "
        "...]\n"
        "                     [--target NODE ...]\n\n"
        "Runs a saved graph headless: loads the node packs, validates the graph (every error is printed),\n"
        "evaluates the output nodes and what they need, and prints progress on stderr. Ctrl-C cancels within "
        "one\n"
        "step. Exit code: 0 on success, 1 on an invalid graph or a node error, 130 when interrupted.\n\n"
        "  --set NODE.PARAM=VALUE  override a parameter (VALUE is parsed by the parameter's type)\n"
        "  --output-dir DIR        where output nodes write (default: the current folder)\n"
        "  --plugin-dir DIR        also load node packs from DIR (searched before SV_PLUGIN_PATH and the "
        "install)\n"
        "  --target NODE           compute NODE (and what it needs) instead of the graph's output nodes\n");
}

}  // namespace

int runRun(Args args) {
    fs::path graphPath, outputDir = fs::current_path();
    std::vector<std::string> sets;
    std::vector<fs::path> pluginDirs;
    RunRequest request;
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        auto next = [&]() -> const std::string& {
            SV_CHECK(i + 1 < args.size(), a, " needs a value");
            return args[++i];
        };
        if (a == "--help" || a == "-h") {
            printRunUsage();
            return 0;
        } else if (a == "--set") {
            sets.push_back(next());
        } else if (a.rfind("--set=", 0) == 0) {
            sets.push_back(a.substr(6));
        } else if (a == "--output-dir") {
            outputDir = next();
        } else if (a == "--plugin-dir") {
            pluginDirs.emplace_back(next());
        } else if (a == "--target") {
            request.targets.push_back(next());
        } else if (!a.empty() && a[0] == '-') {
            std::fprintf(stderr, "sanavideo run: unknown option %s\n", a.c_str());
            printRunUsage();
            return 2;
        } else if (graphPath.empty()) {
            graphPath = a;
        } else {
            std::fprintf(stderr, "sanavideo run: more than one graph given (%s)\n", a.c_str());
            return 2;
        }
    }
    if (graphPath.empty()) {
        printRunUsage();
        return 2;
    }

    NodeRegistry registry;
    loadNodePacks(registry, pluginDirs, "run");
    GraphDocument doc = GraphDocument::load(graphPath);
    for (const auto& s : sets) applyParamText(doc, registry, s);
    request.outputDir = outputDir;

    Executor executor(registry);
    const CancelSignals signals;
    const RunResult result = runGraphWithProgress(executor, doc, request, signals, "run");
    return reportRunResult(result, "run", graphPath);
}

}  // namespace sv::cli
#endif  // SV_CLI_WITH_PLUGIN
