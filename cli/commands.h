// The `sanavideo` subcommands. Each lives in its own cmd_<name>.cpp: its setup function declares the
// command's options on a CLI11 subcommand and returns the function that runs it once the command line parsed.
// main() turns what escapes into messages: sv::Error → "sanavideo <cmd>: error: <message>", exit code 1; a
// command-line mistake (unknown option, missing value, an option given twice) → exit code 2.
//
// Adding a command: write cmd_<name>.cpp with `CommandRun setup<Name>(CLI::App& cmd)` and add one line to the
// table in commands.cpp.
#pragma once

#include <functional>
#include <span>
#include <string_view>

namespace CLI {
class App;
}

namespace sv::cli {

/// Runs a parsed command; returns the process exit code.
using CommandRun = std::function<int()>;

struct Command {
    std::string_view name;
    std::string_view summary;
    /// Declares the options on `cmd` (which the caller named and described) and returns the runner. Called
    /// for every command on every invocation, so it must be cheap and must not touch files.
    CommandRun (*setup)(CLI::App& cmd);
};

/// Every command, in the order `sanavideo --help` lists them.
std::span<const Command> commands();

}  // namespace sv::cli
