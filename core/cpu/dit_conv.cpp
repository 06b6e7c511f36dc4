// CPU implementation of core/ops/dit_conv.h (channels-last loops; the temporal conv as three GEMMs per
// frame).
#include "ops/dit_conv.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "base/parallel.h"
#include "cpu/gemm.h"
#include "ops/elementwise.h"

#ifdef SV_WITH_CUDA
#include "cuda/dit.h"
#endif

namespace sv::ops::dit {

namespace {

void requireCpuF32(const Tensor& t, const char* op, const char* what) {
    SV_ASSERT_MSG(t.defined(), op, ": ", what, " is undefined");
    SV_ASSERT_MSG(t.device().isCpu() && t.dtype() == DType::F32, op, ": ", what,
                  " must be a CPU F32 tensor, got ", t.describe());
}

}  // namespace

Tensor depthwiseConv3x3(const Tensor& x, const Tensor& weight, const Tensor& bias) {
#ifdef SV_WITH_CUDA
    if (x.device().isCuda()) return cuda::ditDepthwiseConv3x3(x, weight, bias);
#endif
    requireCpuF32(x, "depthwiseConv3x3", "x");
    requireCpuF32(weight, "depthwiseConv3x3", "weight");
    SV_ASSERT_MSG(x.rank() == 4, "depthwiseConv3x3: x must be [S, H, W, C], got ", x.describe());
    const int64_t S = x.dim(0), H = x.dim(1), W = x.dim(2), C = x.dim(3);
    SV_ASSERT_MSG(weight.shape() == (Shape{C, 1, 3, 3}), "depthwiseConv3x3: weight ", weight.describe(),
                  " for ", C, " channels");
    // Taps transposed to [9][C] so the channel loop is contiguous.
    Tensor wc = weight.contiguous();
    std::vector<float> taps(static_cast<size_t>(9 * C));
    for (int64_t c = 0; c < C; ++c)
        for (int t = 0; t < 9; ++t) taps[size_t(t * C + c)] = wc.data<float>()[c * 9 + t];
    std::vector<float> b(size_t(C), 0.0f);
    if (bias.defined()) {
        requireCpuF32(bias, "depthwiseConv3x3", "bias");
        SV_ASSERT(bias.numel() == C);
        Tensor bc = bias.contiguous();
        std::copy_n(bc.data<float>(), C, b.begin());
    }
    Tensor xc = x.contiguous();
    Tensor y = Tensor::empty(x.shape(), DType::F32);
    const float* xp = xc.data<float>();
    float* yp = y.data<float>();
    parallelFor(S * H, 1, [&](int64_t r0, int64_t r1) {
        std::vector<float> acc(static_cast<size_t>(C));
        for (int64_t r = r0; r < r1; ++r) {
            const int64_t s = r / H, i = r % H;
            for (int64_t j = 0; j < W; ++j) {
                std::fill(acc.begin(), acc.end(), 0.0f);
                for (int di = 0; di < 3; ++di) {
                    const int64_t ii = i + di - 1;
                    if (ii < 0 || ii >= H) continue;
                    for (int dj = 0; dj < 3; ++dj) {
                        const int64_t jj = j + dj - 1;
                        if (jj < 0 || jj >= W) continue;
                        const float* src = xp + ((s * H + ii) * W + jj) * C;
                        const float* w = taps.data() + (di * 3 + dj) * C;
                        for (int64_t c = 0; c < C; ++c) acc[size_t(c)] += w[c] * src[c];
                    }
                }
                float* dst = yp + ((s * H + i) * W + j) * C;
                for (int64_t c = 0; c < C; ++c) dst[c] = acc[size_t(c)] + b[size_t(c)];
            }
        }
    });
    return y;
}

Tensor gluSilu(const Tensor& x) {
#ifdef SV_WITH_CUDA
    if (x.device().isCuda()) return cuda::ditGluSilu(x);
#endif
    requireCpuF32(x, "gluSilu", "x");
    SV_ASSERT_MSG(x.rank() >= 1 && x.dim(-1) % 2 == 0, "gluSilu: last dimension must be even, got ",
                  x.describe());
    const int64_t C2 = x.dim(-1), C = C2 / 2, rows = C2 > 0 ? x.numel() / C2 : 0;
    Shape outShape = x.shape();
    outShape.back() = C;
    Tensor xc = x.contiguous();
    Tensor y = Tensor::empty(outShape, DType::F32);
    const float* xp = xc.data<float>();
    float* yp = y.data<float>();
    parallelFor(rows, std::max<int64_t>(1, 8192 / std::max<int64_t>(1, C)), [&](int64_t r0, int64_t r1) {
        for (int64_t r = r0; r < r1; ++r) {
            const float* value = xp + r * C2;
            const float* gate = value + C;
            for (int64_t c = 0; c < C; ++c) {
                const float g = gate[c];
                yp[r * C + c] = value[c] * (g / (1.0f + std::exp(-g)));
            }
        }
    });
    return y;
}

Tensor siluDepthwiseGlu(const Tensor& x, const Tensor& weight, const Tensor& bias) {
#ifdef SV_WITH_CUDA
    if (x.device().isCuda()) return cuda::ditSiluDepthwiseGlu(x, weight, bias);
#endif
    return gluSilu(depthwiseConv3x3(silu(x), weight, bias));
}

Tensor temporalConv3(const Tensor& x, const Tensor& weight) {
#ifdef SV_WITH_CUDA
    if (x.device().isCuda()) return cuda::ditTemporalConv3(x, weight);
#endif
    requireCpuF32(x, "temporalConv3", "x");
    requireCpuF32(weight, "temporalConv3", "weight");
    SV_ASSERT_MSG(x.rank() == 4, "temporalConv3: x must be [B, F, P, D], got ", x.describe());
    const int64_t B = x.dim(0), F = x.dim(1), P = x.dim(2), D = x.dim(3);
    SV_ASSERT_MSG(weight.shape() == (Shape{D, D, 3, 1}), "temporalConv3: weight ", weight.describe(), " for ",
                  D, " channels");
    // W_k[o, c] = weight[o, c, k, 0], each [D, D] row-major.
    Tensor wc = weight.contiguous();
    std::vector<float> wk(static_cast<size_t>(3 * D * D));
    const float* wp = wc.data<float>();
    for (int64_t o = 0; o < D; ++o)
        for (int64_t c = 0; c < D; ++c)
            for (int k = 0; k < 3; ++k) wk[size_t((k * D + o) * D + c)] = wp[(o * D + c) * 3 + k];
    Tensor xc = x.contiguous();
    Tensor y = Tensor::zeros(x.shape(), DType::F32);
    const float* xp = xc.data<float>();
    float* yp = y.data<float>();
    const int64_t frame = P * D;
    for (int64_t b = 0; b < B; ++b)
        for (int64_t t = 0; t < F; ++t)
            for (int k = 0; k < 3; ++k) {
                const int64_t src = t + k - 1;
                if (src < 0 || src >= F) continue;
                cpu::gemmNT(P, D, D, xp + (b * F + src) * frame, D, wk.data() + k * D * D, D,
                            yp + (b * F + t) * frame, D, 1.0f);
            }
    return y;
}

}  // namespace sv::ops::dit
