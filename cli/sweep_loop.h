// The loop `sanavideo sweep` runs, locally and as a farm task: every variant through one SweepRunner (one
// Executor, so the models load once), a line per variant, a tally, and the node run counts that show what the
// cache saved. Only with the node SDK (SV_CLI_WITH_PLUGIN).
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "cancel_signals.h"
#include "plugin/farm/sweep_runner.h"

namespace sv::cli {

namespace fs = std::filesystem;

struct SweepTally {
    int done = 0;
    int skipped = 0;  ///< done by an earlier run (farm re-submissions)
    int failed = 0;
    bool cancelled = false;
    std::vector<std::string> failures;    ///< "003_seed-3: node 'load_image' failed: ..."
    std::map<std::string, int> nodeRuns;  ///< node id → how many variants evaluated it (not from the cache)

    /// "6 variant(s): 5 done, 1 failed; node runs: load_model 1, sampler 6, ...".
    std::string summary(size_t variants) const;
    /// 0 all done, 1 some failed, 128 + the signal when cancelled (CancelOnSignals::exitCode()).
    int exitCode(const CancelOnSignals& signals) const;
};

/// Called before each variant (its position and the variant) and after it (with the outcome).
struct SweepHooks {
    std::function<void(size_t, const farm::Variant&)> starting;
    std::function<void(const farm::Variant&, const farm::VariantOutcome&)> finished;
    plugin::EventSink events;  ///< every execution event, on the thread that runs the loop
};

/// Runs `variants` with `runner`, stopping before the next variant once `signals` reports a signal; prints
/// "sanavideo <cmd>: [k/n] NAME ..." lines on stderr.
SweepTally runSweepLoop(farm::SweepRunner& runner, std::span<const farm::Variant> variants,
                        const CancelOnSignals& signals, std::string_view cmd, const SweepHooks& hooks = {});

/// The run function a SweepRunner uses from the command line: `sanavideo run`'s code path (runGraph, its
/// progress lines, the signals cancelling within one step), handing every event to the runner's sink too
/// (on this thread).
farm::RunGraphFn cliRunFunction(plugin::Executor& executor, const CancelOnSignals& signals,
                                std::string_view cmd);

}  // namespace sv::cli
