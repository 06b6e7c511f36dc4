// Messages never carry raw input to the terminal: sv::Error escapes control characters (ESC, NUL, C1) and
// bytes that are not UTF-8; excerpt() also cuts long quotes, noting the full size; std::bad_alloc is
// described as running out of memory; long shapes are elided.
#include <new>

#include <gtest/gtest.h>

#include "base/error.h"
#include "base/tensor.h"

namespace sv {
namespace {

using namespace std::string_literals;

TEST(Messages, ControlCharactersAreEscaped) {
    EXPECT_EQ(sanitizeMessage("a\x1b[31mred\x1b[0m"), "a\\x1b[31mred\\x1b[0m");
    EXPECT_EQ(sanitizeMessage("nul\0here"s), "nul\\x00here");
    EXPECT_EQ(sanitizeMessage("cr\rdel\x7f"), "cr\\x0ddel\\x7f");
    EXPECT_EQ(sanitizeMessage("lines\n\tkept"), "lines\n\tkept");
    EXPECT_EQ(sanitizeMessage("caf\xc3\xa9 \xe2\x80\xa6 \xf0\x9f\x8e\xac"),
              "caf\xc3\xa9 \xe2\x80\xa6 \xf0\x9f\x8e\xac");
    EXPECT_EQ(sanitizeMessage("c1 \xc2\x9b"
                              "31m"),
              "c1 \\xc2\\x9b31m")
        << "U+009B is CSI on many terminals";
    EXPECT_EQ(sanitizeMessage("bad \xff\xc3"), "bad \\xff\\xc3");
    EXPECT_EQ(sanitizeMessage("overlong \xc0\xaf"), "overlong \\xc0\\xaf");
}

TEST(Messages, ErrorsAreSanitized) {
    const Error e("file 'x\x1b]0;pwned\x07': bad");
    EXPECT_STREQ(e.what(), "file 'x\\x1b]0;pwned\\x07': bad");
    try {
        fail("name ", "with\0nul"s);
    } catch (const Error& err) {
        EXPECT_STREQ(err.what(), "name with\\x00nul");
    }
}

TEST(Messages, ExcerptsAreShortAndSayHowLongTheInputWas) {
    EXPECT_EQ(excerpt("short"), "short");
    EXPECT_EQ(excerpt("two\nlines"), "two\\nlines");
    const std::string big(300000, 'x');
    const std::string e = excerpt(big, 100);
    EXPECT_LE(e.size(), 130u);
    EXPECT_EQ(e.substr(0, 100), std::string(100, 'x'));
    EXPECT_NE(e.find("(300000 bytes)"), std::string::npos) << e;
}

TEST(Messages, OutOfMemoryIsNamed) {
    EXPECT_EQ(describeException(std::bad_alloc()).rfind("out of memory", 0), 0u);
    EXPECT_EQ(describeException(Error("plain")), "plain");
    EXPECT_EQ(describeException(std::runtime_error("raw\x1b")), "raw\\x1b");
}

TEST(Messages, LongShapesAreElided) {
    EXPECT_EQ(shapeToString(Shape{1, 16, 21, 60, 104}), "[1, 16, 21, 60, 104]");
    const Shape many(100000, 1);
    const std::string s = shapeToString(many);
    EXPECT_LT(s.size(), 80u) << s;
    EXPECT_NE(s.find("99990 more"), std::string::npos) << s;
}

TEST(Messages, BytesAreFormatted) {
    EXPECT_EQ(formatBytes(512), "512 B");
    EXPECT_EQ(formatBytes(1500), "1.5 kB");
    EXPECT_EQ(formatBytes(3200000000ull), "3.2 GB");
}

}  // namespace
}  // namespace sv
