// CUDA data movement of the Wan VAE's resamplers (diffusers WanResample): nearest ×2 upsampling (one block
// per output row) and the upsample3d time interleave (grid-stride).
#include "cuda/kernels.cuh"
#include "cuda/ops.h"
#include "cuda/profile.h"

namespace sv::cuda {

namespace {

// One block per output row (plane p, row oy): y[p][oy][ox] = x[p][oy / 2][ox / 2].
template <class T>
__global__ void upsample2xKernel(T* __restrict__ y, const T* __restrict__ x, long long H, long long W) {
    const long long row = blockIdx.x, p = row / (2 * H), oy = row % (2 * H);
    const T* src = x + (p * H + oy / 2) * W;
    T* dst = y + row * 2 * W;
    for (long long ox = threadIdx.x; ox < 2 * W; ox += blockDim.x) dst[ox] = src[ox / 2];
}

template <class T>
__global__ void interleaveKernel(T* __restrict__ y, const T* __restrict__ x, long long C, long long T2,
                                 long long HW, long long total) {
    for (long long e = blockIdx.x * (long long)blockDim.x + threadIdx.x; e < total;
         e += (long long)gridDim.x * blockDim.x) {
        const long long s = e % HW, t2 = (e / HW) % T2, c = (e / (HW * T2)) % C, b = e / (HW * T2 * C);
        const long long t = t2 / 2, half = t2 % 2, frames = T2 / 2;
        y[e] = x[((b * 2 * C + half * C + c) * frames + t) * HW + s];
    }
}

}  // namespace

Tensor upsampleNearest2x(const Tensor& xIn) {
    const OpScope opScope("vae.upsample2x", xIn.device().index);
    const Tensor x = xIn.contiguous();
    const long long H = x.dim(3), W = x.dim(4);
    Tensor y = Tensor::empty({x.dim(0), x.dim(1), x.dim(2), 2 * H, 2 * W}, x.dtype(), x.device());
    const long long total = y.numel();
    if (total == 0) return y;
    SV_DISPATCH_FLOAT(x.dtype(), T, {
        upsample2xKernel<T><<<unsigned(x.dim(0) * x.dim(1) * x.dim(2) * 2 * H), 256, 0, streamOf(x)>>>(
            static_cast<T*>(y.rawData()), static_cast<const T*>(x.rawData()), H, W);
    });
    checkLaunch();
    return y;
}

Tensor interleaveTimeHalves(const Tensor& xIn) {
    const OpScope opScope("vae.interleaveTime", xIn.device().index);
    const Tensor x = xIn.contiguous();
    const long long C = x.dim(1) / 2, T = x.dim(2), HW = x.dim(3) * x.dim(4);
    Tensor y = Tensor::empty({x.dim(0), C, 2 * T, x.dim(3), x.dim(4)}, x.dtype(), x.device());
    const long long total = y.numel();
    if (total == 0) return y;
    SV_DISPATCH_FLOAT(x.dtype(), Tt, {
        interleaveKernel<Tt><<<gridFor(total), 256, 0, streamOf(x)>>>(
            static_cast<Tt*>(y.rawData()), static_cast<const Tt*>(x.rawData()), C, 2 * T, HW, total);
    });
    checkLaunch();
    return y;
}

}  // namespace sv::cuda
