// The per-step live preview (docs: shared/docs/live-preview.md): a linear map from the 16 Wan 2.1 latent
// channels to RGB (other latent spaces, e.g. LTX-2's 128 channels: channel groups averaged), applied to the
// x0 estimate x − σ·v in the model's normalised latent space. No VAE.
#pragma once

#include "base/tensor.h"

namespace sv {

/// x0 [C, F', h, w] or [1, C, F', h, w] (any device/float dtype) → U8 [F', h, w, 3] (one picture per latent
/// frame, at the latent size). Throws sv::Error for fewer than 3 channels.
Tensor latentPreviewRgb(const Tensor& x0);

/// x0 = x − σ·v (flow prediction), the estimate the sampler hands to its step callback: one
/// ops::linearCombination on the tensors' device (per element in double, rounded once to F32).
Tensor flowX0Estimate(const Tensor& sample, const Tensor& velocity, float sigma);

}  // namespace sv
