#include "random_weights.h"

#include <cmath>
#include <string>

#include "backend/device.h"
#include "base/error.h"

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

}  // namespace sv::cli
