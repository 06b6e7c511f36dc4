#include "plugin/sdk/output_path.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <system_error>

#include "base/error.h"

namespace fs = std::filesystem;

namespace sv::plugin {

namespace {

constexpr size_t kMaxComponentBytes = 255;  // NAME_MAX of the common Linux file systems

bool hasCounter(std::string_view pattern) {
    return pattern.find("{counter") != std::string_view::npos;
}

std::string quoted(std::string_view pattern) {
    return concat("\"", excerpt(pattern, 80), "\"");
}

/// The zero-padding width of the "{...}" field `field` (0: none), or the reason it is not a counter field.
std::string counterWidth(std::string_view field, std::string_view pattern, int& width) {
    width = 0;
    if (field == "counter") return {};
    constexpr std::string_view kPrefix = "counter:";
    if (!field.starts_with(kPrefix))
        return concat("unknown field {", excerpt(field, 40), "} in ", quoted(pattern),
                      " (use {counter} or {counter:05})");
    const std::string_view spec = field.substr(kPrefix.size());
    auto [end, ec] = std::from_chars(spec.data(), spec.data() + spec.size(), width);
    if (spec.empty() || ec != std::errc() || end != spec.data() + spec.size() || width < 1 || width > 12)
        return concat("bad counter width {", excerpt(field, 40), "} in ", quoted(pattern),
                      " (use e.g. {counter:05}, 1 to 12 digits)");
    return {};
}

/// expandCounterPattern's work; returns the reason instead of throwing when the pattern is malformed.
std::string expand(std::string_view pattern, int64_t counter, std::string& out) {
    out.clear();
    size_t i = 0;
    while (i < pattern.size()) {
        const char c = pattern[i];
        if (c == '}') return concat("unbalanced '}' in ", quoted(pattern));
        if (c != '{') {
            out.push_back(c);
            ++i;
            continue;
        }
        const size_t close = pattern.find('}', i);
        if (close == std::string_view::npos) return concat("unbalanced '{' in ", quoted(pattern));
        int width = 0;
        if (auto why = counterWidth(pattern.substr(i + 1, close - i - 1), pattern, width); !why.empty())
            return why;
        std::string digits = std::to_string(counter);
        if (int(digits.size()) < width) digits.insert(0, size_t(width) - digits.size(), '0');
        out += digits;
        i = close + 1;
    }
    return {};
}

/// Whether `path` is `root` or below it (both canonical).
bool isInside(const fs::path& root, const fs::path& path) {
    return std::mismatch(root.begin(), root.end(), path.begin(), path.end()).first == root.end();
}

/// Creates (when missing) each folder of `relDir` below the canonical `root`, one at a time, refusing a
/// component that is not a folder or resolves outside `root` (a symbolic link leading away). Returns the
/// canonical folder.
fs::path makeConfinedFolders(const fs::path& root, const fs::path& relDir, std::string_view param) {
    fs::path cur = root;
    for (const fs::path& part : relDir) {
        const fs::path next = cur / part;
        std::error_code ec;
        if (fs::symlink_status(next, ec).type() == fs::file_type::not_found) {
            fs::create_directory(next, ec);
            SV_CHECK(!ec, "parameter '", param, "': cannot create the folder ", next.string(), ": ",
                     ec.message());
        }
        const fs::path real = fs::canonical(next, ec);
        SV_CHECK(!ec, "parameter '", param, "': cannot use the folder ", next.string(), ": ", ec.message());
        SV_CHECK(isInside(root, real), "parameter '", param, "': ", next.string(), " is a symbolic link to ",
                 real.string(), ", outside the output folder ", root.string(), "; refusing to write there");
        SV_CHECK(fs::is_directory(real, ec), "parameter '", param, "': ", next.string(),
                 " exists and is not a folder");
        cur = real;
    }
    return cur;
}

}  // namespace

std::string expandCounterPattern(std::string_view pattern, int64_t counter, std::string_view param) {
    std::string out;
    if (auto why = expand(pattern, counter, out); !why.empty()) fail("parameter '", param, "': ", why);
    return out;
}

std::string checkOutputPattern(std::string_view pattern) {
    if (pattern.empty()) return "is empty: give a file name such as sana_{counter:05}";
    if (pattern.size() > kMaxOutputPatternBytes)
        return concat(quoted(pattern), " is longer than ", kMaxOutputPatternBytes, " bytes");
    for (const char ch : pattern) {
        const auto c = static_cast<unsigned char>(ch);
        if (c >= 0x20 && c != 0x7F) continue;
        char code[8];
        std::snprintf(code, sizeof code, "0x%02x", unsigned(c));
        return concat(quoted(pattern), " contains a control character (", c == 0 ? "NUL" : code,
                      "); file names may not");
    }
    if (pattern.front() == '/')
        return concat(quoted(pattern),
                      " is an absolute path; output files are written inside the output folder (choose "
                      "that folder with --output-dir or the editor's output folder)");
    if (pattern.find('\\') != std::string_view::npos)
        return concat(quoted(pattern), " contains a backslash; separate folders with '/'");
    if (pattern.back() == '/')
        return concat(quoted(pattern), " names a folder; give a file name such as sana_{counter:05}");
    for (size_t start = 0; start <= pattern.size();) {
        const size_t end = std::min(pattern.find('/', start), pattern.size());
        const std::string_view part = pattern.substr(start, end - start);
        if (part == "..")
            return concat(quoted(pattern),
                          " climbs out of the output folder with '..'; output files are "
                          "written inside it");
        if (part.empty() || part == ".") return concat(quoted(pattern), " has an empty or '.' folder name");
        if (part.size() > kMaxComponentBytes)
            return concat(quoted(pattern), " has a name longer than ", kMaxComponentBytes, " bytes");
        start = end + 1;
    }
    std::string expanded;
    return expand(pattern, 1, expanded);
}

fs::path resolveOutputPath(const fs::path& outputDir, std::string_view pattern, std::string_view extension,
                           std::string_view param) {
    if (auto why = checkOutputPattern(pattern); !why.empty()) fail("parameter '", param, "': ", why);
    std::error_code ec;
    const fs::path root = fs::canonical(outputDir, ec);
    SV_CHECK(!ec && fs::is_directory(root, ec), "the output folder ", outputDir.string(),
             " does not exist or is not a folder");
    const bool counted = hasCounter(pattern);
    for (int64_t counter = 1;; ++counter) {
        fs::path rel = expandCounterPattern(pattern, counter, param);
        rel.replace_extension(fs::path(std::string(extension)));
        const fs::path real = makeConfinedFolders(root, rel.parent_path(), param) / rel.filename();
        // Anything under the name counts as taken, a dangling symbolic link too: nothing is written through
        // a link and nothing is replaced.
        if (fs::symlink_status(real, ec).type() == fs::file_type::not_found) return outputDir / rel;
        SV_CHECK(counted, "parameter '", param, "': ", (outputDir / rel).string(),
                 " already exists; output nodes never replace a file: put {counter} in the name (e.g. "
                 "clip_{counter:05}) or move the file away");
        SV_CHECK(counter < 100000000, "parameter '", param, "': no free file name for ", quoted(pattern),
                 " in ", real.parent_path().string());
    }
}

}  // namespace sv::plugin
