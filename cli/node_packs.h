// Node packs and graph runs, shared by `sanavideo run`, `generate`, `nodes` and `version` (only with
// SV_CLI_WITH_PLUGIN).
#pragma once

#include <filesystem>
#include <functional>
#include <string_view>
#include <vector>

#include "plugin/exec/executor.h"
#include "plugin/sdk/node_registry.h"
#include "plugin/sdk/plugin_loader.h"

namespace sv::cli {

class CancelOnSignals;

/// Loads the node packs from `extraFolders` first, then SV_PLUGIN_PATH, the install's and the build tree's
/// plugin folders; prints every skipped plugin, and every pack that runs on another copy of the engine, as a
/// warning on stderr ("sanavideo <cmd>: warning: ..."). Returns the loader's reports.
std::vector<plugin::PluginReport> loadNodePacks(plugin::NodeRegistry& registry,
                                                const std::vector<std::filesystem::path>& extraFolders,
                                                std::string_view cmd);

/// How a pack's "engineInstance" property compares with this program's engine: "shares this engine",
/// "runs ANOTHER copy of the engine (...)", or "" when the pack does not say.
std::string engineSharing(const plugin::PluginReport& report);

/// Runs `doc` on a worker thread and hands every event to `onEvent` on the calling thread; a signal caught by
/// `signals` cancels the run (it then ends within one node step; "sanavideo <cmd>: SIGTERM received,
/// cancelling..." is printed).
plugin::RunResult runGraph(plugin::Executor& executor, const plugin::GraphDocument& doc,
                           const plugin::RunRequest& request, const CancelOnSignals& signals,
                           std::string_view cmd,
                           const std::function<void(const plugin::ExecutionEvent&)>& onEvent);

/// Prints the run's warnings and, unless it finished, why it ended ("cancelled by SIGTERM", the invalid
/// graph's errors, the failing node); returns the exit code: 0 finished, 1 invalid or failed, 128 + signal
/// when cancelled.
int reportRunEnd(const plugin::RunResult& result, const CancelOnSignals& signals, std::string_view cmd,
                 std::string_view graphName);

}  // namespace sv::cli
