// cuRAND's Philox4x32-10 generator state on the host, word for word: what `curandStatePhilox4_32_10_t`
// holds and how curand_init / curand4 / curand move it. torch's CUDA generator draws every random tensor from
// this state (one state per GPU thread, curand_init(seed, subsequence = thread index, offset)), so emulating
// it exactly lets any backend reproduce torch's CUDA noise (ops/philox_normal.h).
//
// Ref: the CUDA Toolkit's curand_philox4x32_x.h (curand_Philox4x32_10, Philox_State_Incr,
// Philox_State_Incr_hi) and curand_kernel.h (curand_init, skipahead, skipahead_sequence, curand, curand4) for
// curandStatePhilox4_32_10_t; the bijection itself is Salmon et al., "Parallel random numbers: as easy as
// 1, 2, 3" (SC 2011), checked against Random123's known-answer vectors (tests/core/philox_test.cpp).
#pragma once

#include <array>
#include <cstdint>

namespace sv {

using PhiloxWords = std::array<uint32_t, 4>;
using PhiloxKey = std::array<uint32_t, 2>;

/// One Philox4x32-10 block: 10 rounds of the counter under the key (curand_Philox4x32_10).
PhiloxWords philox4x32x10(PhiloxWords counter, PhiloxKey key);

/// The state of one cuRAND Philox4x32-10 stream. The stream is the sequence of 32-bit words of the blocks at
/// counters 0, 1, 2, ... (four words per block); a subsequence is 2^66 words (counter words z, w), an offset
/// counts words.
class PhiloxState {
  public:
    /// curand_init(seed, subsequence, offset): key = (seed low, seed high), counter at block
    /// subsequence · 2^64 + offset / 4, word offset % 4 of that block next.
    PhiloxState(uint64_t seed, uint64_t subsequence, uint64_t offset);

    /// curand4: the next four words of the stream.
    PhiloxWords next4();
    /// curand: the next word of the stream.
    uint32_t next();

    const PhiloxWords& counter() const { return counter_; }
    const PhiloxKey& key() const { return key_; }

  private:
    void incrementCounter();                     // Philox_State_Incr(s)
    void incrementCounter(uint64_t blocks);      // Philox_State_Incr(s, n)
    void incrementSubsequence(uint64_t blocks);  // Philox_State_Incr_hi(s, n)

    PhiloxWords counter_{};
    PhiloxKey key_{};
    PhiloxWords output_{};  // the block at counter_, whose word `word_` is the next one returned
    uint32_t word_ = 0;     // cuRAND's STATE
};

}  // namespace sv
