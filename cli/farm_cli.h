// What the farm commands share: the sweep spec built from a graph or spec file plus --set-axis / --set /
// --zip / --product and the variant listing (`sweep`, `submit`), and --job-root (`submit`, `jobs`). Only with
// the node SDK (SV_CLI_WITH_PLUGIN).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "cli_options.h"  // CLI::App, CLI::Option
#include "plugin/farm/sweep_spec.h"

namespace sv::cli {

namespace fs = std::filesystem;

/// The sweep options common to `sweep` and `submit`.
struct SweepOptions {
    std::string input;  ///< a graph, or a spec file ("format": "sanavideo.sweep")
    std::vector<std::string> axes;
    std::vector<std::string> sets;
    bool zip = false;
    bool product = false;

    /// Adds GRAPH, --set-axis, --set, --zip, --product to `cmd` (this object must outlive the parse);
    /// returns them.
    std::vector<CLI::Option*> addTo(CLI::App& cmd, bool inputRequired);
    /// The spec: the spec file's (with the options' axes and sets appended and the combination overridden),
    /// or one made for the graph (files and globs of the axes relative to the current folder).
    farm::SweepSpec spec() const;
};

/// Adds --job-root (the folder holding the job folders; default $SV_FARM_ROOT, else ~/sanavideo-farm, shown
/// as the effective value), bound to `root`, which starts as that default.
CLI::Option* addJobRoot(CLI::App& cmd, std::string& root, const std::string& what);

/// Prints every variant on stdout, one per line: "003_seed-3  sampler.seed=3 text_encode.prompt=\"a cat\"".
void printVariants(const std::vector<farm::Variant>& variants);

}  // namespace sv::cli
