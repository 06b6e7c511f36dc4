// CUDA softmax attention: the DiT's masked cross-attention (diffusers SanaAttnProcessor2_0), Gemma-2's causal
// grouped-query attention (transformers eager_attention_forward with soft-capping, the sliding window and key
// padding) and the Wan VAE's per-frame single-head attention (diffusers WanAttentionBlock). Contracts in
// ops/dit_attention.h, ops/gemma_attention.h and ops/vae_attention.h.
//   - Cross-attention, BF16/F16: the fused flash kernel (flash_cross_attention.cu) where it applies; F32 (the
//     parity mode) and the shapes it declines: per sample and block of query rows, batched-over-heads GEMMs
//     into fp32 scores [heads, rows, L], the row softmax with the bias (softmax.cuh) and a GEMM with V; the
//     scores stay within 256 MiB.
//   - Gemma: one warp per query row with an online softmax (no L × L matrix); head dim ≤ kMaxCausalHeadDim.
//   - VAE: per frame, a GEMM into fp32 scores over a block of query rows (≤ 256 MiB), the row softmax, a GEMM
//     with V.
#include <algorithm>
#include <cmath>

#include "cuda/flash_cross_attention.cuh"
#include "cuda/gemm.cuh"
#include "cuda/kernels.cuh"
#include "cuda/ops.h"
#include "cuda/profile.h"
#include "cuda/softmax.cuh"

