// Runs the variants of a sweep one after the other with one Executor, so that what the variants share (the
// model loader, usually the text encoder) is computed once and served from the cache afterwards.
//
// Each variant writes into a temporary folder, <outputs>/.partial/<variant>/, with the file name parameter of
// every output node set to the variant's name; only when the run succeeded are its files moved into
// <outputs>/ (a rename on the same file system: a reader never sees a half-written clip). A variant that
// fails, is cancelled or whose process is killed leaves nothing in <outputs>/; its temporary folder is
// removed, or at the latest when the variant runs again.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "plugin/exec/executor.h"
#include "plugin/farm/farm_records.h"
#include "plugin/farm/sweep.h"

namespace sv::farm {

/// Runs one graph: the CLI passes its `sanavideo run` code path (progress lines, signals), tests call
/// Executor::run directly.
using RunGraphFn =
    std::function<sp::RunResult(const sp::GraphDocument&, const sp::RunRequest&, const sp::EventSink&)>;

struct SweepRunnerOptions {
    fs::path outputDir;  ///< where finished outputs go (created when missing)
    /// Where variant records go (state/<variant>.json of a farm job). Set: a variant recorded as done with
    /// its outputs present is skipped, and a re-run replaces what an interrupted earlier run of the same
    /// variant left. Empty (a local sweep): an existing output of the same name is never replaced; the
    /// variant fails.
    fs::path stateDir;
    int task = -1;           ///< recorded in variant records
    std::string submission;  ///< recorded in variant records
};

struct VariantOutcome {
    VariantRecord::State state = VariantRecord::State::Failed;
    bool skipped = false;           ///< done by an earlier run
    std::vector<fs::path> outputs;  ///< final paths
    std::string message;            ///< why it failed or was cancelled
    sp::RunResult run;              ///< the run (empty when skipped or refused before running)
};

class SweepRunner {
  public:
    SweepRunner(const sp::NodeRegistry& registry, sp::GraphDocument base, SweepRunnerOptions options,
                RunGraphFn run);

    /// Runs one variant (see the file comment). Never throws for problems of the variant (a bad value, an
    /// unreadable input, a failing node, a name clash): they are its outcome.
    VariantOutcome run(const Variant& variant, const sp::EventSink& sink = {});

    /// The graph a variant runs: the base with its values and the `filename` parameter of every output node
    /// set to its name (name_<node id> when the graph has several).
    sp::GraphDocument variantGraph(const Variant& variant) const;

    /// Whether an earlier run finished `variant` (its record says done and its outputs exist).
    bool isDone(const Variant& variant) const;

  private:
    VariantOutcome runFresh(const Variant& variant, const sp::EventSink& sink, VariantRecord& record);
    std::vector<fs::path> publish(const fs::path& partial, const Variant& variant);
    void writeRecord(const VariantRecord& record) const;

    const sp::NodeRegistry& registry_;
    sp::GraphDocument base_;
    SweepRunnerOptions options_;
    RunGraphFn run_;
    std::vector<std::string> outputNodes_;  ///< output nodes with a filename parameter
};

}  // namespace sv::farm
