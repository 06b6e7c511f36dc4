#ifdef SV_CLI_WITH_PLUGIN
#include "node_packs.h"

#include <chrono>
#include <cstdio>
#include <string>

#include "base/engine_instance.h"
#include "base/error.h"
#include "cancel_signals.h"
#include "plugin/exec/executor_thread.h"
#include "terminal_text.h"

namespace fs = std::filesystem;
using namespace sv::plugin;

namespace sv::cli {

std::string engineSharing(const PluginReport& report) {
    for (const auto& [name, value] : report.properties) {
        if (name != "engineInstance") continue;
        if (value == std::to_string(engineInstance())) return "shares this engine";
        return concat("runs ANOTHER copy of the engine (instance ", value, ", this program's is ",
                      engineInstance(), "): a second thread pool and CUDA context");
    }
    return {};
}

std::vector<PluginReport> loadNodePacks(NodeRegistry& registry, const std::vector<fs::path>& extraFolders,
                                        std::string_view cmd) {
    PluginLoader loader;
    loader.loadDefault(registry, extraFolders);
    for (const auto& p : loader.problems()) printWarning(cmd, concat("plugin ", p));
    for (const auto& r : loader.reports()) {
        const std::string sharing = engineSharing(r);
        if (r.loaded && sharing.starts_with("runs ANOTHER"))
            printWarning(cmd, concat("node pack '", r.pack, "' (", r.file.string(), ") ", sharing));
    }
    if (registry.size() == 0) {
        std::string searched;
        auto add = [&](const fs::path& f) {  // (not `" " + f.string()`: GCC 12 warns about it, -Wrestrict)
            searched.push_back(' ');
            searched.append(f.string());
        };
        for (const auto& f : extraFolders) add(f);
        for (const auto& f : PluginLoader::defaultSearchPaths()) add(f);
        printWarning(cmd,
                     concat("no node packs found (searched:", searched.empty() ? " nothing" : searched, ")"));
    }
    return loader.reports();
}

RunResult runGraph(Executor& executor, const GraphDocument& doc, const RunRequest& request,
                   const CancelOnSignals& signals, std::string_view cmd,
                   const std::function<void(const ExecutionEvent&)>& onEvent) {
    EventQueue events;
    ExecutorThread worker(executor);
    worker.start(doc, request, events.sink());
    bool cancelSent = false;
    while (worker.isRunning() || events.size() > 0) {
        if (signals.requested() && !cancelSent) {
            printLine(stderr, concat("\nsanavideo ", cmd, ": ", CancelOnSignals::describe(signals.signal()),
                                     " received, cancelling..."));
            worker.cancel();
            cancelSent = true;
        }
        if (auto e = events.waitNext(std::chrono::milliseconds(50))) onEvent(*e);
    }
    return worker.wait();
}

int reportRunEnd(const RunResult& result, const CancelOnSignals& signals, std::string_view cmd,
                 std::string_view graphName) {
    for (const auto& issue : result.issues)
        if (!issue.isError()) printWarning(cmd, issue.message);
    switch (result.status) {
        case RunResult::Status::Finished:
            return 0;
        case RunResult::Status::Cancelled:
            printLine(
                stderr,
                concat("sanavideo ", cmd, ": cancelled",
                       signals.requested() ? " by " + CancelOnSignals::describe(signals.signal()) : ""));
            return signals.exitCode();
        case RunResult::Status::Invalid:
            printLine(stderr, concat("sanavideo ", cmd, ": the graph ", graphName, " is invalid:"));
            for (size_t start = 0; start < result.message.size();) {
                size_t end = result.message.find('\n', start);
                if (end == std::string::npos) end = result.message.size();
                printLine(stderr, concat("  ", result.message.substr(start, end - start)));
                start = end + 1;
            }
            return 1;
        case RunResult::Status::Failed:
            printError(cmd, result.failedNode.empty()
                                ? result.message
                                : concat("node '", result.failedNode, "' failed: ", result.message));
            return 1;
    }
    return 1;
}

}  // namespace sv::cli
#endif  // SV_CLI_WITH_PLUGIN
