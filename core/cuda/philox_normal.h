// CUDA twin of ops::philoxNormal (ops/philox_normal.h): torch's normal kernel, with cuRAND's device API.
#pragma once

#include "base/tensor.h"
#include "ops/philox_normal.h"

namespace sv::cuda {

/// Fills `out` (contiguous F32/BF16/F16 on a CUDA device) exactly as torch.randn on a CUDA generator with
/// this seed, Philox offset and grid does.
void philoxNormal(const Tensor& out, const ops::PhiloxNormalLaunch& launch);

}  // namespace sv::cuda
