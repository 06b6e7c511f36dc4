// The per-step live preview (docs: shared/docs/live-preview.md): a linear map from the 16 Wan 2.1 latent
// channels to RGB, applied to the x0 estimate x − σ·v in the model's normalised latent space. No VAE.
#pragma once

#include "base/tensor.h"

namespace sv {

/// x0 [16, F', h, w] or [1, 16, F', h, w] (any device/float dtype) → U8 [F', h, w, 3] (one picture per latent
/// frame, 1/8 of the output size). Throws sv::Error for a channel count other than 16.
Tensor latentPreviewRgb(const Tensor& x0);

/// x0 = x − σ·v (flow prediction) on the CPU, F32.
Tensor flowX0Estimate(const Tensor& sample, const Tensor& velocity, float sigma);

}  // namespace sv
