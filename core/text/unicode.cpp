#include "text/unicode.h"

#include <algorithm>

#include "base/error.h"
#include "text/unicode_tables.h"

namespace sv::text {

namespace {

using detail::CodeRange;

bool inRanges(const CodeRange* ranges, size_t count, char32_t c) {
    const CodeRange* end = ranges + count;
    const CodeRange* it =
        std::upper_bound(ranges, end, c, [](char32_t v, const CodeRange& r) { return v < r.first; });
    return it != ranges && c <= (it - 1)->last;
}

char32_t simpleLower(char32_t c) {
    if (c < 0x80) return (c >= 'A' && c <= 'Z') ? c + 32 : c;
    const auto* begin = detail::kLowerRanges;
    const auto* end = begin + detail::kLowerRangesCount;
    const auto* it =
        std::upper_bound(begin, end, c, [](char32_t v, const detail::LowerRange& r) { return v < r.first; });
    if (it == begin) return c;
    const auto& r = *(it - 1);
    if (c > r.last || (c - r.first) % char32_t(r.stride) != 0) return c;
    return char32_t(int64_t(c) + r.delta);
}

bool isCased(char32_t c) {
    return inRanges(detail::kCasedRanges, detail::kCasedRangesCount, c);
}
bool isCaseIgnorable(char32_t c) {
    return inRanges(detail::kIgnorableRanges, detail::kIgnorableRangesCount, c);
}

// CPython's handle_capital_sigma: Σ lowercases to ς when preceded by a cased letter and not followed by one
// (case-ignorable characters skipped on both sides), else to σ.
char32_t lowerCapitalSigma(const std::u32string& s, size_t i) {
    size_t j = i;
    char32_t c = 0;
    bool found = false;
    while (j > 0) {
        c = s[--j];
        if (!isCaseIgnorable(c)) {
            found = true;
            break;
        }
    }
    bool finalSigma = found && isCased(c);
    if (finalSigma) {
        for (size_t k = i + 1; k < s.size(); ++k) {
            if (!isCaseIgnorable(s[k])) {
                finalSigma = !isCased(s[k]);
                break;
            }
        }
    }
    return finalSigma ? U'\u03c2' : U'\u03c3';
}

}  // namespace

bool isValidUtf8(std::string_view s) {
    size_t i = 0;
    while (i < s.size()) {
        const auto b0 = uint8_t(s[i]);
        if (b0 < 0x80) {
            ++i;
            continue;
        }
        int len = 0;
        char32_t c = 0, minValue = 0;
        if ((b0 & 0xe0) == 0xc0) {
            len = 2, c = b0 & 0x1f, minValue = 0x80;
        } else if ((b0 & 0xf0) == 0xe0) {
            len = 3, c = b0 & 0x0f, minValue = 0x800;
        } else if ((b0 & 0xf8) == 0xf0) {
            len = 4, c = b0 & 0x07, minValue = 0x10000;
        } else {
            return false;
        }
        if (i + size_t(len) > s.size()) return false;
        for (int k = 1; k < len; ++k) {
            const auto b = uint8_t(s[i + size_t(k)]);
            if ((b & 0xc0) != 0x80) return false;
            c = (c << 6) | (b & 0x3f);
        }
        if (c < minValue || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff)) return false;
        i += size_t(len);
    }
    return true;
}

std::u32string decodeUtf8(std::string_view s, std::string_view what) {
    std::u32string out;
    out.reserve(s.size());
    size_t i = 0;
    while (i < s.size()) {
        const auto b0 = uint8_t(s[i]);
        if (b0 < 0x80) {
            out.push_back(b0);
            ++i;
            continue;
        }
        const size_t len = (b0 & 0xe0) == 0xc0 ? 2 : (b0 & 0xf0) == 0xe0 ? 3 : (b0 & 0xf8) == 0xf0 ? 4 : 0;
        SV_CHECK(len != 0 && i + len <= s.size() && isValidUtf8(s.substr(i, len)), what,
                 ": not valid UTF-8 (bad byte sequence at offset ", i, ")");
        char32_t c = b0 & (len == 2 ? 0x1f : len == 3 ? 0x0f : 0x07);
        for (size_t k = 1; k < len; ++k) c = (c << 6) | (uint8_t(s[i + k]) & 0x3f);
        out.push_back(c);
        i += len;
    }
    return out;
}

void appendUtf8(std::string& out, char32_t c) {
    if (c < 0x80) {
        out.push_back(char(c));
    } else if (c < 0x800) {
        out.push_back(char(0xc0 | (c >> 6)));
        out.push_back(char(0x80 | (c & 0x3f)));
    } else if (c < 0x10000) {
        out.push_back(char(0xe0 | (c >> 12)));
        out.push_back(char(0x80 | ((c >> 6) & 0x3f)));
        out.push_back(char(0x80 | (c & 0x3f)));
    } else {
        out.push_back(char(0xf0 | (c >> 18)));
        out.push_back(char(0x80 | ((c >> 12) & 0x3f)));
        out.push_back(char(0x80 | ((c >> 6) & 0x3f)));
        out.push_back(char(0x80 | (c & 0x3f)));
    }
}

std::string encodeUtf8(std::u32string_view s) {
    std::string out;
    out.reserve(s.size());
    for (char32_t c : s) appendUtf8(out, c);
    return out;
}

bool isPythonSpace(char32_t c) {
    const auto* end = detail::kSpaceChars + detail::kSpaceCharsCount;
    return std::binary_search(detail::kSpaceChars, end, c);
}

std::string pythonLower(std::string_view s) {
    const std::u32string in = decodeUtf8(s, "prompt");
    std::string out;
    out.reserve(s.size());
    for (size_t i = 0; i < in.size(); ++i) {
        const char32_t c = in[i];
        if (c == U'\u0130') {  // İ → i + combining dot above (the one multi-character lowercase)
            appendUtf8(out, U'i');
            appendUtf8(out, U'\u0307');
        } else if (c == U'\u03a3') {
            appendUtf8(out, lowerCapitalSigma(in, i));
        } else {
            appendUtf8(out, simpleLower(c));
        }
    }
    return out;
}

std::string pythonStrip(std::string_view s) {
    const std::u32string in = decodeUtf8(s, "prompt");
    size_t b = 0, e = in.size();
    while (b < e && isPythonSpace(in[b])) ++b;
    while (e > b && isPythonSpace(in[e - 1])) --e;
    return encodeUtf8(std::u32string_view(in).substr(b, e - b));
}

}  // namespace sv::text
