// Text on its way to the terminal. Messages echo file names, option values and text read from files (graphs,
// metadata); none of that may drive the terminal, so every line the CLI prints goes through terminalSafe().
#pragma once

#include <cstdio>
#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

namespace sv::cli {

/// `text` with every control character except newline and tab (C0, DEL and the C1 range U+0080..U+009F)
/// and every byte that is not valid UTF-8 replaced by a visible escape ("\x1b", "\u009b", "\xff").
std::string terminalSafe(std::string_view text);

/// `j` as JSON text that is also safe on a terminal: dump() escapes the C0 controls; DEL and the C1 controls,
/// legal raw in JSON strings, are written as \u escapes too (they only occur inside strings).
std::string terminalSafeJson(const nlohmann::json& j, int indent = 2);

/// Prints "sanavideo <cmd>: error: <message>" (made terminal-safe; "sanavideo: error: ..." without a command)
/// on stderr.
void printError(std::string_view cmd, std::string_view message);
/// Prints "sanavideo <cmd>: warning: <message>" (made terminal-safe) on stderr.
void printWarning(std::string_view cmd, std::string_view message);
/// Prints `text` (made terminal-safe) and a newline on `stream`.
void printLine(std::FILE* stream, std::string_view text);

}  // namespace sv::cli
