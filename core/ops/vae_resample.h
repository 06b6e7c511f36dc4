// Data movement and small elementwise steps of the Wan VAE on video tensors [B, C, T, H, W]: nearest ×2
// spatial upsampling, the upsample3d time interleave, clamping and the per-channel latent (un)normalisation.
// (VAE-local helpers; CPU: F32.)
#pragma once

#include "base/tensor.h"

namespace sv::ops {

/// Nearest-neighbour ×2 in H and W (PyTorch "nearest-exact" at factor 2 = pixel duplication):
/// [B, C, T, H, W] → [B, C, T, 2H, 2W].
Tensor upsampleNearest2x(const Tensor& x);

/// The upsample3d time interleave: x [B, 2C, T, H, W] holds two channel halves per frame; frame t becomes
/// output frames 2t (half 0) and 2t+1 (half 1). Returns [B, C, 2T, H, W].
Tensor interleaveTimeHalves(const Tensor& x);

/// min(max(x, lo), hi) elementwise (a new tensor).
Tensor clampValues(const Tensor& x, float lo, float hi);

/// Latent normalisation with per-channel statistics (channel axis 1, C = mean.numel()):
///   normalize:   (z − mean_c) · invStd_c      (I2V image latents)
///   denormalize:  z / invStd_c + mean_c       (before decode; diffusers divides by the reciprocal)
/// `mean` and `invStd` hold C floats (invStd = float(1 / std), computed by the caller).
Tensor normalizeLatents(const Tensor& z, const Tensor& mean, const Tensor& invStd);
Tensor denormalizeLatents(const Tensor& z, const Tensor& mean, const Tensor& invStd);

}  // namespace sv::ops
