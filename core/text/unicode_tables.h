// Unicode data tables for Python-compatible lowercasing and whitespace stripping (generated; see
// tests/data/tools/gen_unicode_tables.py). Internal to core/text.
#pragma once

#include <cstddef>
#include <cstdint>

namespace sv::text::detail {

struct LowerRange {
    char32_t first;
    char32_t last;
    int32_t stride;  // 1 or 2: every code point, or every other one, from first to last
    int32_t delta;   // lower(c) = c + delta
};
struct CodeRange {
    char32_t first;
    char32_t last;
};

extern const LowerRange kLowerRanges[];
extern const size_t kLowerRangesCount;
extern const CodeRange kCasedRanges[];
extern const size_t kCasedRangesCount;
extern const CodeRange kIgnorableRanges[];
extern const size_t kIgnorableRangesCount;
extern const char32_t kSpaceChars[];
extern const size_t kSpaceCharsCount;

}  // namespace sv::text::detail
