// Implicit-GEMM tensor-core kernel for the VAEs' 3D convolutions (Wan's causal ones, issue 5; LTX-2's) in
// BF16/F16:
//   D[co, n] = Σ_k W[co, k] · X̂[k, n] (+ bias[co]) (+ residual[co, n]), rounded once to the activation dtype,
// k = (tap = (kt, kh, kw), ci) tap-major, n = output position (to, ho, wo). X̂ is gathered on the fly from the
// channels-first input: padded time index τ < front is zero, then `cache` frames, then x frames (τ past the
// end reads the last frame); rows/columns outside the frame are zero, or mirrored with `reflect`. Never
// materialised.
//
// Block: tile 128 (Cout; 64 for Cout ≤ 64) × 128 (positions) × 32 (one tap × 32 input channels); 8 warps as
// 2 × 4 (default) or 4 warps as 2 × 2; mma.sync m16n8k16 with fp32 accumulators. Weights (pre-permuted to
// [Cout][tap][Cin]) come by cp.async 16-byte copies (zero-fill past Cout / Cin); the input tile by gathers
// (16-byte row vectors + funnel shift where the geometry allows, else per-position 2-byte loads) issued one
// chunk ahead into registers, stored [k][n] after the chunk's MMAs and read with ldmatrix.trans. Two
// shared-memory stages. Measurements: bench/vaeconv/NOTES.md.
// CUDA headers and cuda/mma.cuh only, so that the bench/vaeconv harness can include it.
#pragma once

#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include <cstdint>
#include <type_traits>

#include "cuda/mma.cuh"

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
    int reflect;           // 1: rows/columns outside the frame mirror the inside (PyTorch "reflect")
};

constexpr int kBM = 128, kBN = 128, kBK = 32;
constexpr int kLdA =
    kBK + 8;  // A row stride [co][k] in elements (80 bytes: conflict-free ldmatrix, cp.async)
constexpr int kLdB = kBN + 8;  // B row stride [k][n] in elements (272 bytes: conflict-free ldmatrix.trans)
constexpr int kStageElems = kBM * kLdA + kBK * kLdB;
constexpr int kSmemBytes = 2 * kStageElems * 2;  // 37 KiB: under the 48 KiB default
static_assert(kSmemBytes <= 48 * 1024, "two stages fit the default shared memory (no opt-in needed)");
static_assert(kBN == 128 && kBK == 32, "the gathers index positions as tid & 127 and 16 groups of 8");

__device__ __forceinline__ uint4 ldg16(const unsigned short* p) {
    return __ldg(reinterpret_cast<const uint4*>(p));
}

// Elements e[s + 1 .. s + 8] of the 24 elements (left, mid, right) for s ∈ {-1, 0, 1}: mid shifted by s.
__device__ __forceinline__ uint4 shifted(const uint4& mid, const uint4& side, int s) {
    if (s == 0) return mid;
    if (s < 0)
        return make_uint4(__funnelshift_r(side.w, mid.x, 16), __funnelshift_r(mid.x, mid.y, 16),
                          __funnelshift_r(mid.y, mid.z, 16), __funnelshift_r(mid.z, mid.w, 16));
    return make_uint4(__funnelshift_r(mid.x, mid.y, 16), __funnelshift_r(mid.y, mid.z, 16),
                      __funnelshift_r(mid.z, mid.w, 16), __funnelshift_r(mid.w, side.x, 16));
}

