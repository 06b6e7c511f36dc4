// CUDA twins of LongSANA's causal DiT ops (core/ops/dit_causal_attention.h). Activations F32, BF16 or F16 on
// one CUDA device; the carried states are F32.
#pragma once

#include "base/tensor.h"
#include "ops/dit_causal_attention.h"
#include "ops/dit_rope.h"

namespace sv::cuda {

/// ReLU linear attention with a carried state. A prep kernel writes k̃ = RoPE(relu(k)) and fixed-order
/// chunk sums give u_c = Σ k⁺; u = u_c + past.kSum; a second kernel writes q̃' = RoPE(relu(q)) / (u·q⁺ +
/// 1e-15) (the normaliser folded into the query); the chunk state S_c = Vᵀ K̃ (fp32 accumulation and output)
/// is a batched cuBLASLt GEMM over the heads, S = S_c + past.vk, and out = S q̃' a second one in the
/// activation dtype. `own` receives (S_c, u_c) as F32 copies in the CPU's layout (vk[b, h, value i, key j]).
/// Without states this is reluLinearAttention.
Tensor ditReluLinearAttentionCached(const Tensor& q, const Tensor& k, const Tensor& v, int heads,
                                    const ops::dit::RopeTables& rope,
                                    const ops::dit::LinearAttentionState* past,
                                    ops::dit::LinearAttentionState* own);

}  // namespace sv::cuda
