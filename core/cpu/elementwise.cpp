// CPU implementation of core/ops/elementwise.h (F32, any strides, threaded over rows).
#include "ops/elementwise.h"

#include <algorithm>
#include <cmath>

#include "base/parallel.h"

#ifdef SV_WITH_CUDA
#include "cuda/elementwise.h"
#endif

namespace sv::ops {

namespace {

void requireCpuF32(const Tensor& t, const char* op) {
    SV_ASSERT_MSG(t.defined(), op, ": undefined tensor");
    SV_ASSERT_MSG(t.device().isCpu(), op, ": only the CPU backend is implemented for ", t.describe());
    SV_ASSERT_MSG(t.dtype() == DType::F32, op, ": expects F32, got ", t.describe());
}

// Strides of t seen through the broadcast shape `out` (0 where t is stretched or absent).
Shape expandedStrides(const Tensor& t, const Shape& out) {
    const int r = int(out.size());
    Shape s(size_t(r), 0);
    const int off = r - t.rank();
    for (int i = 0; i < t.rank(); ++i)
        s[size_t(off + i)] =
            (t.shape()[size_t(i)] == 1 && out[size_t(off + i)] != 1) ? 0 : t.strides()[size_t(i)];
    return s;
}

constexpr int64_t kGrain = 1 << 14;

template <class F>
Tensor binary(const Tensor& a, const Tensor& b, const char* op, F f) {
    requireCpuF32(a, op);
    requireCpuF32(b, op);
    const Shape out = broadcastShape(a.shape(), b.shape());
    Tensor y = Tensor::empty(out, DType::F32);
    float* yp = y.data<float>();
    const float* ap = a.data<float>();
    const float* bp = b.data<float>();
    const int64_t n = y.numel();
    if (a.shape() == out && b.shape() == out && a.isContiguous() && b.isContiguous()) {
        parallelFor(n, kGrain, [&](int64_t i0, int64_t i1) {
            for (int64_t i = i0; i < i1; ++i) yp[i] = f(ap[i], bp[i]);
        });
        return y;
    }
    const int r = int(out.size());
    const Shape sa = expandedStrides(a, out), sb = expandedStrides(b, out);
    const int64_t inner = r > 0 ? out.back() : 1;
    const int64_t ia = r > 0 ? sa.back() : 0, ib = r > 0 ? sb.back() : 0;
    const int64_t rows = inner > 0 ? n / inner : 0;
    parallelFor(rows, std::max<int64_t>(1, kGrain / std::max<int64_t>(1, inner)),
                [&](int64_t r0, int64_t r1) {
                    for (int64_t row = r0; row < r1; ++row) {
                        int64_t oa = 0, ob = 0, rem = row;
                        for (int d = r - 2; d >= 0; --d) {
                            const int64_t idx = rem % out[size_t(d)];
                            rem /= out[size_t(d)];
                            oa += idx * sa[size_t(d)];
                            ob += idx * sb[size_t(d)];
                        }
                        float* yr = yp + row * inner;
                        for (int64_t i = 0; i < inner; ++i) yr[i] = f(ap[oa + i * ia], bp[ob + i * ib]);
                    }
                });
    return y;
}

template <class F>
Tensor unary(const Tensor& x, const char* op, F f) {
    requireCpuF32(x, op);
    Tensor xc = x.contiguous();
    Tensor y = Tensor::empty(x.shape(), DType::F32);
    const float* xp = xc.data<float>();
    float* yp = y.data<float>();
    parallelFor(y.numel(), kGrain, [&](int64_t i0, int64_t i1) {
        for (int64_t i = i0; i < i1; ++i) yp[i] = f(xp[i]);
    });
    return y;
}

}  // namespace

Shape broadcastShape(const Shape& a, const Shape& b) {
    const size_t r = std::max(a.size(), b.size());
    Shape out(r, 1);
    for (size_t i = 0; i < r; ++i) {
        const int64_t da = i < r - a.size() ? 1 : a[i - (r - a.size())];
        const int64_t db = i < r - b.size() ? 1 : b[i - (r - b.size())];
        SV_CHECK(da == db || da == 1 || db == 1, "shapes ", shapeToString(a), " and ", shapeToString(b),
                 " do not broadcast");
        out[i] = da == 1 ? db : da;
    }
    return out;
}

Tensor add(const Tensor& a, const Tensor& b) {
#ifdef SV_WITH_CUDA
    if (a.device().isCuda())
        return cuda::binary(a, b, broadcastShape(a.shape(), b.shape()), cuda::BinaryOp::Add);
#endif
    return binary(a, b, "add", [](float x, float y) { return x + y; });
}

Tensor sub(const Tensor& a, const Tensor& b) {
#ifdef SV_WITH_CUDA
    if (a.device().isCuda())
        return cuda::binary(a, b, broadcastShape(a.shape(), b.shape()), cuda::BinaryOp::Sub);
#endif
    return binary(a, b, "sub", [](float x, float y) { return x - y; });
}

Tensor mul(const Tensor& a, const Tensor& b) {
#ifdef SV_WITH_CUDA
    if (a.device().isCuda())
        return cuda::binary(a, b, broadcastShape(a.shape(), b.shape()), cuda::BinaryOp::Mul);
#endif
    return binary(a, b, "mul", [](float x, float y) { return x * y; });
}

Tensor scale(const Tensor& a, float s) {
#ifdef SV_WITH_CUDA
    if (a.device().isCuda()) return cuda::unary(a, cuda::UnaryOp::Scale, s);
#endif
    return unary(a, "scale", [s](float x) { return x * s; });
}

Tensor silu(const Tensor& x) {
#ifdef SV_WITH_CUDA
    if (x.device().isCuda()) return cuda::unary(x, cuda::UnaryOp::Silu);
#endif
    return unary(x, "silu", [](float v) { return v / (1.0f + std::exp(-v)); });
}

Tensor geluTanh(const Tensor& x) {
#ifdef SV_WITH_CUDA
    if (x.device().isCuda()) return cuda::unary(x, cuda::UnaryOp::GeluTanh);
#endif
    constexpr float kBeta = float(M_SQRT2 * M_2_SQRTPI * 0.5);
    constexpr float kKappa = 0.044715f;
    return unary(x, "geluTanh", [](float v) {
        const float inner = kBeta * (v + kKappa * (v * v * v));
        return 0.5f * v * (1.0f + std::tanh(inner));
    });
}

Tensor relu(const Tensor& x) {
#ifdef SV_WITH_CUDA
    if (x.device().isCuda()) return cuda::unary(x, cuda::UnaryOp::Relu);
#endif
    return unary(x, "relu", [](float v) { return v < 0.0f ? 0.0f : v; });  // NaN stays NaN
}

}  // namespace sv::ops
