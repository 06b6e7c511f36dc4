// The implicit-GEMM tensor-core path of the CUDA causal 3D conv (BF16/F16; the kernel: conv_igemm.cuh).
#pragma once

#include "backend/kernels.h"
#include "base/tensor.h"
#include "cuda/context.cuh"

namespace sv::cuda {

/// True when the implicit-GEMM kernel handles this conv: 16-bit activations, Cin a multiple of 8, a kernel of
/// more than one tap (1×1×1 convs stay one plain GEMM), extents that fit 32-bit indices, and the im2col path
/// not forced by the device's options (SV_VAE_CONV_IM2COL=1).
bool implicitGemmApplies(const Options& options, DType dt, const ConvGeometry& g);

/// out [B, Cout, To, Ho, Wo] = conv(x, cache, w) + bias + residual, rounded once. Contiguous tensors of one
/// dtype on one device; cache, bias [Cout] and residual (out's shape) may be undefined.
void implicitGemmConv(const Tensor& x, const Tensor& cache, const Tensor& w, const Tensor& bias,
                      const Tensor& residual, Tensor& out, const ConvGeometry& g);

}  // namespace sv::cuda
