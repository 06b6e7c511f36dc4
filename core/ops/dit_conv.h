// Convolutions of the SANA-Video transformer's GLUMBTempConv feed-forward, on channels-last activations (the
// 1×1 convolutions of that block are plain linears, ops::linear on the token matrix).
#pragma once

#include "base/tensor.h"

namespace sv::ops::dit {

/// Depthwise 3×3 convolution, stride 1, zero padding 1, per image: x [S, H, W, C] (channels last),
/// weight [C, 1, 3, 3], bias [C] or undefined. Returns [S, H, W, C].
Tensor depthwiseConv3x3(const Tensor& x, const Tensor& weight, const Tensor& bias);

/// Gated linear unit with a SiLU gate over the last dimension: x [..., 2C] = [value | gate] → value ·
/// SiLU(gate),
/// [..., C].
Tensor gluSilu(const Tensor& x);

/// The middle of the GLUMB feed-forward in one op: gluSilu(depthwiseConv3x3(silu(x), weight, bias)).
/// x [S, H, W, 2C] (the conv_inverted output, channels last), weight [2C, 1, 3, 3], bias [2C] or undefined.
/// Returns [S, H, W, C]. CPU: exactly the three ops in turn; CUDA: one pass over x (intermediates in fp32).
Tensor siluDepthwiseGlu(const Tensor& x, const Tensor& weight, const Tensor& bias);

/// The FFN's temporal mixing conv: a dense Conv2d D→D with kernel (3, 1) over (time, pixel), zero padding 1
/// in time, no bias: y[b, t, p] = Σ_k W[:, :, k, 0] · x[b, t + k − 1, p]. x: [B, F, P, D] (channels last),
/// weight [D, D, 3, 1], float or 8-bit per output channel (ops/quantize.h: dequantized to x's dtype for the
/// call). Returns [B, F, P, D] (the conv only; the block adds x itself).
Tensor temporalConv3(const Tensor& x, const Tensor& weight);

}  // namespace sv::ops::dit
