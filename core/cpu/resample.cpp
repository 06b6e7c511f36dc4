// CPU data movement of the Wan VAE's resamplers (diffusers WanResample): nearest ×2 upsampling and the
// upsample3d time interleave. F32.
#include <cstring>

#include "base/parallel.h"
#include "cpu/ops.h"

namespace sv::cpu {

Tensor upsampleNearest2x(const Tensor& xIn) {
    const Tensor x = xIn.contiguous();
    const int64_t planes = x.dim(0) * x.dim(1) * x.dim(2), H = x.dim(3), W = x.dim(4);
    Tensor out = Tensor::empty({x.dim(0), x.dim(1), x.dim(2), 2 * H, 2 * W}, DType::F32);
    const float* xp = x.data<float>();
    float* op = out.data<float>();
    parallelFor(planes * H, 64, [&](int64_t b, int64_t e) {
        for (int64_t r = b; r < e; ++r) {
            const int64_t p = r / H, h = r % H;
            const float* src = xp + r * W;
            float* d0 = op + (p * 2 * H + 2 * h) * 2 * W;
            for (int64_t w = 0; w < W; ++w) d0[2 * w] = d0[2 * w + 1] = src[w];
            std::memcpy(d0 + 2 * W, d0, size_t(2 * W) * sizeof(float));
        }
    });
    return out;
}

Tensor interleaveTimeHalves(const Tensor& xIn) {
    const Tensor x = xIn.contiguous();
    const int64_t B = x.dim(0), C = x.dim(1) / 2, T = x.dim(2), HW = x.dim(3) * x.dim(4);
    Tensor out = Tensor::empty({B, C, 2 * T, x.dim(3), x.dim(4)}, DType::F32);
    // in[b, half·C + c, t] → out[b, c, 2t + half]
    const float* xp = x.data<float>();
    float* op = out.data<float>();
    for (int64_t b = 0; b < B; ++b)
        for (int64_t half = 0; half < 2; ++half)
            for (int64_t c = 0; c < C; ++c)
                for (int64_t t = 0; t < T; ++t)
                    std::memcpy(op + ((b * C + c) * 2 * T + 2 * t + half) * HW,
                                xp + ((b * 2 * C + half * C + c) * T + t) * HW, size_t(HW) * sizeof(float));
    return out;
}

}  // namespace sv::cpu
