// The two attention kinds of the SANA-Video transformer block, tensor in / tensor out over [B, tokens,
// heads·d] (heads contiguous, head h at channels [h·d, (h+1)·d)).
#pragma once

#include "base/tensor.h"
#include "ops/dit_rope.h"

namespace sv::ops::dit {

/// Self-attention of the DiT (SanaLinearAttnProcessor3_0): ReLU linear attention with RoPE in the numerator
/// only. q, k, v: [B, N, H·d] (q and k already RMS-normalised). Per sample and head, with q⁺ = relu(q), k⁺ =
/// relu(k) and q̃ = RoPE(q⁺), k̃ = RoPE(k⁺):
///   S = Σ_m v_m k̃_mᵀ (d×d, float32),  u = Σ_m k⁺_m (UNROTATED),
///   o_n = (S q̃_n) · 1 / (u · q⁺_n + 1e-15)   (UNROTATED query in the denominator).
/// No softmax, no 1/√d. Returns [B, N, H·d].
Tensor reluLinearAttention(const Tensor& q, const Tensor& k, const Tensor& v, int heads,
                           const RopeTables& rope);

/// Additive attention bias from a 0/1 mask [B, L] (I64, I32, U8, Bool or float): (1 − mask)·(−10000), F32 [B,
/// L].
Tensor attentionBiasFromMask(const Tensor& mask);

/// Cross-attention (scaled dot-product, SanaAttnProcessor2_0): o = softmax(q kᵀ / √d + bias[b]) v per head.
/// q: [B, N, H·d]; k, v: [B, L, H·d]; bias: F32 [B, L] added to every query row, or undefined. Returns [B, N,
/// H·d].
Tensor crossAttention(const Tensor& q, const Tensor& k, const Tensor& v, int heads, const Tensor& bias);

}  // namespace sv::ops::dit
