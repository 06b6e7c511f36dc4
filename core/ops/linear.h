// Linear layers: y[..., N] = x[..., K] · W[N, K]ᵀ + b[N]. Dispatched on the tensors' device.
#pragma once

#include "base/tensor.h"

namespace sv::ops {

/// x: [..., K] (any leading dims), w: [N, K], bias: [N] or undefined. Returns a new contiguous [..., N].
/// CPU: F32 only (weights in other dtypes are converted on the fly). w may be a per-channel quantized 8-bit
/// weight (ops/quantize.h): it is dequantized to x's dtype for the call, so the result equals linear(x,
/// dequantize(w, x.dtype()), bias) exactly (weight-only 8-bit).
Tensor linear(const Tensor& x, const Tensor& w, const Tensor& bias = {});

/// FP8 compute: w is an F8E4M3 weight with per-row scales s_w (ops/quantize.h), and x is quantized per row
/// (token) the same way, x8 with scales s_x (its own absmax, so the scales are dynamic). Then
///   y[t, o] = s_x[t] · s_w[o] · Σ_k x8[t, k] · w8[o, k] + bias[o], accumulated in fp32, rounded once to x's
///   dtype
/// — the row-wise float8 recipe (TransformerEngine, torchao). It differs from linear(x, w) by the
/// activations' e4m3 rounding (≤ 2⁻⁴ relative per element). CPU: the reference, in F32 (x quantized, both
/// dequantized, the F32 GEMM). CUDA: the FP8 tensor cores for BF16/F16 x where the card and cuBLAS have them
/// (compute capability ≥ 8.9, cuBLAS ≥ 12.9, both sizes of w multiples of 16), else the same arithmetic as
/// the CPU's.
Tensor linearFp8(const Tensor& x, const Tensor& w, const Tensor& bias = {});

}  // namespace sv::ops
