// The `sanavideo` subcommands. Each lives in its own cmd_<name>.cpp and returns the process exit code;
// sv::Error thrown inside is reported by main() as "sanavideo <cmd>: error: <message>" with exit code 1.
#pragma once

#include <span>
#include <string>
#include <string_view>

namespace sv::cli {

using Args = std::span<const std::string>;

struct Command {
    std::string_view name;
    std::string_view summary;
    int (*run)(Args args);
};

/// Every command, in the order `sanavideo --help` lists them.
std::span<const Command> commands();

}  // namespace sv::cli
