// CUDA twins of core/ops/elementwise.h and the small elementwise steps of the other families. Inputs: F32,
// BF16 or F16 on one CUDA device; arithmetic in float; the output keeps the input dtype (mixed dtypes → F32).
#pragma once

#include <span>

#include "base/tensor.h"

namespace sv::cuda {

enum class BinaryOp { Add, Sub, Mul };
enum class UnaryOp { Scale, Silu, GeluTanh, Relu, Clamp };

/// a (op) b with NumPy broadcasting, any strides; `outShape` is the broadcast shape.
Tensor binary(const Tensor& a, const Tensor& b, const Shape& outShape, BinaryOp op);
/// op(x): Scale multiplies by p0; Clamp clamps to [p0, p1].
Tensor unary(const Tensor& x, UnaryOp op, float p0 = 0.0f, float p1 = 0.0f);

/// out = Σ_k coefs[k] · inputs[k], per element in double, rounded once to F32 (ops::linearCombination's
/// contract). Inputs F32/BF16/F16 of one shape on one CUDA device (any strides); at most 16 of them.
Tensor linearCombination(std::span<const double> coefs, std::span<const Tensor> inputs);

/// Per-channel (axis 1) affine map y = (x − sub_c) · mul_c (normalize) or y = x / div_c + add_c
/// (denormalize).
Tensor perChannelNormalize(const Tensor& z, const Tensor& mean, const Tensor& invStd, bool inverse);

}  // namespace sv::cuda
