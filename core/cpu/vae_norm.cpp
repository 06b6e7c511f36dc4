#include <algorithm>
#include <cmath>
#include <vector>

#include "base/parallel.h"
#include "ops/vae_norm.h"

#ifdef SV_WITH_CUDA
#include "cuda/vae.h"
#endif

namespace sv::ops {

Tensor wanRmsNorm(const Tensor& xIn, const Tensor& gammaIn, bool silu) {
#ifdef SV_WITH_CUDA
    if (xIn.device().isCuda()) return cuda::vaeRmsNorm(xIn, gammaIn, silu);
#endif
    SV_ASSERT_MSG(xIn.rank() >= 2 && gammaIn.numel() == xIn.dim(1), "wanRmsNorm: x ", xIn.describe(),
                  " gamma ", gammaIn.describe());
    SV_ASSERT_MSG(xIn.device().isCpu() && xIn.dtype() == DType::F32,
                  "wanRmsNorm: the CPU backend needs an F32 CPU tensor, got ", xIn.describe());
    const Tensor x = xIn.contiguous();
    const Tensor gamma = gammaIn.to(DType::F32).contiguous();
    const int64_t B = x.dim(0), C = x.dim(1), S = x.numel() / std::max<int64_t>(1, B * C);
    // diffusers multiplies by the Python float dim**0.5, which PyTorch applies to an F32 tensor in float.
    const float scale = float(std::sqrt(double(C)));
    const float* g = gamma.data<float>();
    Tensor out = Tensor::empty(x.shape(), DType::F32);
    constexpr int64_t kBlock =
        256;  // locations per task: channels are strided by S, so walk blocks of locations
    const int64_t blocks = (S + kBlock - 1) / kBlock;
    parallelFor(B * blocks, 1, [&](int64_t begin, int64_t end) {
        std::vector<double> ss(kBlock);
        std::vector<float> norm(kBlock);
        for (int64_t task = begin; task < end; ++task) {
            const int64_t b = task / blocks, s0 = (task % blocks) * kBlock, n = std::min(kBlock, S - s0);
            const float* xb = x.data<float>() + b * C * S + s0;
            float* ob = out.data<float>() + b * C * S + s0;
            std::fill(ss.begin(), ss.begin() + n, 0.0);
            for (int64_t c = 0; c < C; ++c) {
                const float* row = xb + c * S;
                for (int64_t i = 0; i < n; ++i) ss[size_t(i)] += double(row[i]) * double(row[i]);
            }
            // F.normalize: x / max(‖x‖, eps) with the norm rounded to float.
            for (int64_t i = 0; i < n; ++i)
                norm[size_t(i)] = std::max(float(std::sqrt(ss[size_t(i)])), 1e-12f);
            for (int64_t c = 0; c < C; ++c) {
                const float* row = xb + c * S;
                float* orow = ob + c * S;
                const float gc = g[c];
                for (int64_t i = 0; i < n; ++i) {
                    float y = row[i] / norm[size_t(i)] * scale * gc;
                    if (silu) y = y / (1.0f + std::exp(-y));
                    orow[i] = y;
                }
            }
        }
    });
    return out;
}

}  // namespace sv::ops
