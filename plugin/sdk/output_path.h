// Where output nodes write. A graph is untrusted data (it travels inside MP4s), so the file names it holds
// are patterns *relative to the run's output folder*, never paths: the folder itself is chosen by the user
// (the CLI's --output-dir, the editor's setting) and everything a graph writes stays under it.
//
// A pattern is refused (checkOutputPattern, called by ParamSpec::checkValue for ParamSpec::outputName
// parameters, so validateGraph reports it before anything runs) when it is empty, absolute, names a folder,
// has a ".." / "." / empty component, a backslash, a control character (NUL included) or a bad {counter}
// field. At run time resolveOutputPath checks it again, creates the missing sub-folders one at a time without
// following a symbolic link out of the output folder, and picks a name that does not exist yet: output nodes
// never replace a file (writers commit with media::Overwrite::Refuse, so a file that appears meanwhile is
// not replaced either).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace sv::plugin {

/// The longest pattern accepted, in bytes (a file name component may have 255).
inline constexpr size_t kMaxOutputPatternBytes = 1024;

/// Replaces every "{counter}" (no padding) or "{counter:0N}" / "{counter:N}" (zero-padded to N digits, 1..12)
/// in `pattern` by `counter`. Throws sv::Error naming `param` for any other "{...}" or an unbalanced brace.
std::string expandCounterPattern(std::string_view pattern, int64_t counter, std::string_view param);

/// Whether `pattern` is a valid output file name pattern (see the file comment): "" when it is, else the
/// reason, e.g. "\"/etc/x\" is an absolute path; output files are written inside the output folder".
std::string checkOutputPattern(std::string_view pattern);

/// The path for `pattern` inside `outputDir` (an existing folder), with the extension replaced by
/// `extension` (".mp4"; empty: none, e.g. a frame-sequence folder). Sub-folders of the pattern are created.
/// With a counter in the pattern, the first counter >= 1 whose path does not exist is used; without one, an
/// existing path is refused. Throws sv::Error naming `param` when the pattern is invalid, a sub-folder is a
/// file or a symbolic link leading out of the output folder, or the name is taken.
std::filesystem::path resolveOutputPath(const std::filesystem::path& outputDir, std::string_view pattern,
                                        std::string_view extension, std::string_view param);

}  // namespace sv::plugin
