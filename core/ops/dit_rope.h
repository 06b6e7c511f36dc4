// 3D rotary position embedding of the SANA-Video transformer (diffusers WanRotaryPosEmbed): per-axis tables
// built in double precision and stored as float32, and their application to interleaved pairs.
#pragma once

#include <array>

#include "base/tensor.h"

namespace sv::ops::dit {

struct RopeTables {
    Tensor cos;  // [N, headDim] F32, token order (f, h, w) row-major; dims [t | h | w], each angle repeated
                 // twice
    Tensor sin;
};

/// Tables for a token grid (F', H', W'). `split` = (t, h, w) sub-dimensions of the head (even, summing to the
/// head dim). For axis sub-dim a and position p: ω_k = 1 / theta^(2k / a), angle = p·ω_k, cos/sin in double,
/// cast to float, entries 2k and 2k+1 both hold pair k. Frame positions start at `frameOffset` (LongSANA's
/// causal RoPE: a later chunk's frames keep their place in the video, NVlabs/Sana CausalWanRotaryPosEmbed);
/// frameOffset + F' and every other grid extent must be ≤ maxSeqLen (sv::Error otherwise). Built on the CPU;
/// moved to `device`.
RopeTables ropeTables(std::array<int, 3> split, int maxSeqLen, double theta, std::array<int64_t, 3> grid,
                      Device device = Device::cpu(), int64_t frameOffset = 0);

/// Rotates pairs (2j, 2j+1) of every head: out[2j] = x[2j]·cos − x[2j+1]·sin, out[2j+1] = x[2j]·sin +
/// x[2j+1]·cos, with cos = table[n, 2j], sin = table[n, 2j+1] (the two copies are equal).
/// x: [B, N, H·d] (heads contiguous, d = table width); tables [N, d].
Tensor applyRope(const Tensor& x, const RopeTables& rope);

}  // namespace sv::ops::dit
