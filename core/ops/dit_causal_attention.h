// LongSANA's block-causal ReLU linear attention: the DiT self-attention of ops/dit_attention.h with a carried
// state, so a video can be generated chunk after chunk in constant memory.
//
// Ref: diffusers pull request #12723 (head 437cc9d7), transformer_sana_video_causal.py,
// SanaCausalLinearAttnProcessor1_0.__call__; NVlabs/Sana diffusion/model/nets/sana_blocks.py,
// CachedCausalAttention.forward (the same arithmetic).
#pragma once

#include "base/tensor.h"
#include "ops/dit_rope.h"

namespace sv::ops::dit {

/// What one chunk (or a sum of chunks) contributes to the attention of later chunks, per sample and head:
/// the reference's `vk` (= V·K̃ᵀ, "scores") and `k_sum`. Its size depends only on the model, never on the
/// number of frames.
struct LinearAttentionState {
    Tensor
        vk;  // F32 [B, heads, d, d]: vk[b, h, i, j] = Σ_n v[n, i] · k̃[n, j]  (value channel i, rotated key j)
    Tensor kSum;  // F32 [B, heads, d]: Σ_n relu(k)[n, j]  (UNROTATED keys, the normaliser's sum)
    bool defined() const { return vk.defined(); }
};

/// Causal ReLU linear attention of one chunk. q, k, v: [B, N, H·d] as for reluLinearAttention (q and k
/// RMS-normalised, RoPE tables for this chunk's tokens). With S_c = Σ_m v_m k̃_mᵀ and u_c = Σ_m k⁺_m over the
/// chunk's tokens, and (S_p, u_p) = past (zero when `past` is null or undefined):
///   o_n = ((S_c + S_p) q̃_n) · 1 / ((u_c + u_p) · q⁺_n + 1e-15).
/// `own` (may be null) receives (S_c, u_c) — the chunk's own contribution, without `past` — which is what
/// the reference saves in its cache pass. With neither state this is exactly reluLinearAttention.
/// Returns [B, N, H·d] in q's dtype.
Tensor reluLinearAttentionCached(const Tensor& q, const Tensor& k, const Tensor& v, int heads,
                                 const RopeTables& rope, const LinearAttentionState* past,
                                 LinearAttentionState* own);

}  // namespace sv::ops::dit
