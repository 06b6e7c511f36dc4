// CPU implementation of core/ops/timestep_embedding.h.
#include "ops/timestep_embedding.h"

#include <cmath>
#include <vector>

namespace sv::ops {

Tensor timestepEmbedding(const Tensor& t, const TimestepEmbeddingOptions& o) {
    SV_ASSERT_MSG(t.rank() == 1, "timestepEmbedding: timesteps must be 1-D, got ", t.describe());
    SV_ASSERT(o.dim >= 2);
    const int64_t M = t.dim(0);
    const int half = o.dim / 2;
    Tensor tf = t.to(Device::cpu()).to(DType::F32).contiguous();
    // Frequencies in float32 as the reference forms them: exp(float(−ln P)·k / (half − shift)).
    std::vector<float> freq(static_cast<size_t>(half));
    const float negLogP = float(-std::log(double(o.maxPeriod)));
    for (int k = 0; k < half; ++k) {
        const float exponent = (negLogP * float(k)) / (float(half) - o.downscaleFreqShift);
        freq[size_t(k)] = float(std::exp(double(exponent)));
    }
    Tensor y = Tensor::zeros({M, o.dim}, DType::F32);
    float* yp = y.data<float>();
    for (int64_t m = 0; m < M; ++m) {
        const float tv = tf.data<float>()[m];
        float* row = yp + m * o.dim;
        for (int k = 0; k < half; ++k) {
            const double arg = double(tv * freq[size_t(k)]);  // the product is rounded to float first
            const float s = float(std::sin(arg)), c = float(std::cos(arg));
            row[o.flipSinToCos ? k : half + k] = c;
            row[o.flipSinToCos ? half + k : k] = s;
        }
    }
    return y.to(t.device());
}

}  // namespace sv::ops
