// Gemma's RMSNorm, whose stored weight is an offset from one: y = x · rsqrt(mean(x²) + eps) · (1 + w).
// Gemma-2 uses it five times per forward (input, post-attention, pre- and post-feedforward, final). The
// post-norms feed a residual add, so a fused "residual + norm(x)" form is provided too.
#pragma once

#include "base/tensor.h"

namespace sv::ops {

/// x: [..., H], w: [H]. Returns a new contiguous F32 tensor of x's shape:
///   r = rsqrt(mean_h(x²) + eps) (mean accumulated in double, rounded to float; r in float),
///   y = (x · r) · (1 + w), every product in float — transformers' Gemma2RMSNorm on float32 input.
/// CPU: x and w must be F32.
Tensor gemmaRmsNorm(const Tensor& x, const Tensor& w, double eps);

/// residual + gemmaRmsNorm(x, w, eps), elementwise in float (the sum of the two float32 values, as the
/// reference adds the norm's float32 output to the residual stream). residual and x: same shape [..., H].
Tensor gemmaNormResidual(const Tensor& residual, const Tensor& x, const Tensor& w, double eps);

}  // namespace sv::ops
