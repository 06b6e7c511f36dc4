#include "base/philox.h"

namespace sv {

namespace {

// Philox4x32 multipliers and Weyl key increments (Salmon et al., Table 2; curand_philox4x32_x.h).
constexpr uint32_t kMul0 = 0xD2511F53u;
constexpr uint32_t kMul1 = 0xCD9E8D57u;
constexpr uint32_t kWeyl0 = 0x9E3779B9u;
constexpr uint32_t kWeyl1 = 0xBB67AE85u;

PhiloxWords round(const PhiloxWords& c, const PhiloxKey& k) {
    const uint64_t p0 = uint64_t(kMul0) * c[0];
    const uint64_t p1 = uint64_t(kMul1) * c[2];
    const auto hi0 = uint32_t(p0 >> 32), lo0 = uint32_t(p0);
    const auto hi1 = uint32_t(p1 >> 32), lo1 = uint32_t(p1);
    return {hi1 ^ c[1] ^ k[0], lo1, hi0 ^ c[3] ^ k[1], lo0};
}

}  // namespace

PhiloxWords philox4x32x10(PhiloxWords counter, PhiloxKey key) {
    for (int r = 0; r < 10; ++r) {
        if (r > 0) {
            key[0] += kWeyl0;
            key[1] += kWeyl1;
        }
        counter = round(counter, key);
    }
    return counter;
}

PhiloxState::PhiloxState(uint64_t seed, uint64_t subsequence, uint64_t offset) {
    key_ = {uint32_t(seed), uint32_t(seed >> 32)};
    // curand_init: skipahead_sequence(subsequence), then skipahead(offset) (words: whole blocks + a word).
    incrementSubsequence(subsequence);
    word_ = uint32_t(offset & 3);
    incrementCounter(offset / 4);
    output_ = philox4x32x10(counter_, key_);
}

void PhiloxState::incrementCounter() {
    if (++counter_[0] != 0) return;
    if (++counter_[1] != 0) return;
    if (++counter_[2] != 0) return;
    ++counter_[3];
}

void PhiloxState::incrementCounter(uint64_t blocks) {
    // Philox_State_Incr(s, n): a 64-bit add into words x, y whose carry ripples on into z, w.
    const auto lo = uint32_t(blocks);
    auto hi = uint32_t(blocks >> 32);
    counter_[0] += lo;
    if (counter_[0] < lo) ++hi;
    counter_[1] += hi;
    if (hi <= counter_[1]) return;
    if (++counter_[2] != 0) return;
    ++counter_[3];
}

void PhiloxState::incrementSubsequence(uint64_t blocks) {
    // Philox_State_Incr_hi(s, n): a 64-bit add into words z, w.
    const auto lo = uint32_t(blocks);
    auto hi = uint32_t(blocks >> 32);
    counter_[2] += lo;
    if (counter_[2] < lo) ++hi;
    counter_[3] += hi;
}

PhiloxWords PhiloxState::next4() {
    const PhiloxWords current = output_;
    incrementCounter();
    output_ = philox4x32x10(counter_, key_);
    PhiloxWords r{};
    for (uint32_t i = 0; i < 4; ++i) {
        const uint32_t w = word_ + i;
        r[i] = w < 4 ? current[w] : output_[w - 4];
    }
    return r;
}

uint32_t PhiloxState::next() {
    const uint32_t r = output_[word_];
    if (++word_ == 4) {
        incrementCounter();
        output_ = philox4x32x10(counter_, key_);
        word_ = 0;
    }
    return r;
}

}  // namespace sv
