// What the CLI (`sanavideo submit`, `sanavideo jobs`) and the editor ("Submit to farm…", the farm jobs panel)
// do with farm jobs, in one place: submit a sweep, re-submit what failed, cancel.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "plugin/farm/farm_manager.h"
#include "plugin/farm/job_status.h"

namespace sv::farm {

struct SubmitRequest {
    SweepSpec spec;  ///< graph, fixed overrides, axes, combination, farm settings, base folder
    /// The graph to submit instead of loading spec.graph (the editor's current document); spec.sets still
    /// apply.
    std::optional<sp::GraphDocument> graph;
    fs::path jobRoot;  ///< where the job folder goes: a path the compute nodes share
    std::string name;  ///< job name ("" : the graph file's stem, else "sweep")
    fs::path program;  ///< the sanavideo executable the tasks run (as the compute nodes see it)
    std::vector<fs::path> pluginDirs;  ///< extra node pack folders for the tasks
};

struct SubmitOutcome {
    std::string jobId;  ///< the job folder's name
    fs::path jobDir;
    std::string submission;  ///< the manager's id
    int tasks = 0;
    int variants = 0;
    std::vector<std::string> warnings;  ///< e.g. a variant's input that is not readable here
};

/// Prepares the sweep (every axis error before anything is written), makes the graph's input paths absolute,
/// checks that the inputs every variant shares are readable here and that the program exists, asks the
/// manager whether it can take the job (check()), writes the job folder and submits every task. Throws
/// sv::Error; nothing is submitted then.
SubmitOutcome submitJob(const SubmitRequest& request, const sp::NodeRegistry& registry, FarmManager& manager);

/// Submits again the tasks that ended with variants not done (failed, cancelled, killed), or only `task`, as
/// one new submission; each skips its variants already done. Returns the submission, nullopt when no task
/// needs it. Throws sv::Error when `task` does not exist or is still pending or running, or the manager
/// refuses.
std::optional<Submission> resubmitFailed(JobFolder& job, FarmManager& manager,
                                         std::optional<int> task = std::nullopt);

/// Cancels the job's pending and running tasks (or only `task`). Returns how many tasks were asked to stop.
/// Throws sv::Error when `task` does not exist or the manager refuses.
int cancelJob(const JobFolder& job, FarmManager& manager, std::optional<int> task = std::nullopt);

/// $SV_FARM_ROOT, else ~/sanavideo-farm: where job folders go by default (home folders are usually shared
/// with the compute nodes).
fs::path defaultJobRoot();

}  // namespace sv::farm
