// Python's str.lower() / str.strip() and UTF-8 validation (expected strings as CPython 3 produces them).
#include <gtest/gtest.h>

#include "base/error.h"
#include "text/unicode.h"

namespace sv::text {
namespace {

TEST(Unicode, LowerMatchesPython) {
    EXPECT_EQ(pythonLower("UPPER lower MiXeD 123"), "upper lower mixed 123");
    EXPECT_EQ(pythonLower("\xc3\x80\xc3\x89\xc3\x8e \xc7\x85 \xe2\x85\xab \xef\xbc\xa1"),  // ÀÉÎ ǅ Ⅻ Ａ
              "\xc3\xa0\xc3\xa9\xc3\xae \xc7\x86 \xe2\x85\xbb \xef\xbd\x81");
    EXPECT_EQ(pythonLower("\xe1\xba\x9e"), "\xc3\x9f");                              // ẞ -> ß
    EXPECT_EQ(pythonLower("\xc4\xb0STANBUL"), "i\xcc\x87stanbul");                   // İ -> i + U+0307
    EXPECT_EQ(pythonLower("\xce\xa3\xce\x91\xce\xa3"), "\xcf\x83\xce\xb1\xcf\x82");  // ΣΑΣ -> σας
    EXPECT_EQ(pythonLower("\xce\x9f\xce\x94\xce\x9f\xce\xa3."),
              "\xce\xbf\xce\xb4\xce\xbf\xcf\x82.");  // final ς
    EXPECT_EQ(pythonLower("\xce\xa3"), "\xcf\x83");  // lone Σ -> σ
    EXPECT_EQ(pythonLower("a\xce\xa3"
                          "b"),
              "a\xcf\x83"
              "b");  // medial σ
    EXPECT_EQ(pythonLower("\xe4\xb8\xad\xe6\x96\x87 \xf0\x9f\x8e\xac"),
              "\xe4\xb8\xad\xe6\x96\x87 \xf0\x9f\x8e\xac");
}

TEST(Unicode, StripUsesPythonWhitespace) {
    EXPECT_EQ(pythonStrip("  \t\n a b \r\n"), "a b");
    EXPECT_EQ(pythonStrip("\x1c\xe3\x80\x80 x \xe2\x80\xa8"), "x");  // U+001C, U+3000, U+2028 are whitespace
    EXPECT_EQ(pythonStrip("\xc2\xa0non-breaking"), "non-breaking");  // U+00A0 too
    EXPECT_EQ(pythonStrip("\xe2\x80\x8bzero-width"), "\xe2\x80\x8bzero-width");  // U+200B is not
    EXPECT_EQ(pythonStrip("   "), "");
}

TEST(Unicode, Utf8Validation) {
    EXPECT_TRUE(isValidUtf8("plain \xc3\xa9 \xe2\x96\x81 \xf0\x9f\x90\xb1"));
    EXPECT_FALSE(isValidUtf8("\xc0\xaf"));          // overlong
    EXPECT_FALSE(isValidUtf8("\xed\xa0\x80"));      // surrogate
    EXPECT_FALSE(isValidUtf8("\xf4\x90\x80\x80"));  // above U+10FFFF
    EXPECT_FALSE(isValidUtf8("\xe2\x96"));          // truncated
    EXPECT_FALSE(isValidUtf8("\x80"));              // stray continuation
    EXPECT_THROW(pythonLower("bad \xff"), Error);
    EXPECT_EQ(decodeUtf8("a\xc3\xa9\xf0\x9f\x90\xb1"), (std::u32string{U'a', U'\u00e9', U'\U0001F431'}));
    EXPECT_EQ(encodeUtf8(U"a\u00e9\U0001F431"), "a\xc3\xa9\xf0\x9f\x90\xb1");
}

}  // namespace
}  // namespace sv::text
