#include <algorithm>
#include <cstring>

#include "base/parallel.h"
#include "ops/vae_resample.h"

#ifdef SV_WITH_CUDA
#include "cuda/elementwise.h"
#include "cuda/vae.h"
#endif

namespace sv::ops {

namespace {

Tensor cpuF32(const Tensor& t, const char* op) {
    SV_ASSERT_MSG(t.device().isCpu() && t.dtype() == DType::F32, op,
                  ": the CPU backend needs an F32 CPU tensor, got ", t.describe());
    return t.contiguous();
}

// out = f(z, mean_c, invStd_c) per element, channel axis 1.
template <class F>
Tensor perChannel(const Tensor& zIn, const Tensor& meanIn, const Tensor& invIn, const char* op, F&& f) {
    SV_ASSERT_MSG(zIn.rank() >= 2 && meanIn.numel() == zIn.dim(1) && invIn.numel() == zIn.dim(1), op, ": z ",
                  zIn.describe(), " mean ", meanIn.describe(), " invStd ", invIn.describe());
    const Tensor z = cpuF32(zIn, op), mean = meanIn.to(DType::F32).contiguous(),
                 inv = invIn.to(DType::F32).contiguous();
    const int64_t B = z.dim(0), C = z.dim(1), S = z.numel() / std::max<int64_t>(1, B * C);
    Tensor out = Tensor::empty(z.shape(), DType::F32);
    const float *zp = z.data<float>(), *mp = mean.data<float>(), *ip = inv.data<float>();
    float* op_ = out.data<float>();
    for (int64_t bc = 0; bc < B * C; ++bc) {
        const int64_t c = bc % C;
        for (int64_t i = 0; i < S; ++i) op_[bc * S + i] = f(zp[bc * S + i], mp[c], ip[c]);
    }
    return out;
}

}  // namespace

Tensor upsampleNearest2x(const Tensor& xIn) {
#ifdef SV_WITH_CUDA
    if (xIn.device().isCuda()) return cuda::vaeUpsampleNearest2x(xIn);
#endif
    SV_ASSERT_MSG(xIn.rank() == 5, "upsampleNearest2x: x ", xIn.describe());
    const Tensor x = cpuF32(xIn, "upsampleNearest2x");
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
#ifdef SV_WITH_CUDA
    if (xIn.device().isCuda()) return cuda::vaeInterleaveTimeHalves(xIn);
#endif
    SV_ASSERT_MSG(xIn.rank() == 5 && xIn.dim(1) % 2 == 0, "interleaveTimeHalves: x ", xIn.describe());
    const Tensor x = cpuF32(xIn, "interleaveTimeHalves");
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

Tensor clampValues(const Tensor& xIn, float lo, float hi) {
#ifdef SV_WITH_CUDA
    if (xIn.device().isCuda()) return cuda::unary(xIn, cuda::UnaryOp::Clamp, lo, hi);
#endif
    const Tensor x = cpuF32(xIn, "clampValues");
    Tensor out = Tensor::empty(x.shape(), DType::F32);
    const float* xp = x.data<float>();
    float* op = out.data<float>();
    parallelFor(x.numel(), 1 << 16, [&](int64_t b, int64_t e) {
        for (int64_t i = b; i < e; ++i) op[i] = std::min(std::max(xp[i], lo), hi);
    });
    return out;
}

Tensor normalizeLatents(const Tensor& z, const Tensor& mean, const Tensor& invStd) {
#ifdef SV_WITH_CUDA
    if (z.device().isCuda()) return cuda::perChannelNormalize(z, mean, invStd, false);
#endif
    return perChannel(z, mean, invStd, "normalizeLatents",
                      [](float v, float m, float inv) { return (v - m) * inv; });
}

Tensor denormalizeLatents(const Tensor& z, const Tensor& mean, const Tensor& invStd) {
#ifdef SV_WITH_CUDA
    if (z.device().isCuda()) return cuda::perChannelNormalize(z, mean, invStd, true);
#endif
    return perChannel(z, mean, invStd, "denormalizeLatents",
                      [](float v, float m, float inv) { return v / inv + m; });
}

}  // namespace sv::ops
