// The small JSON records of a farm job, each written atomically (temporary name + rename) so that a reader on
// another machine of a shared file system never sees half a file: a variant's outcome (state/<variant>.json,
// written by the task that ran it) and a task's progress (state/task-<N>.json, rewritten as it runs).
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace sv::farm {

namespace fs = std::filesystem;

/// Writes `j` to `file` through a temporary file in the same folder and a rename; throws sv::Error.
void writeJsonAtomically(const fs::path& file, const nlohmann::json& j);
/// Reads a JSON file; throws sv::Error naming it when it is missing or not JSON.
nlohmann::json readJsonFile(const fs::path& file);
/// The current time formatted by strftime `format`, in UTC or local time ("" when it does not fit 63 bytes).
std::string timeStamp(const char* format, bool utc);
/// The current UTC time, "2026-12-03T08:23:15Z".
std::string utcNow();
/// This machine's host name ("" when unknown).
std::string hostName();

/// What happened to one variant.
struct VariantRecord {
    enum class State : uint8_t { Running, Done, Failed, Cancelled };
    std::string name;
    int index = 0;
    int task = -1;  ///< the farm task that ran it (-1: a local sweep)
    State state = State::Running;
    std::vector<std::string> outputs;  ///< files and folders written, relative to the outputs folder
    std::string message;               ///< Failed / Cancelled: why
    std::string node;                  ///< Failed: the node that failed, if one did
    std::string host;
    std::string submission;  ///< the manager's job id of the run that wrote it
    std::string started;
    std::string finished;
    double seconds = 0.0;

    nlohmann::json toJson() const;
    static VariantRecord fromJson(const nlohmann::json& j, std::string_view source);
};
std::string_view variantStateName(VariantRecord::State s);  ///< "running", "done", "failed", "cancelled"

/// A farm task's own account of its run.
struct TaskRecord {
    enum class State : uint8_t { Running, Finished, Failed, Cancelled };
    int task = 0;
    State state = State::Running;
    std::string submission;  ///< the manager's job id (Slurm: the array job id)
    std::string host;
    int64_t pid = 0;
    std::string started;
    std::string updated;
    std::string finished;
    int variants = 0;  ///< variants of this task
    int done = 0;      ///< done, including those finished by an earlier run
    int failed = 0;
    std::string current;  ///< the running variant
    std::string node;     ///< its running node
    int64_t step = 0;     ///< that node's progress
    int64_t total = 0;
    std::string message;  ///< Failed / Cancelled: why

    nlohmann::json toJson() const;
    static TaskRecord fromJson(const nlohmann::json& j, std::string_view source);
};
std::string_view taskRecordStateName(TaskRecord::State s);  ///< "running", "finished", "failed", "cancelled"

/// Reads a record file; nullopt when it does not exist or cannot be parsed (a reader never fails on another
/// process's file).
std::optional<VariantRecord> readVariantRecord(const fs::path& file);
std::optional<TaskRecord> readTaskRecord(const fs::path& file);

}  // namespace sv::farm
