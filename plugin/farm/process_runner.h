// Running the farm manager's commands (sbatch, squeue, sacct, scancel): one call, arguments passed as they
// are (no shell), output captured, a time limit, and every failure described in the result rather than
// thrown.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace sv::farm {

struct ProcessResult {
    bool started = false;   ///< false: not found or not executable (`error` says why)
    bool timedOut = false;  ///< killed after the time limit
    int exitCode = -1;      ///< the exit code when it exited normally, else -1
    std::string out;
    std::string err;
    std::string error;  ///< why it did not start or finish

    bool ok() const { return started && !timedOut && exitCode == 0; }
    /// "sbatch: exit code 1: sbatch: error: ..." (stderr, else stdout, else `error`), trimmed, one line per
    /// line of output.
    std::string describe(const std::string& program) const;
};

/// How a manager runs a command; tests pass a fake.
using CommandRunner =
    std::function<ProcessResult(const std::string& program, const std::vector<std::string>& args)>;

/// Runs `program` (looked up on PATH) with `args` and waits at most `timeout` (then kills it). Thread-safe.
ProcessResult runProcess(const std::string& program, const std::vector<std::string>& args,
                         std::chrono::milliseconds timeout = std::chrono::seconds(60));

/// The default CommandRunner: runProcess with a 60 s limit.
CommandRunner defaultCommandRunner();

/// The executable `program` resolves to on PATH (or itself when it is a path), nullopt when there is none.
std::optional<std::filesystem::path> findProgram(const std::string& program);

}  // namespace sv::farm
