// CUDA: the fused SiLU → depthwise 3×3 → GLU(SiLU) kernel of the DiT's GLUMBConv, on channels-last
// activations x [S, H, W, 2C] → y [S, H, W, C]; launched by conv.cu. CUDA headers and cuda/mma.cuh only, so
// that the glu_bench harness (bench/glu_bench.cu) can time it on its own.
#pragma once

#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include <cstdint>
#include <type_traits>

#include "cuda/mma.cuh"

namespace sv::cuda::glu {

/// SiLU: exact (expf and a true division, the F32 path) or one MUFU op via tanh.approx (the 16-bit paths:
/// SiLU(v) = h + h·tanh(h) with h = v / 2; relative error ~1e-3, under the bf16/f16 storage rounding).
template <bool Exact>
__device__ __forceinline__ float silu(float v) {
    if constexpr (Exact) {
        return v / (1.0f + expf(-v));
    } else {
        const float h = 0.5f * v;
        float t;
        asm("tanh.approx.f32 %0, %1;" : "=f"(t) : "f"(h));
        return fmaf(h, t, h);
    }
}

/// A vector of N elements of T, moved as one access when its size is 4, 8 or 16 bytes.
template <class T, int N>
struct alignas(sizeof(T) * N >= 16 ? 16 : sizeof(T) * N) Vec {
    T v[N];
};

template <class T, int N>
constexpr bool kAsyncCopyable = sizeof(T) * N == 4 || sizeof(T) * N == 8 || sizeof(T) * N == 16;

/// Copies N elements of T from global `src` to shared `dst` asynchronously (zero-filled when !valid), or
/// synchronously when the size is not one cp.async handles.
template <class T, int N>
__device__ __forceinline__ void copyAsync(Vec<T, N>* dst, const T* src, bool valid) {
    if constexpr (kAsyncCopyable<T, N>) {
        constexpr int bytes = int(sizeof(T) * N);
        if constexpr (bytes == 16)
            cpAsync16(dst, src, valid);
        else
            asm volatile("cp.async.ca.shared.global [%0], [%1], %2, %3;\n" ::"r"(smemAddr(dst)), "l"(src),
                         "n"(bytes), "r"(valid ? bytes : 0));
    } else {
        Vec<T, N> v;
#pragma unroll
        for (int q = 0; q < N; ++q) v.v[q] = valid ? src[q] : fromF<T>(0.0f);
        *dst = v;
    }
}

/// N floats from/to shared memory, as float4 accesses when N is a multiple of 4 (p then 16-byte aligned).
template <int N>
__device__ __forceinline__ void loadF(const float* p, float* v) {
    if constexpr (N % 4 == 0) {
#pragma unroll
        for (int q = 0; q < N; q += 4) {
            const float4 f = *reinterpret_cast<const float4*>(p + q);
            v[q] = f.x, v[q + 1] = f.y, v[q + 2] = f.z, v[q + 3] = f.w;
        }
    } else {
#pragma unroll
        for (int q = 0; q < N; ++q) v[q] = p[q];
    }
}

template <int N>
__device__ __forceinline__ void storeF(float* p, const float* v) {
    if constexpr (N % 4 == 0) {
#pragma unroll
        for (int q = 0; q < N; q += 4)
            *reinterpret_cast<float4*>(p + q) = make_float4(v[q], v[q + 1], v[q + 2], v[q + 3]);
    } else {
#pragma unroll
        for (int q = 0; q < N; ++q) p[q] = v[q];
    }
}

/// N floats rounded to T as one vector (bf16 pairs through the packed conversion).
template <class T, int N>
__device__ __forceinline__ Vec<T, N> pack(const float* v) {
    Vec<T, N> out;
    if constexpr (std::is_same_v<T, __nv_bfloat16> && N % 2 == 0) {
#pragma unroll
        for (int q = 0; q < N; q += 2) {
            const __nv_bfloat162 p = __floats2bfloat162_rn(v[q], v[q + 1]);
            out.v[q] = p.x, out.v[q + 1] = p.y;
        }
    } else {
#pragma unroll
        for (int q = 0; q < N; ++q) out.v[q] = fromF<T>(v[q]);
    }
    return out;
}

/// Launch geometry: a block covers `tile` output columns (plus one halo column either side, loaded by their
/// own threads), G · NV value channels (and the matching gate channels) and `band` output rows of one image;
/// its (tile + 2) · G threads walk down the rows. Thread (t, g): column j0 − 1 + t, channels c0 + g·NV ….
struct Geometry {
    int S, H, W, C;  // x is [S, H, W, 2C]
    int tile, band;  // output columns / rows per block
    int tiles;       // column tiles per row band
};

/// Shared memory of one block: a Depth-stage ring of raw inputs (each thread's own value and gate vectors)
/// and two rows of SiLU(x) (value and gate planes) for the left/right neighbours.
template <class T, int NV, int Depth>
constexpr size_t smemBytes(int threads) {
    return size_t(threads) * (Depth * 2 * sizeof(Vec<T, NV>) + 2 * 2 * NV * sizeof(float));
}

/// y[s, i, j, c] = dv · SiLU(dg), dv = bias[c] + Σ_{di, dj} w[c, di, dj] · SiLU(x[s, i + di − 1, j + dj − 1,
/// c]) (zero outside the image), dg likewise on channel C + c. Each thread keeps its channels' taps and three
/// rows of partial sums in registers: input row r adds into output rows r + 1, r and r − 1; row r − 1 is then
/// complete and is written. Each input element is loaded and passed through SiLU once (halo columns and the
/// band's two halo rows aside). Needs C % NV == 0 and x, y aligned to NV elements.
template <class T, int NV, int G, int Depth, bool Exact, int Bound = 512>
__global__ void __launch_bounds__(Bound)
    siluDepthwiseGluKernel(T* __restrict__ y, const T* __restrict__ x, const T* __restrict__ w,
                           const T* __restrict__ bias, Geometry geo) {
    using V = Vec<T, NV>;
    static_assert(NV >= 1 && G >= 1 && Depth >= 2, "a ring of at least two stages");
    static_assert(Bound % 32 == 0 && Bound <= 1024, "a bound of whole warps");
    extern __shared__ __align__(16) unsigned char smem[];
    const int threads = blockDim.x;
    V* ring = reinterpret_cast<V*>(smem);                                 // [Depth][2][threads]
    float* plane = reinterpret_cast<float*>(ring + Depth * 2 * threads);  // [2 rows][2 (v, g)][threads][NV]

    const int tid = threadIdx.x, t = tid / G, g = tid % G;
    const int c = (blockIdx.x * G + g) * NV;
    const int tileIdx = blockIdx.y % geo.tiles, bandIdx = blockIdx.y / geo.tiles;
    const int j = tileIdx * geo.tile - 1 + t;
    const int rb = bandIdx * geo.band, re = min(rb + geo.band, geo.H);
    const long long s = blockIdx.z, C2 = 2LL * geo.C;
    const bool inChannels = c < geo.C, inColumn = j >= 0 && j < geo.W;
    const bool loads = inChannels && inColumn;
    const bool outputs = loads && t >= 1 && t <= geo.tile;

    float tv[9][NV], tg[9][NV], bv[NV], bg[NV];
#pragma unroll
    for (int q = 0; q < NV; ++q) {
        const long long cv = inChannels ? c + q : 0, cg = geo.C + cv;
#pragma unroll
        for (int k = 0; k < 9; ++k) {
            tv[k][q] = toF(w[cv * 9 + k]);
            tg[k][q] = toF(w[cg * 9 + k]);
        }
        bv[q] = bias ? toF(bias[cv]) : 0.0f;
        bg[q] = bias ? toF(bias[cg]) : 0.0f;
    }

    // Input rows rb − 1 … re (rows outside the image are zeros); stage k holds row rb − 1 + k.
    const int steps = re - rb + 2;
    const T* xcol = x + ((s * geo.H) * geo.W + (inColumn ? j : 0)) * C2 + (inChannels ? c : 0);
    auto issue = [&](int k) {
        const int r = rb - 1 + k;
        const bool valid = loads && r >= 0 && r < geo.H && k < steps;
        const T* src = xcol + (valid ? (long long)r * geo.W * C2 : 0);
        V* slot = ring + (k % Depth) * 2 * threads + tid;
        copyAsync<T, NV>(slot, src, valid);
        copyAsync<T, NV>(slot + threads, src + geo.C, valid);
        cpAsyncCommit();
    };
#pragma unroll
    for (int k = 0; k < Depth - 1; ++k) issue(k);

    float a0v[NV] = {}, a0g[NV] = {}, a1v[NV] = {}, a1g[NV] = {};  // output rows r − 1, r
    T* ycol = y + ((s * geo.H) * geo.W + (inColumn ? j : 0)) * (long long)geo.C + (inChannels ? c : 0);
    for (int k = 0; k < steps; ++k) {
        cpAsyncWait<Depth - 2>();
        const V* slot = ring + (k % Depth) * 2 * threads + tid;
        const V rawV = slot[0], rawG = slot[threads];
        issue(k + Depth - 1);  // refills the slot read one step ago (this thread's own)
        float* pv = plane + (k & 1) * 2 * threads * NV;
        float* pg = pv + threads * NV;
        float mv[NV], mg[NV];
#pragma unroll
        for (int q = 0; q < NV; ++q) {
            mv[q] = silu<Exact>(toF(rawV.v[q]));
            mg[q] = silu<Exact>(toF(rawG.v[q]));
        }
        storeF<NV>(pv + tid * NV, mv);
        storeF<NV>(pg + tid * NV, mg);
        __syncthreads();
        if (!outputs) continue;
        float lv[NV], lg[NV], rv[NV], rg[NV];
        loadF<NV>(pv + (tid - G) * NV, lv);
        loadF<NV>(pg + (tid - G) * NV, lg);
        loadF<NV>(pv + (tid + G) * NV, rv);
        loadF<NV>(pg + (tid + G) * NV, rg);
        const int r = rb - 1 + k;
        float ov[NV], og[NV];
#pragma unroll
        for (int q = 0; q < NV; ++q) {
            // Kernel row di meets input row r in output row r + 1 − di: row r − 1 completes, row r + 1 starts
            // (from the bias).
            ov[q] = fmaf(tv[6][q], lv[q], fmaf(tv[7][q], mv[q], fmaf(tv[8][q], rv[q], a0v[q])));
            og[q] = fmaf(tg[6][q], lg[q], fmaf(tg[7][q], mg[q], fmaf(tg[8][q], rg[q], a0g[q])));
            a0v[q] = fmaf(tv[3][q], lv[q], fmaf(tv[4][q], mv[q], fmaf(tv[5][q], rv[q], a1v[q])));
            a0g[q] = fmaf(tg[3][q], lg[q], fmaf(tg[4][q], mg[q], fmaf(tg[5][q], rg[q], a1g[q])));
            a1v[q] = fmaf(tv[0][q], lv[q], fmaf(tv[1][q], mv[q], fmaf(tv[2][q], rv[q], bv[q])));
            a1g[q] = fmaf(tg[0][q], lg[q], fmaf(tg[1][q], mg[q], fmaf(tg[2][q], rg[q], bg[q])));
        }
        if (r - 1 >= rb) {
            float out[NV];
#pragma unroll
            for (int q = 0; q < NV; ++q) out[q] = ov[q] * silu<Exact>(og[q]);
            *reinterpret_cast<V*>(ycol + (long long)(r - 1) * geo.W * geo.C) = pack<T, NV>(out);
        }
    }
    cpAsyncWait<0>();
}

}  // namespace sv::cuda::glu
