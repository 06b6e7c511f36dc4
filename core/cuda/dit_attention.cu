// CUDA: the DiT's ReLU linear attention (fused relu + RoPE + state accumulation; fused state application and
// normaliser) and the masked cross-attention (the fused kernel of dit_cross_attention.cu for 16-bit
// activations; batched GEMMs + row softmax with bounded scratch for F32 and as the fallback).
#include <algorithm>
#include "cuda/profile.h"

#include "cuda/dit.h"
#include "cuda/dit_cross_attention.cuh"
#include "cuda/gemm.cuh"
#include "cuda/kernels.cuh"

namespace sv::cuda {

namespace {

constexpr int kMaxPairsPerThread = 8;  // C ≤ 2 · 8 · 256 = 4096 channels

// k̃ = RoPE(relu(k)) (in k's dtype) and partial sums of relu(k) (unrotated) over a chunk of tokens:
// uPart[b][chunk][c]. Grid (chunk, b); thread t owns channel pairs t, t + blockDim, ...
template <class T>
__global__ void __launch_bounds__(256)
    linearKeyPrepKernel(T* __restrict__ kt, float* __restrict__ uPart, const T* __restrict__ k,
                        const float* __restrict__ cosT, const float* __restrict__ sinT, long long N, int C,
                        int d, long long chunkLen, int chunks) {
    const long long b = blockIdx.y, chunk = blockIdx.x;
    const long long n0 = chunk * chunkLen, n1 = N < n0 + chunkLen ? N : n0 + chunkLen;
    const int pairs = C / 2;
    float acc[2 * kMaxPairsPerThread];
#pragma unroll
    for (int i = 0; i < 2 * kMaxPairsPerThread; ++i) acc[i] = 0.0f;
    for (long long n = n0; n < n1; ++n) {
        const long long row = (b * N + n) * C;
#pragma unroll
        for (int i = 0; i < kMaxPairsPerThread; ++i) {
            const int p = threadIdx.x + i * blockDim.x;
            if (p >= pairs) break;
            const int c = 2 * p, j = c % d;
            const float k1 = fmaxf(toF(k[row + c]), 0.0f), k2 = fmaxf(toF(k[row + c + 1]), 0.0f);
            const float cs = cosT[n * d + j], sn = sinT[n * d + j + 1];
            kt[row + c] = fromF<T>(k1 * cs - k2 * sn);
            kt[row + c + 1] = fromF<T>(k1 * sn + k2 * cs);
            acc[2 * i] += k1;
            acc[2 * i + 1] += k2;
        }
    }
    float* up = uPart + (b * chunks + chunk) * C;
#pragma unroll
    for (int i = 0; i < kMaxPairsPerThread; ++i) {
        const int p = threadIdx.x + i * blockDim.x;
        if (p >= pairs) break;
        up[2 * p] = acc[2 * i];
        up[2 * p + 1] = acc[2 * i + 1];
    }
}

// u[b][c] = Σ_chunk uPart[b][chunk][c], in chunk order (deterministic).
__global__ void reduceChunksKernel(float* __restrict__ u, const float* __restrict__ uPart, int chunks, int C,
                                   long long total) {
    for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < total;
         i += (long long)gridDim.x * blockDim.x) {
        const long long b = i / C, c = i % C;
        const float* p = uPart + b * chunks * C + c;
        float s = 0.0f;
        for (int ch = 0; ch < chunks; ++ch) s += p[(long long)ch * C];
        u[i] = s;
    }
}

// q̃' = RoPE(relu(q)) / (u · relu(q) + 1e-15) per (token, head): the normaliser (unrotated query) folded into
// the query, so the state application is one plain GEMM. One warp per (b, n, head).
template <class T>
__global__ void linearQueryPrepKernel(T* __restrict__ qt, const T* __restrict__ q,
                                      const float* __restrict__ u, const float* __restrict__ cosT,
                                      const float* __restrict__ sinT, long long N, int C, int heads, int d) {
    // Grid (x: warps over N · heads of one sample, y: sample).
    const long long warp = (long long)blockIdx.x * (blockDim.x >> 5) + (threadIdx.x >> 5);
    const int lane = threadIdx.x & 31;
    if (warp >= N * heads) return;
    const int h = int(warp % heads);
    const long long n = warp / heads, b = blockIdx.y, bn = b * N + n;
    const long long base = bn * C + (long long)h * d;
    const float* ub = u + b * C + (long long)h * d;
    constexpr int kPairs = 4;  // d ≤ 2 · 32 · 4 = 256
    float r1[kPairs], r2[kPairs], q1[kPairs], q2[kPairs];
    float den = 0.0f;
#pragma unroll
    for (int i = 0; i < kPairs; ++i) {
        const int j = 2 * (lane + 32 * i);
        r1[i] = r2[i] = q1[i] = q2[i] = 0.0f;
        if (j < d) {
            q1[i] = fmaxf(toF(q[base + j]), 0.0f);
            q2[i] = fmaxf(toF(q[base + j + 1]), 0.0f);
            const float cs = cosT[n * d + j], sn = sinT[n * d + j + 1];
            r1[i] = q1[i] * cs - q2[i] * sn;
            r2[i] = q1[i] * sn + q2[i] * cs;
            den += ub[j] * q1[i] + ub[j + 1] * q2[i];
        }
    }
    const float z = 1.0f / (warpSum(den) + 1e-15f);
#pragma unroll
    for (int i = 0; i < kPairs; ++i) {
        const int j = 2 * (lane + 32 * i);
        if (j < d) {
            qt[base + j] = fromF<T>(r1[i] * z);
            qt[base + j + 1] = fromF<T>(r2[i] * z);
        }
    }
}

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

int multiprocessors(int device) {
    int n = 0;
    SV_CUDA_CHECK(cudaDeviceGetAttribute(&n, cudaDevAttrMultiProcessorCount, device));
    return std::max(1, n);
}

}  // namespace

