// WanRMS_norm: an L2 normalisation over the channel axis, y = x / max(‖x‖₂, 1e-12) · √C · γ, optionally
// followed by SiLU (every norm in the Wan VAE's residual blocks and heads feeds a SiLU).
#pragma once

#include "base/tensor.h"

namespace sv::ops {

/// x [B, C, ...] (channels at dim 1, any trailing spatial rank), gamma with C elements (e.g. [C, 1, 1, 1]).
/// The norm is taken per batch entry and location over the C channels. Returns a new tensor of x's shape.
/// CPU: x must be F32.
Tensor wanRmsNorm(const Tensor& x, const Tensor& gamma, bool silu = false);

}  // namespace sv::ops
