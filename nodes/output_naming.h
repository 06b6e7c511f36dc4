// File names of output nodes: patterns with a counter ("sana_{counter:05}.mp4") resolved in the output
// folder.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace sv::nodes {

/// Replaces every "{counter}" (no padding) or "{counter:0N}" / "{counter:N}" (zero-padded to N digits, 1..12)
/// in `pattern` by `counter`. Throws sv::Error naming `param` for any other "{...}" or an unbalanced brace.
std::string expandCounterPattern(std::string_view pattern, int64_t counter, std::string_view param);

/// The output path for `pattern` in `outputDir` (an absolute pattern is used as is), with its extension
/// replaced by `extension` (".mp4"; empty: no extension, e.g. a frame-sequence folder). When the pattern has
/// a counter, the first counter >= 1 whose path does not exist is used; without one, the path is returned as
/// is (an existing file will be replaced). The parent folder is created. Throws sv::Error naming `param` for
/// an empty pattern or one that ends in a separator.
std::filesystem::path resolveOutputPath(const std::filesystem::path& outputDir, std::string_view pattern,
                                        std::string_view extension, std::string_view param);

}  // namespace sv::nodes
