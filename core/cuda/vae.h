// CUDA twins of the Wan VAE op families (core/ops/vae_*.h) on channels-first video tensors [B, C, T, H, W].
// Activations F32, BF16 or F16; arithmetic in float; outputs in the activation dtype.
#pragma once

#include "base/tensor.h"
#include "ops/vae_conv.h"

namespace sv::cuda {

/// Causal 3D conv. BF16/F16 with Cin % 8 == 0 and more than one tap: the implicit-GEMM tensor-core kernel
/// (vae_conv_igemm.cuh; bias and residual fused). Otherwise (F32: exact parity mode, 1×1 convs, odd widths):
/// per batch entry and tile of output positions, im2col into a bounded scratch
/// (≤ 256 MiB) and one cuBLASLt GEMM; 1×1 convs are a single GEMM. Bias and residual in one pass after.
Tensor vaeCausalConv3d(const Tensor& x, const Tensor& cache, const Tensor& w, const Tensor& bias,
                       const ops::ConvPad3d& pad, int strideT, int strideH, int strideW,
                       const Tensor& residual);
Tensor vaeRmsNorm(const Tensor& x, const Tensor& gamma, bool silu);
/// Per-frame single-head attention through two GEMMs and a row softmax (fp32 scores, bounded scratch).
Tensor vaeFrameAttention(const Tensor& qkv);
Tensor vaeUpsampleNearest2x(const Tensor& x);
Tensor vaeInterleaveTimeHalves(const Tensor& x);

}  // namespace sv::cuda
