// A farm job's folder, on a path every compute node can read and write (the "job root" holds one per job):
//
//   <root>/<name>-<YYYYmmdd-HHMMSS>/
//     job.json            the job: name, manager and its settings, chunk size, task count, the program the
//     tasks
//                         run, and every submission (manager job id + the tasks it ran)
//     graph.json          the graph every variant starts from (fixed overrides applied, input paths absolute)
//     spec.json           the sweep spec as given (axes as written)
//     variants.json       every variant: index, name, parameter values; task N runs variants [N·chunk,
//     (N+1)·chunk) <manager>/          the manager's own files (slurm/task.sbatch) logs/task-<N>.log   each
//     task's output (appended across re-submissions) state/task-<N>.json each task's progress and end
//     (farm_records.h) state/<variant>.json each variant's outcome and outputs outputs/<variant>.mp4 finished
//     outputs, named by variant, never overwritten by another variant outputs/.partial/<variant>/  a
//     variant's outputs while it runs, moved into outputs/ when it succeeds
//
// Only the submitting side writes job.json (submit, re-submit); a task writes only its own state files.
#pragma once

#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "plugin/farm/farm_records.h"
#include "plugin/farm/sweep_spec.h"

namespace sv::farm {

/// One submission to the manager: its job id and the tasks it runs.
struct Submission {
    std::string id;
    std::vector<int> tasks;
    std::string at;  ///< UTC time
};

/// What a new job folder is made of.
struct JobSetup {
    std::string name;         ///< job name; slugified into the folder name
    sp::GraphDocument graph;  ///< the base graph
    SweepSpec spec;           ///< as given, for the record
    std::vector<Variant> variants;
    FarmSettings farm;
    fs::path program;                  ///< the sanavideo executable the tasks run (absolute)
    std::vector<fs::path> pluginDirs;  ///< extra node pack folders the tasks load
};

class JobFolder {
  public:
    static constexpr std::string_view kFormatName = "sanavideo.farmjob";
    static constexpr int kFormatVersion = 1;

    /// Creates a new folder under `root` (created when missing) and writes the job into it. Throws sv::Error.
    static JobFolder create(const fs::path& root, const JobSetup& setup);
    /// Reads a job folder; throws sv::Error naming what is missing or malformed.
    static JobFolder open(const fs::path& dir);
    /// Whether `dir` holds a job.json of this format.
    static bool isJobFolder(const fs::path& dir);

    /// The folder name: the job's id on the command line and in the editor.
    std::string id() const { return dir_.filename().string(); }
    const fs::path& dir() const { return dir_; }
    const std::string& name() const { return name_; }
    const std::string& created() const { return created_; }
    const FarmSettings& farm() const { return farm_; }
    const fs::path& program() const { return program_; }
    const std::vector<fs::path>& pluginDirs() const { return pluginDirs_; }

    fs::path graphFile() const { return dir_ / "graph.json"; }
    fs::path specFile() const { return dir_ / "spec.json"; }
    fs::path variantsFile() const { return dir_ / "variants.json"; }
    fs::path managerDir() const { return dir_ / farm_.manager; }
    fs::path logsDir() const { return dir_ / "logs"; }
    fs::path stateDir() const { return dir_ / "state"; }
    fs::path outputsDir() const { return dir_ / "outputs"; }
    fs::path logFile(int task) const;
    fs::path taskStateFile(int task) const;
    fs::path variantStateFile(std::string_view variant) const;

    const std::vector<Variant>& variants() const { return variants_; }
    int taskCount() const;
    /// The variants task `task` runs (sv::Error when out of range).
    std::span<const Variant> taskVariants(int task) const;
    /// The task that runs variant `index`.
    int taskOf(int variantIndex) const { return variantIndex / farm_.chunk; }

    const std::vector<Submission>& submissions() const { return submissions_; }
    /// The latest submission that runs `task` (nullptr when never submitted).
    const Submission* submissionOf(int task) const;
    /// Records a submission in job.json (rewritten atomically).
    void addSubmission(Submission s);

    std::optional<TaskRecord> taskRecord(int task) const { return readTaskRecord(taskStateFile(task)); }
    std::optional<VariantRecord> variantRecord(std::string_view variant) const {
        return readVariantRecord(variantStateFile(variant));
    }

  private:
    nlohmann::json jobJson() const;
    void writeJobFile() const;

    fs::path dir_;
    std::string name_;
    std::string created_;
    FarmSettings farm_;
    fs::path program_;
    std::vector<fs::path> pluginDirs_;
    std::vector<Variant> variants_;
    std::vector<Submission> submissions_;
};

/// The job folders under `root`, newest first (folders that are not jobs are skipped).
std::vector<fs::path> listJobFolders(const fs::path& root);

/// Finds a job by folder path, folder name under `root`, or a manager job id of one of its submissions.
/// Throws sv::Error when nothing matches.
JobFolder findJob(const fs::path& root, std::string_view idOrPath);

}  // namespace sv::farm