// Grid: x = (position tile) · coTiles + Cout tile (blocks sharing an input tile run together), z = batch.
// Chunks run input-channel block outer, tap inner (a cursor, no divisions in the loop), so that the taps of a
// channel block re-read the input from L1. kVec: stride 1, Wo == W, W % 8 == 0, every column shift kw − left
// in {−1, 0, 1} and 16-byte aligned frames: each thread gathers 8 consecutive positions of one row per
// channel with one or two aligned 16-byte loads and a funnel shift; otherwise per-position 2-byte gathers
// (any geometry). BM: the Cout tile (128, or 64 for narrow outputs such as conv_out's 3 channels).
template <class T, bool kVec, int BM, int WN>
__global__ void __launch_bounds__(64 * WN, 2) causalConvKernel(ConvParams p) {
    // Warps: 2 along Cout × WN along positions, each (BM / 2) × (128 / WN).
    constexpr int kThreads = 64 * WN, MI = BM / 32, NI = kBN / WN / 8;
    static_assert((BM == 64 || BM == 128) && (WN == 2 || WN == 4), "the launcher's tile shapes");
    static_assert(kBN % (WN * 8) == 0 && BM % 32 == 0, "warp tiles of whole m16n8 MMAs");
    extern __shared__ __align__(16) unsigned short smem[];
    const int tid = threadIdx.x, lane = tid & 31, warp = tid >> 5;
    const int coTiles = (p.cout + BM - 1) / BM;
    const int coBase = int(blockIdx.x % coTiles) * BM;
    const long long N = (long long)p.to * p.ho * p.wo;
    const long long nBase = (long long)(blockIdx.x / coTiles) * kBN;
    const int b = blockIdx.z;
    const long long hw = (long long)p.H * p.W;
    const unsigned short* xb = static_cast<const unsigned short*>(p.x) + (long long)b * p.cin * p.T * hw;
    const unsigned short* cb =
        p.cache ? static_cast<const unsigned short*>(p.cache) + (long long)b * p.cin * p.Tc * hw : nullptr;
    const int taps = p.kt * p.kh * p.kw, ciChunks = (p.cin + kBK - 1) / kBK, chunks = taps * ciChunks;
    const long long kTotal = (long long)taps * p.cin;
    const long long xcs = (long long)p.T * hw, ccs = (long long)p.Tc * hw;  // channel strides

    // Weight rows this thread copies (16 bytes each): rows tid / 4 (+ 64), channels (tid % 4) · 8.
    constexpr int kARows = BM * 4 / kThreads;
    static_assert((BM * 4) % kThreads == 0, "every thread copies the same number of weight rows");
    const unsigned short* wrow =
        static_cast<const unsigned short*>(p.w) + (long long)(coBase + (tid >> 2)) * kTotal + (tid & 3) * 8;
    const long long wStep = (long long)(kThreads / 4) * kTotal;

    // This thread's gather: kVec: positions [g·8, g·8 + 8) of the tile for channels cl + i · kCStep (kVi of
    // them); otherwise position nl for kSi channels from ch0.
    constexpr int kCStep = kThreads / 16, kVi = kBK / kCStep, kSi = kBK * kBN / kThreads;
    static_assert(kBK % kCStep == 0 && (kBK * kBN) % kThreads == 0, "the gathers split the chunk evenly");
    const int g = tid & 15, cl = tid >> 4;
    const int nl = tid & (kBN - 1), ch0 = (tid >> 7) * kSi;
    const long long n = nBase + (kVec ? g * 8 : nl);
    const bool nValid = n < N;
    int tb = 0, hb = 0, wb = 0;
    if (nValid) {
        const int wo = int(n % p.wo), ho = int((n / p.wo) % p.ho), to = int(n / ((long long)p.wo * p.ho));
        tb = to * p.st - p.front, hb = ho * p.sh - p.top, wb = wo * p.sw - p.left;
    }
    struct Cursor {
        int ci0, kt, kh, kw, tap;
    };
    Cursor q{0, 0, 0, 0, 0};
    auto advance = [&] {
        ++q.tap;
        if (++q.kw == p.kw) {
            q.kw = 0;
            if (++q.kh == p.kh) {
                q.kh = 0;
                if (++q.kt == p.kt) q.kt = 0, q.tap = 0, q.ci0 += kBK;
            }
        }
    };
    // kVec: raw[2i], raw[2i + 1]: mid and side vectors of channel cl + i · kCStep; shift of the gathered tap.
    uint4 raw[2 * kVi];
    int shift = 0;
    unsigned short sv[kSi];
    auto gatherB = [&] {
        // Frames past the last one repeat it (trailing replicate padding; never reached without it).
        const int tau = min(tb + q.kt, p.Tc + p.T - 1);
        int hi = hb + q.kh;
        if (p.reflect) hi = hi < 0 ? -hi : (hi >= p.H ? 2 * p.H - 2 - hi : hi);
        const bool rowValid = nValid && tau >= 0 && hi >= 0 && hi < p.H;
        const unsigned short* src = xb;
        long long cs = xcs;
        if (rowValid) {
            if (tau < p.Tc)
                src = cb + (long long)tau * hw, cs = ccs;
            else
                src = xb + (long long)(tau - p.Tc) * hw;
            src += (long long)hi * p.W;
        }
        if constexpr (kVec) {
            // wb = wo0 − left: the group's first source column is wb + kw, the mid vector starts at wo0.
            const int wo0 = wb + p.left;
            shift = q.kw - p.left;
            const int sideCol = shift < 0 ? wo0 - 8 : wo0 + 8;
            const bool sideValid = shift != 0 && sideCol >= 0 && sideCol < p.W;
            const uint4 zero = make_uint4(0, 0, 0, 0);
#pragma unroll
            for (int i = 0; i < kVi; ++i) {
                const int ci = q.ci0 + cl + i * kCStep;
                const unsigned short* r = src + ci * cs;
                const bool v = rowValid && ci < p.cin;
                raw[2 * i] = v ? ldg16(r + wo0) : zero;
                raw[2 * i + 1] = v && sideValid ? ldg16(r + sideCol) : zero;
                // Reflect at the frame edge: column −1 is column 1 (element 1 of mid, where shifted() reads
                // side.w's high half), column W is column W − 2 (element 6, read from side.x's low half).
                if (p.reflect && v && shift != 0 && !sideValid)
                    raw[2 * i + 1] = shift < 0 ? make_uint4(0, 0, 0, raw[2 * i].x & 0xFFFF0000u)
                                               : make_uint4(raw[2 * i].w & 0xFFFFu, 0, 0, 0);
            }
        } else {
            int wi = wb + q.kw;
            if (p.reflect) wi = wi < 0 ? -wi : (wi >= p.W ? 2 * p.W - 2 - wi : wi);
            const bool valid = rowValid && wi >= 0 && wi < p.W;
            src += wi + (q.ci0 + ch0) * cs;
#pragma unroll
            for (int j = 0; j < kSi; ++j)
                sv[j] = (valid && q.ci0 + ch0 + j < p.cin) ? src[j * cs] : (unsigned short)0;
        }
    };
    auto storeB = [&](int stage) {
        unsigned short* bs = smem + stage * kStageElems + kBM * kLdA;
        if constexpr (kVec) {
#pragma unroll
            for (int i = 0; i < kVi; ++i)
                *reinterpret_cast<uint4*>(bs + (cl + i * kCStep) * kLdB + g * 8) =
                    shifted(raw[2 * i], raw[2 * i + 1], shift);
        } else {
#pragma unroll
            for (int j = 0; j < kSi; ++j) bs[(ch0 + j) * kLdB + nl] = sv[j];
        }
    };
    auto loadA = [&](int stage) {
        unsigned short* as = smem + stage * kStageElems;
        const int off = q.tap * p.cin + q.ci0;
        const bool cv = q.ci0 + (tid & 3) * 8 < p.cin;
#pragma unroll
        for (int i = 0; i < kARows; ++i) {
            const int row = (tid >> 2) + i * (kThreads / 4);
            const bool v = cv && coBase + row < p.cout;
            const unsigned short* w = static_cast<const unsigned short*>(p.w);
            cpAsync16(as + row * kLdA + (tid & 3) * 8, v ? wrow + i * wStep + off : w, v);
        }
        asm volatile("cp.async.commit_group;\n" ::);
    };

    float acc[MI][NI][4];
#pragma unroll
    for (int i = 0; i < MI; ++i)
#pragma unroll
        for (int j = 0; j < NI; ++j)
#pragma unroll
            for (int e = 0; e < 4; ++e) acc[i][j][e] = 0.0f;

    const int wm = (warp & 1) * (BM / 2), wn = (warp >> 1) * (kBN / WN);
    gatherB();
    loadA(0);
    storeB(0);
    for (int c = 0; c < chunks; ++c) {
        const int stage = c & 1;
        const bool more = c + 1 < chunks;
        if (more) {
            advance();
            loadA(stage ^ 1);
            gatherB();
            asm volatile("cp.async.wait_group 1;\n" ::);
        } else {
            asm volatile("cp.async.wait_group 0;\n" ::);
        }
        __syncthreads();
        const unsigned short* as = smem + stage * kStageElems;
        const unsigned short* bs = as + kBM * kLdA;
#pragma unroll
        for (int ks = 0; ks < kBK; ks += 16) {
            unsigned a[MI][4], bf[NI / 2][4];
#pragma unroll
            for (int mi = 0; mi < MI; ++mi)
                ldmatrixX4(a[mi], as + (wm + mi * 16 + (lane & 15)) * kLdA + ks + (lane >> 4) * 8);
#pragma unroll
            for (int nj = 0; nj < NI / 2; ++nj)
                ldmatrixX4Trans(bf[nj], bs + (ks + (lane & 15)) * kLdB + wn + nj * 16 + (lane >> 4) * 8);
#pragma unroll
            for (int mi = 0; mi < MI; ++mi)
#pragma unroll
                for (int ni = 0; ni < NI; ++ni)
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
    for (int mi = 0; mi < MI; ++mi) {
#pragma unroll
        for (int h = 0; h < 2; ++h) {
            const int co = coBase + wm + mi * 16 + (lane >> 2) + h * 8;
            if (co >= p.cout) continue;
            const float bv = bias ? toF(bias[co]) : 0.0f;
#pragma unroll
            for (int ni = 0; ni < NI; ++ni) {
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
                    if (nn < N) out[o] = fromF<T>(v0 + (res ? toF(res[o]) : 0.0f));
                    if (nn + 1 < N) out[o + 1] = fromF<T>(v1 + (res ? toF(res[o + 1]) : 0.0f));
                }
            }
        }
    }
}

/// True when the vectorised gather applies (see causalConvKernel); x and cache must be 16-byte aligned.
inline bool vectorGather(const ConvParams& p) {
    const bool aligned =
        reinterpret_cast<uintptr_t>(p.x) % 16 == 0 && reinterpret_cast<uintptr_t>(p.cache) % 16 == 0;
    return aligned && p.st == 1 && p.sh == 1 && p.sw == 1 && p.wo == p.W && p.W % 8 == 0 && p.left <= 1 &&
           p.kw - 1 - p.left <= 1;
}

template <class T, int WN>
inline void launchVariant(const ConvParams& p, int B, cudaStream_t stream, bool vec) {
    const long long N = (long long)p.to * p.ho * p.wo;
    const bool narrow = p.cout <= 64;
    const long long blocks =
        ((N + kBN - 1) / kBN) * ((p.cout + (narrow ? 63 : kBM - 1)) / (narrow ? 64 : kBM));
    const dim3 grid(unsigned(blocks), 1, unsigned(B));
    if (vec && narrow)
        causalConvKernel<T, true, 64, WN><<<grid, 64 * WN, kSmemBytes, stream>>>(p);
    else if (vec)
        causalConvKernel<T, true, kBM, WN><<<grid, 64 * WN, kSmemBytes, stream>>>(p);
    else if (narrow)
        causalConvKernel<T, false, 64, WN><<<grid, 64 * WN, kSmemBytes, stream>>>(p);
    else
        causalConvKernel<T, false, kBM, WN><<<grid, 64 * WN, kSmemBytes, stream>>>(p);
}

/// Launches the kernel for batch B on `stream` (element type T: __nv_bfloat16 or __half). Preconditions
/// (checked by the caller): cin % 8 == 0, 16-byte aligned weights, every extent > 0. `allowVector` false
/// forces the per-position gather (tests, comparisons); `warps` 8 (warp tiles 64 × 32) or 4 (64 × 64).
template <class T>
inline cudaError_t launchCausalConv(const ConvParams& p, int B, cudaStream_t stream, bool allowVector = true,
                                    int warps = 8) {
    const bool vec = allowVector && vectorGather(p);
    if (warps == 4)
        launchVariant<T, 2>(p, B, stream, vec);
    else
        launchVariant<T, 4>(p, B, stream, vec);
    return cudaGetLastError();
}

}  // namespace sv::cuda::igemm
