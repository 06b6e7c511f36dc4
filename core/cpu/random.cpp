// CPU twin of the CUDA random fill (backend/random_bits.h): the same counter-based bits per element.
#include <cmath>
#include <numbers>

#include "backend/random_bits.h"
#include "base/parallel.h"
#include "cpu/ops.h"

namespace sv::cpu {

void fillNormal(const Tensor& t, uint64_t seed, float mean, float stddev) {
    const uint64_t key = random_bits::splitmix64(seed);
    // Drawn in F32, rounded once into another float dtype.
    Tensor f = t.dtype() == DType::F32 ? t : Tensor::empty(t.shape(), DType::F32);
    float* p = f.data<float>();
    parallelFor(t.numel(), 1 << 14, [&](int64_t b, int64_t e) {
        for (int64_t i = b; i < e; ++i) {
            const float u1 = random_bits::unitOpen(random_bits::normalBits(key, i, 0));
            const float u2 = random_bits::unitOpen(random_bits::normalBits(key, i, 1));
            const float r = std::sqrt(-2.0f * std::log(u1));
            p[i] = mean + stddev * (r * std::cos(2.0f * std::numbers::pi_v<float> * u2));
        }
    });
    if (f.rawData() != t.rawData()) Tensor(t).copyFrom(f);
}

void fillUniformInt(const Tensor& t, uint64_t seed, int64_t lo, int64_t hi) {
    const uint64_t key = random_bits::splitmix64(seed);
    int64_t* p = t.data<int64_t>();
    const uint64_t span = uint64_t(hi - lo);
    parallelFor(t.numel(), 1 << 14, [&](int64_t b, int64_t e) {
        for (int64_t i = b; i < e; ++i) p[i] = random_bits::uniformInt(key, i, lo, span);
    });
}

}  // namespace sv::cpu
