// Implicit-GEMM tensor-core kernel for the Wan VAE's causal 3D convolutions in BF16/F16 (issue 5):
//   D[co, n] = Σ_k W[co, k] · X̂[k, n] (+ bias[co]) (+ residual[co, n]), rounded once to the activation dtype,
// k = (tap = (kt, kh, kw), ci) tap-major, n = output position (to, ho, wo). X̂ is gathered on the fly from the
// channels-first input: padded time index τ < front is zero, then `cache` frames, then x frames; rows/columns
// outside the frame are zero (the im2col kernel's geometry). Never materialised.
//
// Block: 256 threads, tile 128 (Cout) × 128 (positions) × 32 (one tap × 32 input channels), 8 warps as 2 × 4
// (64 × 32 each), mma.sync m16n8k16 with fp32 accumulators. Weights (pre-permuted to [Cout][tap][Cin]) come
// by cp.async 16-byte copies (zero-fill past Cout); the input tile by per-position 2-byte gathers (a warp
// reads 32 consecutive positions: coalesced with the tap's shift) prefetched into registers one chunk ahead
// and stored transposed ([n][k], k contiguous) so both operands load with ldmatrix. Two shared-memory stages.
// Self-contained (CUDA headers only) so that bench/vaeconv/vaeconv_harness.cu can include it.
#pragma once

#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include <cstdint>
#include <type_traits>