Tensor ditReluLinearAttention(const Tensor& qIn, const Tensor& kIn, const Tensor& vIn, int heads,
                              const ops::dit::RopeTables& rope) {
    const OpScope opScope("dit.reluLinearAttention", qIn.device().index);
    const char* op = "CUDA reluLinearAttention";
    SV_ASSERT_MSG(qIn.device().isCuda() && qIn.rank() == 3 && kIn.shape() == qIn.shape() &&
                      vIn.shape() == qIn.shape() && heads > 0 && qIn.dim(2) % heads == 0,
                  op, ": q ", qIn.describe(), ", k ", kIn.describe(), ", v ", vIn.describe());
    const DType dt = qIn.dtype();
    const Tensor q = qIn.contiguous(), k = kIn.to(dt).contiguous(), v = vIn.to(dt).contiguous();
    const long long B = q.dim(0), N = q.dim(1), C = q.dim(2);
    const int d = int(C / heads);
    SV_ASSERT_MSG(d % 2 == 0 && d <= 256 && C <= 2 * kMaxPairsPerThread * 256, op, ": head dim ", d,
                  ", width ", C);
    SV_ASSERT_MSG(rope.cos.rank() == 2 && rope.cos.dim(0) == N && rope.cos.dim(1) == d, op, ": RoPE tables ",
                  rope.cos.describe(), " for ", N, " tokens of head dim ", d);
    const Tensor cosT = rope.cos.to(q.device()).to(DType::F32).contiguous();
    const Tensor sinT = rope.sin.to(q.device()).to(DType::F32).contiguous();
    Tensor out = Tensor::empty(q.shape(), dt, q.device());
    if (B * N == 0) return out;
    const int dev = q.device().index;
    cudaStream_t stream = streamOf(q);

    // 1. k̃ and u = Σ relu(k) (fixed-order chunk sums).
    const long long chunks = std::clamp<long long>((4LL * multiprocessors(dev) + B - 1) / B, 1, N);
    const long long chunkLen = (N + chunks - 1) / chunks;
    const long long usedChunks = (N + chunkLen - 1) / chunkLen;
    Tensor kt = Tensor::empty(q.shape(), dt, q.device());
    Tensor uPart = Tensor::empty({B, usedChunks, C}, DType::F32, q.device());
    Tensor u = Tensor::empty({B, C}, DType::F32, q.device());
    SV_DISPATCH_FLOAT(dt, T, {
        linearKeyPrepKernel<T><<<dim3(unsigned(usedChunks), unsigned(B)), 256, 0, stream>>>(
            static_cast<T*>(kt.rawData()), uPart.data<float>(), static_cast<const T*>(k.rawData()),
            cosT.data<float>(), sinT.data<float>(), N, int(C), d, chunkLen, int(usedChunks));
    });
    checkLaunch();
    reduceChunksKernel<<<gridFor(B * C), 256, 0, stream>>>(u.data<float>(), uPart.data<float>(),
                                                           int(usedChunks), int(C), B * C);
    checkLaunch();
    // 2. q̃' = RoPE(relu(q)) · z (the normaliser folded in).
    Tensor qt = Tensor::empty(q.shape(), dt, q.device());
    SV_DISPATCH_FLOAT(dt, T, {
        linearQueryPrepKernel<T><<<dim3(unsigned((N * heads + 7) / 8), unsigned(B)), 256, 0, stream>>>(
            static_cast<T*>(qt.rawData()), static_cast<const T*>(q.rawData()), u.data<float>(),
            cosT.data<float>(), sinT.data<float>(), N, int(C), heads, d);
    });
    checkLaunch();
    // 3. S_h = V_hᵀ K̃_h (fp32 accumulation and output), batched over heads per sample.
    Tensor S = Tensor::empty({B, heads, d, d}, DType::F32, q.device());
    const size_t es = dtypeSize(dt);
    for (long long b = 0; b < B; ++b) {
        GemmSpec s;
        s.m = d, s.n = d, s.k = N;
        s.a = {static_cast<const char*>(v.rawData()) + size_t(b * N * C) * es, dt, C, d, false};
        s.b = {static_cast<const char*>(kt.rawData()) + size_t(b * N * C) * es, dt, C, d, true};
        s.d = S.data<float>() + b * heads * d * d, s.dType = DType::F32, s.ldd = d, s.batchStrideD = d * d;
        s.batch = heads;
        gemm(s, dev);
    }
    // 4. out_h = S_h · q̃'_h (column-major: d × N, ld C) in the activation dtype.
    const Tensor Sc = S.to(dt);
    for (long long b = 0; b < B; ++b) {
        GemmSpec s;
        s.m = d, s.n = N, s.k = d;
        s.a = {static_cast<const char*>(Sc.rawData()) + size_t(b * heads * d * d) * es, dt, d,
               (long long)d * d, false};
        s.b = {static_cast<const char*>(qt.rawData()) + size_t(b * N * C) * es, dt, C, d, false};
        s.d = static_cast<char*>(out.rawData()) + size_t(b * N * C) * es, s.dType = dt, s.ldd = C,
        s.batchStrideD = d;
        s.batch = heads;
        gemm(s, dev);
    }
    return out;
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
