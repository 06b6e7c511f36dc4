// CPU kernels of the LTX-2 VAE ops (core/ops/ltx_vae.h). Contiguous F32 CPU tensors, already validated by the
// ops entry points; float32 results with double accumulation for the norms.
#pragma once

#include "base/tensor.h"
#include "ops/ltx_vae.h"

namespace sv::cpu::ltx {

Tensor channelNorm(const Tensor& x, ops::ltx::ChannelNorm kind, float eps, const Tensor& weight,
                   const Tensor& bias, bool silu);

/// The frames [cache ; x ; back × last] with `ph`/`pw` rows/columns of spatial padding (zeros or reflect) as
/// one contiguous tensor [B, C, Tc + T + back, H + 2ph, W + 2pw].
Tensor padFrames(const Tensor& x, const Tensor& cache, int back, int ph, int pw,
                 ops::ltx::SpatialPadding padding);

Tensor depthToSpace(const Tensor& y, ops::ltx::Factors f, ops::ltx::SubpixelOrder order, int dropFrames,
                    const Tensor& residual);
Tensor spaceToDepth(const Tensor& x, ops::ltx::Factors f, ops::ltx::SubpixelOrder order, int groupSize,
                    const Tensor& residual);

}  // namespace sv::cpu::ltx
