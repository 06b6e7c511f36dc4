// Fused flash-style cross-attention for 16-bit activations (internal to the CUDA backend; see
// flash_cross_attention.cu). Depends on the CUDA headers alone, so a standalone harness can include it.
#pragma once

#include <cuda_runtime.h>

namespace sv::cuda {

enum class FlashDType { BF16, F16 };

/// out[b, n, h·d + i] = Σ_l softmax_l(q_bnh · k_blh · scale + bias[b, l]) v_blh[i] for q [B, N, C] and
/// k, v [B, L, C] (contiguous, C = heads · d, 16-byte aligned), bias [B, L] F32 or null. Returns false
/// (launching nothing) when the shape is outside what the kernel supports (d not a multiple of 8 or > 256,
/// misaligned pointers, too many samples or heads for the grid); the caller then takes another path.
bool flashCrossAttention(FlashDType dt, const void* q, const void* k, const void* v, const float* bias,
                         void* out, long long B, long long N, long long L, long long C, int heads,
                         float scale, cudaStream_t stream);

}  // namespace sv::cuda
