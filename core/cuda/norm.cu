// CUDA normalisations and modulation. One RMS norm over the last dimension for the DiT (diffusers RMSNorm:
// (x · r) · w) and Gemma (transformers Gemma2RMSNorm: (x · r) · (1 + w), optionally + residual), with
// r = 1 / sqrt(mean(x²) + eps); the DiT's LayerNorm + AdaLN modulation and gated residual over modulation
// rows (ops/dit_norm.h); the VAEs' norms over the strided channel axis, one thread per location (diffusers
// WanRMS_norm's L2 norm; LTX-2's PerChannelRMSNorm and the LayerNorm over channels). Statistics in float,
// reduced per block (blockSum) in a fixed order.
//
// Row kernels: one block per row. The vector paths hold the row in registers (kVecPerThread vectors of 8
// elements per thread of kVecThreads) and read and write every element once; they need D % 8 == 0,
// D ≤ kVecThreads · kVecPerThread · 8 and 16-byte aligned rows. Other rows take the strided kernels.
#include <algorithm>
#include <cmath>

#include "cuda/kernels.cuh"
#include "cuda/ops.h"
#include "cuda/profile.h"

namespace sv::cuda {

namespace {

// Modulation row of token (b, n): row b, index[b] or index[b·N + n] (ops/dit_norm.h).
struct RowIndex {
    const int32_t* index = nullptr;
    long long size = 0;
    long long batch = 0, tokens = 0;
    __device__ __forceinline__ long long row(long long b, long long n) const {
        if (!index) return b;
        return size == batch ? index[b] : index[b * tokens + n];
    }
};

RowIndex rowIndexOf(const Tensor& index, long long B, long long N) {
    if (!index.defined()) return {nullptr, 0, B, N};
    return {index.data<int32_t>(), index.numel(), B, N};
}

// [R, D] rows in the activation dtype with unit inner stride.
Tensor rowsOf(const Tensor& t, DType dt) {
    Tensor r = t.dtype() == dt ? t : t.to(dt);
    if (r.strides()[1] != 1 && r.dim(1) != 1) r = r.contiguous();
    return r;
}

constexpr int kVecThreads = 128;
constexpr int kVecPerThread = 4;  // rows up to 4096 elements
static_assert(kVecThreads % 32 == 0 && kVecThreads <= 1024, "blockSum needs whole warps");

// Calls f(i, e) for each 8-element vector of a row this thread holds: vector i starts at element e < D.
template <class F>
__device__ __forceinline__ void forRowVectors(int D, F&& f) {
#pragma unroll
    for (int i = 0; i < kVecPerThread; ++i) {
        const int e = (threadIdx.x + i * kVecThreads) * 8;
        if (e < D) f(i, e);
    }
}

bool vectorRows(long long D, std::initializer_list<const void*> ptrs,
                std::initializer_list<long long> strides, size_t es) {
    if (D % 8 != 0 || D / 8 > kVecThreads * kVecPerThread || !aligned16(ptrs)) return false;
    for (long long st : strides)
        if ((st * (long long)es) % 16 != 0) return false;
    return true;
}

// Threads per row of the strided kernels.
int normThreads(long long D) {
    return D >= 1024 ? 256 : (D >= 256 ? 128 : 64);
}

template <class T>
__global__ void __launch_bounds__(kVecThreads)
    rmsNormVecKernel(T* __restrict__ y, const T* __restrict__ x, const T* __restrict__ w, int D, float eps) {
    __shared__ float scratch[32];
    const long long off = blockIdx.x * (long long)D;
    float v[kVecPerThread][8];
    float ss = 0.0f;
    forRowVectors(D, [&](int i, int e) {
        load8(x + off + e, v[i]);
#pragma unroll
        for (int t = 0; t < 8; ++t) ss += v[i][t] * v[i][t];
    });
    ss = blockSum(ss, scratch);
    const float inv = 1.0f / sqrtf(ss / float(D) + eps);
    forRowVectors(D, [&](int i, int e) {
        float wv[8], o[8];
        load8(w + e, wv);
#pragma unroll
        for (int t = 0; t < 8; ++t) o[t] = (v[i][t] * inv) * wv[t];
        store8(y + off + e, o);
    });
}

// The strided RMS norm: y = (x · r) · w, or (x · r) · (1 + w) when Offset; then + residual when given.
// blockDim.x a multiple of 32.
template <class T, bool Offset>
__global__ void rmsNormKernel(T* __restrict__ y, const T* __restrict__ x, const T* __restrict__ w,
                              const T* __restrict__ residual, long long D, float eps) {
    __shared__ float scratch[32];
    const T* xr = x + blockIdx.x * D;
    T* yr = y + blockIdx.x * D;
    float ss = 0.0f;
    for (long long i = threadIdx.x; i < D; i += blockDim.x) {
        const float v = toF(xr[i]);
        ss += v * v;
    }
    ss = blockSum(ss, scratch);
    const float inv = 1.0f / sqrtf(ss / float(D) + eps);
    const T* rr = residual ? residual + blockIdx.x * D : nullptr;
    for (long long i = threadIdx.x; i < D; i += blockDim.x) {
        float v;
        if constexpr (Offset)
            v = (toF(xr[i]) * inv) * (1.0f + toF(w[i]));
        else
            v = (toF(xr[i]) * inv) * toF(w[i]);
        if (rr) v = toF(rr[i]) + v;
        yr[i] = fromF<T>(v);
    }
}

template <class T>
__global__ void __launch_bounds__(kVecThreads)
    layerNormModulateVecKernel(T* __restrict__ y, const T* __restrict__ x, const T* __restrict__ shift,
                               long long shiftStride, const T* __restrict__ scale, long long scaleStride,
                               RowIndex rows, int D, float eps) {
    __shared__ float scratch[32];
    const long long t = blockIdx.x;
    const long long r = rows.row(t / rows.tokens, t % rows.tokens);
    const long long off = t * D;
    float v[kVecPerThread][8];
    float sum = 0.0f;
    forRowVectors(D, [&](int i, int e) {
        load8(x + off + e, v[i]);
#pragma unroll
        for (int k = 0; k < 8; ++k) sum += v[i][k];
    });
    const float mean = blockSum(sum, scratch) / float(D);
    float var = 0.0f;
    forRowVectors(D, [&](int i, int) {
#pragma unroll
        for (int k = 0; k < 8; ++k) {
            const float c = v[i][k] - mean;
            var += c * c;
        }
    });
    const float rstd = 1.0f / sqrtf(blockSum(var, scratch) / float(D) + eps);
    forRowVectors(D, [&](int i, int e) {
        float sh[8], sc[8], o[8];
        load8(shift + r * shiftStride + e, sh);
        load8(scale + r * scaleStride + e, sc);
#pragma unroll
        for (int k = 0; k < 8; ++k) o[k] = ((v[i][k] - mean) * rstd) * (1.0f + sc[k]) + sh[k];
        store8(y + off + e, o);
    });
}

template <class T>
__global__ void layerNormModulateKernel(T* __restrict__ y, const T* __restrict__ x,
                                        const T* __restrict__ shift, long long shiftStride,
                                        const T* __restrict__ scale, long long scaleStride, RowIndex rows,
                                        long long D, float eps) {
    __shared__ float scratch[32];
    const long long t = blockIdx.x;
    const long long r = rows.row(t / rows.tokens, t % rows.tokens);
    const T* xr = x + t * D;
    T* yr = y + t * D;
    float s = 0.0f;
    for (long long i = threadIdx.x; i < D; i += blockDim.x) s += toF(xr[i]);
    const float mean = blockSum(s, scratch) / float(D);
    float v = 0.0f;
    for (long long i = threadIdx.x; i < D; i += blockDim.x) {
        const float c = toF(xr[i]) - mean;
        v += c * c;
    }
    const float var = blockSum(v, scratch) / float(D);
    const float rstd = 1.0f / sqrtf(var + eps);
    const T* sh = shift + r * shiftStride;
    const T* sc = scale + r * scaleStride;
    for (long long i = threadIdx.x; i < D; i += blockDim.x) {
        const float normed = (toF(xr[i]) - mean) * rstd;
        yr[i] = fromF<T>(normed * (1.0f + toF(sc[i])) + toF(sh[i]));
    }
}

template <class T>
__global__ void __launch_bounds__(kVecThreads)
    gatedResidualVecKernel(T* __restrict__ y, const T* __restrict__ x, const T* __restrict__ branch,
                           const T* __restrict__ gate, long long gateStride, RowIndex rows, int D) {
    const long long t = blockIdx.x;
    const T* g = gate + rows.row(t / rows.tokens, t % rows.tokens) * gateStride;
    const long long off = t * D;
    for (int e = threadIdx.x * 8; e < D; e += kVecThreads * 8) {
        float a[8], b[8], gv[8], o[8];
        load8(x + off + e, a);
        load8(branch + off + e, b);
        load8(g + e, gv);
#pragma unroll
        for (int k = 0; k < 8; ++k) o[k] = a[k] + gv[k] * b[k];
        store8(y + off + e, o);
    }
}

// One block per token row: the modulation row is looked up once.
template <class T>
__global__ void gatedResidualKernel(T* __restrict__ y, const T* __restrict__ x, const T* __restrict__ branch,
                                    const T* __restrict__ gate, long long gateStride, RowIndex rows,
                                    long long D) {
    const long long t = blockIdx.x;
    const T* g = gate + rows.row(t / rows.tokens, t % rows.tokens) * gateStride;
    const long long off = t * D;
    for (long long c = threadIdx.x; c < D; c += blockDim.x)
        y[off + c] = fromF<T>(toF(x[off + c]) + toF(g[c]) * toF(branch[off + c]));
}

template <class T>
__global__ void gatherRowsKernel(T* __restrict__ y, const T* __restrict__ table, long long tableStride,
                                 const int32_t* __restrict__ index, long long D, long long n) {
    for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < n;
         i += (long long)gridDim.x * blockDim.x) {
        const long long m = i / D, c = i % D;
        y[i] = table[index[m] * tableStride + c];
    }
}

// The per-location statistics of a norm over channels: Σx and Σx² in float.
struct ChannelSums {
    float sum = 0.0f, sq = 0.0f;
};

// Wan: y = x / max(‖x‖₂ over C, 1e-12) · √C · γ_c.
struct WanChannelNorm {
    const float* gamma;
    float scale;
    __device__ __forceinline__ float2 finish(const ChannelSums& s, long long) const {
        return {fmaxf(sqrtf(s.sq), 1e-12f), 0.0f};
    }
    __device__ __forceinline__ float apply(float2 k, long long c, float v) const {
        return v / k.x * scale * gamma[c];
    }
};

// LTX-2: RMS y = x / sqrt(mean x² + eps); Layer y = (x − μ) / sqrt(var + eps) · w_c + b_c.
struct LtxChannelNorm {
    const float* weight;
    const float* bias;
    bool layer;
    float eps;
    __device__ __forceinline__ float2 finish(const ChannelSums& s, long long C) const {
        const float mean = layer ? s.sum / float(C) : 0.0f;
        const float var = layer ? fmaxf(s.sq / float(C) - mean * mean, 0.0f) : s.sq / float(C);
        return {mean, 1.0f / sqrtf(var + eps)};
    }
    __device__ __forceinline__ float apply(float2 k, long long c, float v) const {
        v = (v - k.x) * k.y;
        return layer ? v * (weight ? weight[c] : 1.0f) + (bias ? bias[c] : 0.0f) : v;
    }
};

// Per (b, location) of x [B, C, S]: the channel sums, Norm::finish's coefficients, then Norm::apply per
// channel, optionally SiLU. One thread per location.
template <class T, class Norm>
__global__ void normOverChannelsKernel(T* __restrict__ y, const T* __restrict__ x, Norm norm, long long C,
                                       long long S, long long total, bool silu) {
    for (long long e = blockIdx.x * (long long)blockDim.x + threadIdx.x; e < total;
         e += (long long)gridDim.x * blockDim.x) {
        const long long b = e / S, s = e % S;
        const T* xp = x + b * C * S + s;
        T* yp = y + b * C * S + s;
        ChannelSums sums;
        for (long long c = 0; c < C; ++c) {
            const float v = toF(xp[c * S]);
            sums.sum += v;
            sums.sq += v * v;
        }
        const float2 k = norm.finish(sums, C);
        for (long long c = 0; c < C; ++c) {
            float v = norm.apply(k, c, toF(xp[c * S]));
            if (silu) v = v / (1.0f + expf(-v));
            yp[c * S] = fromF<T>(v);
        }
    }
}

template <class Norm>
Tensor normOverChannels(const Tensor& x, const Norm& norm, bool silu) {
    const long long B = x.dim(0), C = x.dim(1), S = x.numel() / std::max<long long>(1, B * C);
    Tensor y = Tensor::empty(x.shape(), x.dtype(), x.device());
    const long long total = B * S;
    if (total == 0 || C == 0) return y;
    SV_DISPATCH_FLOAT(x.dtype(), T, {
        normOverChannelsKernel<T, Norm><<<gridFor(total, 128), 128, 0, streamOf(x)>>>(
            static_cast<T*>(y.rawData()), static_cast<const T*>(x.rawData()), norm, C, S, total, silu);
    });
    checkLaunch();
    return y;
}

}  // namespace

