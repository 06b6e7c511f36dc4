// CUDA twins of the Gemma-2 op families (core/ops/gemma_*.h). Activations F32, BF16 or F16; arithmetic in
// float; outputs in the activation dtype.
#pragma once

#include "base/tensor.h"
#include "ops/gemma_attention.h"

namespace sv::cuda {

/// y = x · rsqrt(mean(x²) + eps) · (1 + w) (+ residual when defined).
Tensor gemmaRmsNorm(const Tensor& x, const Tensor& w, double eps, const Tensor& residual);
Tensor gemmaApplyRotary(const Tensor& x, const ops::GemmaRotary& tables);
/// Causal (optionally sliding-window, soft-capped) GQA with key padding, one warp per query row and an
/// online softmax: no L × L matrix. keyMask: I64 [B, L] on any device, or undefined.
Tensor gemmaAttention(const Tensor& q, const Tensor& k, const Tensor& v, const Tensor& keyMask,
                      const ops::GemmaAttentionParams& params);
/// ids: I64 on any device. Output in the table's dtype.
Tensor gemmaEmbed(const Tensor& table, const Tensor& ids, float scale);
Tensor geluTanhGate(const Tensor& gate, const Tensor& up);
Tensor gemmaMlp(const Tensor& x, const Tensor& gateW, const Tensor& upW, const Tensor& downW);

}  // namespace sv::cuda
