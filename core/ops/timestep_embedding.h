// Sinusoidal timestep embedding (diffusers get_timestep_embedding / Timesteps).
#pragma once

#include "base/tensor.h"

namespace sv::ops {

struct TimestepEmbeddingOptions {
    int dim = 256;
    bool flipSinToCos = true;         // [cos | sin] instead of [sin | cos]
    float downscaleFreqShift = 0.0f;  // freq_k = exp(−ln(maxPeriod)·k / (dim/2 − shift))
    float maxPeriod = 10000.0f;
};

/// t: [M] (any float or integer dtype, fractional values allowed) → F32 [M, dim]. Arithmetic as in diffusers:
/// exponent and frequencies in float32, argument float32(t)·freq_k formed in float32, then sin/cos.
/// An odd dim gets one zero column at the end.
Tensor timestepEmbedding(const Tensor& t, const TimestepEmbeddingOptions& options = {});

}  // namespace sv::ops
