// A farm job's state, per task and per variant, put together from what the manager knows (pending, running,
// how it ended) and what the tasks wrote into the job folder (progress, which variants finished or failed and
// why). The task's own record wins where it exists, so the state is right on clusters without accounting
// (where the manager forgets finished tasks); a task the manager no longer runs but whose record still says
// running was killed (scancel after the grace time, time limit, node failure, preemption).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "plugin/farm/farm_manager.h"

namespace sv::farm {

enum class TaskPhase : uint8_t {
    NotSubmitted,
    Pending,
    Running,
    Finished,   ///< every variant done
    Failed,     ///< ran to the end, some variant failed; or ended before it could start
    Cancelled,  ///< stopped by a cancel (recorded by the task, or the manager says so)
    Killed,     ///< ended without recording an end: killed, timed out, its node failed
    Unknown,    ///< the manager could not be asked and the task left no end record
};
std::string_view taskPhaseName(TaskPhase p);  ///< "pending", "running", "finished", ...

struct TaskStatus {
    int task = 0;
    TaskPhase phase = TaskPhase::NotSubmitted;
    std::string submission;  ///< the manager's id of its latest submission
    std::string detail;      ///< why it waits, failed or was killed ("" when there is nothing to say)
    std::string host;
    int variants = 0;
    int done = 0;
    int failed = 0;
    std::string current;  ///< Running: the variant, node and step it is at
    std::string node;
    int64_t step = 0;
    int64_t total = 0;

    bool isActive() const { return phase == TaskPhase::Pending || phase == TaskPhase::Running; }
    /// Ended with variants not done (re-submission runs it again, skipping the done ones).
    bool needsRerun() const;
};

struct VariantStatus {
    enum class State : uint8_t { Waiting, Running, Done, Failed, Cancelled, Interrupted };
    std::string name;
    int index = 0;
    int task = 0;
    State state = State::Waiting;
    std::vector<fs::path> outputs;  ///< Done: absolute paths
    std::string message;
};
std::string_view variantStatusName(VariantStatus::State s);  ///< "waiting", "running", "done", ...

struct JobStatus {
    std::string id;
    std::string name;
    fs::path dir;
    std::vector<TaskStatus> tasks;
    std::vector<VariantStatus> variants;
    std::string managerError;  ///< set when the manager could not be asked

    int count(TaskPhase p) const;
    int count(VariantStatus::State s) const;
    /// No task pending, running or unknown.
    bool isOver() const;
    /// "3 tasks: 2 finished, 1 cancelled; variants: 4 of 6 done, 1 failed".
    std::string summary() const;
    /// Everything above as JSON (`sanavideo jobs --json`).
    nlohmann::json toJson() const;
};

/// The job's state now. `manager` may be null (only the job folder is read; submitted tasks without an end
/// record are then Unknown). Never throws for the manager's failures (managerError).
JobStatus jobStatus(const JobFolder& job, FarmManager* manager);

}  // namespace sv::farm
