// Linear layers: y[..., N] = x[..., K] · W[N, K]ᵀ + b[N]. Dispatched on the tensors' device.
#pragma once

#include "base/tensor.h"

namespace sv::ops {

/// x: [..., K] (any leading dims), w: [N, K], bias: [N] or undefined. Returns a new contiguous [..., N].
/// CPU: F32 only (weights in other dtypes are converted on the fly). w may be a per-channel quantized 8-bit
/// weight (ops/quantize.h): it is dequantized to x's dtype for the call, so the result equals linear(x,
/// dequantize(w, x.dtype()), bias) exactly.
Tensor linear(const Tensor& x, const Tensor& w, const Tensor& bias = {});

}  // namespace sv::ops
