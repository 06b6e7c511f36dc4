// UTF-8 and the bits of Python's str methods the prompt preprocessing uses: str.lower() (full Unicode simple
// lowercase, "İ" → "i̇" and the final-sigma rule, as CPython does) and str.strip() (Python's whitespace set).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace sv::text {

/// True when `s` is well-formed UTF-8 (no overlongs, surrogates or code points above U+10FFFF).
bool isValidUtf8(std::string_view s);
/// Decodes UTF-8 into code points; throws sv::Error naming `what` and the byte offset on malformed input.
std::u32string decodeUtf8(std::string_view s, std::string_view what = "text");
/// Appends the UTF-8 encoding of one code point.
void appendUtf8(std::string& out, char32_t c);
std::string encodeUtf8(std::u32string_view s);

/// Python's str.isspace() for one code point.
bool isPythonSpace(char32_t c);
/// Python's str.lower() of UTF-8 text (throws sv::Error on malformed UTF-8).
std::string pythonLower(std::string_view s);
/// Python's str.strip() with no argument (leading and trailing Python whitespace removed).
std::string pythonStrip(std::string_view s);

}  // namespace sv::text
