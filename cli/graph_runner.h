// Running a graph from the command line: the code path of `sanavideo run`, shared with `sanavideo sweep`
// (which runs many variants with one Executor, so its cache keeps the models between them). Only with the
// node SDK (SV_CLI_WITH_PLUGIN).
#pragma once

#include <filesystem>
#include <string_view>

#include "plugin/exec/executor.h"

namespace sv::cli {

/// While alive, SIGINT, SIGTERM and SIGHUP ask the running graph to stop (within one node step) instead of
/// killing the process; a second signal of the same kind kills at once. Restores the previous handlers.
/// One at a time (the flag it sets is the process's one piece of signal state).
class CancelSignals {
  public:
    CancelSignals();
    ~CancelSignals();
    CancelSignals(const CancelSignals&) = delete;
    CancelSignals& operator=(const CancelSignals&) = delete;
    /// Whether a signal arrived since construction.
    bool requested() const;
    /// The signal that arrived (0 when none).
    int signal() const;

  private:
    using Handler = void (*)(int);
    Handler previous_[3] = {};
};

/// Runs `doc` on a worker thread with `executor`, printing progress lines on stderr ("[sampler] step 3/4");
/// `extraSink` sees every event too (on the worker thread). When `signals` reports a signal, the run is
/// cancelled ("sanavideo <cmd>: interrupted, cancelling..."). Never throws for graph or node problems: they
/// are in the result.
plugin::RunResult runGraphWithProgress(plugin::Executor& executor, const plugin::GraphDocument& doc,
                                       const plugin::RunRequest& request, const CancelSignals& signals,
                                       std::string_view cmd, const plugin::EventSink& extraSink = {});

/// Prints how a run ended the way `sanavideo run` does (warnings, "done in", every validation error, the
/// failing node) and returns the exit code: 0 finished, 1 invalid or failed, 130 cancelled.
int reportRunResult(const plugin::RunResult& result, std::string_view cmd,
                    const std::filesystem::path& graphPath);

}  // namespace sv::cli
