// libFuzzer target: arbitrary text as an output file name pattern (Save Video's "filename"). A pattern that
// checkOutputPattern accepts must expand, for any counter, to a relative path with no "..", "." or empty
// component and no control character: something that stays inside the output folder. Violations abort.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string_view>

#include "base/error.h"
#include "plugin/sdk/output_path.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view pattern(reinterpret_cast<const char*>(data), size);
    if (!sv::plugin::checkOutputPattern(pattern).empty()) {
        try {  // a refused pattern may still expand or not, but never crash
            (void)sv::plugin::expandCounterPattern(pattern, 1, "filename");
        } catch (const sv::Error&) {
        }
        return 0;
    }
    for (int64_t counter : {int64_t(1), int64_t(42), int64_t(99999999)}) {
        const std::string name = sv::plugin::expandCounterPattern(pattern, counter, "filename");
        const std::filesystem::path p(name);
        if (name.empty() || p.is_absolute() || name.back() == '/') std::abort();
        for (const auto& part : p)
            if (part.empty() || part == "." || part == "..") std::abort();
        for (const char c : name)
            if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F || c == '\\') std::abort();
    }
    return 0;
}
