// The interleaved rotary step shared by the CUDA kernels that apply the DiT's RoPE (rope.cu, and the fused
// prep kernels of linear_attention.cu): pair (x1, x2) = elements (2j, 2j+1) rotated by the token's angle.
#pragma once

#include <cuda_runtime.h>

namespace sv::cuda {

/// (x1·cos − x2·sin, x1·sin + x2·cos) in float (diffusers apply_rotary_emb on the interleaved pairs).
__device__ __forceinline__ float2 ropePair(float x1, float x2, float cosv, float sinv) {
    return make_float2(x1 * cosv - x2 * sinv, x1 * sinv + x2 * cosv);
}

}  // namespace sv::cuda
