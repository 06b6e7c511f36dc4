// CUDA: the DiT's ReLU linear attention (the stateless case of dit_causal_attention.cu) and the masked
// cross-attention (the fused kernel of dit_cross_attention.cu for 16-bit activations; batched GEMMs + row
// softmax with bounded scratch for F32 and as the fallback).
#include <algorithm>
#include "cuda/profile.h"

#include "cuda/dit.h"
#include "cuda/dit_causal.h"
#include "cuda/dit_cross_attention.cuh"
#include "cuda/gemm.cuh"
#include "cuda/kernels.cuh"

namespace sv::cuda {

namespace {

// P[row][l] = softmax_l(S[row][l]·scale + bias[l]) for rows of L scores (row stride ld), one warp per row.
// P may alias S when both are float.
template <class T>
__global__ void softmaxRowsKernel(T* P, const float* S, const float* __restrict__ bias, long long rows, int L,
                                  int ld, float scale) {
    const long long row = (long long)blockIdx.x * (blockDim.x >> 5) + (threadIdx.x >> 5);
    const int lane = threadIdx.x & 31;
    if (row >= rows) return;
    const float* s = S + row * ld;
    float m = -INFINITY;
    for (int l = lane; l < L; l += 32) m = fmaxf(m, s[l] * scale + (bias ? bias[l] : 0.0f));
    m = warpMax(m);
    float sum = 0.0f;
    for (int l = lane; l < L; l += 32) sum += expf(s[l] * scale + (bias ? bias[l] : 0.0f) - m);
    sum = warpSum(sum);
    const float inv = 1.0f / sum;
    T* p = P + row * ld;
    for (int l = lane; l < L; l += 32) {
        const float e = expf(s[l] * scale + (bias ? bias[l] : 0.0f) - m);
        p[l] = fromF<T>(e * inv);
    }
}

}  // namespace

Tensor ditReluLinearAttention(const Tensor& q, const Tensor& k, const Tensor& v, int heads,
                              const ops::dit::RopeTables& rope) {
    return ditReluLinearAttentionCached(q, k, v, heads, rope, nullptr, nullptr);
}

Tensor ditCrossAttention(const Tensor& qIn, const Tensor& kIn, const Tensor& vIn, int heads,
                         const Tensor& biasIn) {
    const OpScope opScope("dit.crossAttention", qIn.device().index);
    const char* op = "CUDA crossAttention";
    SV_ASSERT_MSG(qIn.device().isCuda() && qIn.rank() == 3 && kIn.rank() == 3 && vIn.shape() == kIn.shape() &&
                      kIn.dim(0) == qIn.dim(0) && kIn.dim(2) == qIn.dim(2) && heads > 0 &&
                      qIn.dim(2) % heads == 0,
                  op, ": q ", qIn.describe(), ", k ", kIn.describe(), ", v ", vIn.describe());
    const DType dt = qIn.dtype();
    const Tensor q = qIn.contiguous(), k = kIn.to(dt).contiguous(), v = vIn.to(dt).contiguous();
    const long long B = q.dim(0), N = q.dim(1), L = k.dim(1), C = q.dim(2), d = C / heads;
    Tensor bias;
    if (biasIn.defined()) {
        SV_ASSERT_MSG(biasIn.rank() == 2 && biasIn.dim(0) == B && biasIn.dim(1) == L, op, ": bias ",
                      biasIn.describe(), " for ", B, " samples of ", L, " keys");
        bias = biasIn.to(q.device()).to(DType::F32).contiguous();
    }
    Tensor out = Tensor::empty(q.shape(), dt, q.device());
    if (B * N == 0 || L == 0) return out;
    const int dev = q.device().index;
    cudaStream_t stream = streamOf(q);
    const float scale = float(1.0 / std::sqrt(double(d)));
    if (dt == DType::BF16 || dt == DType::F16) {
        // The fused tensor-core kernel (dit_cross_attention.cu); it declines shapes it does not support.
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
    const long long budget = (256LL << 20) / (long long)sizeof(float);
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
            SV_DISPATCH_FLOAT(dt, T, {
                softmaxRowsKernel<T><<<unsigned((rows + 7) / 8), 256, 0, stream>>>(
                    static_cast<T*>(probs.rawData()), scores.data<float>(),
                    bias.defined() ? bias.data<float>() + b * L : nullptr, rows, int(L), int(Lp), scale);
            });
            checkLaunch();
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

}  // namespace sv::cuda
