// The job spec: a JSON file beside the graph naming the graph, fixed overrides, the axes, how they combine
// and how a farm runs it. `sanavideo sweep SPEC.json` and `sanavideo submit SPEC.json` read it; command-line
// options add to it.
//
//   { "format": "sanavideo.sweep", "version": 1,
//     "graph": "text-to-video.json",                      // relative to the spec's folder
//     "set": ["sampler.steps=20"],                        // fixed overrides, like --set
//     "axes": ["sampler.seed=1..16", "text_encode.prompt=@prompts.txt",
//              {"param": "sampler.guidance", "values": [4.5, 6]}],
//     "combine": "product",                               // or "zip"
//     "farm": { "manager": "slurm", "chunk": 4, "gpus": 1, "cpus": 8, "memory": "48G",
//               "partition": "gpu", "time": "02:00:00", "extra": ["--qos=normal"] } }
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "plugin/farm/sweep.h"

namespace sv::farm {

/// How a farm runs a sweep. 0 / "" leave the manager's default.
struct FarmSettings {
    std::string manager = "slurm";
    int chunk = 1;                       ///< variants per task: a task loads the models once for all of them
    int gpus = 0;                        ///< GPUs per task
    int cpus = 0;                        ///< CPU cores per task
    std::string memory;                  ///< per task, the manager's syntax ("48G")
    std::string partition;               ///< Slurm partition / queue
    std::string timeLimit;               ///< per task, the manager's syntax ("02:00:00")
    std::vector<std::string> extraArgs;  ///< passed to the submit command as they are

    nlohmann::json toJson() const;
    /// Throws sv::Error naming `source` for wrong kinds or values out of range.
    static FarmSettings fromJson(const nlohmann::json& j, std::string_view source);
};

struct SweepSpec {
    static constexpr std::string_view kFormatName = "sanavideo.sweep";
    static constexpr int kFormatVersion = 1;

    fs::path graph;                 ///< absolute once loaded
    std::vector<std::string> sets;  ///< "NODE.PARAM=VALUE"
    std::vector<AxisSpec> axes;
    Combine combine = Combine::Product;
    FarmSettings farm;
    fs::path baseDir;  ///< where the axes' files and globs are found (the spec's folder)

    /// Reads a spec file; throws sv::Error naming the file and the problem.
    static SweepSpec load(const fs::path& file);
    /// Whether `file` is a JSON file whose "format" is kFormatName (false for graphs and unreadable files).
    static bool isSpecFile(const fs::path& file);
    /// The spec as JSON; the graph path relative to `dir` when it lies under it.
    nlohmann::json toJson(const fs::path& dir) const;
};

/// A sweep ready to run: the graph with the fixed overrides applied, the resolved axes and the variants.
struct Sweep {
    sp::GraphDocument graph;
    std::vector<Axis> axes;
    Combine combine = Combine::Product;
    std::vector<Variant> variants;
};

/// Loads the spec's graph, applies `sets`, resolves the axes and expands the variants. Throws sv::Error.
Sweep prepareSweep(const SweepSpec& spec, const sp::NodeRegistry& registry);

}  // namespace sv::farm
