// CUDA kernels of the LTX-2 VAE ops (core/ops/ltx_vae.h), on operands the entry points validated. Activations
// F32, BF16 or F16; arithmetic in float, one rounding to the activation dtype.
#pragma once

#include "base/tensor.h"
#include "ops/ltx_vae.h"

namespace sv::cuda::ltx {

/// One thread per location (b, t, h, w): the channel statistics in float, then the normalised (affine, SiLU)
/// channels.
Tensor channelNorm(const Tensor& x, ops::ltx::ChannelNorm kind, float eps, const Tensor& weight,
                   const Tensor& bias, bool silu);

/// [cache ; x ; back × last] with ph/pw rows/columns of zero or reflect padding, contiguous (the input of the
/// plain conv path: F32 and shapes the implicit-GEMM kernel does not take).
Tensor padFrames(const Tensor& x, const Tensor& cache, int back, int ph, int pw,
                 ops::ltx::SpatialPadding padding);

/// The conv through the implicit-GEMM tensor-core kernel (vae_conv_igemm.cuh) with reflect padding and the
/// trailing replicate frames read in place; an undefined tensor when the kernel does not apply (F32, Cin not
/// a multiple of 8, 1×1×1).
Tensor conv3dImplicitGemm(const Tensor& x, const Tensor& cache, int back, const Tensor& w, const Tensor& bias,
                          ops::ltx::SpatialPadding padding, const Tensor& residual);

Tensor depthToSpace(const Tensor& y, ops::ltx::Factors f, ops::ltx::SubpixelOrder order, int dropFrames,
                    const Tensor& residual);
Tensor spaceToDepth(const Tensor& x, ops::ltx::Factors f, ops::ltx::SubpixelOrder order, int groupSize,
                    const Tensor& residual);

}  // namespace sv::cuda::ltx
