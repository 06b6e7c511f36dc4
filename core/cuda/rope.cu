// CUDA rotary position embeddings: the DiT's tables expanded on the GPU from the per-axis tables (diffusers
// WanRotaryPosEmbed; built on the host by core/cpu/rope.cpp) and applied to interleaved pairs, and Gemma's
// half-split rotary (transformers apply_rotary_pos_emb with rotate_half). Tables F32; grid-stride loops.
#include "cuda/kernels.cuh"
#include "cuda/ops.h"
#include "cuda/profile.h"
#include "cuda/rope.cuh"

namespace sv::cuda {

namespace {

// cos/sin [N, D]: token n = (f, i, j) row-major, columns [t | h | w]; axis a's entry (p, d) at
// offset[a] + p·split[a] + d of the concatenated per-axis tables.
struct RopeAxes {
    int split[3];
    long long grid[3];
    long long offset[3];
};

__global__ void expandRopeKernel(float* __restrict__ cosT, float* __restrict__ sinT,
                                 const float* __restrict__ ac, const float* __restrict__ as, RopeAxes ax,
                                 int D, long long total) {
    for (long long e = blockIdx.x * (long long)blockDim.x + threadIdx.x; e < total;
         e += (long long)gridDim.x * blockDim.x) {
        const long long n = e / D;
        int col = int(e % D), a = 0;
        while (col >= ax.split[a]) col -= ax.split[a++];
        const long long j = n % ax.grid[2], i = (n / ax.grid[2]) % ax.grid[1],
                        f = n / (ax.grid[2] * ax.grid[1]);
        const long long p = a == 0 ? f : (a == 1 ? i : j);
        const long long src = ax.offset[a] + p * ax.split[a] + col;
        cosT[e] = ac[src];
        sinT[e] = as[src];
    }
}

// One thread per pair (2j, 2j+1) of x [B, N, C] (C = heads·d): rotation by the token's table row.
template <class T>
__global__ void applyRopeKernel(T* __restrict__ y, const T* __restrict__ x, const float* __restrict__ cosT,
                                const float* __restrict__ sinT, long long N, long long C, long long d,
                                long long pairs) {
    for (long long p = blockIdx.x * (long long)blockDim.x + threadIdx.x; p < pairs;
         p += (long long)gridDim.x * blockDim.x) {
        const long long e = 2 * p;  // flat index of the pair's first element
        const long long t = e / C, c = e % C, j = c % d, n = t % N;
        const float2 r = ropePair(toF(x[e]), toF(x[e + 1]), cosT[n * d + j], sinT[n * d + j + 1]);
        y[e] = fromF<T>(r.x);
        y[e + 1] = fromF<T>(r.y);
    }
}

// x [B, L, heads, D], half-split rotation with tables [≥L, D]; one thread per (row, head, d < D/2).
template <class T>
__global__ void halfRotaryKernel(T* __restrict__ y, const T* __restrict__ x, const float* __restrict__ cosT,
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

// y = a rotation of x (contiguous, any float dtype) by tables made F32 on x's device: launch(y, x, cos, sin,
// pairs) with typed pointers, for x.numel() / 2 pairs.
template <class Launch>
Tensor rotate(const Tensor& xIn, const Tensor& cosIn, const Tensor& sinIn, Launch&& launch) {
    const Tensor x = xIn.contiguous();
    const Tensor c = cosIn.to(x.device()).to(DType::F32).contiguous();
    const Tensor s = sinIn.to(x.device()).to(DType::F32).contiguous();
    Tensor y = Tensor::empty(x.shape(), x.dtype(), x.device());
    const long long pairs = x.numel() / 2;
    if (pairs == 0) return y;
    SV_DISPATCH_FLOAT(x.dtype(), T, {
        launch(static_cast<T*>(y.rawData()), static_cast<const T*>(x.rawData()), c.data<float>(),
               s.data<float>(), pairs);
    });
    checkLaunch();
    return y;
}

}  // namespace

ops::dit::RopeTables expandRope(std::span<const float> axisCos, std::span<const float> axisSin,
                                std::array<int, 3> split, std::array<int64_t, 3> grid, Device device) {
    RopeAxes ax{};
    long long off = 0;
    int D = 0;
    for (int a = 0; a < 3; ++a) {
        ax.split[a] = split[size_t(a)];
        ax.grid[a] = grid[size_t(a)];
        ax.offset[a] = off;
        off += grid[size_t(a)] * split[size_t(a)];
        D += split[size_t(a)];
    }
    SV_ASSERT(size_t(off) == axisCos.size() && axisSin.size() == axisCos.size());
    const Tensor ac = Tensor::fromFloats(axisCos, {off}).to(device),
                 as = Tensor::fromFloats(axisSin, {off}).to(device);
    const long long N = grid[0] * grid[1] * grid[2];
    ops::dit::RopeTables t{Tensor::empty({N, D}, DType::F32, device),
                           Tensor::empty({N, D}, DType::F32, device)};
    const long long total = N * D;
    if (total == 0) return t;
    expandRopeKernel<<<gridFor(total), 256, 0, deviceContext(device.index).stream>>>(
        t.cos.data<float>(), t.sin.data<float>(), ac.data<float>(), as.data<float>(), ax, D, total);
    checkLaunch();
    return t;
}

Tensor applyRope(const Tensor& xIn, const ops::dit::RopeTables& rope) {
    const OpScope opScope("dit.applyRope", xIn.device().index);
    const long long d = rope.cos.dim(1);
    return rotate(
        xIn, rope.cos, rope.sin, [&](auto* y, const auto* x, const float* c, const float* s, long long n) {
            applyRopeKernel<<<gridFor(n), 256, 0, streamOf(xIn)>>>(y, x, c, s, xIn.dim(1), xIn.dim(2), d, n);
        });
}

Tensor halfRotary(const Tensor& xIn, const ops::GemmaRotary& tables) {
    const OpScope opScope("gemma.rotary", xIn.device().index);
    return rotate(xIn, tables.cos, tables.sin,
                  [&](auto* y, const auto* x, const float* c, const float* s, long long n) {
                      halfRotaryKernel<<<gridFor(n), 256, 0, streamOf(xIn)>>>(y, x, c, s, xIn.dim(1),
                                                                              xIn.dim(2), xIn.dim(3), n);
                  });
}

}  // namespace sv::cuda
