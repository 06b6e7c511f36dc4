// CUDA elementwise kernels: broadcast binary arithmetic (16-byte vector path for same-shape aligned operands,
// a strided path for the rest), the activations, the scheduler's linear combination (double accumulation,
// bitwise the CPU's) and the per-channel latent (un)normalisation. Grid-stride loops of 256 threads.
#include <type_traits>
#include <vector>

#include "cuda/kernels.cuh"
#include "cuda/ops.h"
#include "cuda/profile.h"

namespace sv::cuda {

namespace {

constexpr int kMaxRank = 8;

struct BroadcastDesc {
    int rank;
    long long shape[kMaxRank];
    long long sa[kMaxRank];
    long long sb[kMaxRank];
};

template <BinaryOp Op>
__device__ __forceinline__ float applyBinary(float x, float y) {
    if constexpr (Op == BinaryOp::Add)
        return x + y;
    else if constexpr (Op == BinaryOp::Sub)
        return x - y;
    else
        return x * y;
}

template <class T, BinaryOp Op>
__global__ void binaryContiguous(T* __restrict__ y, const T* __restrict__ a, const T* __restrict__ b,
                                 long long n) {
    for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < n;
         i += (long long)gridDim.x * blockDim.x)
        y[i] = fromF<T>(applyBinary<Op>(toF(a[i]), toF(b[i])));
}

// 8 elements per thread with 16-byte accesses (n a multiple of 8, aligned operands).
template <class T, BinaryOp Op>
__global__ void binaryVec8(T* __restrict__ y, const T* __restrict__ a, const T* __restrict__ b,
                           long long n8) {
    for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < n8;
         i += (long long)gridDim.x * blockDim.x) {
        float va[8], vb[8];
        load8(a + 8 * i, va);
        load8(b + 8 * i, vb);
#pragma unroll
        for (int k = 0; k < 8; ++k) va[k] = applyBinary<Op>(va[k], vb[k]);
        store8(y + 8 * i, va);
    }
}

template <class T, BinaryOp Op>
__global__ void binaryStrided(T* __restrict__ y, const T* __restrict__ a, const T* __restrict__ b,
                              BroadcastDesc d, long long n) {
    for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < n;
         i += (long long)gridDim.x * blockDim.x) {
        long long rem = i, oa = 0, ob = 0;
        for (int k = d.rank - 1; k >= 0; --k) {
            const long long idx = rem % d.shape[k];
            rem /= d.shape[k];
            oa += idx * d.sa[k];
            ob += idx * d.sb[k];
        }
        y[i] = fromF<T>(applyBinary<Op>(toF(a[oa]), toF(b[ob])));
    }
}

template <class T, UnaryOp Op>
__global__ void unaryKernel(T* __restrict__ y, const T* __restrict__ x, long long n, float p0, float p1) {
    for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < n;
         i += (long long)gridDim.x * blockDim.x) {
        const float v = toF(x[i]);
        float r;
        if constexpr (Op == UnaryOp::Scale) {
            r = v * p0;
        } else if constexpr (Op == UnaryOp::Silu) {
            r = v / (1.0f + expf(-v));
        } else if constexpr (Op == UnaryOp::GeluTanh) {
            constexpr float kBeta = 0.7978845608028654f;  // √(2/π)
            constexpr float kKappa = 0.044715f;
            r = 0.5f * v * (1.0f + tanhf(kBeta * (v + kKappa * (v * v * v))));
        } else if constexpr (Op == UnaryOp::Relu) {
            r = v < 0.0f ? 0.0f : v;  // NaN stays NaN
        } else {
            r = fminf(fmaxf(v, p0), p1);
        }
        y[i] = fromF<T>(r);
    }
}

struct Combination {
    const float* in[kMaxCombined];
    double coef[kMaxCombined];
    int count;
};

__global__ void linearCombinationKernel(float* __restrict__ y, Combination c, long long n) {
    for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < n;
         i += (long long)gridDim.x * blockDim.x) {
        double acc = 0.0;
        for (int k = 0; k < c.count; ++k) acc += c.coef[k] * double(c.in[k][i]);
        y[i] = float(acc);
    }
}

// y = (z − mean_c)·inv_c, or z / inv_c + mean_c when inverse (channel c = (i / S) mod C).
template <class T>
__global__ void perChannelKernel(T* __restrict__ y, const T* __restrict__ z, const float* __restrict__ mean,
                                 const float* __restrict__ inv, long long C, long long S, long long n,
                                 bool inverse) {
    for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < n;
         i += (long long)gridDim.x * blockDim.x) {
        const long long c = (i / S) % C;
        const float v = toF(z[i]);
        y[i] = fromF<T>(inverse ? v / inv[c] + mean[c] : (v - mean[c]) * inv[c]);
    }
}

// Strides of t seen through the broadcast shape (0 where stretched or absent).
void expand(const Tensor& t, const Shape& out, long long* s) {
    const int r = int(out.size()), off = r - t.rank();
    for (int i = 0; i < r; ++i) s[i] = 0;
    for (int i = 0; i < t.rank(); ++i)
        s[off + i] = (t.shape()[size_t(i)] == 1 && out[size_t(off + i)] != 1) ? 0 : t.strides()[size_t(i)];
}

