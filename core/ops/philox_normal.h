// torch.randn on a CUDA generator, as one fill: torch's normal kernel (Ref: PyTorch
// aten/src/ATen/native/cuda/DistributionTemplates.h — distribution_nullary_kernel,
// distribution_elementwise_grid_stride_kernel, normal_and_transform; cuRAND's curand_normal.h —
// curand_normal4, curand_box_muller4, _curand_box_muller).
//
// The kernel runs `blocks` × 256 threads. Thread i seeds curand_init(seed, subsequence = i, offset) and walks
// the flat tensor with a stride of blocks·256·4: at its k-th visit it draws one curand_normal4 (one curand4,
// then Box–Muller on words (x, y) and (z, w): normals sin(v₀)·s₀, cos(v₀)·s₀, sin(v₁)·s₁, cos(v₁)·s₁) and
// writes normal j to element i + k·blocks·256·4 + j·blocks·256 (when inside the tensor). Values are
// normal·1 + 0 in float, then rounded to the tensor's dtype (round to nearest even).
//
// Backends: CUDA uses cuRAND's device API, so the result is torch's bit for bit. The CPU emulates the Philox
// words exactly (base/philox.h), the uniforms and libdevice's logf exactly, sqrtf exactly, and the GPU's
// __sincosf (the MUFU.SIN/COS approximation, which is not specified to the bit) by the correctly rounded
// sin/cos of the same reduced argument: its values can differ from the GPU's in the last bits (see
// tests/core/cuda_randn_test.cpp for the measured ulps).
#pragma once

#include <cstdint>

#include "base/tensor.h"

namespace sv::ops {

struct PhiloxNormalLaunch {
    uint64_t seed = 0;    // generator.initial_seed()
    uint64_t offset = 0;  // the generator's Philox offset (words) before the call
    int64_t blocks = 1;   // grid size (256 threads each), ≥ 1
};

/// A new contiguous tensor of `shape` and `dtype` (F32, BF16 or F16) on `device`, filled as torch's CUDA
/// normal kernel with this launch fills it. Programmer errors (another dtype, blocks < 1, more than
/// 2^31 − 1 bytes: the limit of torch's 32-bit indexing path, beyond which it splits the launch) assert.
Tensor philoxNormal(const Shape& shape, DType dtype, Device device, const PhiloxNormalLaunch& launch);

}  // namespace sv::ops