Tensor rmsNorm(const Tensor& xIn, const Tensor& weight, float eps) {
    const OpScope opScope("dit.rmsNorm", xIn.device().index);
    const Tensor x = xIn.contiguous();
    const Tensor w = weight.to(x.dtype()).contiguous();
    const long long D = x.dim(-1), rows = D > 0 ? x.numel() / D : 0;
    Tensor y = Tensor::empty(x.shape(), x.dtype(), x.device());
    if (rows == 0) return y;
    const size_t es = dtypeSize(x.dtype());
    if (vectorRows(D, {x.rawData(), w.rawData(), y.rawData()}, {}, es)) {
        SV_DISPATCH_FLOAT(x.dtype(), T, {
            rmsNormVecKernel<T><<<unsigned(rows), kVecThreads, 0, streamOf(x)>>>(
                static_cast<T*>(y.rawData()), static_cast<const T*>(x.rawData()),
                static_cast<const T*>(w.rawData()), int(D), eps);
        });
    } else {
        SV_DISPATCH_FLOAT(x.dtype(), T, {
            rmsNormKernel<T, false><<<unsigned(rows), normThreads(D), 0, streamOf(x)>>>(
                static_cast<T*>(y.rawData()), static_cast<const T*>(x.rawData()),
                static_cast<const T*>(w.rawData()), nullptr, D, eps);
        });
    }
    checkLaunch();
    return y;
}

