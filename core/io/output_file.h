// Moving a finished output file into place. Output nodes must never replace a file (a graph is untrusted
// data, see docs/SECURITY.md), and checking for an existing name before writing leaves a window in which
// another writer can take it; Overwrite::Refuse closes it at the rename itself.
#pragma once

#include <cstdint>
#include <filesystem>

namespace sv::io {

enum class Overwrite : uint8_t {
    Replace,  ///< rename(2): an existing target is replaced atomically
    Refuse,   ///< an existing target (a file, folder or symbolic link) is left alone and sv::Error is thrown
};

/// A fresh hidden name next to `target` for writing it: ".<stem>.partial-<16 hex digits><extension>", with 64
/// random bits mixed with the clock so that no other writer (thread or process) picks it.
std::filesystem::path temporarySibling(const std::filesystem::path& target);

/// Renames `temp` to `target` (same folder) as `overwrite` says. Refuse uses renameat2(RENAME_NOREPLACE), and
/// link(2) + unlink(2) where the file system lacks it; neither ever replaces or follows an existing target.
/// Throws sv::Error naming the target on failure; `temp` is left for the caller to remove then.
void moveIntoPlace(const std::filesystem::path& temp, const std::filesystem::path& target,
                   Overwrite overwrite);

}  // namespace sv::io
