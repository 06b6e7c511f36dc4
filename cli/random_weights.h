// Random full-size weights made on the GPU (no weight files), for the benchmarks (`sanavideo bench`,
// sv_bench, sv_long_bench).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "models/weights.h"

namespace sv::cli {

/// One tensor per spec on `device` (cuda:0 by default) in `dt`: matrices/convs N(0, 1/fan_in), biases N(0,
/// 0.02²), norm scales around their identity (1 + N(0, 0.1²); offset norms such as Gemma's N(0, 0.1²)),
/// modulation tables N(0, 0.1²). sv::Error in a build without CUDA. The values depend only on the seed, so
/// every GPU gets the same weights (multi-GPU bench).
WeightSet gpuWeights(const std::vector<WeightSpec>& specs, DType dt, uint64_t seed, bool offsetNorms,
                     Device device = Device::cuda());

/// The set with its eightBitEligible() weights (models/weight_storage.h) quantized per output channel as the
/// loader does for `--weights int8|fp8`, except those whose name contains one of `keepFloat`; Float and Auto
/// leave it as it is.
WeightSet withWeightStorage(WeightSet set, WeightStorage storage,
                            std::span<const std::string> keepFloat = {});

}  // namespace sv::cli