Tensor offsetRmsNorm(const Tensor& xIn, const Tensor& w, double eps, const Tensor& residual) {
    const OpScope opScope("gemma.rmsNorm", xIn.device().index);
    const Tensor x = xIn.contiguous();
    const Tensor wc = w.to(x.device()).to(x.dtype()).contiguous();
    const Tensor rc = residual.defined() ? residual.to(x.dtype()).contiguous() : Tensor();
    const long long H = x.dim(-1), rows = H > 0 ? x.numel() / H : 0;
    Tensor y = Tensor::empty(x.shape(), x.dtype(), x.device());
    if (rows == 0) return y;
    SV_DISPATCH_FLOAT(x.dtype(), T, {
        rmsNormKernel<T, true><<<unsigned(rows), H >= 1024 ? 256 : 64, 0, streamOf(x)>>>(
            static_cast<T*>(y.rawData()), static_cast<const T*>(x.rawData()),
            static_cast<const T*>(wc.rawData()), rc.defined() ? static_cast<const T*>(rc.rawData()) : nullptr,
            H, float(eps));
    });
    checkLaunch();
    return y;
}

Tensor channelRmsNorm(const Tensor& xIn, const Tensor& gammaIn, bool silu) {
    const OpScope opScope("vae.rmsNorm", xIn.device().index);
    const Tensor x = xIn.contiguous();
    const Tensor gamma = gammaIn.to(x.device()).to(DType::F32).contiguous();
    return normOverChannels(x, WanChannelNorm{gamma.data<float>(), float(std::sqrt(double(x.dim(1))))}, silu);
}

