#include "terminal_text.h"

#include <cstdint>

#include <nlohmann/json.hpp>

namespace sv::cli {

namespace {

std::string hexEscape(const char* prefix, unsigned value, int digits) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%s%0*x", prefix, digits, value);
    return buf;
}

/// The length of the valid UTF-8 sequence at `s[i]` (2..4) and its code point, or 0 when it is not one.
size_t utf8Sequence(std::string_view s, size_t i, uint32_t& cp) {
    const auto b = [&](size_t k) { return static_cast<unsigned char>(s[i + k]); };
    const unsigned char c = b(0);
    const size_t n = c >= 0xf0 && c <= 0xf4 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 && c < 0xe0 ? 2 : 0;
    if (n == 0 || i + n > s.size()) return 0;
    cp = c & (0xff >> (n + 1));
    for (size_t k = 1; k < n; ++k) {
        if ((b(k) & 0xc0) != 0x80) return 0;
        cp = (cp << 6) | (b(k) & 0x3f);
    }
    const bool overlong = (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000);
    const bool invalid = cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff);
    return overlong || invalid ? 0 : n;
}

}  // namespace

std::string terminalSafe(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (size_t i = 0; i < text.size();) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c < 0x80) {
            if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f)
                out += hexEscape("\\x", c, 2);
            else
                out += char(c);
            ++i;
            continue;
        }
        uint32_t cp = 0;
        const size_t n = utf8Sequence(text, i, cp);
        if (n == 0) {
            out += hexEscape("\\x", c, 2);
            ++i;
        } else if (cp >= 0x80 && cp <= 0x9f) {  // C1 controls (CSI is U+009B)
            out += hexEscape("\\u", cp, 4);
            i += n;
        } else {
            out.append(text.substr(i, n));
            i += n;
        }
    }
    return out;
}

namespace {
void printTagged(std::string_view cmd, const char* tag, std::string_view message) {
    std::fprintf(stderr, "sanavideo%s%s: %s: %s\n", cmd.empty() ? "" : " ", terminalSafe(cmd).c_str(), tag,
                 terminalSafe(message).c_str());
}
}  // namespace

std::string terminalSafeJson(const nlohmann::json& j, int indent) {
    const std::string text = j.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
    std::string out;
    out.reserve(text.size());
    for (size_t i = 0; i < text.size(); ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        const auto next = i + 1 < text.size() ? static_cast<unsigned char>(text[i + 1]) : 0;
        if (c == 0x7f) {
            out += "\\u007f";
        } else if (c == 0xc2 && next >= 0x80 && next <= 0x9f) {
            out += hexEscape("\\u", next, 4);
            ++i;
        } else {
            out += char(c);
        }
    }
    return out;
}

void printError(std::string_view cmd, std::string_view message) {
    printTagged(cmd, "error", message);
}

void printWarning(std::string_view cmd, std::string_view message) {
    printTagged(cmd, "warning", message);
}

void printLine(std::FILE* stream, std::string_view text) {
    std::fprintf(stream, "%s\n", terminalSafe(text).c_str());
}

}  // namespace sv::cli