namespace sv::cuda::igemm {

struct ConvParams {
    const void* x;         // [B, Cin, T, H, W]
    const void* cache;     // [B, Cin, Tc, H, W] or null (Tc = 0)
    const void* w;         // [Cout, taps, Cin]
    const void* bias;      // [Cout] or null
    const void* residual;  // [B, Cout, N] or null
    void* out;             // [B, Cout, N]
    int cin, cout, T, Tc, H, W;
    int kt, kh, kw, st, sh, sw;
    int front, top, left;  // padding before the first frame / row / column
    int to, ho, wo;        // output extent
};

constexpr int kBM = 128, kBN = 128, kBK = 32, kThreads = 256;
constexpr int kLd =
    kBK + 8;  // shared row stride in elements (80 bytes: conflict-free ldmatrix and 16-byte stores)
constexpr int kStageElems = (kBM + kBN) * kLd;
constexpr int kSmemBytes = 2 * kStageElems * 2;  // 40 KiB: under the 48 KiB default

__device__ __forceinline__ unsigned smemAddr(const void* p) {
    return static_cast<unsigned>(__cvta_generic_to_shared(p));
}

__device__ __forceinline__ void cpAsync16(void* dst, const void* src, bool valid) {
    asm volatile("cp.async.cg.shared.global [%0], [%1], 16, %2;\n" ::"r"(smemAddr(dst)), "l"(src),
                 "r"(valid ? 16 : 0));
}

__device__ __forceinline__ void ldmatrixX4(unsigned (&r)[4], const void* p) {
    asm volatile("ldmatrix.sync.aligned.m8n8.x4.shared.b16 {%0,%1,%2,%3}, [%4];\n"
                 : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
                 : "r"(smemAddr(p)));
}

template <class T>
__device__ __forceinline__ void mma16816(float (&c)[4], const unsigned (&a)[4], unsigned b0, unsigned b1) {
    if constexpr (std::is_same_v<T, __nv_bfloat16>) {
        asm volatile(
            "mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, "
            "{%0,%1,%2,%3};\n"
            : "+f"(c[0]), "+f"(c[1]), "+f"(c[2]), "+f"(c[3])
            : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
    } else {
        asm volatile(
            "mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, "
            "{%0,%1,%2,%3};\n"
            : "+f"(c[0]), "+f"(c[1]), "+f"(c[2]), "+f"(c[3])
            : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
    }
}

template <class T>
__device__ __forceinline__ float toFloat(T v) {
    if constexpr (std::is_same_v<T, __nv_bfloat16>)
        return __bfloat162float(v);
    else
        return __half2float(v);
}

template <class T>
__device__ __forceinline__ T fromFloat(float v) {
    if constexpr (std::is_same_v<T, __nv_bfloat16>)
        return __float2bfloat16_rn(v);
    else
        return __float2half_rn(v);
}

// Grid: x = (position tile) · coTiles + Cout tile (blocks sharing an input tile run together), z = batch.
template <class T>
__global__ void __launch_bounds__(kThreads, 2) causalConvKernel(ConvParams p) {
    extern __shared__ __align__(16) unsigned short smem[];
    const int tid = threadIdx.x, lane = tid & 31, warp = tid >> 5;
    const int coTiles = (p.cout + kBM - 1) / kBM;
    const int coBase = int(blockIdx.x % coTiles) * kBM;
    const long long N = (long long)p.to * p.ho * p.wo;
    const long long nBase = (long long)(blockIdx.x / coTiles) * kBN;
    const int b = blockIdx.z;
    const long long hw = (long long)p.H * p.W;
    const unsigned short* xb = static_cast<const unsigned short*>(p.x) + (long long)b * p.cin * p.T * hw;
    const unsigned short* cb =
        p.cache ? static_cast<const unsigned short*>(p.cache) + (long long)b * p.cin * p.Tc * hw : nullptr;
    const unsigned short* wg = static_cast<const unsigned short*>(p.w);
    const int taps = p.kt * p.kh * p.kw, ciChunks = (p.cin + kBK - 1) / kBK, chunks = taps * ciChunks;
    const long long kTotal = (long long)taps * p.cin;

    // This thread's gather position (one per thread and half of the chunk's 32 channels).
    const int nl = tid & (kBN - 1), cg = tid >> 7;
    const long long n = nBase + nl;
    const bool nValid = n < N;
    int tb = 0, hb = 0, wb = 0;
    if (nValid) {
        const int wo = int(n % p.wo), ho = int((n / p.wo) % p.ho), to = int(n / ((long long)p.wo * p.ho));
        tb = to * p.st - p.front, hb = ho * p.sh - p.top, wb = wo * p.sw - p.left;
    }
    unsigned breg[8];
    auto gatherB = [&](int c) {
        const int tap = c / ciChunks, ci0 = (c - tap * ciChunks) * kBK + cg * 16;
        const int kw = tap % p.kw, kh = (tap / p.kw) % p.kh, kt = tap / (p.kw * p.kh);
        const int tau = tb + kt, hi = hb + kh, wi = wb + kw;
        const bool valid = nValid && tau >= 0 && hi >= 0 && hi < p.H && wi >= 0 && wi < p.W;
        const unsigned short* src = xb;
        long long cs = (long long)p.T * hw;
        if (valid) {
            if (tau < p.Tc) {
                src = cb + (long long)tau * hw, cs = (long long)p.Tc * hw;
            } else {
                src = xb + (long long)(tau - p.Tc) * hw;
            }
            src += (long long)hi * p.W + wi + ci0 * cs;
        }
        unsigned short v[16];
#pragma unroll
        for (int j = 0; j < 16; ++j) v[j] = (valid && ci0 + j < p.cin) ? src[j * cs] : (unsigned short)0;
#pragma unroll
        for (int j = 0; j < 8; ++j) breg[j] = unsigned(v[2 * j]) | (unsigned(v[2 * j + 1]) << 16);
    };
    auto storeB = [&](int stage) {
        unsigned short* bs = smem + stage * kStageElems + kBM * kLd + nl * kLd + cg * 16;
        reinterpret_cast<uint4*>(bs)[0] = make_uint4(breg[0], breg[1], breg[2], breg[3]);
        reinterpret_cast<uint4*>(bs)[1] = make_uint4(breg[4], breg[5], breg[6], breg[7]);
    };
    auto loadA = [&](int c, int stage) {
        const int tap = c / ciChunks, ci0 = (c - tap * ciChunks) * kBK;
        unsigned short* as = smem + stage * kStageElems;
#pragma unroll
        for (int i = 0; i < 2; ++i) {
            const int row = (tid >> 2) + i * 64, part = tid & 3, co = coBase + row, ci = ci0 + part * 8;
            const bool valid = co < p.cout && ci < p.cin;
            const unsigned short* src =
                valid ? wg + (long long)co * kTotal + (long long)tap * p.cin + ci : wg;
            cpAsync16(as + row * kLd + part * 8, src, valid);
        }
        asm volatile("cp.async.commit_group;\n" ::);
    };

    float acc[4][4][4];
#pragma unroll
    for (int i = 0; i < 4; ++i)
#pragma unroll
        for (int j = 0; j < 4; ++j)
#pragma unroll
            for (int e = 0; e < 4; ++e) acc[i][j][e] = 0.0f;

    const int wm = (warp & 1) * 64, wn = (warp >> 1) * 32;
    gatherB(0);
    loadA(0, 0);
    storeB(0);
    for (int c = 0; c < chunks; ++c) {
        const int stage = c & 1;
        const bool more = c + 1 < chunks;
        if (more) {
            loadA(c + 1, stage ^ 1);
            gatherB(c + 1);
            asm volatile("cp.async.wait_group 1;\n" ::);
        } else {
            asm volatile("cp.async.wait_group 0;\n" ::);
        }
        __syncthreads();
        const unsigned short* as = smem + stage * kStageElems;
        const unsigned short* bs = as + kBM * kLd;
#pragma unroll
        for (int ks = 0; ks < kBK; ks += 16) {
            unsigned a[4][4], bf[2][4];
#pragma unroll
            for (int mi = 0; mi < 4; ++mi)
                ldmatrixX4(a[mi], as + (wm + mi * 16 + (lane & 15)) * kLd + ks + (lane >> 4) * 8);
#pragma unroll
            for (int nj = 0; nj < 2; ++nj)
                ldmatrixX4(bf[nj], bs + (wn + nj * 16 + (lane & 7) + ((lane >> 4) << 3)) * kLd + ks +
                                       ((lane >> 3) & 1) * 8);
#pragma unroll
            for (int mi = 0; mi < 4; ++mi)
#pragma unroll
                for (int ni = 0; ni < 4; ++ni)
                    mma16816<T>(acc[mi][ni], a[mi], bf[ni >> 1][(ni & 1) * 2], bf[ni >> 1][(ni & 1) * 2 + 1]);
        }
        if (more) storeB(stage ^ 1);
        __syncthreads();
    }

    // Epilogue: + bias, + residual, one rounding.
    const T* bias = static_cast<const T*>(p.bias);
    const T* res = p.residual ? static_cast<const T*>(p.residual) + (long long)b * p.cout * N : nullptr;
    T* out = static_cast<T*>(p.out) + (long long)b * p.cout * N;
    const bool pairs = (N & 1) == 0;
#pragma unroll
    for (int mi = 0; mi < 4; ++mi) {
#pragma unroll
        for (int h = 0; h < 2; ++h) {
            const int co = coBase + wm + mi * 16 + (lane >> 2) + h * 8;
            if (co >= p.cout) continue;
            const float bv = bias ? toFloat(bias[co]) : 0.0f;
#pragma unroll
            for (int ni = 0; ni < 4; ++ni) {
                const long long nn = nBase + wn + ni * 8 + (lane & 3) * 2;
                const long long o = (long long)co * N + nn;
                float v0 = acc[mi][ni][h * 2] + bv, v1 = acc[mi][ni][h * 2 + 1] + bv;
                if (pairs && nn + 1 < N) {
                    if (res) {
                        const float2 r = [&] {
                            if constexpr (std::is_same_v<T, __nv_bfloat16>)
                                return __bfloat1622float2(*reinterpret_cast<const __nv_bfloat162*>(res + o));
                            else
                                return __half22float2(*reinterpret_cast<const __half2*>(res + o));
                        }();
                        v0 += r.x, v1 += r.y;
                    }
                    if constexpr (std::is_same_v<T, __nv_bfloat16>)
                        *reinterpret_cast<__nv_bfloat162*>(out + o) = __floats2bfloat162_rn(v0, v1);
                    else
                        *reinterpret_cast<__half2*>(out + o) = __floats2half2_rn(v0, v1);
                } else {
                    if (nn < N) out[o] = fromFloat<T>(v0 + (res ? toFloat(res[o]) : 0.0f));
                    if (nn + 1 < N) out[o + 1] = fromFloat<T>(v1 + (res ? toFloat(res[o + 1]) : 0.0f));
                }
            }
        }
    }
}

/// Launches the kernel for batch B on `stream` (element type T: __nv_bfloat16 or __half). Preconditions
/// (checked by the caller): cin % 8 == 0, 16-byte aligned weights, every extent > 0.
template <class T>
inline cudaError_t launchCausalConv(const ConvParams& p, int B, cudaStream_t stream) {
    const long long N = (long long)p.to * p.ho * p.wo;
    const long long blocks = ((N + kBN - 1) / kBN) * ((p.cout + kBM - 1) / kBM);
    causalConvKernel<T><<<dim3(unsigned(blocks), 1, unsigned(B)), kThreads, kSmemBytes, stream>>>(p);
    return cudaGetLastError();
}

}  // namespace sv::cuda::igemm
