// The one interface between farm jobs and a render manager. Slurm (slurm_manager.h) is the first
// implementation; another manager (AWS Deadline Cloud through an Open Job Description template, OpenCue, ...)
// implements the same five calls with its own commands, and registers a name in makeFarmManager(). The job
// folder, the variants, the task command (`sanavideo sweep --job DIR --task N`) and the state files are the
// same for every manager: a manager only starts task N of a job somewhere that sees the job folder, reports
// what it knows about the task, and stops it.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "plugin/farm/job_folder.h"
#include "plugin/farm/process_runner.h"

namespace sv::farm {

/// What the manager knows about one task of one submission.
struct ManagerTaskState {
    enum class Phase : uint8_t {
        Pending,  ///< waiting for resources (or held)
        Running,  ///< started (or completing)
        Ended,    ///< over; `state` says how as far as the manager knows
    };
    Phase phase = Phase::Pending;
    std::string
        state;  ///< the manager's own word: "PENDING", "RUNNING", "COMPLETED", "CANCELLED", "TIMEOUT", ...
    std::string reason;  ///< why it waits, or how it ended ("Resources", "exit code 1")
    std::string node;    ///< where it runs or ran
};

class FarmManager {
  public:
    virtual ~FarmManager() = default;

    /// "slurm".
    virtual std::string_view name() const = 0;

    /// Throws sv::Error with a message a user can act on when jobs with `settings` cannot be submitted from
    /// here: the manager's commands are missing, its controller does not answer, the partition / queue does
    /// not exist.
    virtual void check(const FarmSettings& settings) = 0;

    /// Submits tasks `tasks` of `job` (the task command runs `job.program()` on the job folder) and returns
    /// the manager's id for the submission. Throws sv::Error with the manager's own message on refusal.
    virtual std::string submit(const JobFolder& job, std::span<const int> tasks) = 0;

    /// What the manager still knows about the tasks of submission `id`, by task index. Tasks it has forgotten
    /// (finished long ago, without accounting) are absent. Throws sv::Error when the manager cannot be asked.
    virtual std::map<int, ManagerTaskState> query(const std::string& id) = 0;

    /// Stops submission `id` (every task, or only `task`). Stopped tasks get a termination signal first, so
    /// they record themselves as cancelled. Throws sv::Error with the manager's message.
    virtual void cancel(const std::string& id, std::optional<int> task) = 0;
};

/// The manager called `name` ("slurm"); its commands run through `runner` (the default: runProcess). Throws
/// sv::Error listing the known names.
std::unique_ptr<FarmManager> makeFarmManager(std::string_view name, CommandRunner runner = {});

/// The names makeFarmManager() knows.
std::vector<std::string> farmManagerNames();

}  // namespace sv::farm
