// The Wan VAE mid-block attention core: single-head softmax attention within each frame.
#pragma once

#include "base/tensor.h"

namespace sv::ops {

/// qkv [B, 3C, T, H, W] (the to_qkv output: q, k, v = channel thirds in that order). For every (b, t) the H·W
/// locations are tokens: o = softmax(q kᵀ / √C) v. Returns o as [B, C, T, H, W]. CPU: F32.
Tensor vaeFrameAttention(const Tensor& qkv);

}  // namespace sv::ops
