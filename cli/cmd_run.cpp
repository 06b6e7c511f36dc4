// `sanavideo run GRAPH.json`: headless graph execution for render boxes. Built only with the node SDK
// (SV_CLI_WITH_PLUGIN, i.e. when the sv_plugin target exists).
#ifdef SV_CLI_WITH_PLUGIN
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "base/error.h"
#include "commands.h"
#include "node_packs.h"
#include "plugin/exec/executor.h"
#include "plugin/exec/executor_thread.h"
#include "plugin/graph/validation.h"
#include "plugin/sdk/plugin_loader.h"

namespace fs = std::filesystem;
using namespace sv::plugin;

namespace sv::cli {

namespace {

// The one piece of process-global state: set by the SIGINT handler (async-signal-safe, lock-free atomic),
// read by the main thread, which then cancels the run.
std::atomic<bool> gInterrupted{false};
static_assert(std::atomic<bool>::is_always_lock_free);

extern "C" void onRunSigint(int) {
    gInterrupted.store(true);
    std::signal(SIGINT, SIG_DFL);  // a second Ctrl-C kills at once
}

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
    nlohmann::json value;
    try {
        value = p->parseText(text);
    } catch (const Error& e) {
        fail("--set ", spec, ": node '", nodeId, "': ", e.what());
    }
    doc.setParam(nodeId, param, std::move(value));
}

bool printable(const ExecutionEvent& e) {
    using K = ExecutionEvent::Kind;
    return e.kind != K::NodePreview && e.kind != K::NodeDisplay && e.kind != K::RunFailed;
}

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
    for (const auto& s : sets) applySet(doc, registry, s);
    request.outputDir = outputDir;

    Executor executor(registry);
    EventQueue events;
    gInterrupted.store(false);
    auto previous = std::signal(SIGINT, onRunSigint);
    RunResult result;
    {
        ExecutorThread worker(executor);
        worker.start(doc, request, events.sink());
        bool cancelSent = false;
        while (worker.isRunning() || events.size() > 0) {
            if (gInterrupted.load() && !cancelSent) {
                std::fprintf(stderr, "sanavideo run: interrupted, cancelling...\n");
                worker.cancel();
                cancelSent = true;
            }
            auto e = events.waitNext(std::chrono::milliseconds(50));
            if (e && printable(*e)) std::fprintf(stderr, "%s\n", describeEvent(*e).c_str());
        }
        result = worker.wait();
    }
    std::signal(SIGINT, previous == SIG_ERR ? SIG_DFL : previous);

    for (const auto& issue : result.issues)
        if (!issue.isError()) std::fprintf(stderr, "sanavideo run: warning: %s\n", issue.message.c_str());
    switch (result.status) {
        case RunResult::Status::Finished:
            std::fprintf(stderr, "sanavideo run: done in %.1f s (%zu node(s) run, %zu cached)\n",
                         result.durationSeconds, result.evaluated.size(), result.cached.size());
            return 0;
        case RunResult::Status::Cancelled:
            std::fprintf(stderr, "sanavideo run: cancelled\n");
            return 130;
        case RunResult::Status::Invalid: {
            std::fprintf(stderr, "sanavideo run: the graph %s is invalid:\n", graphPath.string().c_str());
            size_t start = 0;
            while (start < result.message.size()) {
                size_t end = result.message.find('\n', start);
                if (end == std::string::npos) end = result.message.size();
                std::fprintf(stderr, "  %s\n", result.message.substr(start, end - start).c_str());
                start = end + 1;
            }
            return 1;
        }
        case RunResult::Status::Failed:
            if (result.failedNode.empty())
                std::fprintf(stderr, "sanavideo run: error: %s\n", result.message.c_str());
            else
                std::fprintf(stderr, "sanavideo run: error: node '%s' failed: %s\n",
                             result.failedNode.c_str(), result.message.c_str());
            return 1;
    }
    return 1;
}

}  // namespace sv::cli
#endif  // SV_CLI_WITH_PLUGIN
