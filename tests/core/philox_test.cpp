// cuRAND's Philox4x32-10 on the host (base/philox.h): the block function against Random123's known-answer
// vectors, and the curandStatePhilox4_32_10_t bookkeeping (curand_init's subsequence and offset, curand4's
// word alignment, counter carries) against the block function itself.
#include <gtest/gtest.h>

#include <vector>

#include "base/philox.h"

namespace sv {
namespace {

// Random123 tests/kat_vectors, the three "philox4x32 10" lines: counter (4 words), key (2), expected (4).
TEST(Philox, BlockFunctionMatchesRandom123KnownAnswers) {
    struct Kat {
        PhiloxWords counter;
        PhiloxKey key;
        PhiloxWords expected;
    };
    const Kat kats[] = {
        {{0, 0, 0, 0}, {0, 0}, {0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}},
        {{0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff},
         {0xffffffff, 0xffffffff},
         {0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}},
        {{0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344},
         {0xa4093822, 0x299f31d0},
         {0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}},
    };
    for (const Kat& k : kats) EXPECT_EQ(philox4x32x10(k.counter, k.key), k.expected);
}

/// The first `n` words of the stream of (seed, subsequence): blocks at counters (b, 0, sub_lo, sub_hi).
std::vector<uint32_t> streamWords(uint64_t seed, uint64_t subsequence, int n) {
    const PhiloxKey key = {uint32_t(seed), uint32_t(seed >> 32)};
    std::vector<uint32_t> w;
    for (uint32_t b = 0; int(w.size()) < n; ++b) {
        const PhiloxWords out =
            philox4x32x10({b, 0, uint32_t(subsequence), uint32_t(subsequence >> 32)}, key);
        w.insert(w.end(), out.begin(), out.end());
    }
    w.resize(size_t(n));
    return w;
}

TEST(Philox, InitSetsTheKeyFromTheSeedAndTheSubsequenceInTheHighCounterWords) {
    const uint64_t seed = (uint64_t(1) << 32) + 5;  // the high half is the second key word
    PhiloxState s(seed, 0x123456789ull, 0);
    EXPECT_EQ(s.key(), (PhiloxKey{5u, 1u}));
    EXPECT_EQ(s.counter(), (PhiloxWords{0u, 0u, 0x23456789u, 0x1u}));
    const std::vector<uint32_t> ref = streamWords(seed, 0x123456789ull, 12);
    for (int i = 0; i < 3; ++i) {
        const PhiloxWords w = s.next4();
        for (int j = 0; j < 4; ++j) EXPECT_EQ(w[size_t(j)], ref[size_t(4 * i + j)]) << i << "," << j;
    }
}

TEST(Philox, OffsetSkipsWordsAndCurand4ReadsAcrossBlocks) {
    const std::vector<uint32_t> ref = streamWords(42, 7, 40);
    for (uint64_t offset = 0; offset < 12; ++offset) {
        PhiloxState four(42, 7, offset);
        PhiloxState one(42, 7, offset);
        for (int call = 0; call < 5; ++call) {
            const PhiloxWords w = four.next4();
            for (int j = 0; j < 4; ++j) {
                const size_t at = size_t(offset) + size_t(4 * call + j);
                EXPECT_EQ(w[size_t(j)], ref[at]) << "offset " << offset << " call " << call;
                EXPECT_EQ(one.next(), ref[at]) << "offset " << offset << " word " << at;
            }
        }
    }
}

TEST(Philox, CounterCarriesRippleAsInCurand) {
    // Offset 4·(2^32 − 1) words puts the low counter word at its maximum; the next block carries into y.
    const uint64_t offset = 4 * uint64_t(0xffffffffu);
    PhiloxState s(3, 0, offset);
    EXPECT_EQ(s.counter(), (PhiloxWords{0xffffffffu, 0u, 0u, 0u}));
    (void)s.next4();
    EXPECT_EQ(s.counter(), (PhiloxWords{0u, 1u, 0u, 0u}));
    // A skip of more than 2^32 blocks adds its high half to y (Philox_State_Incr with a 64-bit n).
    PhiloxState t(3, 0, 4 * ((uint64_t(1) << 62) - 1));
    EXPECT_EQ(t.counter(), (PhiloxWords{0xffffffffu, 0x3fffffffu, 0u, 0u}));
    // The subsequence add carries from z into w (Philox_State_Incr_hi).
    PhiloxState u(3, 0xffffffffull, 0);
    EXPECT_EQ(u.counter(), (PhiloxWords{0u, 0u, 0xffffffffu, 0u}));
    PhiloxState v(3, 0x1ffffffffull, 0);
    EXPECT_EQ(v.counter(), (PhiloxWords{0u, 0u, 0xffffffffu, 1u}));
}

}  // namespace
}  // namespace sv
