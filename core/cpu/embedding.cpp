// CPU embeddings: Gemma's scaled token lookup (transformers Gemma2Model: embed_tokens · √hidden) and the
// sinusoidal timestep embedding (diffusers embeddings.get_timestep_embedding).
#include <algorithm>
#include <cmath>
#include <vector>

#include "base/parallel.h"
#include "cpu/ops.h"

namespace sv::cpu {

Tensor embed(const Tensor& table, const Tensor& ids, float scale) {
    const int64_t H = table.dim(1);
    const Tensor tc = table.contiguous(), ic = ids.contiguous();
    Shape outShape = ids.shape();
    outShape.push_back(H);
    Tensor out = Tensor::empty(outShape, DType::F32);
    const float* tp = tc.data<float>();
    const int64_t* ip = ic.data<int64_t>();
    float* op = out.data<float>();
    parallelFor(ic.numel(), std::max<int64_t>(1, 8192 / std::max<int64_t>(1, H)), [&](int64_t b, int64_t e) {
        for (int64_t i = b; i < e; ++i) {
            const float* row = tp + ip[i] * H;
            float* dst = op + i * H;
            for (int64_t h = 0; h < H; ++h) dst[h] = row[h] * scale;
        }
    });
    return out;
}

Tensor timestepEmbedding(const Tensor& t, const ops::TimestepEmbeddingOptions& o) {
    const int64_t M = t.dim(0);
    const int half = o.dim / 2;
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
        const float tv = t.data<float>()[m];
        float* row = yp + m * o.dim;
        for (int k = 0; k < half; ++k) {
            const double arg = double(tv * freq[size_t(k)]);  // the product is rounded to float first
            const float s = float(std::sin(arg)), c = float(std::cos(arg));
            row[o.flipSinToCos ? k : half + k] = c;
            row[o.flipSinToCos ? half + k : k] = s;
        }
    }
    return y;
}

}  // namespace sv::cpu
