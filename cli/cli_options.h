// Numeric command-line options with the CLI's own messages: "--steps: \"many\" is not an integer",
// "--seed: 18446744073709551616 is above the maximum 18446744073709551615", "--steps: 0 is below the minimum
// 1" (CLI11's own conversions say "Could not convert" for all of these).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace CLI {
class App;
class Option;
}  // namespace CLI

namespace sv::cli {

/// An option taking one integer in [lo, hi], stored into `target` (which must outlive the parse).
CLI::Option* addInteger(CLI::App& cmd, const std::string& name, int64_t& target, int64_t lo, int64_t hi,
                        const std::string& help);
CLI::Option* addInteger(CLI::App& cmd, const std::string& name, int& target, int lo, int hi,
                        const std::string& help);
/// The same for an unsigned 64-bit value in [0, hi].
CLI::Option* addUnsigned(CLI::App& cmd, const std::string& name, uint64_t& target, uint64_t hi,
                         const std::string& help);
/// An option taking one finite number in [lo, hi]; `target` stays empty when the option is not given.
CLI::Option* addNumber(CLI::App& cmd, const std::string& name, std::optional<double>& target, double lo,
                       double hi, const std::string& help);

}  // namespace sv::cli
