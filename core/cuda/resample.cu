// CUDA data movement of the Wan VAE's resamplers (diffusers WanResample): nearest ×2 upsampling (one block
// per output row) and the upsample3d time interleave (grid-stride); the LTX-2 VAE's space ↔ depth shuffles
// with their fused residuals (grid-stride over the output, adjacent threads on adjacent output columns;
// arithmetic in float, one rounding).
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

using ops::ltx::Factors;
using ops::ltx::SubpixelOrder;

// The shuffle's factors and sub-position order on the device.
struct Fac {
    int t, h, w;
    bool thw;  // SubpixelOrder::THW, else TWH
    __device__ int sub(int i, int j, int k) const { return thw ? (i * h + j) * w + k : (i * w + k) * h + j; }
};

Fac facOf(const Factors& f, SubpixelOrder order) {
    return {f[0], f[1], f[2], order == SubpixelOrder::THW};
}

template <class T>
__global__ void depthToSpaceKernel(T* __restrict__ out, const T* __restrict__ y, const T* __restrict__ res,
                                   Fac f, long long C, long long Cr, long long T_, long long H, long long W,
                                   long long To, int drop, long long total) {
    const long long Ho = H * f.h, Wo = W * f.w, V = (long long)f.t * f.h * f.w;
    for (long long e = blockIdx.x * (long long)blockDim.x + threadIdx.x; e < total;
         e += (long long)gridDim.x * blockDim.x) {
        const long long wo = e % Wo, ho = (e / Wo) % Ho, to = (e / (Wo * Ho)) % To,
                        c = (e / (Wo * Ho * To)) % C, b = e / (Wo * Ho * To * C);
        const long long tf = to + drop, t = tf / f.t, h = ho / f.h, w = wo / f.w;
        const int sub = f.sub(int(tf % f.t), int(ho % f.h), int(wo % f.w));
        const long long off = (t * H + h) * W + w;
        float v = toF(y[((b * C + c) * V + sub) * T_ * H * W + off]);
        if (res) v += toF(res[((b * Cr + c % Cr) * V + sub) * T_ * H * W + off]);
        out[e] = fromF<T>(v);
    }
}

template <class T>
__global__ void spaceToDepthKernel(T* __restrict__ out, const T* __restrict__ x, const T* __restrict__ res,
                                   Fac f, long long C, long long Co, long long To, long long Ho, long long Wo,
                                   int G, long long total) {
    const long long V = (long long)f.t * f.h * f.w, Ti = To * f.t, Hi = Ho * f.h, Wi = Wo * f.w;
    for (long long e = blockIdx.x * (long long)blockDim.x + threadIdx.x; e < total;
         e += (long long)gridDim.x * blockDim.x) {
        const long long w = e % Wo, h = (e / Wo) % Ho, t = (e / (Wo * Ho)) % To,
                        co = (e / (Wo * Ho * To)) % Co, b = e / (Wo * Ho * To * Co);
        float acc = 0.0f;
        for (int g = 0; g < G; ++g) {
            const long long ch = co * G + g, c = ch / V;
            const int r = int(ch % V);
            int i, j, k;
            if (f.thw)
                k = r % f.w, j = (r / f.w) % f.h, i = r / (f.h * f.w);
            else
                j = r % f.h, k = (r / f.h) % f.w, i = r / (f.h * f.w);
            acc += toF(x[((b * C + c) * Ti + t * f.t + i) * Hi * Wi + (h * f.h + j) * Wi + w * f.w + k]);
        }
        float v = G == 1 ? acc : acc / float(G);
        if (res) v += toF(res[e]);
        out[e] = fromF<T>(v);
    }
}

// The residual in the activation's dtype, contiguous (undefined stays undefined).
Tensor residualLike(const Tensor& r, const Tensor& like) {
    return r.defined() ? r.to(like.dtype()).contiguous() : Tensor();
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

Tensor depthToSpace(const Tensor& yIn, const Tensor& residual, Factors f, SubpixelOrder order, int drop) {
    const OpScope opScope("ltx.depthToSpace", yIn.device().index);
    const Tensor y = yIn.contiguous();
    const Tensor res = residualLike(residual, y);
    const long long V = (long long)f[0] * f[1] * f[2];
    const long long B = y.dim(0), C = y.dim(1) / V, T = y.dim(2), H = y.dim(3), W = y.dim(4),
                    To = f[0] * T - drop, Cr = res.defined() ? res.dim(1) / V : 1;
    Tensor out = Tensor::empty({B, C, To, H * f[1], W * f[2]}, y.dtype(), y.device());
    const long long total = out.numel();
    if (total == 0) return out;
    SV_DISPATCH_FLOAT(y.dtype(), E, {
        depthToSpaceKernel<E><<<gridFor(total), 256, 0, streamOf(y)>>>(
            static_cast<E*>(out.rawData()), static_cast<const E*>(y.rawData()),
            res.defined() ? static_cast<const E*>(res.rawData()) : nullptr, facOf(f, order), C, Cr, T, H, W,
            To, drop, total);
    });
    checkLaunch();
    return out;
}

Tensor spaceToDepth(const Tensor& xIn, const Tensor& residual, Factors f, SubpixelOrder order,
                    int groupSize) {
    const OpScope opScope("ltx.spaceToDepth", xIn.device().index);
    const Tensor x = xIn.contiguous();
    const Tensor res = residualLike(residual, x);
    const long long V = (long long)f[0] * f[1] * f[2];
    const long long B = x.dim(0), C = x.dim(1), Co = C * V / groupSize, To = x.dim(2) / f[0],
                    Ho = x.dim(3) / f[1], Wo = x.dim(4) / f[2];
    Tensor out = Tensor::empty({B, Co, To, Ho, Wo}, x.dtype(), x.device());
    const long long total = out.numel();
    if (total == 0) return out;
    SV_DISPATCH_FLOAT(x.dtype(), E, {
        spaceToDepthKernel<E><<<gridFor(total), 256, 0, streamOf(x)>>>(
            static_cast<E*>(out.rawData()), static_cast<const E*>(x.rawData()),
            res.defined() ? static_cast<const E*>(res.rawData()) : nullptr, facOf(f, order), C, Co, To, Ho,
            Wo, groupSize, total);
    });
    checkLaunch();
    return out;
}

}  // namespace sv::cuda
