#include <cmath>

#include "base/parallel.h"
#include "ops/gemma_norm.h"

#ifdef SV_WITH_CUDA
#include "cuda/gemma.h"
#endif

namespace sv::ops {

namespace {

// y[h] = (x[h] · r) · (1 + w[h]) (+ residual[h]) for every row of x; residual may be null.
Tensor normRows(const Tensor& x, const Tensor& w, double eps, const Tensor* residual) {
    SV_ASSERT_MSG(x.device().isCpu() && w.device().isCpu(),
                  "gemmaRmsNorm: only the CPU backend is implemented");
    SV_ASSERT_MSG(x.dtype() == DType::F32 && w.dtype() == DType::F32, "gemmaRmsNorm: F32 only, got ",
                  x.describe(), " and ", w.describe());
    SV_ASSERT_MSG(x.rank() >= 1 && w.rank() == 1 && w.dim(0) == x.dim(-1), "gemmaRmsNorm: x ", x.describe(),
                  " vs w ", w.describe());
    const int64_t H = x.dim(-1);
    const int64_t rows = H > 0 ? x.numel() / H : 0;
    Tensor xc = x.contiguous();
    Tensor wc = w.contiguous();
    Tensor rc;
    if (residual) {
        SV_ASSERT_MSG(
            residual->shape() == x.shape() && residual->dtype() == DType::F32 && residual->device().isCpu(),
            "gemmaNormResidual: residual ", residual->describe(), " vs x ", x.describe());
        rc = residual->contiguous();
    }
    Tensor y = Tensor::empty(x.shape(), DType::F32);
    const float* xp = xc.data<float>();
    const float* wp = wc.data<float>();
    const float* rp = residual ? rc.data<float>() : nullptr;
    float* yp = y.data<float>();
    const float epsF = float(eps);
    parallelFor(rows, std::max<int64_t>(1, 4096 / std::max<int64_t>(1, H)), [&](int64_t r0, int64_t r1) {
        for (int64_t r = r0; r < r1; ++r) {
            const float* xr = xp + r * H;
            double ss = 0;
            for (int64_t h = 0; h < H; ++h) ss += double(xr[h]) * double(xr[h]);
            const float meanSq = float(ss / double(H));
            const float inv = 1.0f / std::sqrt(meanSq + epsF);
            float* yr = yp + r * H;
            if (rp) {
                const float* res = rp + r * H;
                for (int64_t h = 0; h < H; ++h) yr[h] = res[h] + (xr[h] * inv) * (1.0f + wp[h]);
            } else {
                for (int64_t h = 0; h < H; ++h) yr[h] = (xr[h] * inv) * (1.0f + wp[h]);
            }
        }
    });
    return y;
}

}  // namespace

Tensor gemmaRmsNorm(const Tensor& x, const Tensor& w, double eps) {
#ifdef SV_WITH_CUDA
    if (x.device().isCuda()) return cuda::gemmaRmsNorm(x, w, eps, Tensor());
#endif
    return normRows(x, w, eps, nullptr);
}

Tensor gemmaNormResidual(const Tensor& residual, const Tensor& x, const Tensor& w, double eps) {
#ifdef SV_WITH_CUDA
    if (x.device().isCuda()) return cuda::gemmaRmsNorm(x, w, eps, residual);
#endif
    return normRows(x, w, eps, &residual);
}

}  // namespace sv::ops
