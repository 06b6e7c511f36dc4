#include "ops/linear.h"
#include "base/parallel.h"
#include "cpu/gemm.h"

#ifdef SV_WITH_CUDA
#include "cuda/linear.h"
#endif

namespace sv::ops {

Tensor linear(const Tensor& x, const Tensor& w, const Tensor& bias) {
    SV_ASSERT_MSG(w.rank() == 2 && x.dim(-1) == w.dim(1), "linear: x ", x.describe(), " vs w ", w.describe());
#ifdef SV_WITH_CUDA
    if (x.device().isCuda()) return cuda::linear(x, w, bias);
#endif
    SV_ASSERT_MSG(x.device().isCpu(), "linear: no backend for ", x.describe());
    const int64_t K = w.dim(1), N = w.dim(0);
    const int64_t M = x.numel() / K;
    Tensor xc = x.to(DType::F32).contiguous();
    Tensor wc = w.to(DType::F32).contiguous();
    Shape outShape = x.shape();
    outShape.back() = N;
    Tensor y = Tensor::empty(outShape, DType::F32);
    float* yp = y.data<float>();
    if (bias.defined()) {
        SV_ASSERT(bias.numel() == N);
        Tensor bc = bias.to(DType::F32).contiguous();
        const float* bp = bc.data<float>();
        for (int64_t m = 0; m < M; ++m)
            for (int64_t n = 0; n < N; ++n) yp[m * N + n] = bp[n];
        cpu::gemmNT(M, N, K, xc.data<float>(), K, wc.data<float>(), K, yp, N, 1.0f);
    } else {
        cpu::gemmNT(M, N, K, xc.data<float>(), K, wc.data<float>(), K, yp, N, 0.0f);
    }
    return y;
}

}  // namespace sv::ops
