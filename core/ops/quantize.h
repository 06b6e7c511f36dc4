// 8-bit weights with one scale per output channel (dim 0), the weight-only storage of bitsandbytes' LLM.int8
// row-wise absmax (Dettmers et al. 2022; bitsandbytes functional.py int8_vectorwise_quant) and of FP8
// checkpoints (ComfyUI comfy/ops.py, MixedPrecisionOps.Linear, TensorCoreFP8Layout: e4m3 weight · scale).
//
// The contract: a quantized tensor is an I8 or F8E4M3 tensor q [out, ...] with Tensor::quantScales() s, F32
// [out], and stands for  w[r, ...] = float(q[r, ...]) · s[r]  (one fp32 product, rounded once to the dtype
// asked for). ops::linear takes such weights (ops/linear.h: dequantized to the activation dtype, one scratch
// per call); every other op needs float weights.
#pragma once

#include "base/tensor.h"

namespace sv::ops {

/// The largest code magnitude of each format: 127 for I8 (symmetric: −128 is never produced), 448 for
/// F8E4M3 (base/fp8.h).
float eightBitMax(DType format);

/// Quantizes w (F32/BF16/F16, rank ≥ 1, contiguous or not, on any backend's device) per row r (all of w's
/// elements with index r along dim 0):
///   m_r = max |w_r| (in fp32);  s_r = m_r / Q (fp32 division);  q = round(w · f_r) with f_r = Q / m_r, the
///   factor computed once per row in fp32, the product rounded once to fp32 and then to the format:
///   I8:      Q = 127, round to nearest even (|w · f_r| ≤ 127 by construction);
///   F8E4M3:  Q = 448, e4m3 round to nearest even, saturating at ±448 (base/fp8.h, __NV_SATFINITE).
/// A row of zeros gets s_r = 0 and q = 0; a row holding a non-finite value gets s_r = NaN and q = 0, so its
/// outputs are NaN as the float weight's would be. Returns `format` [w's shape], contiguous, with the F32
/// [dim 0] scales attached, on w's device.
/// Error bound (tests/core/quantize_test.cpp): I8 |q·s − w| ≤ s/2; F8E4M3 ≤ max(2^-4·|w|, 2^-10·s) (half a
/// step of e4m3's 3 mantissa bits, or of the subnormal spacing 2^-9), each up to fp32 rounding.
Tensor quantizePerChannel(const Tensor& w, DType format);

/// q · s of a quantized tensor in `dtype` (F32, BF16 or F16): float(q) · s[row] in fp32, rounded once.
/// Returns a new contiguous tensor on w's device.
Tensor dequantize(const Tensor& w, DType dtype);

}  // namespace sv::ops
