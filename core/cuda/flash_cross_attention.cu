// CUDA: fused flash-style cross-attention for BF16/F16 activations (FlashAttention-2 scheme on mma.sync).
//
// One CTA per (query tile of 128 rows, head, sample), 8 warps of 16 query rows each. The CTA stages its query
// tile once, then streams the head's keys and values in chunks of 64 (cp.async, double-buffered, keys ≥ L
// and padded head-dim columns zero-filled) together with the chunk's bias (log2 domain, −∞ past L). Per
// chunk each warp computes S = Q Kᵀ with m16n8k16 tensor-core MMAs (fp32 accumulation), updates its rows'
// running max and sum (online softmax in fp32, exp2), rounds P = exp(S − max) to the activation dtype and
// reuses it straight from the accumulator registers as the A operand of O += P V (fp32 accumulation). The
// scores never leave registers; O is divided by the row sum once, rounded, staged in shared memory and
// written with 16-byte stores.
#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include <cstdint>
#include <type_traits>

#include "cuda/flash_cross_attention.cuh"
#include "cuda/mma.cuh"

namespace sv::cuda {

namespace {

constexpr int kWarps = 8;
constexpr int kThreads = 32 * kWarps;
constexpr int kRows = 16 * kWarps;  // query rows per CTA
constexpr int kKeys = 64;           // keys per chunk
constexpr float kLog2e = 1.4426950408889634f;

// Padded head dim DP (a multiple of 16); rows of DP + 8 elements keep ldmatrix free of bank conflicts.
template <int DP>
struct Layout {
    static constexpr int ld = DP + 8;
    static constexpr int vecs = DP / 8;                  // 16-byte vectors per padded row
    static constexpr bool qInRegisters = DP <= 32;       // larger DP: ldmatrix Q per chunk (no spills)
    static constexpr int minBlocks = DP <= 128 ? 2 : 1;  // 128 registers per thread at 2
    static constexpr size_t qBytes = size_t(kRows) * ld * 2;
    static constexpr size_t kvBytes = size_t(kKeys) * ld * 2;  // one chunk of K (or V)
    static constexpr size_t smemBytes = qBytes + 4 * kvBytes + 2 * kKeys * sizeof(float);
};

// Two floats rounded (RNE) to a packed pair of T, lo in the low half.
template <class T>
__device__ __forceinline__ uint32_t pack2(float lo, float hi) {
    if constexpr (std::is_same_v<T, __nv_bfloat16>) {
        const __nv_bfloat162 v = __floats2bfloat162_rn(lo, hi);
        return *reinterpret_cast<const uint32_t*>(&v);
    } else {
        const __half2 v = __floats2half2_rn(lo, hi);
        return *reinterpret_cast<const uint32_t*>(&v);
    }
}

__device__ __forceinline__ float fastExp2(float x) {
    float y;
    asm("ex2.approx.ftz.f32 %0, %1;\n" : "=f"(y) : "f"(x));
    return y;
}

template <class T, int DP>
__global__ void __launch_bounds__(kThreads, Layout<DP>::minBlocks)
    flashCrossKernel(const T* __restrict__ q, const T* __restrict__ k, const T* __restrict__ v,
                     const float* __restrict__ bias, T* __restrict__ out, long long N, int L, long long C,
                     int d, float scaleLog2) {
    using Lay = Layout<DP>;
    constexpr int ld = Lay::ld, vecs = Lay::vecs;
    static_assert(DP % 16 == 0 && DP <= 256, "the head dim is padded to whole k16 MMA steps, at most 256");
    static_assert(kRows == 16 * kWarps, "each warp owns 16 query rows (one m16 MMA tile)");
    static_assert(kKeys % 16 == 0 && kKeys <= kThreads, "whole k16 steps of keys; one thread per key's bias");
    extern __shared__ __align__(16) unsigned char smem[];
    T* sQ = reinterpret_cast<T*>(smem);
    T* sK = reinterpret_cast<T*>(smem + Lay::qBytes);  // [2][kKeys][ld]
    T* sV = reinterpret_cast<T*>(smem + Lay::qBytes + 2 * Lay::kvBytes);
    float* sBias = reinterpret_cast<float*>(smem + Lay::qBytes + 4 * Lay::kvBytes);  // [2][kKeys]

    const int tid = threadIdx.x, warp = tid >> 5, lane = tid & 31;
    const int g = lane >> 2, t = lane & 3;
    const long long b = blockIdx.z, n0 = (long long)blockIdx.x * kRows;
    const int h = blockIdx.y, dv = d / 8;
    const T* qb = q + (b * N + n0) * C + (long long)h * d;
    const T* kb = k + b * L * C + (long long)h * d;
    const T* vb = v + b * L * C + (long long)h * d;
    const float* bb = bias ? bias + b * L : nullptr;

    // Query tile (rows past N and columns past d are zeros). Loads: thread tid owns 16-byte column ldCol of
    // rows ldRow, ldRow + ldStep, ... When vecs does not divide the block (DP = 112: 18 rows of 14 vectors),
    // the last few threads load nothing: they must not even zero-fill, or they would race with the real loads
    // of the rows they alias.
    constexpr int ldStep = kThreads / vecs;
    const int ldCol = tid % vecs, ldRow = tid < ldStep * vecs ? tid / vecs : kRows;
    const bool colOk = ldCol < dv;
#pragma unroll 1
    for (int r = ldRow; r < kRows; r += ldStep) {
        const bool ok = colOk && n0 + r < N;
        cpAsync16(sQ + r * ld + ldCol * 8, ok ? qb + r * C + ldCol * 8 : q, ok);
    }
    auto loadChunk = [&](int chunk, int buf) {
        const int key0 = chunk * kKeys;
        T* dk = sK + buf * kKeys * ld;
        T* dvv = sV + buf * kKeys * ld;
#pragma unroll 1
        for (int r = ldRow; r < kKeys; r += ldStep) {
            const bool ok = colOk && key0 + r < L;
            const long long off = (long long)(key0 + r) * C + ldCol * 8;
            cpAsync16(dk + r * ld + ldCol * 8, ok ? kb + off : k, ok);
            cpAsync16(dvv + r * ld + ldCol * 8, ok ? vb + off : v, ok);
        }
        if (tid < kKeys) {
            const int key = key0 + tid;
            sBias[buf * kKeys + tid] = key < L ? (bb ? bb[key] * kLog2e : 0.0f) : -INFINITY;
        }
    };
    loadChunk(0, 0);
    cpAsyncCommit();

    uint32_t qf[Lay::qInRegisters ? DP / 16 : 1][4];
    float o[DP / 8][4];
#pragma unroll
    for (int i = 0; i < DP / 8; ++i) o[i][0] = o[i][1] = o[i][2] = o[i][3] = 0.0f;
    float m[2] = {-INFINITY, -INFINITY}, l[2] = {0.0f, 0.0f};
    const T* qWarp = sQ + warp * 16 * ld;
    // ldmatrix lane addressing: A (query rows) and K (keys as B columns) without transpose, V transposed.
    const int aRow = lane & 15, aCol = (lane >> 4) * 8;
    const int kRow = (lane >> 4) * 8 + (lane & 7), kCol = ((lane >> 3) & 1) * 8;
    const int vRow = ((lane >> 3) & 1) * 8 + (lane & 7), vCol = (lane >> 4) * 8;

    const int chunks = (L + kKeys - 1) / kKeys;
    for (int chunk = 0; chunk < chunks; ++chunk) {
        const int buf = chunk & 1;
        if (chunk + 1 < chunks) {
            loadChunk(chunk + 1, buf ^ 1);
            cpAsyncCommit();
            cpAsyncWait<1>();
        } else {
            cpAsyncWait<0>();
        }
        __syncthreads();
        if constexpr (Lay::qInRegisters) {
            if (chunk == 0) {
#pragma unroll
                for (int ks = 0; ks < DP / 16; ++ks) ldmatrixX4(qf[ks], qWarp + aRow * ld + ks * 16 + aCol);
            }
        }
        const T* cK = sK + buf * kKeys * ld;
        const T* cV = sV + buf * kKeys * ld;
        const float* cB = sBias + buf * kKeys;

        // S = Q Kᵀ (16 rows × 64 keys per warp).
        float s[kKeys / 8][4];
#pragma unroll
        for (int i = 0; i < kKeys / 8; ++i) s[i][0] = s[i][1] = s[i][2] = s[i][3] = 0.0f;
#pragma unroll
        for (int ks = 0; ks < DP / 16; ++ks) {
            uint32_t a[4];
            if constexpr (Lay::qInRegisters) {
#pragma unroll
                for (int j = 0; j < 4; ++j) a[j] = qf[ks][j];
            } else {
                ldmatrixX4(a, qWarp + aRow * ld + ks * 16 + aCol);
            }
#pragma unroll
            for (int np = 0; np < kKeys / 16; ++np) {
                uint32_t kf[4];
                ldmatrixX4(kf, cK + (np * 16 + kRow) * ld + ks * 16 + kCol);
                mma16816x2<T>(s[2 * np], s[2 * np + 1], a, kf);
            }
        }

        // Online softmax in the log2 domain; this thread holds rows g and g + 8.
        float mx[2] = {-INFINITY, -INFINITY};
#pragma unroll
        for (int nt = 0; nt < kKeys / 8; ++nt) {
#pragma unroll
            for (int e = 0; e < 2; ++e) {
                const float bl = cB[nt * 8 + 2 * t + e];
                s[nt][e] = fmaf(s[nt][e], scaleLog2, bl);
                s[nt][2 + e] = fmaf(s[nt][2 + e], scaleLog2, bl);
                mx[0] = fmaxf(mx[0], s[nt][e]);
                mx[1] = fmaxf(mx[1], s[nt][2 + e]);
            }
        }
        float sub[2], alpha[2];
#pragma unroll
        for (int r = 0; r < 2; ++r) {
            mx[r] = fmaxf(mx[r], __shfl_xor_sync(0xffffffffu, mx[r], 1));
            mx[r] = fmaxf(mx[r], __shfl_xor_sync(0xffffffffu, mx[r], 2));
            const float mNew = fmaxf(m[r], mx[r]);
            sub[r] = mNew == -INFINITY ? 0.0f : mNew;  // a row with no finite score yet stays at 0
            alpha[r] = fastExp2(m[r] - sub[r]);
            m[r] = mNew;
            l[r] *= alpha[r];
        }
#pragma unroll
        for (int nt = 0; nt < kKeys / 8; ++nt) {
#pragma unroll
            for (int e = 0; e < 2; ++e) {
                s[nt][e] = fastExp2(s[nt][e] - sub[0]);
                s[nt][2 + e] = fastExp2(s[nt][2 + e] - sub[1]);
                l[0] += s[nt][e];
                l[1] += s[nt][2 + e];
            }
        }
#pragma unroll
        for (int i = 0; i < DP / 8; ++i) {
            o[i][0] *= alpha[0], o[i][1] *= alpha[0];
            o[i][2] *= alpha[1], o[i][3] *= alpha[1];
        }

        // O += P V, P rounded to T straight from the score registers (the A-fragment layout of two S tiles).
#pragma unroll
        for (int kk = 0; kk < kKeys / 16; ++kk) {
            const uint32_t a[4] = {pack2<T>(s[2 * kk][0], s[2 * kk][1]), pack2<T>(s[2 * kk][2], s[2 * kk][3]),
                                   pack2<T>(s[2 * kk + 1][0], s[2 * kk + 1][1]),
                                   pack2<T>(s[2 * kk + 1][2], s[2 * kk + 1][3])};
#pragma unroll
            for (int dp = 0; dp < DP / 16; ++dp) {
                uint32_t vf[4];
                ldmatrixX4Trans(vf, cV + (kk * 16 + vRow) * ld + dp * 16 + vCol);
                mma16816x2<T>(o[2 * dp], o[2 * dp + 1], a, vf);
            }
        }
        __syncthreads();  // the next iteration refills this buffer
    }

    // Normalise, round, stage in this warp's own query rows, and write 16-byte vectors.
    float inv[2];
#pragma unroll
    for (int r = 0; r < 2; ++r) {
        l[r] += __shfl_xor_sync(0xffffffffu, l[r], 1);
        l[r] += __shfl_xor_sync(0xffffffffu, l[r], 2);
        inv[r] = l[r] > 0.0f ? 1.0f / l[r] : 0.0f;
    }
    T* sO = sQ + warp * 16 * ld;
#pragma unroll
    for (int i = 0; i < DP / 8; ++i) {
        *reinterpret_cast<uint32_t*>(sO + g * ld + i * 8 + 2 * t) =
            pack2<T>(o[i][0] * inv[0], o[i][1] * inv[0]);
        *reinterpret_cast<uint32_t*>(sO + (g + 8) * ld + i * 8 + 2 * t) =
            pack2<T>(o[i][2] * inv[1], o[i][3] * inv[1]);
    }
    __syncwarp();
    for (int i = lane; i < 16 * dv; i += 32) {
        const int r = i / dv, c = i % dv;
        const long long row = n0 + warp * 16 + r;
        if (row < N)
            *reinterpret_cast<uint4*>(out + (b * N + row) * C + (long long)h * d + c * 8) =
                *reinterpret_cast<const uint4*>(sO + r * ld + c * 8);
    }
}

template <class T, int DP>
bool launch(const void* q, const void* k, const void* v, const float* bias, void* out, long long B,
            long long N, long long L, long long C, int heads, float scale, cudaStream_t stream) {
    using Lay = Layout<DP>;
    int dev = 0, optin = 0;
    if (cudaGetDevice(&dev) != cudaSuccess ||
        cudaDeviceGetAttribute(&optin, cudaDevAttrMaxSharedMemoryPerBlockOptin, dev) != cudaSuccess ||
        size_t(optin) < Lay::smemBytes)
        return false;
    auto* kernel = flashCrossKernel<T, DP>;
    if (cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, int(Lay::smemBytes)) !=
        cudaSuccess)
        return false;
    const dim3 grid(unsigned((N + kRows - 1) / kRows), unsigned(heads), unsigned(B));
    kernel<<<grid, kThreads, Lay::smemBytes, stream>>>(static_cast<const T*>(q), static_cast<const T*>(k),
                                                       static_cast<const T*>(v), bias, static_cast<T*>(out),
                                                       N, int(L), C, int(C / heads), scale * kLog2e);
    return true;
}

template <class T>
bool launchFor(int d, const void* q, const void* k, const void* v, const float* bias, void* out, long long B,
               long long N, long long L, long long C, int heads, float scale, cudaStream_t stream) {
    if (d <= 16) return launch<T, 16>(q, k, v, bias, out, B, N, L, C, heads, scale, stream);
    if (d <= 32) return launch<T, 32>(q, k, v, bias, out, B, N, L, C, heads, scale, stream);
    if (d <= 64) return launch<T, 64>(q, k, v, bias, out, B, N, L, C, heads, scale, stream);
    if (d <= 112) return launch<T, 112>(q, k, v, bias, out, B, N, L, C, heads, scale, stream);
    if (d <= 128) return launch<T, 128>(q, k, v, bias, out, B, N, L, C, heads, scale, stream);
    return launch<T, 256>(q, k, v, bias, out, B, N, L, C, heads, scale, stream);
}

bool aligned16(const void* p) {
    return reinterpret_cast<uintptr_t>(p) % 16 == 0;
}

}  // namespace

bool flashCrossAttention(FlashDType dt, const void* q, const void* k, const void* v, const float* bias,
                         void* out, long long B, long long N, long long L, long long C, int heads,
                         float scale, cudaStream_t stream) {
    if (heads <= 0 || C % heads != 0) return false;
    const long long d = C / heads;
    if (d % 8 != 0 || d > 256 || B < 1 || B > 65535 || heads > 65535 || N < 1 || L < 1 || L > (1LL << 30) ||
        (N + kRows - 1) / kRows > 0x7fffffffLL)
        return false;
    if (!aligned16(q) || !aligned16(k) || !aligned16(v) || !aligned16(out)) return false;
    if (dt == FlashDType::BF16)
        return launchFor<__nv_bfloat16>(int(d), q, k, v, bias, out, B, N, L, C, heads, scale, stream);
    return launchFor<__half>(int(d), q, k, v, bias, out, B, N, L, C, heads, scale, stream);
}

}  // namespace sv::cuda
