// CUDA: the DiT's ReLU linear attention (fused relu + RoPE + state accumulation; fused state application and
// normaliser) and the masked cross-attention (batched GEMMs + row softmax, bounded scratch).
#include <algorithm>
#include "cuda/profile.h"

#include "cuda/dit.h"
#include "cuda/gemm.cuh"
#include "cuda/kernels.cuh"

namespace sv::cuda {

namespace {

constexpr int kMaxHeadDim = 128;  // per-thread register tiles cover 8 × 16 dims
constexpr int kStateTile = 32;    // tokens per shared-memory tile of the state kernel
constexpr int kApplyTile = 64;    // tokens per block of the apply kernel

// Partial state of one token chunk of one (sample, head): S[i][j] = Σ_n v[n][i]·k̃[n][j], u[j] = Σ_n k⁺[n][j].
// 256 threads as 16 × 16; thread (ty, tx) owns S rows ty + 16a and columns tx + 16b.
template <class T>
__global__ void __launch_bounds__(256)
    linearStateKernel(const T* __restrict__ k, const T* __restrict__ v, const float* __restrict__ cosT,
                      const float* __restrict__ sinT, float* __restrict__ sPart, float* __restrict__ uPart,
                      long long N, long long C, int heads, int d, long long chunkLen, int chunks) {
    __shared__ float kt[kStateTile * kMaxHeadDim];
    __shared__ float vt[kStateTile * kMaxHeadDim];
    const int bh = blockIdx.y, c = blockIdx.x;
    const long long b = bh / heads, h = bh % heads;
    const long long n0 = c * chunkLen, n1 = N < n0 + chunkLen ? N : n0 + chunkLen;
    const int tx = threadIdx.x & 15, ty = threadIdx.x >> 4;
    const long long base = b * N * C + h * d;
    const int halfD = d / 2;
    float acc[8][8];
#pragma unroll
    for (int a = 0; a < 8; ++a)
#pragma unroll
        for (int e = 0; e < 8; ++e) acc[a][e] = 0.0f;
    float usum = 0.0f;
    for (long long t0 = n0; t0 < n1; t0 += kStateTile) {
        const int cnt = int(n1 - t0 < kStateTile ? n1 - t0 : kStateTile);
        __syncthreads();
        for (int e = threadIdx.x; e < cnt * halfD; e += blockDim.x) {
            const int r = e / halfD, j = (e % halfD) * 2;
            const long long n = t0 + r, off = base + n * C + j;
            const float k1 = fmaxf(toF(k[off]), 0.0f), k2 = fmaxf(toF(k[off + 1]), 0.0f);
            const float cs = cosT[n * d + j], sn = sinT[n * d + j + 1];
            kt[r * d + j] = k1 * cs - k2 * sn;
            kt[r * d + j + 1] = k1 * sn + k2 * cs;
            vt[r * d + j] = toF(v[off]);
            vt[r * d + j + 1] = toF(v[off + 1]);
        }
        if (threadIdx.x < d)
            for (int r = 0; r < cnt; ++r) usum += fmaxf(toF(k[base + (t0 + r) * C + threadIdx.x]), 0.0f);
        __syncthreads();
        for (int r = 0; r < cnt; ++r) {
            float vv[8], kv[8];
#pragma unroll
            for (int a = 0; a < 8; ++a) {
                const int i = ty + 16 * a;
                vv[a] = i < d ? vt[r * d + i] : 0.0f;
            }
#pragma unroll
            for (int e = 0; e < 8; ++e) {
                const int j = tx + 16 * e;
                kv[e] = j < d ? kt[r * d + j] : 0.0f;
            }
#pragma unroll
            for (int a = 0; a < 8; ++a)
#pragma unroll
                for (int e = 0; e < 8; ++e) acc[a][e] = fmaf(vv[a], kv[e], acc[a][e]);
        }
    }
    float* sp = sPart + (size_t(bh) * chunks + c) * size_t(d) * d;
#pragma unroll
    for (int a = 0; a < 8; ++a)
#pragma unroll
        for (int e = 0; e < 8; ++e) {
            const int i = ty + 16 * a, j = tx + 16 * e;
            if (i < d && j < d) sp[i * d + j] = acc[a][e];
        }
    if (threadIdx.x < d) uPart[(size_t(bh) * chunks + c) * d + threadIdx.x] = usum;
}

// Sums the chunk partials in chunk order: out[bh][e] = Σ_c part[bh][c][e] (e < per).
__global__ void reduceChunksKernel(float* __restrict__ out, const float* __restrict__ part, int chunks,
                                   long long per, long long total) {
    for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < total;
         i += (long long)gridDim.x * blockDim.x) {
        const long long bh = i / per, e = i % per;
        const float* p = part + bh * chunks * per + e;
        float s = 0.0f;
        for (int c = 0; c < chunks; ++c) s += p[c * per];
        out[i] = s;
    }
}

// o[n][i] = (Σ_j q̃[n][j]·S[i][j]) / (u·q⁺[n] + 1e-15) for a tile of kApplyTile tokens of one (sample, head).
// Thread (ty, tx) owns tokens ty + 16a and dims tx + 16b.
template <class T>
__global__ void __launch_bounds__(256)
    linearApplyKernel(T* __restrict__ out, const T* __restrict__ q, const float* __restrict__ S,
                      const float* __restrict__ u, const float* __restrict__ cosT,
                      const float* __restrict__ sinT, long long N, long long C, int heads, int d) {
    extern __shared__ float smem[];
    const int dp = d + 1;              // padded rows: conflict-free column walks
    float* Ss = smem;                  // [d][dp]
    float* qs = Ss + d * dp;           // [kApplyTile][dp]
    float* us = qs + kApplyTile * dp;  // [d]
    float* den = us + d;               // [kApplyTile]
    const int bh = blockIdx.y;
    const long long b = bh / heads, h = bh % heads;
    const long long n0 = (long long)blockIdx.x * kApplyTile;
    const long long base = b * N * C + h * d;
    const float* Sg = S + size_t(bh) * d * d;
    for (int e = threadIdx.x; e < d * d; e += blockDim.x) Ss[(e / d) * dp + e % d] = Sg[e];
    for (int e = threadIdx.x; e < d; e += blockDim.x) us[e] = u[size_t(bh) * d + e];
    __syncthreads();
    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, warps = blockDim.x >> 5;
    for (int r = warp; r < kApplyTile; r += warps) {
        const long long n = n0 + r;
        float dsum = 0.0f;
        for (int j = 2 * lane; j < d; j += 64) {
            float q1 = 0.0f, q2 = 0.0f, cs = 1.0f, sn = 0.0f;
            if (n < N) {
                const long long off = base + n * C + j;
                q1 = fmaxf(toF(q[off]), 0.0f);
                q2 = fmaxf(toF(q[off + 1]), 0.0f);
                cs = cosT[n * d + j];
                sn = sinT[n * d + j + 1];
            }
            qs[r * dp + j] = q1 * cs - q2 * sn;
            qs[r * dp + j + 1] = q1 * sn + q2 * cs;
            dsum += us[j] * q1 + us[j + 1] * q2;
        }
        dsum = warpSum(dsum);
        if (lane == 0) den[r] = 1.0f / (dsum + 1e-15f);
    }
    __syncthreads();
    const int tx = threadIdx.x & 15, ty = threadIdx.x >> 4;
    constexpr int kRows = kApplyTile / 16;
    float acc[kRows][8];
#pragma unroll
    for (int a = 0; a < kRows; ++a)
#pragma unroll
        for (int e = 0; e < 8; ++e) acc[a][e] = 0.0f;
    for (int j = 0; j < d; ++j) {
        float qv[kRows], sv[8];
#pragma unroll
        for (int a = 0; a < kRows; ++a) qv[a] = qs[(ty + 16 * a) * dp + j];
#pragma unroll
        for (int e = 0; e < 8; ++e) {
            const int i = tx + 16 * e;
            sv[e] = i < d ? Ss[i * dp + j] : 0.0f;
        }
#pragma unroll
        for (int a = 0; a < kRows; ++a)
#pragma unroll
            for (int e = 0; e < 8; ++e) acc[a][e] = fmaf(qv[a], sv[e], acc[a][e]);
    }
#pragma unroll
    for (int a = 0; a < kRows; ++a) {
        const int r = ty + 16 * a;
        const long long n = n0 + r;
        if (n >= N) continue;
        const float z = den[r];
#pragma unroll
        for (int e = 0; e < 8; ++e) {
            const int i = tx + 16 * e;
            if (i < d) out[base + n * C + i] = fromF<T>(acc[a][e] * z);
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
    SV_ASSERT_MSG(d % 2 == 0 && d <= kMaxHeadDim, op, ": head dim ", d, " (even, ≤ ", kMaxHeadDim, ")");
    SV_ASSERT_MSG(rope.cos.rank() == 2 && rope.cos.dim(0) == N && rope.cos.dim(1) == d, op, ": RoPE tables ",
                  rope.cos.describe(), " for ", N, " tokens of head dim ", d);
    const Tensor cosT = rope.cos.to(q.device()).to(DType::F32).contiguous();
    const Tensor sinT = rope.sin.to(q.device()).to(DType::F32).contiguous();
    Tensor out = Tensor::empty(q.shape(), dt, q.device());
    if (B * N == 0) return out;
    const int dev = q.device().index;
    cudaStream_t stream = streamOf(q);
    const long long BH = B * heads;

    // Token chunks per (sample, head): enough blocks to fill the GPU about four times over.
    const long long tiles = (N + kStateTile - 1) / kStateTile;
    long long chunks = std::clamp<long long>((4LL * multiprocessors(dev) + BH - 1) / BH, 1, tiles);
    const long long chunkLen = ((tiles + chunks - 1) / chunks) * kStateTile;
    chunks = (N + chunkLen - 1) / chunkLen;
    Tensor sPart = Tensor::empty({BH, chunks, d, d}, DType::F32, q.device());
    Tensor uPart = Tensor::empty({BH, chunks, d}, DType::F32, q.device());
    Tensor S = Tensor::empty({BH, d, d}, DType::F32, q.device());
    Tensor u = Tensor::empty({BH, d}, DType::F32, q.device());
    SV_DISPATCH_FLOAT(dt, T, {
        linearStateKernel<T><<<dim3(unsigned(chunks), unsigned(BH)), 256, 0, stream>>>(
            static_cast<const T*>(k.rawData()), static_cast<const T*>(v.rawData()), cosT.data<float>(),
            sinT.data<float>(), sPart.data<float>(), uPart.data<float>(), N, C, heads, d, chunkLen,
            int(chunks));
    });
    checkLaunch();
    reduceChunksKernel<<<gridFor(BH * d * d), 256, 0, stream>>>(S.data<float>(), sPart.data<float>(),
                                                                int(chunks), (long long)d * d, BH * d * d);
    checkLaunch();
    reduceChunksKernel<<<gridFor(BH * d), 256, 0, stream>>>(u.data<float>(), uPart.data<float>(), int(chunks),
                                                            d, BH * d);
    checkLaunch();
    const size_t smem = size_t(d * (d + 1) + kApplyTile * (d + 1) + d + kApplyTile) * sizeof(float);
    SV_DISPATCH_FLOAT(dt, T, {
        SV_CUDA_CHECK(cudaFuncSetAttribute(linearApplyKernel<T>, cudaFuncAttributeMaxDynamicSharedMemorySize,
                                           int(smem)));
        linearApplyKernel<T>
            <<<dim3(unsigned((N + kApplyTile - 1) / kApplyTile), unsigned(BH)), 256, smem, stream>>>(
                static_cast<T*>(out.rawData()), static_cast<const T*>(q.rawData()), S.data<float>(),
                u.data<float>(), cosT.data<float>(), sinT.data<float>(), N, C, heads, d);
    });
    checkLaunch();
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