namespace sv::cuda {

namespace {

constexpr long long kScratchBytes = 256LL << 20;
constexpr int kMaxHeadDimPerLane = kMaxCausalHeadDim / 32;  // Gemma: head dims up to 256
static_assert(kMaxHeadDimPerLane * 32 == kMaxCausalHeadDim);
constexpr int kCausalWarps = 8;  // query rows per block of the Gemma kernel

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

}  // namespace

Tensor crossAttention(const Tensor& qIn, const Tensor& kIn, const Tensor& vIn, int heads,
                      const Tensor& biasIn) {
    const OpScope opScope("dit.crossAttention", qIn.device().index);
    const DType dt = qIn.dtype();
    const Tensor q = qIn.contiguous(), k = kIn.to(dt).contiguous(), v = vIn.to(dt).contiguous();
    const long long B = q.dim(0), N = q.dim(1), L = k.dim(1), C = q.dim(2), d = C / heads;
    Tensor bias;
    if (biasIn.defined()) bias = biasIn.to(q.device()).to(DType::F32).contiguous();
    Tensor out = Tensor::empty(q.shape(), dt, q.device());
    if (B * N == 0 || L == 0) return out;
    const int dev = q.device().index;
    cudaStream_t stream = streamOf(q);
    const float scale = float(1.0 / std::sqrt(double(d)));
    if (dt == DType::BF16 || dt == DType::F16) {
        // The fused tensor-core kernel (flash_cross_attention.cu); it declines shapes it does not support.
        const FlashDType fdt = dt == DType::BF16 ? FlashDType::BF16 : FlashDType::F16;
        if (flashCrossAttention(fdt, q.rawData(), k.rawData(), v.rawData(),
                                bias.defined() ? bias.data<float>() : nullptr, out.rawData(), B, N, L, C,
                                int(heads), scale, stream)) {
            checkLaunch();
            return out;
        }
    }
    // F32 (the parity mode) and shapes the fused kernel declines: GEMM → softmax → GEMM.
    const long long Lp = (L + 7) / 8 * 8;  // 16-byte aligned score rows
    // Query rows per pass: the fp32 scores of all heads within 256 MiB.
    const long long budget = kScratchBytes / (long long)sizeof(float);
    const long long rowsPerPass = std::clamp<long long>(budget / (heads * Lp), 1, N);
    Tensor scores = Tensor::empty({heads, rowsPerPass, Lp}, DType::F32, q.device());
    Tensor probs = dt == DType::F32 ? scores : Tensor::empty({heads, rowsPerPass, Lp}, dt, q.device());
    const size_t es = dtypeSize(dt);
    for (long long b = 0; b < B; ++b) {
        for (long long n0 = 0; n0 < N; n0 += rowsPerPass) {
            const long long nc = std::min(rowsPerPass, N - n0);
            const char* qp = static_cast<const char*>(q.rawData()) + size_t((b * N + n0) * C) * es;
            const char* kp = static_cast<const char*>(k.rawData()) + size_t(b * L * C) * es;
            const char* vp = static_cast<const char*>(v.rawData()) + size_t(b * L * C) * es;
            char* op_ = static_cast<char*>(out.rawData()) + size_t((b * N + n0) * C) * es;
            // scores[h] (column-major L × nc, ld Lp) = K_hᵀ · Q_h.
            GemmSpec s1;
            s1.m = L, s1.n = nc, s1.k = d;
            s1.a = {kp, dt, C, d, true};
            s1.b = {qp, dt, C, d, false};
            s1.d = scores.rawData(), s1.dType = DType::F32, s1.ldd = Lp, s1.batchStrideD = nc * Lp;
            s1.batch = heads;
            gemm(s1, dev);
            const long long rows = heads * nc;
            const OpScope softmaxScope("dit.crossAttention.softmax+pv", dev);
            softmaxRows(dt, probs.rawData(), scores.data<float>(),
                        bias.defined() ? bias.data<float>() + b * L : nullptr, true, rows, L, Lp, scale,
                        stream);
            // out_h (column-major d × nc, ld C) = V_h (d × L, ld C) · P_h (L × nc, ld Lp).
            GemmSpec s2;
            s2.m = d, s2.n = nc, s2.k = L;
            s2.a = {vp, dt, C, d, false};
            s2.b = {probs.rawData(), dt, Lp, nc * Lp, false};
            s2.d = op_, s2.dType = dt, s2.ldd = C, s2.batchStrideD = d;
            s2.batch = heads;
            gemm(s2, dev);
        }
    }
    return out;
}

Tensor causalAttention(const Tensor& qIn, const Tensor& kIn, const Tensor& vIn, const Tensor& keyMask,
                       const ops::GemmaAttentionParams& params) {
    const OpScope opScope("gemma.attention", qIn.device().index);
    const DType dt = qIn.dtype();
    const Tensor q = qIn.contiguous(), k = kIn.to(dt).contiguous(), v = vIn.to(dt).contiguous();
    const long long B = q.dim(0), L = q.dim(1);
    const int Hq = int(q.dim(2)), D = int(q.dim(3)), Hkv = int(k.dim(2));
    SV_ASSERT(D <= kMaxCausalHeadDim);  // supports() admitted it
    const Tensor mask = keyMask.defined() ? keyMask.to(q.device()).contiguous() : Tensor();
    Tensor out = Tensor::empty({B, L, (long long)Hq * D}, dt, q.device());
    const long long rows = B * L * Hq;
    if (rows == 0) return out;
    SV_DISPATCH_FLOAT(dt, T, {
        gemmaAttentionKernel<T>
            <<<unsigned((rows + kCausalWarps - 1) / kCausalWarps), 32 * kCausalWarps, 0, streamOf(q)>>>(
                static_cast<T*>(out.rawData()), static_cast<const T*>(q.rawData()),
                static_cast<const T*>(k.rawData()), static_cast<const T*>(v.rawData()),
                mask.defined() ? reinterpret_cast<const long long*>(mask.rawData()) : nullptr, B, L, Hq, Hkv,
                D, params.scale, params.softcap ? *params.softcap : 1.0f, params.softcap.has_value(),
                params.slidingWindow);
    });
    checkLaunch();
    return out;
}

Tensor frameAttention(const Tensor& qkvIn) {
    const OpScope opScope("vae.attention", qkvIn.device().index);
    const Tensor qkv = qkvIn.contiguous();
    const DType dt = qkv.dtype();
    const long long B = qkv.dim(0), C = qkv.dim(1) / 3, T = qkv.dim(2), S = qkv.dim(3) * qkv.dim(4);
    Tensor out = Tensor::empty({B, C, T, qkv.dim(3), qkv.dim(4)}, dt, qkv.device());
    if (B * C * T * S == 0) return out;
    const float scale = float(1.0 / std::sqrt(double(C)));
    const long long Sp = (S + 7) / 8 * 8;
    const long long rowsPerPass = std::clamp<long long>(kScratchBytes / 4 / Sp, 1, S);
    Tensor scores = Tensor::empty({rowsPerPass, Sp}, DType::F32, qkv.device());
    Tensor probs = dt == DType::F32 ? scores : Tensor::empty({rowsPerPass, Sp}, dt, qkv.device());
    const size_t es = dtypeSize(dt);
    const int dev = qkv.device().index;
    const long long TS = T * S;
    for (long long b = 0; b < B; ++b) {
        for (long long t = 0; t < T; ++t) {
            const char* qb = static_cast<const char*>(qkv.rawData()) + size_t((b * 3 * C * T + t) * S) * es;
            const char* kb = qb + size_t(C * TS) * es;
            const char* vb = qb + size_t(2 * C * TS) * es;
            char* ob = static_cast<char*>(out.rawData()) + size_t((b * C * T + t) * S) * es;
            for (long long r0 = 0; r0 < S; r0 += rowsPerPass) {
                const long long rc = std::min(rowsPerPass, S - r0);
                // scores (column-major S × rc, ld Sp) = K (S × C, ld TS) · Q[r0:]ᵀ
                GemmSpec s1;
                s1.m = S, s1.n = rc, s1.k = C;
                s1.a = {kb, dt, TS, 0, false};
                s1.b = {qb + size_t(r0) * es, dt, TS, 0, true};
                s1.d = scores.rawData(), s1.dType = DType::F32, s1.ldd = Sp;
                gemm(s1, dev);
                softmaxRows(dt, probs.rawData(), scores.data<float>(), nullptr, false, rc, S, Sp, scale,
                            streamOf(qkv));
                // out[:, r0:] (column-major rc × C, ld TS) = Pᵀ (rc × S) · V (S × C, ld TS)
                GemmSpec s2;
                s2.m = rc, s2.n = C, s2.k = S;
                s2.a = {probs.rawData(), dt, Sp, 0, true};
                s2.b = {vb, dt, TS, 0, false};
                s2.d = ob + size_t(r0) * es, s2.dType = dt, s2.ldd = TS;
                gemm(s2, dev);
            }
        }
    }
    return out;
}

}  // namespace sv::cuda
