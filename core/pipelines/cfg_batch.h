// The classifier-free-guidance batch of the SANA-Video pipelines: cat([x, x]) along the batch, as diffusers
// builds latent_model_input (sana_sampling.cpp, long_video.cpp).
#pragma once

#include "base/tensor.h"

namespace sv {

/// [x ; x] along dimension 0 (a new tensor on x's device, x's dtype).
Tensor duplicateRows(const Tensor& x);

}  // namespace sv
