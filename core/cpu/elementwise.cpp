// CPU elementwise kernels: broadcast binary arithmetic over any strides, the activations, the scheduler's
// linear combination and the per-channel latent (un)normalisation. F32 (the combination reads any float).
#include <algorithm>
#include <cmath>
#include <vector>

#include "base/parallel.h"
#include "cpu/activation.h"
#include "cpu/ops.h"

namespace sv::cpu {

namespace {

constexpr int64_t kGrain = 1 << 14;

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

template <class F>
Tensor binaryWith(const Tensor& a, const Tensor& b, const Shape& out, F f) {
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
Tensor unaryWith(const Tensor& x, F f) {
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

Tensor binary(const Tensor& a, const Tensor& b, const Shape& out, BinaryOp op) {
    switch (op) {
        case BinaryOp::Add:
            return binaryWith(a, b, out, [](float x, float y) { return x + y; });
        case BinaryOp::Sub:
            return binaryWith(a, b, out, [](float x, float y) { return x - y; });
        case BinaryOp::Mul:
            return binaryWith(a, b, out, [](float x, float y) { return x * y; });
    }
    SV_ASSERT(false);
}

Tensor unary(const Tensor& x, UnaryOp op, float p0, float p1) {
    switch (op) {
        case UnaryOp::Scale:
            return unaryWith(x, [p0](float v) { return v * p0; });
        case UnaryOp::Silu:
            return unaryWith(x, [](float v) { return silu(v); });
        case UnaryOp::GeluTanh:
            return unaryWith(x, [](float v) { return geluTanh(v); });
        case UnaryOp::Relu:
            return unaryWith(x, [](float v) { return v < 0.0f ? 0.0f : v; });  // NaN stays NaN
        case UnaryOp::Clamp:
            return unaryWith(x, [p0, p1](float v) { return std::min(std::max(v, p0), p1); });
    }
    SV_ASSERT(false);
}

Tensor linearCombination(std::span<const double> coefs, std::span<const Tensor> inputs) {
    // Contiguous F32 views (copies only for other dtypes or strided inputs); F64 inputs are read as F64.
    std::vector<Tensor> held(inputs.size());
    std::vector<const float*> ptrs(inputs.size(), nullptr);
    std::vector<const double*> ptrs64(inputs.size(), nullptr);
    for (size_t k = 0; k < inputs.size(); ++k) {
        if (inputs[k].dtype() == DType::F64) {
            held[k] = inputs[k].contiguous();
            ptrs64[k] = held[k].data<double>();
        } else {
            held[k] = inputs[k].to(DType::F32).contiguous();
            ptrs[k] = held[k].data<float>();
        }
    }
    Tensor out = Tensor::empty(inputs.front().shape(), DType::F32);
    float* o = out.data<float>();
    const size_t K = inputs.size();
    parallelFor(out.numel(), 1 << 14, [&](int64_t begin, int64_t end) {
        for (int64_t e = begin; e < end; ++e) {
            double acc = 0.0;
            for (size_t k = 0; k < K; ++k) {
                const double v = ptrs64[k] ? ptrs64[k][e] : double(ptrs[k][e]);
                acc += coefs[k] * v;
            }
            o[e] = float(acc);
        }
    });
    return out;
}

Tensor channelAffine(const Tensor& zIn, const Tensor& meanIn, const Tensor& invIn, bool inverse) {
    const Tensor z = zIn.contiguous(), mean = meanIn.to(DType::F32).contiguous(),
                 inv = invIn.to(DType::F32).contiguous();
    const int64_t B = z.dim(0), C = z.dim(1), S = z.numel() / std::max<int64_t>(1, B * C);
    Tensor out = Tensor::empty(z.shape(), DType::F32);
    const float *zp = z.data<float>(), *mp = mean.data<float>(), *ip = inv.data<float>();
    float* o = out.data<float>();
    for (int64_t bc = 0; bc < B * C; ++bc) {
        const int64_t c = bc % C;
        // diffusers divides by the reciprocal std before decoding (denormalize), and multiplies by it when
        // encoding the image latents (normalize).
        if (inverse)
            for (int64_t i = 0; i < S; ++i) o[bc * S + i] = zp[bc * S + i] / ip[c] + mp[c];
        else
            for (int64_t i = 0; i < S; ++i) o[bc * S + i] = (zp[bc * S + i] - mp[c]) * ip[c];
    }
    return out;
}

}  // namespace sv::cpu