Tensor ltxChannelNorm(const Tensor& xIn, const Tensor& weightIn, const Tensor& biasIn,
                      ops::ltx::ChannelNorm kind, float eps, bool silu) {
    const OpScope opScope("ltx.channelNorm", xIn.device().index);
    const Tensor x = xIn.contiguous();
    const bool layer = kind == ops::ltx::ChannelNorm::Layer;
    auto onDevice = [&](const Tensor& t) {
        return layer && t.defined() ? t.to(x.device()).to(DType::F32).contiguous() : Tensor();
    };
    const Tensor weight = onDevice(weightIn), bias = onDevice(biasIn);
    return normOverChannels(x,
                            LtxChannelNorm{weight.defined() ? weight.data<float>() : nullptr,
                                           bias.defined() ? bias.data<float>() : nullptr, layer, eps},
                            silu);
}

Tensor layerNormModulate(const Tensor& xIn, const Tensor& shiftIn, const Tensor& scaleIn, const Tensor& index,
                         float eps) {
    const OpScope opScope("dit.layerNormModulate", xIn.device().index);
    const Tensor x = xIn.contiguous();
    const long long B = x.dim(0), N = x.dim(1), D = x.dim(2);
    const Tensor shift = rowsOf(shiftIn, x.dtype()), scale = rowsOf(scaleIn, x.dtype());
    const RowIndex rows = rowIndexOf(index, B, N);
    Tensor y = Tensor::empty(x.shape(), x.dtype(), x.device());
    if (B * N == 0) return y;
    if (vectorRows(D, {x.rawData(), shift.rawData(), scale.rawData(), y.rawData()},
                   {shift.strides()[0], scale.strides()[0]}, dtypeSize(x.dtype()))) {
        SV_DISPATCH_FLOAT(x.dtype(), T, {
            layerNormModulateVecKernel<T><<<unsigned(B * N), kVecThreads, 0, streamOf(x)>>>(
                static_cast<T*>(y.rawData()), static_cast<const T*>(x.rawData()),
                static_cast<const T*>(shift.rawData()), shift.strides()[0],
                static_cast<const T*>(scale.rawData()), scale.strides()[0], rows, int(D), eps);
        });
    } else {
        SV_DISPATCH_FLOAT(x.dtype(), T, {
            layerNormModulateKernel<T><<<unsigned(B * N), normThreads(D), 0, streamOf(x)>>>(
                static_cast<T*>(y.rawData()), static_cast<const T*>(x.rawData()),
                static_cast<const T*>(shift.rawData()), shift.strides()[0],
                static_cast<const T*>(scale.rawData()), scale.strides()[0], rows, D, eps);
        });
    }
    checkLaunch();
    return y;
}

