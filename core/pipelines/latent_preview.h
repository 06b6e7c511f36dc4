// The per-step live preview: a linear map from the 16 Wan 2.1 latent channels to RGB (ComfyUI's Wan21 latent
// format factors), applied to the x0 estimate x − σ·v in the model's normalised latent space. No VAE.
#pragma once

#include "base/tensor.h"

namespace sv {

/// x0 [16, F', h, w] or [1, 16, F', h, w] (any device/float dtype) → U8 [F', h, w, 3] (one picture per latent
/// frame, 1/8 of the output size). Throws sv::Error for a channel count other than 16.
Tensor latentPreviewRgb(const Tensor& x0);

/// x0 = x − σ·v (flow prediction), the estimate the sampler hands to its step callback: one
/// ops::linearCombination on the tensors' device (per element in double, rounded once to F32).
Tensor flowX0Estimate(const Tensor& sample, const Tensor& velocity, float sigma);

}  // namespace sv
