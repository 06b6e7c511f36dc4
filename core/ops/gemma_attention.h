// Gemma-2 self-attention core: half-split rotary position embeddings and causal grouped-query attention with
// key padding, an optional sliding window and optional attention-logit soft-capping. The projections
// (q/k/v/o_proj) are plain ops::linear calls made by the model.
#pragma once

#include <cstdint>
#include <optional>

#include "base/tensor.h"

namespace sv::ops {

/// Rotary tables for positions 0..length−1: cos and sin, each [length, headDim] F32, half-split layout
/// (entry [p, d] uses frequency index d mod headDim/2). As transformers computes them in float32:
///   invFreq[k] = 1 / (float(theta) ^ (float(2k) / float(headDim))), angle = float(p) · invFreq[k],
///   cos/sin evaluated in float.
struct GemmaRotary {
    Tensor cos;
    Tensor sin;
};
GemmaRotary gemmaRotaryTables(int64_t length, int64_t headDim, double theta);

/// x: [B, L, heads, D] (D = headDim, L ≤ tables' length; position of token l is l). Returns a new contiguous
/// [B, L, heads, D]: x·cos + rotate_half(x)·sin with rotate_half([x1, x2]) = [−x2, x1], x1 = the first D/2
/// dims.
Tensor gemmaApplyRotary(const Tensor& x, const GemmaRotary& tables);

struct GemmaAttentionParams {
    /// Multiplies q·k (after the dot product): Gemma-2 uses query_pre_attn_scalar^−0.5, not head_dim^−0.5.
    float scale = 1.0f;
    /// When set, scores become cap·tanh(score/cap) after scaling and before masking (eager Gemma-2).
    std::optional<float> softcap;
    /// > 0: a sliding-window layer; query i sees key j only when i − j < slidingWindow. 0: full attention.
    int64_t slidingWindow = 0;
};

/// q: [B, L, Hq, D]; k, v: [B, L, Hkv, D] with Hq a multiple of Hkv (query head h uses kv head h / (Hq/Hkv));
/// keyMask: [B, L] I64 (1 = token, 0 = padding) or undefined (all tokens). Query i sees key j when j ≤ i, the
/// key is not padding and (sliding) i − j < window. Padded query rows are computed like any other row.
/// Softmax in float over the visible keys; hidden keys get exactly zero weight. A row that sees no key at all
/// (impossible with right padding: it would need a pad run as long as the window) gets the uniform average of
/// all L values, as eager transformers does when every score is at float's minimum. Returns [B, L, Hq·D] F32
/// (heads concatenated, ready for o_proj). Memory: scratch for one block of query rows per worker, never
/// B·Hq·L·L. CPU: F32 (mask I64).
Tensor gemmaAttention(const Tensor& q, const Tensor& k, const Tensor& v, const Tensor& keyMask,
                      const GemmaAttentionParams& params);

}  // namespace sv::ops
