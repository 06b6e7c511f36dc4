#include "output_naming.h"

#include <charconv>
#include <system_error>

#include "base/error.h"

namespace fs = std::filesystem;

namespace sv::nodes {

namespace {

bool hasCounter(std::string_view pattern) {
    return pattern.find("{counter") != std::string_view::npos;
}

}  // namespace

std::string expandCounterPattern(std::string_view pattern, int64_t counter, std::string_view param) {
    std::string out;
    size_t i = 0;
    while (i < pattern.size()) {
        const char c = pattern[i];
        if (c == '}') fail("parameter '", param, "': unbalanced '}' in \"", pattern, "\"");
        if (c != '{') {
            out.push_back(c);
            ++i;
            continue;
        }
        const size_t close = pattern.find('}', i);
        SV_CHECK(close != std::string_view::npos, "parameter '", param, "': unbalanced '{' in \"", pattern,
                 "\"");
        const std::string_view field = pattern.substr(i + 1, close - i - 1);
        int width = 0;
        if (field != "counter") {
            constexpr std::string_view kPrefix = "counter:";
            SV_CHECK(field.starts_with(kPrefix), "parameter '", param, "': unknown field {", field, "} in \"",
                     pattern, "\" (use {counter} or {counter:05})");
            std::string_view spec = field.substr(kPrefix.size());
            auto [end, ec] = std::from_chars(spec.data(), spec.data() + spec.size(), width);
            SV_CHECK(!spec.empty() && ec == std::errc() && end == spec.data() + spec.size() && width >= 1 &&
                         width <= 12,
                     "parameter '", param, "': bad counter width {", field, "} in \"", pattern,
                     "\" (use e.g. {counter:05}, 1 to 12 digits)");
        }
        std::string digits = std::to_string(counter);
        if (int(digits.size()) < width) digits.insert(0, size_t(width) - digits.size(), '0');
        out += digits;
        i = close + 1;
    }
    return out;
}

fs::path resolveOutputPath(const fs::path& outputDir, std::string_view pattern, std::string_view extension,
                           std::string_view param) {
    SV_CHECK(!pattern.empty(), "parameter '", param,
             "' is empty: give a file name such as sana_{counter:05}");
    SV_CHECK(pattern.back() != '/' && pattern.back() != '\\', "parameter '", param, "': \"", pattern,
             "\" names a folder; give a file name such as sana_{counter:05}");
    auto pathFor = [&](int64_t counter) {
        fs::path p = fs::path(expandCounterPattern(pattern, counter, param));
        if (p.is_relative()) p = outputDir / p;
        p.replace_extension(fs::path(std::string(extension)));
        return p;
    };
    fs::path first = pathFor(1);  // also validates the pattern
    std::error_code ec;
    fs::create_directories(first.parent_path(), ec);
    SV_CHECK(!ec, "parameter '", param, "': cannot create the folder ", first.parent_path().string(), ": ",
             ec.message());
    if (!hasCounter(pattern)) return first;
    for (int64_t counter = 1;; ++counter) {
        fs::path p = counter == 1 ? first : pathFor(counter);
        if (!fs::exists(p, ec)) return p;
        SV_CHECK(counter < 100000000, "parameter '", param, "': no free file name for \"", pattern, "\" in ",
                 p.parent_path().string());
    }
}

}  // namespace sv::nodes
