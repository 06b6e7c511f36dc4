// CPU implementation of core/ops/dit_norm.h (F32; statistics in double, the modulation arithmetic in float in
// the reference's order).
#include "ops/dit_norm.h"

#include <algorithm>
#include <cmath>

#include "base/parallel.h"

#ifdef SV_WITH_CUDA
#include "cuda/dit.h"
#endif

namespace sv::ops::dit {

namespace {

void requireCpuF32(const Tensor& t, const char* op, const char* what) {
    SV_ASSERT_MSG(t.defined(), op, ": ", what, " is undefined");
    SV_ASSERT_MSG(t.device().isCpu(), op, ": only the CPU backend is implemented for ", what, " ",
                  t.describe());
    SV_ASSERT_MSG(t.dtype() == DType::F32, op, ": ", what, " must be F32, got ", t.describe());
}

// A [R, D] table of modulation rows with an arbitrary row stride.
struct Rows {
    const float* base = nullptr;
    int64_t stride = 0;
    int64_t count = 0;
    const float* row(int64_t r) const { return base + r * stride; }
};

Rows rowsOf(const Tensor& t, int64_t D, const char* op, const char* what) {
    requireCpuF32(t, op, what);
    SV_ASSERT_MSG(t.rank() == 2 && t.dim(1) == D && (D == 1 || t.strides()[1] == 1), op, ": ", what,
                  " must be [R, ", D, "] rows with unit inner stride, got ", t.describe());
    return {t.data<float>(), t.strides()[0], t.dim(0)};
}

// Which modulation row token (b, n) uses.
struct RowMap {
    const int32_t* index = nullptr;
    int64_t size = 0;
    int64_t batch = 0, tokens = 0;
    int64_t row(int64_t b, int64_t n) const {
        if (!index) return b;
        return size == batch ? index[b] : index[b * tokens + n];
    }
};

RowMap rowMapOf(const Tensor& index, int64_t B, int64_t N, int64_t R, const char* op) {
    RowMap m{nullptr, 0, B, N};
    if (!index.defined()) {
        SV_ASSERT_MSG(R == B, op, ": without a row index the modulation needs one row per sample (", B,
                      "), got ", R);
        return m;
    }
    SV_ASSERT_MSG(index.device().isCpu() && index.dtype() == DType::I32 && index.isContiguous(), op,
                  ": the row index must be a contiguous CPU I32 tensor, got ", index.describe());
    m.index = index.data<int32_t>();
    m.size = index.numel();
    SV_ASSERT_MSG(m.size == B || m.size == B * N, op, ": row index has ", m.size, " entries; expected ", B,
                  " or ", B * N);
    for (int64_t i = 0; i < m.size; ++i)
        SV_ASSERT_MSG(m.index[i] >= 0 && m.index[i] < R, op, ": row index ", m.index[i], " out of [0, ", R,
                      ")");
    return m;
}

}  // namespace

Tensor rmsNorm(const Tensor& x, const Tensor& weight, float eps) {
#ifdef SV_WITH_CUDA
    if (x.device().isCuda()) return cuda::ditRmsNorm(x, weight, eps);
#endif
    requireCpuF32(x, "rmsNorm", "x");
    requireCpuF32(weight, "rmsNorm", "weight");
    const int64_t D = x.dim(-1);
    SV_ASSERT_MSG(weight.numel() == D, "rmsNorm: weight ", weight.describe(), " for x ", x.describe());
    Tensor xc = x.contiguous(), wc = weight.contiguous();
    Tensor y = Tensor::empty(x.shape(), DType::F32);
    const float* xp = xc.data<float>();
    const float* wp = wc.data<float>();
    float* yp = y.data<float>();
    const int64_t rows = D > 0 ? x.numel() / D : 0;
    parallelFor(rows, std::max<int64_t>(1, 4096 / std::max<int64_t>(1, D)), [&](int64_t r0, int64_t r1) {
        for (int64_t r = r0; r < r1; ++r) {
            const float* xr = xp + r * D;
            float* yr = yp + r * D;
            double ss = 0;
            for (int64_t i = 0; i < D; ++i) ss += double(xr[i]) * double(xr[i]);
            const float meanSquare = float(ss / double(D));
            const float inv = 1.0f / std::sqrt(meanSquare + eps);
            for (int64_t i = 0; i < D; ++i) yr[i] = (xr[i] * inv) * wp[i];
        }
    });
    return y;
}

Tensor layerNormModulate(const Tensor& x, const Tensor& shift, const Tensor& scale, const Tensor& rowIndex,
                         float eps) {
#ifdef SV_WITH_CUDA
    if (x.device().isCuda()) return cuda::ditLayerNormModulate(x, shift, scale, rowIndex, eps);
#endif
    requireCpuF32(x, "layerNormModulate", "x");
    SV_ASSERT_MSG(x.rank() == 3, "layerNormModulate: x must be [B, N, D], got ", x.describe());
    const int64_t B = x.dim(0), N = x.dim(1), D = x.dim(2);
    const Rows sh = rowsOf(shift, D, "layerNormModulate", "shift");
    const Rows sc = rowsOf(scale, D, "layerNormModulate", "scale");
    SV_ASSERT(sh.count == sc.count);
    const RowMap map = rowMapOf(rowIndex, B, N, sh.count, "layerNormModulate");
    Tensor xc = x.contiguous();
    Tensor y = Tensor::empty(x.shape(), DType::F32);
    const float* xp = xc.data<float>();
    float* yp = y.data<float>();
    parallelFor(B * N, std::max<int64_t>(1, 4096 / std::max<int64_t>(1, D)), [&](int64_t t0, int64_t t1) {
        for (int64_t t = t0; t < t1; ++t) {
            const int64_t r = map.row(t / N, t % N);
            const float* xr = xp + t * D;
            const float* shr = sh.row(r);
            const float* scr = sc.row(r);
            float* yr = yp + t * D;
            double sum = 0;
            for (int64_t i = 0; i < D; ++i) sum += xr[i];
            const double mean = sum / double(D);
            double var = 0;
            for (int64_t i = 0; i < D; ++i) var += (xr[i] - mean) * (xr[i] - mean);
            var /= double(D);
            const float rstd = float(1.0 / std::sqrt(var + double(eps)));
            const float m = float(mean);
            for (int64_t i = 0; i < D; ++i) {
                const float normed = (xr[i] - m) * rstd;
                yr[i] = normed * (1.0f + scr[i]) + shr[i];
            }
        }
    });
    return y;
}

Tensor gatedResidual(const Tensor& x, const Tensor& branch, const Tensor& gate, const Tensor& rowIndex) {
#ifdef SV_WITH_CUDA
    if (x.device().isCuda()) return cuda::ditGatedResidual(x, branch, gate, rowIndex);
#endif
    requireCpuF32(x, "gatedResidual", "x");
    requireCpuF32(branch, "gatedResidual", "branch");
    SV_ASSERT_MSG(x.rank() == 3 && branch.shape() == x.shape(), "gatedResidual: x ", x.describe(),
                  ", branch ", branch.describe());
    const int64_t B = x.dim(0), N = x.dim(1), D = x.dim(2);
    const Rows g = rowsOf(gate, D, "gatedResidual", "gate");
    const RowMap map = rowMapOf(rowIndex, B, N, g.count, "gatedResidual");
    Tensor xc = x.contiguous(), bc = branch.contiguous();
    Tensor y = Tensor::empty(x.shape(), DType::F32);
    const float* xp = xc.data<float>();
    const float* bp = bc.data<float>();
    float* yp = y.data<float>();
    parallelFor(B * N, std::max<int64_t>(1, 8192 / std::max<int64_t>(1, D)), [&](int64_t t0, int64_t t1) {
        for (int64_t t = t0; t < t1; ++t) {
            const float* gr = g.row(map.row(t / N, t % N));
            for (int64_t i = 0; i < D; ++i) yp[t * D + i] = xp[t * D + i] + gr[i] * bp[t * D + i];
        }
    });
    return y;
}

Tensor gatherRows(const Tensor& table, const Tensor& index) {
#ifdef SV_WITH_CUDA
    if (table.device().isCuda()) return cuda::ditGatherRows(table, index);
#endif
    requireCpuF32(table, "gatherRows", "table");
    SV_ASSERT_MSG(table.rank() == 2, "gatherRows: table must be [R, D], got ", table.describe());
    SV_ASSERT_MSG(index.device().isCpu() && index.dtype() == DType::I32,
                  "gatherRows: index must be CPU I32, got ", index.describe());
    Tensor tc = table.contiguous(), ic = index.contiguous();
    const int64_t R = table.dim(0), D = table.dim(1), M = index.numel();
    Tensor y = Tensor::empty({M, D}, DType::F32);
    const int32_t* ip = ic.data<int32_t>();
    for (int64_t m = 0; m < M; ++m) {
        SV_ASSERT_MSG(ip[m] >= 0 && ip[m] < R, "gatherRows: index ", ip[m], " out of [0, ", R, ")");
        std::copy_n(tc.data<float>() + int64_t(ip[m]) * D, D, y.data<float>() + m * D);
    }
    return y;
}

}  // namespace sv::ops::dit