template <BinaryOp Op>
void launchBinary(const Tensor& y, const Tensor& a, const Tensor& b, const Shape& out) {
    const long long n = y.numel();
    cudaStream_t s = streamOf(y);
    SV_DISPATCH_FLOAT(y.dtype(), T, {
        T* yp = static_cast<T*>(y.rawData());
        const T* ap = static_cast<const T*>(a.rawData());
        const T* bp = static_cast<const T*>(b.rawData());
        const bool plain = a.shape() == out && b.shape() == out && a.isContiguous() && b.isContiguous();
        if (plain && n % 8 == 0 && aligned16({yp, ap, bp})) {
            binaryVec8<T, Op><<<gridFor(n / 8), 256, 0, s>>>(yp, ap, bp, n / 8);
        } else if (plain) {
            binaryContiguous<T, Op><<<gridFor(n), 256, 0, s>>>(yp, ap, bp, n);
        } else {
            SV_CHECK(out.size() <= size_t(kMaxRank), "CUDA elementwise: rank ", out.size(), " exceeds ",
                     kMaxRank);
            BroadcastDesc d{};
            d.rank = int(out.size());
            for (int k = 0; k < d.rank; ++k) d.shape[k] = out[size_t(k)];
            expand(a, out, d.sa);
            expand(b, out, d.sb);
            binaryStrided<T, Op><<<gridFor(n), 256, 0, s>>>(yp, ap, bp, d, n);
        }
    });
    checkLaunch();
}

template <UnaryOp Op>
void launchUnary(const Tensor& y, const Tensor& x, float p0, float p1) {
    const long long n = y.numel();
    SV_DISPATCH_FLOAT(y.dtype(), T, {
        unaryKernel<T, Op><<<gridFor(n), 256, 0, streamOf(y)>>>(
            static_cast<T*>(y.rawData()), static_cast<const T*>(x.rawData()), n, p0, p1);
    });
    checkLaunch();
}

// Calls f(std::integral_constant<E, v>{}) for the one of Values that equals op (a kernel per enumerator).
template <auto... Values, class E, class F>
void withOp(E op, F&& f) {
    static_assert((std::is_same_v<decltype(Values), E> && ...));
    ((op == Values ? f(std::integral_constant<E, Values>{}) : void()), ...);
}

}  // namespace

Tensor binary(const Tensor& aIn, const Tensor& bIn, const Shape& out, BinaryOp op) {
    const OpScope opScope(op == BinaryOp::Add   ? "elementwise.add"
                          : op == BinaryOp::Sub ? "elementwise.sub"
                                                : "elementwise.mul",
                          aIn.device().index);
    const DType dt = aIn.dtype() == bIn.dtype() ? aIn.dtype() : DType::F32;
    const Tensor a = aIn.to(dt), b = bIn.to(dt);
    Tensor y = Tensor::empty(out, dt, aIn.device());
    if (y.numel() == 0) return y;
    withOp<BinaryOp::Add, BinaryOp::Sub, BinaryOp::Mul>(
        op, [&](auto k) { launchBinary<decltype(k)::value>(y, a, b, out); });
    return y;
}

Tensor unary(const Tensor& xIn, UnaryOp op, float p0, float p1) {
    const char* names[] = {"elementwise.scale", "elementwise.silu", "elementwise.geluTanh",
                           "elementwise.relu", "elementwise.clamp"};
    const OpScope opScope(names[int(op)], xIn.device().index);
    const Tensor x = xIn.contiguous();
    Tensor y = Tensor::empty(x.shape(), x.dtype(), x.device());
    if (y.numel() == 0) return y;
    withOp<UnaryOp::Scale, UnaryOp::Silu, UnaryOp::GeluTanh, UnaryOp::Relu, UnaryOp::Clamp>(
        op, [&](auto k) { launchUnary<decltype(k)::value>(y, x, p0, p1); });
    return y;
}

Tensor linearCombination(std::span<const double> coefs, std::span<const Tensor> inputs) {
    SV_ASSERT(inputs.size() <= size_t(kMaxCombined));
    const Tensor& first = inputs.front();
    const OpScope opScope("elementwise.linearCombination", first.device().index);
    std::vector<Tensor> held;
    held.reserve(inputs.size());
    Combination c{};
    c.count = int(inputs.size());
    for (size_t k = 0; k < inputs.size(); ++k) {
        held.push_back(inputs[k].to(DType::F32).contiguous());
        c.in[k] = held.back().data<float>();
        c.coef[k] = coefs[k];
    }
    Tensor y = Tensor::empty(first.shape(), DType::F32, first.device());
    const long long n = y.numel();
    if (n == 0) return y;
    linearCombinationKernel<<<gridFor(n), 256, 0, streamOf(y)>>>(y.data<float>(), c, n);
    checkLaunch();
    return y;
}

Tensor channelAffine(const Tensor& zIn, const Tensor& meanIn, const Tensor& invIn, bool inverse) {
    const OpScope opScope("elementwise.perChannel", zIn.device().index);
    const Tensor z = zIn.contiguous();
    const Tensor mean = meanIn.to(z.device()).to(DType::F32).contiguous();
    const Tensor inv = invIn.to(z.device()).to(DType::F32).contiguous();
    Tensor y = Tensor::empty(z.shape(), z.dtype(), z.device());
    const long long n = z.numel(), C = z.dim(1), S = n / std::max<long long>(1, z.dim(0) * C);
    if (n == 0) return y;
    SV_DISPATCH_FLOAT(z.dtype(), T, {
        perChannelKernel<T><<<gridFor(n), 256, 0, streamOf(z)>>>(
            static_cast<T*>(y.rawData()), static_cast<const T*>(z.rawData()), mean.data<float>(),
            inv.data<float>(), C, S, n, inverse);
    });
    checkLaunch();
    return y;
}

}  // namespace sv::cuda
