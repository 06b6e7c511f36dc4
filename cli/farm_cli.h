// What `sanavideo sweep`, `submit` and `jobs` share: CLI11 parsing of a command's arguments, and the sweep
// spec built from a graph or spec file plus --set-axis / --set / --zip. Only with the node SDK
// (SV_CLI_WITH_PLUGIN).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "commands.h"
#include "plugin/farm/sweep_spec.h"

namespace sv::cli {

namespace fs = std::filesystem;

/// Parses `args` (the command's, without its name) into `app`. Returns the exit code when the command should
/// stop there: 0 after --help, 2 after a usage error (printed with the hint to --help); nullopt to go on.
std::optional<int> parseCommandLine(CLI::App& app, Args args);

/// The sweep options common to `sweep` and `submit`.
struct SweepOptions {
    std::string input;  ///< a graph, or a spec file ("format": "sanavideo.sweep")
    std::vector<std::string> axes;
    std::vector<std::string> sets;
    bool zip = false;
    bool product = false;

    /// Adds INPUT, --set-axis, --set, --zip, --product to `app`.
    void addTo(CLI::App& app, bool inputRequired);
    /// The spec: the spec file's (with the options' axes and sets appended and the combination overridden),
    /// or one made for the graph (files and globs of the axes relative to the current folder).
    farm::SweepSpec spec() const;
};

/// Prints every variant, one per line: "003_seed-3  sampler.seed=3 text_encode.prompt=\"a cat\"".
void printVariants(const std::vector<farm::Variant>& variants);

}  // namespace sv::cli
