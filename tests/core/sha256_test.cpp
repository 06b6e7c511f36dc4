#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include "base/error.h"
#include "base/sha256.h"
#include "support/reference.h"

namespace sv {
namespace {

std::string hashOf(std::string_view s) {
    Sha256 h;
    h.update(s);
    return h.hexDigest();
}

// FIPS 180-4 example vectors (NIST CSRC "SHA256.pdf", "SHA2_Additional.pdf").
TEST(Sha256, NistVectors) {
    EXPECT_EQ(hashOf(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    EXPECT_EQ(hashOf("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    EXPECT_EQ(hashOf("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
              "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    EXPECT_EQ(hashOf(std::string(1000000, 'a')),
              "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha256, IncrementalEqualsOneShotAcrossBlockBoundaries) {
    std::string text;
    for (int i = 0; i < 300; ++i) text.push_back(char('a' + (i * 7) % 26));
    for (size_t cut : {0, 1, 55, 56, 63, 64, 65, 128, 200, 300}) {
        Sha256 h;
        h.update(std::string_view(text).substr(0, cut));
        h.update(std::string_view(text).substr(cut));
        EXPECT_EQ(h.hexDigest(), hashOf(text)) << "cut " << cut;
    }
}

TEST(Sha256, FileDigestAndMissingFile) {
    test::TempDir dir;
    const auto path = dir.path() / "abc.txt";
    std::ofstream(path, std::ios::binary) << "abc";
    EXPECT_EQ(sha256HexOfFile(path), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    EXPECT_THROW(sha256HexOfFile(dir.path() / "missing.bin"), Error);
}

}  // namespace
}  // namespace sv