Tensor gatedResidual(const Tensor& xIn, const Tensor& branchIn, const Tensor& gateIn, const Tensor& index) {
    const OpScope opScope("dit.gatedResidual", xIn.device().index);
    const Tensor x = xIn.contiguous();
    const Tensor branch = branchIn.to(x.dtype()).contiguous();
    const long long B = x.dim(0), N = x.dim(1), D = x.dim(2);
    const Tensor gate = rowsOf(gateIn, x.dtype());
    const RowIndex rows = rowIndexOf(index, B, N);
    Tensor y = Tensor::empty(x.shape(), x.dtype(), x.device());
    if (x.numel() == 0) return y;
    if (vectorRows(D, {x.rawData(), branch.rawData(), gate.rawData(), y.rawData()}, {gate.strides()[0]},
                   dtypeSize(x.dtype()))) {
        SV_DISPATCH_FLOAT(x.dtype(), T, {
            gatedResidualVecKernel<T><<<unsigned(B * N), kVecThreads, 0, streamOf(x)>>>(
                static_cast<T*>(y.rawData()), static_cast<const T*>(x.rawData()),
                static_cast<const T*>(branch.rawData()), static_cast<const T*>(gate.rawData()),
                gate.strides()[0], rows, int(D));
        });
    } else {
        SV_DISPATCH_FLOAT(x.dtype(), T, {
            gatedResidualKernel<T><<<unsigned(B * N), normThreads(D), 0, streamOf(x)>>>(
                static_cast<T*>(y.rawData()), static_cast<const T*>(x.rawData()),
                static_cast<const T*>(branch.rawData()), static_cast<const T*>(gate.rawData()),
                gate.strides()[0], rows, D);
        });
    }
    checkLaunch();
    return y;
}

Tensor gatherRows(const Tensor& tableIn, const Tensor& indexIn) {
    const OpScope opScope("dit.gatherRows", tableIn.device().index);
    const Tensor table = tableIn.strides()[1] == 1 ? tableIn : tableIn.contiguous();
    const Tensor index = indexIn.to(table.device()).contiguous();
    const long long M = index.numel(), D = table.dim(1);
    Tensor y = Tensor::empty({M, D}, table.dtype(), table.device());
    const long long n = M * D;
    if (n == 0) return y;
    SV_DISPATCH_FLOAT(table.dtype(), T, {
        gatherRowsKernel<T><<<gridFor(n), 256, 0, streamOf(table)>>>(
            static_cast<T*>(y.rawData()), static_cast<const T*>(table.rawData()), table.strides()[0],
            index.data<int32_t>(), D, n);
    });
    checkLaunch();
    return y;
}

}  // namespace sv::cuda
