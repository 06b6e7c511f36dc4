#include "base/error.h"

#include <cstdio>
#include <cstdlib>
#include <new>

namespace sv {

namespace {

/// Length of the well-formed UTF-8 sequence at s[i] (2 to 4), or 0 when the bytes there are not one
/// (overlongs, surrogates and code points above U+10FFFF count as malformed).
size_t utf8Sequence(std::string_view s, size_t i) {
    const auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
    const unsigned char c = b(i);
    size_t n = 0;
    uint32_t cp = 0;
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
        cp = c & 0x1Fu;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        cp = c & 0x0Fu;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        cp = c & 0x07u;
    } else {
        return 0;
    }
    if (i + n > s.size()) return 0;
    for (size_t k = 1; k < n; ++k) {
        if ((b(i + k) & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (b(i + k) & 0x3Fu);
    }
    const bool overlong = (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000);
    const bool surrogate = cp >= 0xD800 && cp <= 0xDFFF;
    if (overlong || surrogate || cp > 0x10FFFF) return 0;
    // C1 controls (U+0080..U+009F) act like ESC sequences on many terminals.
    if (cp >= 0x80 && cp <= 0x9F) return 0;
    return n;
}

void appendEscape(std::string& out, unsigned char c) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "\\x%02x", unsigned(c));
    out += buf;
}

/// Appends s[i...] sanitized until `limit` output bytes; returns the input bytes consumed.
size_t appendSanitized(std::string& out, std::string_view s, bool keepLineBreaks, size_t limit) {
    size_t i = 0;
    while (i < s.size() && out.size() < limit) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c >= 0x20 && c < 0x7F) {
            out.push_back(char(c));
            ++i;
        } else if ((c == '\n' || c == '\t') && keepLineBreaks) {
            out.push_back(char(c));
            ++i;
        } else if (c == '\n') {
            out += "\\n";
            ++i;
        } else if (c == '\t') {
            out += "\\t";
            ++i;
        } else if (const size_t n = c >= 0x80 ? utf8Sequence(s, i) : 0; n > 0) {
            out.append(s.substr(i, n));
            i += n;
        } else {
            appendEscape(out, c);
            ++i;
        }
    }
    return i;
}

}  // namespace

std::string sanitizeMessage(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    appendSanitized(out, text, /*keepLineBreaks=*/true, std::string::npos);
    return out;
}

std::string excerpt(std::string_view text, size_t maxBytes) {
    std::string out;
    const size_t used = appendSanitized(out, text, /*keepLineBreaks=*/false, maxBytes);
    if (used < text.size()) out += concat("\xE2\x80\xA6 (", text.size(), " bytes)");  // "…"
    return out;
}

std::string formatBytes(uint64_t bytes) {
    const char* units[] = {"B", "kB", "MB", "GB", "TB", "PB", "EB"};
    double v = double(bytes);
    int u = 0;
    while (v >= 1000.0 && u < 6) {
        v /= 1000.0;
        ++u;
    }
    char buf[32];
    std::snprintf(buf, sizeof buf, u == 0 ? "%.0f %s" : "%.1f %s", v, units[u]);
    return buf;
}

std::string describeException(const std::exception& e) {
    if (dynamic_cast<const std::bad_alloc*>(&e))
        return "out of memory (an allocation failed; use a smaller size, fewer frames or another device)";
    if (dynamic_cast<const Error*>(&e)) return e.what();
    return sanitizeMessage(e.what());
}

void assertFail(const char* expr, const char* file, int line, const std::string& message) {
    std::fprintf(stderr, "%s:%d: internal error: assertion `%s` failed%s%s\n", file, line, expr,
                 message.empty() ? "" : ": ", message.c_str());
    std::fflush(stderr);
    std::abort();
}

}  // namespace sv
