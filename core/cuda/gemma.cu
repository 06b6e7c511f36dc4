// CUDA: Gemma-2 norms, rotary embedding, attention, embedding lookup and MLP gate.
#include "cuda/gemma.h"
#include "cuda/kernels.cuh"
#include "cuda/linear.h"
#include "cuda/profile.h"

namespace sv::cuda {

namespace {

constexpr int kMaxHeadDimPerLane = 8;  // head dims up to 256

template <class T>
__global__ void gemmaNormKernel(T* __restrict__ y, const T* __restrict__ x, const T* __restrict__ w,
                                const T* __restrict__ residual, long long H, float eps) {
    __shared__ float scratch[32];
    const T* xr = x + blockIdx.x * H;
    T* yr = y + blockIdx.x * H;
    float ss = 0.0f;
    for (long long i = threadIdx.x; i < H; i += blockDim.x) {
        const float v = toF(xr[i]);
        ss += v * v;
    }
    ss = blockSum(ss, scratch);
    const float inv = 1.0f / sqrtf(ss / float(H) + eps);
    const T* rr = residual ? residual + blockIdx.x * H : nullptr;
    for (long long i = threadIdx.x; i < H; i += blockDim.x) {
        float v = (toF(xr[i]) * inv) * (1.0f + toF(w[i]));
        if (rr) v = toF(rr[i]) + v;
        yr[i] = fromF<T>(v);
    }
}

// x [B, L, heads, D], half-split rotation with tables [≥L, D]; one thread per (row, head, d < D/2).
template <class T>
__global__ void gemmaRotaryKernel(T* __restrict__ y, const T* __restrict__ x, const float* __restrict__ cosT,
                                  const float* __restrict__ sinT, long long L, long long heads, long long D,
                                  long long n) {
    const long long half = D / 2;
    for (long long e = blockIdx.x * (long long)blockDim.x + threadIdx.x; e < n;
         e += (long long)gridDim.x * blockDim.x) {
        const long long dd = e % half, rh = e / half, pos = (rh / heads) % L;
        const long long base = rh * D;
        const float x1 = toF(x[base + dd]), x2 = toF(x[base + dd + half]);
        y[base + dd] = fromF<T>(x1 * cosT[pos * D + dd] + (-x2) * sinT[pos * D + dd]);
        y[base + dd + half] = fromF<T>(x2 * cosT[pos * D + dd + half] + x1 * sinT[pos * D + dd + half]);
    }
}

// One warp per query row (b, i, h). Lane l holds dims l, l + 32, ... of q and of the running output.
template <class T>
__global__ void gemmaAttentionKernel(T* __restrict__ out, const T* __restrict__ q, const T* __restrict__ k,
                                     const T* __restrict__ v, const long long* __restrict__ mask, long long B,
                                     long long L, int Hq, int Hkv, int D, float scale, float cap, bool capOn,
                                     long long window) {
    const long long row = (long long)blockIdx.x * (blockDim.x >> 5) + (threadIdx.x >> 5);
    const int lane = threadIdx.x & 31;
    if (row >= B * L * Hq) return;
    const int h = int(row % Hq);
    const long long i = (row / Hq) % L, b = row / (Hq * L);
    const int kvh = h / (Hq / Hkv);
    const long long qStride = (long long)Hq * D, kvStride = (long long)Hkv * D;
    const T* qr = q + (b * L + i) * qStride + (long long)h * D;
    const T* kb = k + b * L * kvStride + (long long)kvh * D;
    const T* vb = v + b * L * kvStride + (long long)kvh * D;
    const long long* mb = mask ? mask + b * L : nullptr;
    float qv[kMaxHeadDimPerLane], acc[kMaxHeadDimPerLane];
#pragma unroll
    for (int r = 0; r < kMaxHeadDimPerLane; ++r) {
        const int dd = lane + 32 * r;
        qv[r] = dd < D ? toF(qr[dd]) : 0.0f;
        acc[r] = 0.0f;
    }
    const long long lo = window > 0 ? (i - window + 1 > 0 ? i - window + 1 : 0) : 0;
    float m = -INFINITY, sum = 0.0f;
    bool any = false;
    for (long long j = lo; j <= i; ++j) {
        if (mb && mb[j] == 0) continue;
        const T* kr = kb + j * kvStride;
        float part = 0.0f;
#pragma unroll
        for (int r = 0; r < kMaxHeadDimPerLane; ++r) {
            const int dd = lane + 32 * r;
            if (dd < D) part += qv[r] * toF(kr[dd]);
        }
        float s = warpSum(part) * scale;
        if (capOn) s = tanhf(s / cap) * cap;
        any = true;
        const float mNew = fmaxf(m, s);
        const float corr = expf(m - mNew);  // 0 on the first key (m = −∞)
        const float p = expf(s - mNew);
        sum = sum * corr + p;
        const T* vr = vb + j * kvStride;
#pragma unroll
        for (int r = 0; r < kMaxHeadDimPerLane; ++r) {
            const int dd = lane + 32 * r;
            if (dd < D) acc[r] = acc[r] * corr + p * toF(vr[dd]);
        }
        m = mNew;
    }
    T* orow = out + (b * L + i) * qStride + (long long)h * D;
    if (!any) {
        // No visible key: every score at float's minimum in the reference, i.e. the mean of all L values.
#pragma unroll
        for (int r = 0; r < kMaxHeadDimPerLane; ++r) {
            const int dd = lane + 32 * r;
            if (dd >= D) continue;
            float s = 0.0f;
            for (long long j = 0; j < L; ++j) s += toF(vb[j * kvStride + dd]);
            orow[dd] = fromF<T>(s / float(L));
        }
        return;
    }
    const float inv = 1.0f / sum;
#pragma unroll
    for (int r = 0; r < kMaxHeadDimPerLane; ++r) {
        const int dd = lane + 32 * r;
        if (dd < D) orow[dd] = fromF<T>(acc[r] * inv);
    }
}

template <class T>
__global__ void embedKernel(T* __restrict__ y, const T* __restrict__ table, const long long* __restrict__ ids,
                            long long H, float scale, long long n) {
    for (long long e = blockIdx.x * (long long)blockDim.x + threadIdx.x; e < n;
         e += (long long)gridDim.x * blockDim.x) {
        const long long t = e / H, h = e % H;
        y[e] = fromF<T>(toF(table[ids[t] * H + h]) * scale);
    }
}

template <class T>
__global__ void geluGateKernel(T* y, const T* g, const T* __restrict__ u, long long n) {  // y may alias g
    constexpr float kBeta = 0.7978845608028654f;                                          // √(2/π)
    constexpr float kKappa = 0.044715f;
    for (long long e = blockIdx.x * (long long)blockDim.x + threadIdx.x; e < n;
         e += (long long)gridDim.x * blockDim.x) {
        const float x = toF(g[e]);
        const float gelu = 0.5f * x * (1.0f + tanhf(kBeta * (x + kKappa * (x * x * x))));
        y[e] = fromF<T>(gelu * toF(u[e]));
    }
}

}  // namespace

Tensor gemmaRmsNorm(const Tensor& xIn, const Tensor& w, double eps, const Tensor& residual) {
    const OpScope opScope("gemma.rmsNorm", xIn.device().index);
    SV_ASSERT_MSG(xIn.device().isCuda() && xIn.rank() >= 1 && w.numel() == xIn.dim(-1),
                  "CUDA gemmaRmsNorm: x ", xIn.describe(), " w ", w.describe());
    const Tensor x = xIn.contiguous();
    const Tensor wc = w.to(x.device()).to(x.dtype()).contiguous();
    Tensor rc;
    if (residual.defined()) {
        SV_ASSERT_MSG(residual.shape() == x.shape(), "CUDA gemmaNormResidual: residual ", residual.describe(),
                      " vs x ", x.describe());
        rc = residual.to(x.dtype()).contiguous();
    }
    const long long H = x.dim(-1), rows = H > 0 ? x.numel() / H : 0;
    Tensor y = Tensor::empty(x.shape(), x.dtype(), x.device());
    if (rows == 0) return y;
    SV_DISPATCH_FLOAT(x.dtype(), T, {
        gemmaNormKernel<T><<<unsigned(rows), H >= 1024 ? 256 : 64, 0, streamOf(x)>>>(
            static_cast<T*>(y.rawData()), static_cast<const T*>(x.rawData()),
            static_cast<const T*>(wc.rawData()), rc.defined() ? static_cast<const T*>(rc.rawData()) : nullptr,
            H, float(eps));
    });
    checkLaunch();
    return y;
}

Tensor gemmaApplyRotary(const Tensor& xIn, const ops::GemmaRotary& tables) {
    const OpScope opScope("gemma.rotary", xIn.device().index);
    SV_ASSERT_MSG(xIn.device().isCuda() && xIn.rank() == 4 && xIn.dim(3) % 2 == 0 && tables.cos.rank() == 2 &&
                      tables.cos.dim(1) == xIn.dim(3) && tables.cos.dim(0) >= xIn.dim(1),
                  "CUDA gemmaApplyRotary: x ", xIn.describe(), " tables ", tables.cos.describe());
    const Tensor x = xIn.contiguous();
    const Tensor c = tables.cos.to(x.device()).to(DType::F32).contiguous();
    const Tensor s = tables.sin.to(x.device()).to(DType::F32).contiguous();
    Tensor y = Tensor::empty(x.shape(), x.dtype(), x.device());
    const long long n = x.numel() / 2;
    if (n == 0) return y;
    SV_DISPATCH_FLOAT(x.dtype(), T, {
        gemmaRotaryKernel<T><<<gridFor(n), 256, 0, streamOf(x)>>>(
            static_cast<T*>(y.rawData()), static_cast<const T*>(x.rawData()), c.data<float>(),
            s.data<float>(), x.dim(1), x.dim(2), x.dim(3), n);
    });
    checkLaunch();
    return y;
}

Tensor gemmaAttention(const Tensor& qIn, const Tensor& kIn, const Tensor& vIn, const Tensor& keyMask,
                      const ops::GemmaAttentionParams& params) {
    const OpScope opScope("gemma.attention", qIn.device().index);
    SV_ASSERT_MSG(qIn.device().isCuda() && qIn.rank() == 4 && kIn.rank() == 4 && vIn.shape() == kIn.shape(),
                  "CUDA gemmaAttention: q ", qIn.describe(), ", k ", kIn.describe());
    const DType dt = qIn.dtype();
    const Tensor q = qIn.contiguous(), k = kIn.to(dt).contiguous(), v = vIn.to(dt).contiguous();
    const long long B = q.dim(0), L = q.dim(1);
    const int Hq = int(q.dim(2)), D = int(q.dim(3)), Hkv = int(k.dim(2));
    SV_ASSERT_MSG(k.dim(0) == B && k.dim(1) == L && k.dim(3) == D && Hkv > 0 && Hq % Hkv == 0 &&
                      D <= 32 * kMaxHeadDimPerLane,
                  "CUDA gemmaAttention: q ", q.describe(), " vs k ", k.describe());
    SV_ASSERT(!params.softcap || *params.softcap > 0.0f);
    Tensor mask;
    if (keyMask.defined()) {
        SV_ASSERT_MSG(keyMask.dtype() == DType::I64 && keyMask.rank() == 2 && keyMask.dim(0) == B &&
                          keyMask.dim(1) == L,
                      "CUDA gemmaAttention: keyMask ", keyMask.describe());
        mask = keyMask.to(q.device()).contiguous();
    }
    Tensor out = Tensor::empty({B, L, (long long)Hq * D}, dt, q.device());
    const long long rows = B * L * Hq;
    if (rows == 0) return out;
    SV_DISPATCH_FLOAT(dt, T, {
        gemmaAttentionKernel<T><<<unsigned((rows + 7) / 8), 256, 0, streamOf(q)>>>(
            static_cast<T*>(out.rawData()), static_cast<const T*>(q.rawData()),
            static_cast<const T*>(k.rawData()), static_cast<const T*>(v.rawData()),
            mask.defined() ? reinterpret_cast<const long long*>(mask.rawData()) : nullptr, B, L, Hq, Hkv, D,
            params.scale, params.softcap ? *params.softcap : 1.0f, params.softcap.has_value(),
            params.slidingWindow);
    });
    checkLaunch();
    return out;
}

Tensor gemmaEmbed(const Tensor& table, const Tensor& idsIn, float scale) {
    const OpScope opScope("gemma.embed", table.device().index);
    SV_ASSERT_MSG(table.device().isCuda() && table.rank() == 2 && idsIn.dtype() == DType::I64,
                  "CUDA gemmaEmbed: table ", table.describe(), " ids ", idsIn.describe());
    const Tensor t = table.contiguous();
    const Tensor ids = idsIn.to(t.device()).contiguous();
    const long long H = t.dim(1);
    Shape shape = idsIn.shape();
    shape.push_back(H);
    Tensor y = Tensor::empty(shape, t.dtype(), t.device());
    const long long n = y.numel();
    if (n == 0) return y;
    SV_DISPATCH_FLOAT(t.dtype(), T, {
        embedKernel<T><<<gridFor(n), 256, 0, streamOf(t)>>>(
            static_cast<T*>(y.rawData()), static_cast<const T*>(t.rawData()),
            reinterpret_cast<const long long*>(ids.rawData()), H, scale, n);
    });
    checkLaunch();
    return y;
}

Tensor geluTanhGate(const Tensor& gateIn, const Tensor& upIn) {
    const OpScope opScope("gemma.geluGate", gateIn.device().index);
    SV_ASSERT_MSG(gateIn.device().isCuda() && upIn.shape() == gateIn.shape(), "CUDA geluTanhGate: gate ",
                  gateIn.describe(), " up ", upIn.describe());
    const Tensor g = gateIn.contiguous(), u = upIn.to(g.dtype()).contiguous();
    Tensor y = Tensor::empty(g.shape(), g.dtype(), g.device());
    const long long n = g.numel();
    if (n == 0) return y;
    SV_DISPATCH_FLOAT(g.dtype(), T, {
        geluGateKernel<T><<<gridFor(n), 256, 0, streamOf(g)>>>(static_cast<T*>(y.rawData()),
                                                               static_cast<const T*>(g.rawData()),
                                                               static_cast<const T*>(u.rawData()), n);
    });
    checkLaunch();
    return y;
}

Tensor gemmaMlp(const Tensor& x, const Tensor& gateW, const Tensor& upW, const Tensor& downW) {
    const OpScope opScope("gemma.mlp", x.device().index);
    Tensor g = linear(x, gateW, Tensor());
    {
        const Tensor u = linear(x, upW, Tensor());
        const long long n = g.numel();
        // In place: g ← gelu_tanh(g) · u (each element read before it is written by the same thread).
        SV_DISPATCH_FLOAT(g.dtype(), T, {
            geluGateKernel<T><<<gridFor(n), 256, 0, streamOf(g)>>>(static_cast<T*>(g.rawData()),
                                                                   static_cast<const T*>(g.rawData()),
                                                                   static_cast<const T*>(u.rawData()), n);
        });
        checkLaunch();
    }
    return linear(g, downW, Tensor());
}

}  // namespace sv::cuda
