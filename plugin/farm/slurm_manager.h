// Slurm as a farm manager, through its own commands only: a job's tasks are one job array (`sbatch --parsable
// --array=0-2`, one array task per chunk of variants), states come from `squeue --states=all` and, where the
// cluster keeps accounting, `sacct --parsable2`; `scancel` stops a job or one array task. Without slurmdbd
// (sacct answers "accounting storage is disabled") finished tasks are known from the state files the tasks
// write into the job folder (job_status.h).
//
// The batch script (<job>/slurm/task.sbatch) only execs `<program> sweep --job <job> --task
// $SLURM_ARRAY_TASK_ID`, so a scancel's SIGTERM reaches sanavideo itself, which stops within one step and
// records the task as cancelled; the resources come from sbatch options: --partition, --time, --gres=gpu:N,
// --cpus-per-task, --mem, plus any extra arguments.
#pragma once

#include "plugin/farm/farm_manager.h"

namespace sv::farm {

class SlurmManager : public FarmManager {
  public:
    explicit SlurmManager(CommandRunner runner);

    std::string_view name() const override { return "slurm"; }
    void check(const FarmSettings& settings) override;
    std::string submit(const JobFolder& job, std::span<const int> tasks) override;
    std::map<int, ManagerTaskState> query(const std::string& id) override;
    void cancel(const std::string& id, std::optional<int> task) override;

    /// "0-2,5,7-8" for sbatch --array (sorted, ranges merged).
    static std::string arraySpec(std::span<const int> tasks);
    /// The sbatch arguments for submitting `tasks` of `job` (without the program name).
    static std::vector<std::string> sbatchArgs(const JobFolder& job, std::span<const int> tasks);
    /// The batch script's text.
    static std::string batchScript(const JobFolder& job);

  private:
    ProcessResult call(const std::string& program, const std::vector<std::string>& args);
    void addAccounting(const std::string& id, std::map<int, ManagerTaskState>& states);

    CommandRunner runner_;
    bool sacctUsable_ = true;  ///< false once sacct said accounting is disabled
};

}  // namespace sv::farm
