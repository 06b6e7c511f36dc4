// CUDA ReLU linear attention of the SANA-Video transformer (diffusers SanaLinearAttnProcessor3_0; contract in
// ops/dit_attention.h) and its LongSANA form with a carried state (ops/dit_causal_attention.h: the same
// steps, the past state added in fp32). Two prep kernels and cuBLASLt GEMMs, in four steps:
//   1. k̃ = RoPE(relu(k)) in the activation dtype, and u = Σ_n relu(k_n) (unrotated) as per-chunk partial sums
//      reduced in chunk order (deterministic); `own` takes u, then u += past.kSum;
//   2. q̃' = RoPE(relu(q)) / (u · relu(q) + 1e-15): the normaliser, with the UNROTATED query, folded into the
//      query, one warp per (token, head);
//   3. the state S_h = V_hᵀ K̃_h per head, a GEMM batched over the heads (fp32 accumulation and output),
//      stored in the CPU's layout S[b, h, value i, key j] so that carried states are interchangeable;
//      `own` takes S, then S += past.vk;
//   4. out_h = S_h · q̃'_h, a batched GEMM in the activation dtype (S rounded to it first).
// Limits (cuda/ops.h): head dim even and ≤ kMaxLinearHeadDim, width ≤ kMaxLinearWidth.
#include <algorithm>

#include "cuda/gemm.cuh"
#include "cuda/kernels.cuh"
#include "cuda/ops.h"
#include "cuda/profile.h"
#include "cuda/rope.cuh"

