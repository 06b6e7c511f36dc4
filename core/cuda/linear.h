// CUDA twin of ops::linear (cuBLASLt; fp32 accumulation; bias fused as an epilogue).
#pragma once

#include "base/tensor.h"

namespace sv::cuda {

/// y[..., N] = x[..., K] · w[N, K]ᵀ + bias. x and w share a dtype (F32: true fp32 GEMM, no TF32; BF16/F16:
/// fp32 accumulate, output in the input dtype). Returns a new contiguous tensor on x's device.
Tensor linear(const Tensor& x, const Tensor& w, const Tensor& bias);

}  // namespace sv::cuda
