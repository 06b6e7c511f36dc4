// Random tensor contents generated on the GPU (benchmarks and self-made test models build full-size weights
// without a host round trip). Counter-based: element i depends only on (seed, i), so results are reproducible
// and independent of the launch shape.
#pragma once

#include <cstdint>

#include "base/tensor.h"

namespace sv::cuda {

/// t (contiguous, F32/BF16/F16 on a CUDA device) ← mean + stddev · N(0, 1).
void fillNormal(const Tensor& t, uint64_t seed, float mean, float stddev);
/// t (contiguous, I64 on a CUDA device) ← uniform integers in [lo, hi).
void fillUniformInt(const Tensor& t, uint64_t seed, int64_t lo, int64_t hi);

}  // namespace sv::cuda