namespace sv::cuda {

namespace {

constexpr int kKeyThreads = 256;
constexpr int kMaxPairsPerThread = 8;  // C ≤ 2 · 8 · 256 = 4096 channels
static_assert(2 * kMaxPairsPerThread * kKeyThreads == kMaxLinearWidth, "the key prep covers the widest row");

// k̃ = RoPE(relu(k)) (in k's dtype) and partial sums of relu(k) (unrotated) over a chunk of tokens:
// uPart[b][chunk][c]. Grid (chunk, b); thread t owns channel pairs t, t + blockDim, ...
template <class T>
__global__ void __launch_bounds__(kKeyThreads)
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
            const float2 r = ropePair(k1, k2, cosT[n * d + j], sinT[n * d + j + 1]);
            kt[row + c] = fromF<T>(r.x);
            kt[row + c + 1] = fromF<T>(r.y);
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
    static_assert(2 * 32 * kPairs == kMaxLinearHeadDim, "one warp covers the largest head");
    float r1[kPairs], r2[kPairs], q1[kPairs], q2[kPairs];
    float den = 0.0f;
#pragma unroll
    for (int i = 0; i < kPairs; ++i) {
        const int j = 2 * (lane + 32 * i);
        r1[i] = r2[i] = q1[i] = q2[i] = 0.0f;
        if (j < d) {
            q1[i] = fmaxf(toF(q[base + j]), 0.0f);
            q2[i] = fmaxf(toF(q[base + j + 1]), 0.0f);
            const float2 r = ropePair(q1[i], q2[i], cosT[n * d + j], sinT[n * d + j + 1]);
            r1[i] = r.x;
            r2[i] = r.y;
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

int multiprocessors(int device) {
    int n = 0;
    SV_CUDA_CHECK(cudaDeviceGetAttribute(&n, cudaDevAttrMultiProcessorCount, device));
    return std::max(1, n);
}

// dst[i] += src[i] (float32: the reference adds the cached state in fp32).
__global__ void addIntoKernel(float* __restrict__ dst, const float* __restrict__ src, long long n) {
    for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < n;
         i += (long long)gridDim.x * blockDim.x)
        dst[i] += src[i];
}

void addInto(Tensor& dst, const Tensor& src, cudaStream_t stream) {
    addIntoKernel<<<gridFor(dst.numel()), 256, 0, stream>>>(dst.data<float>(), src.data<float>(),
                                                            dst.numel());
    checkLaunch();
}

// The past state on q's device in F32 (undefined when absent); the entry point checked its shapes.
ops::dit::LinearAttentionState devicePast(const ops::dit::LinearAttentionState* past, Device device) {
    if (past == nullptr || !past->defined()) return {};
    return {past->vk.to(device).to(DType::F32).contiguous(),
            past->kSum.to(device).to(DType::F32).contiguous()};
}

// 1. k̃ = RoPE(relu(k)) into kt and u = Σ relu(k) (fixed-order chunk sums, deterministic) into u [B, C].
void prepareKeys(const Tensor& k, const Tensor& cosT, const Tensor& sinT, int d, Tensor& kt, Tensor& u) {
    const long long B = k.dim(0), N = k.dim(1), C = k.dim(2);
    cudaStream_t stream = streamOf(k);
    const long long chunks =
        std::clamp<long long>((4LL * multiprocessors(k.device().index) + B - 1) / B, 1, N);
    const long long chunkLen = (N + chunks - 1) / chunks;
    const long long usedChunks = (N + chunkLen - 1) / chunkLen;
    Tensor uPart = Tensor::empty({B, usedChunks, C}, DType::F32, k.device());
    SV_DISPATCH_FLOAT(k.dtype(), T, {
        linearKeyPrepKernel<T><<<dim3(unsigned(usedChunks), unsigned(B)), kKeyThreads, 0, stream>>>(
            static_cast<T*>(kt.rawData()), uPart.data<float>(), static_cast<const T*>(k.rawData()),
            cosT.data<float>(), sinT.data<float>(), N, int(C), d, chunkLen, int(usedChunks));
    });
    checkLaunch();
    reduceChunksKernel<<<gridFor(B * C), 256, 0, stream>>>(u.data<float>(), uPart.data<float>(),
                                                           int(usedChunks), int(C), B * C);
    checkLaunch();
}

// 3. S[b, h] row-major [value i][key j] = Σ_n v[n, i] k̃[n, j] (fp32 accumulation and output), batched over
// the heads per sample. Column-major that is D[j, i] = Σ_n k̃[n, j] v[n, i] (m = key dims, n = value dims).
void chunkState(const Tensor& v, const Tensor& kt, int heads, int d, Tensor& S) {
    const long long B = v.dim(0), N = v.dim(1), C = v.dim(2);
    const DType dt = v.dtype();
    const size_t es = dtypeSize(dt);
    for (long long b = 0; b < B; ++b) {
        GemmSpec s;
        s.m = d, s.n = d, s.k = N;
        s.a = {static_cast<const char*>(kt.rawData()) + size_t(b * N * C) * es, dt, C, d, false};
        s.b = {static_cast<const char*>(v.rawData()) + size_t(b * N * C) * es, dt, C, d, true};
        s.d = S.data<float>() + b * heads * d * d, s.dType = DType::F32, s.ldd = d, s.batchStrideD = d * d;
        s.batch = heads;
        gemm(s, v.device().index);
    }
}

// 4. out_h = S_h · q̃'_h (column-major: d × N, ld C) in the activation dtype; S_h row-major [i][j] is the
// transpose of a column-major matrix with ld d, hence op(A) = Aᵀ.
void applyState(const Tensor& S, const Tensor& qt, int heads, int d, Tensor& out) {
    const long long B = qt.dim(0), N = qt.dim(1), C = qt.dim(2);
    const DType dt = qt.dtype();
    const size_t es = dtypeSize(dt);
    const Tensor Sc = S.to(dt);
    for (long long b = 0; b < B; ++b) {
        GemmSpec s;
        s.m = d, s.n = N, s.k = d;
        s.a = {static_cast<const char*>(Sc.rawData()) + size_t(b * heads * d * d) * es, dt, d,
               (long long)d * d, true};
        s.b = {static_cast<const char*>(qt.rawData()) + size_t(b * N * C) * es, dt, C, d, false};
        s.d = static_cast<char*>(out.rawData()) + size_t(b * N * C) * es, s.dType = dt, s.ldd = C,
        s.batchStrideD = d;
        s.batch = heads;
        gemm(s, qt.device().index);
    }
}

}  // namespace

Tensor reluLinearAttention(const Tensor& qIn, const Tensor& kIn, const Tensor& vIn, int heads,
                           const ops::dit::RopeTables& rope, const ops::dit::LinearAttentionState* past,
                           ops::dit::LinearAttentionState* own) {
    const OpScope opScope("dit.reluLinearAttention", qIn.device().index);
    const DType dt = qIn.dtype();
    const Tensor q = qIn.contiguous(), k = kIn.to(dt).contiguous(), v = vIn.to(dt).contiguous();
    const long long B = q.dim(0), N = q.dim(1), C = q.dim(2);
    const int d = int(C / heads);
    SV_ASSERT(d % 2 == 0 && d <= kMaxLinearHeadDim && C <= kMaxLinearWidth);  // supports() admitted these
    const ops::dit::LinearAttentionState pastD = devicePast(past, q.device());
    const Tensor cosT = rope.cos.to(q.device()).to(DType::F32).contiguous();
    const Tensor sinT = rope.sin.to(q.device()).to(DType::F32).contiguous();
    Tensor out = Tensor::empty(q.shape(), dt, q.device());
    if (B * N == 0) {  // no tokens: nothing to attend, a zero contribution
        if (own != nullptr)
            *own = {Tensor::zeros({B, heads, d, d}, DType::F32, q.device()),
                    Tensor::zeros({B, heads, d}, DType::F32, q.device())};
        return out;
    }
    cudaStream_t stream = streamOf(q);

    // 1. k̃ and u of this call; its own key sum is kept before the past is added.
    Tensor kt = Tensor::empty(q.shape(), dt, q.device());
    Tensor u = Tensor::empty({B, C}, DType::F32, q.device());
    prepareKeys(k, cosT, sinT, d, kt, u);
    if (own != nullptr) own->kSum = u.clone().view({B, heads, d});
    if (pastD.defined()) addInto(u, pastD.kSum, stream);
    // 2. q̃' = RoPE(relu(q)) · z (the normaliser folded in).
    Tensor qt = Tensor::empty(q.shape(), dt, q.device());
    SV_DISPATCH_FLOAT(dt, T, {
        linearQueryPrepKernel<T><<<dim3(unsigned((N * heads + 7) / 8), unsigned(B)), 256, 0, stream>>>(
            static_cast<T*>(qt.rawData()), static_cast<const T*>(q.rawData()), u.data<float>(),
            cosT.data<float>(), sinT.data<float>(), N, int(C), heads, d);
    });
    checkLaunch();
    // 3. S = S_c (+ past.vk); own: S_c.
    Tensor S = Tensor::empty({B, heads, d, d}, DType::F32, q.device());
    chunkState(v, kt, heads, d, S);
    if (own != nullptr) own->vk = S.clone();
    if (pastD.defined()) addInto(S, pastD.vk, stream);
    // 4. out = S q̃'.
    applyState(S, qt, heads, d, out);
    return out;
}

}  // namespace sv::cuda
