#include "random_weights.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "backend/device.h"
#include "base/error.h"
#include "ops/quantize.h"

namespace sv::cli {

WeightSet gpuWeights(const std::vector<WeightSpec>& specs, DType dt, uint64_t seed, bool offsetNorms,
                     Device device) {
    SV_CHECK(device::compiled(Device::Kind::Cuda), "random GPU weights: this build has no CUDA backend");
    WeightSet set;
    uint64_t k = seed * 1000003u;
    for (const WeightSpec& s : specs) {
        Tensor t = Tensor::empty(s.shape, dt, device);
        const int64_t n = t.numel(), rows = s.shape.empty() ? 1 : s.shape[0];
        const bool vectorLike = n == rows;
        const std::string& name = s.name;
        const bool isNorm = name.find("norm") != std::string::npos || name.ends_with("gamma");
        float mean = 0.0f, sd;
        if (name.ends_with("bias"))
            sd = 0.02f;
        else if (name.find("scale_shift_table") != std::string::npos)
            sd = 0.1f;
        else if (vectorLike && isNorm)
            mean = offsetNorms ? 0.0f : 1.0f, sd = 0.1f;
        else if (vectorLike)
            sd = 0.02f;
        else
            sd = 1.0f / std::sqrt(float(n / rows));
        device::fillNormal(t, ++k, mean, sd);
        set.set(name, std::move(t));
    }
    return set;
}

WeightSet withWeightStorage(WeightSet set, WeightStorage storage, std::span<const std::string> keepFloat) {
    if (storage != WeightStorage::Int8 && storage != WeightStorage::Fp8) return set;
    WeightSet out;
    for (const auto& [name, t] : set.all()) {
        const DType format = storage == WeightStorage::Int8 ? DType::I8 : fp8StorageFormat(name);
        const bool kept = std::ranges::any_of(
            keepFloat, [&](const std::string& part) { return name.find(part) != std::string::npos; });
        out.set(name, eightBitEligible(name, format) && !kept ? ops::quantizePerChannel(t, format) : t);
    }
    return out;
}

}  // namespace sv::cli
