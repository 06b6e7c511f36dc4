// CUDA: the LTX-2 VAE's channel norms, frame padding, space↔depth shuffles and the implicit-GEMM conv with
// reflect padding (ops contracts: core/ops/ltx_vae.h). Memory-bound kernels are grid-stride loops over the
// output, adjacent threads on adjacent output columns.
#include <algorithm>

#include "cuda/kernels.cuh"
#include "cuda/ltx_vae.h"
#include "cuda/profile.h"
#include "cuda/vae_conv_igemm.h"

namespace sv::cuda::ltx {

using ops::ltx::ChannelNorm;
using ops::ltx::Factors;
using ops::ltx::SpatialPadding;
using ops::ltx::SubpixelOrder;

namespace {

struct Fac {
    int t, h, w;
    bool thw;  // SubpixelOrder::THW, else TWH
    __device__ int sub(int i, int j, int k) const { return thw ? (i * h + j) * w + k : (i * w + k) * h + j; }
};

Fac facOf(const Factors& f, SubpixelOrder order) {
    return {f[0], f[1], f[2], order == SubpixelOrder::THW};
}

__device__ __forceinline__ long long reflectIndex(long long i, long long n) {
    return i < 0 ? -i : (i >= n ? 2 * (n - 1) - i : i);
}

// Per location (b, s): RMS: y = x / sqrt(mean x² + eps); Layer: (x − μ) / sqrt(var + eps) · w + b; SiLU.
template <class T>
__global__ void channelNormKernel(T* __restrict__ y, const T* __restrict__ x,
                                  const float* __restrict__ weight, const float* __restrict__ bias,
                                  long long C, long long S, long long total, bool layer, float eps,
                                  bool silu) {
    for (long long e = blockIdx.x * (long long)blockDim.x + threadIdx.x; e < total;
         e += (long long)gridDim.x * blockDim.x) {
        const long long b = e / S, s = e % S;
        const T* xp = x + b * C * S + s;
        T* yp = y + b * C * S + s;
        float sum = 0.0f, sq = 0.0f;
        for (long long c = 0; c < C; ++c) {
            const float v = toF(xp[c * S]);
            sum += v;
            sq += v * v;
        }
        const float mean = layer ? sum / float(C) : 0.0f;
        const float var = layer ? fmaxf(sq / float(C) - mean * mean, 0.0f) : sq / float(C);
        const float inv = 1.0f / sqrtf(var + eps);
        for (long long c = 0; c < C; ++c) {
            float v = (toF(xp[c * S]) - mean) * inv;
            if (layer) v = v * weight[c] + bias[c];
            if (silu) v = v / (1.0f + expf(-v));
            yp[c * S] = fromF<T>(v);
        }
    }
}

// out [B, C, To, Hp, Wp] = [cache ; x ; back × last] padded by ph/pw (zeros or reflect).
template <class T>
__global__ void padFramesKernel(T* __restrict__ out, const T* __restrict__ x, const T* __restrict__ cache,
                                long long C, long long Tc, long long T_, long long To, long long H,
                                long long W, int ph, int pw, bool reflect, long long total) {
    const long long Hp = H + 2 * ph, Wp = W + 2 * pw;
    for (long long e = blockIdx.x * (long long)blockDim.x + threadIdx.x; e < total;
         e += (long long)gridDim.x * blockDim.x) {
        const long long wo = e % Wp, ho = (e / Wp) % Hp, t = (e / (Wp * Hp)) % To, bc = e / (Wp * Hp * To);
        long long hi = ho - ph, wi = wo - pw;
        if (reflect) {
            hi = reflectIndex(hi, H), wi = reflectIndex(wi, W);
        } else if (hi < 0 || hi >= H || wi < 0 || wi >= W) {
            out[e] = fromF<T>(0.0f);
            continue;
        }
        const long long src = t < Tc + T_ ? t : Tc + T_ - 1;
        const T* f = src < Tc ? cache + (bc * Tc + src) * H * W : x + (bc * T_ + src - Tc) * H * W;
        out[e] = f[hi * W + wi];
    }
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

Tensor sameDtype(const Tensor& t, const Tensor& like) {
    return t.defined() ? t.to(like.device()).to(like.dtype()).contiguous() : Tensor();
}

}  // namespace

Tensor channelNorm(const Tensor& xIn, ChannelNorm kind, float eps, const Tensor& weight, const Tensor& bias,
                   bool silu) {
    const OpScope opScope("ltx.channelNorm", xIn.device().index);
    const Tensor x = xIn.contiguous();
    const bool layer = kind == ChannelNorm::Layer;
    const Tensor wf = layer ? weight.to(x.device()).to(DType::F32).contiguous() : Tensor();
    const Tensor bf = layer ? bias.to(x.device()).to(DType::F32).contiguous() : Tensor();
    const long long B = x.dim(0), C = x.dim(1), S = x.numel() / std::max<long long>(1, B * C);
    Tensor y = Tensor::empty(x.shape(), x.dtype(), x.device());
    const long long total = B * S;
    if (total == 0) return y;
    SV_DISPATCH_FLOAT(x.dtype(), T, {
        channelNormKernel<T><<<gridFor(total, 128), 128, 0, streamOf(x)>>>(
            static_cast<T*>(y.rawData()), static_cast<const T*>(x.rawData()),
            layer ? wf.data<float>() : nullptr, layer ? bf.data<float>() : nullptr, C, S, total, layer, eps,
            silu);
    });
    checkLaunch();
    return y;
}

Tensor padFrames(const Tensor& xIn, const Tensor& cacheIn, int back, int ph, int pw, SpatialPadding padding) {
    const OpScope opScope("ltx.padFrames", xIn.device().index);
    const Tensor x = xIn.contiguous();
    const Tensor cache = sameDtype(cacheIn, x);
    const long long B = x.dim(0), C = x.dim(1), T = x.dim(2), H = x.dim(3), W = x.dim(4),
                    Tc = cache.defined() ? cache.dim(2) : 0, To = Tc + T + back;
    Tensor out = Tensor::empty({B, C, To, H + 2 * ph, W + 2 * pw}, x.dtype(), x.device());
    const long long total = out.numel();
    if (total == 0) return out;
    SV_DISPATCH_FLOAT(x.dtype(), E, {
        padFramesKernel<E><<<gridFor(total), 256, 0, streamOf(x)>>>(
            static_cast<E*>(out.rawData()), static_cast<const E*>(x.rawData()),
            cache.defined() ? static_cast<const E*>(cache.rawData()) : nullptr, C, Tc, T, To, H, W, ph, pw,
            padding == SpatialPadding::Reflect, total);
    });
    checkLaunch();
    return out;
}

Tensor conv3dImplicitGemm(const Tensor& xIn, const Tensor& cacheIn, int back, const Tensor& wIn,
                          const Tensor& biasIn, SpatialPadding padding, const Tensor& residual) {
    const DType dt = xIn.dtype();
    const long long B = xIn.dim(0), cin = xIn.dim(1), H = xIn.dim(3), W = xIn.dim(4), cout = wIn.dim(0);
    const long long Tc = cacheIn.defined() ? cacheIn.dim(2) : 0;
    const long long kt = wIn.dim(2), kh = wIn.dim(3), kw = wIn.dim(4);
    const long long To = Tc + xIn.dim(2) + back - kt + 1;
    const long long extent =
        std::max({B * cin * (Tc + xIn.dim(2)) * H * W, B * cout * To * H * W, cout * cin * kt * kh * kw});
    if (!vaeConvImplicitGemmApplies(dt, cin, kt * kh * kw, extent)) return {};
    const OpScope opScope("ltx.conv", xIn.device().index);
    const Tensor x = xIn.contiguous();
    const Tensor cache = sameDtype(cacheIn, x), w = sameDtype(wIn, x), bias = sameDtype(biasIn, x);
    const Tensor res = sameDtype(residual, x);
    Tensor out = Tensor::empty({B, cout, To, H, W}, dt, x.device());
    if (res.defined())
        SV_ASSERT_MSG(res.shape() == out.shape(), "ltx::conv3d: residual ", res.describe(), " vs ",
                      out.describe());
    ConvShape s;
    s.top = int(kh / 2), s.left = int(kw / 2);
    s.reflect = padding == SpatialPadding::Reflect;
    vaeConvImplicitGemm(x, cache, w, bias, res, out, s);
    return out;
}

Tensor depthToSpace(const Tensor& yIn, Factors f, SubpixelOrder order, int drop, const Tensor& residual) {
    const OpScope opScope("ltx.depthToSpace", yIn.device().index);
    const Tensor y = yIn.contiguous();
    const Tensor res = sameDtype(residual, y);
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

Tensor spaceToDepth(const Tensor& xIn, Factors f, SubpixelOrder order, int groupSize,
                    const Tensor& residual) {
    const OpScope opScope("ltx.spaceToDepth", xIn.device().index);
    const Tensor x = xIn.contiguous();
    const Tensor res = sameDtype(residual, x);
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

}  // namespace sv::cuda::ltx
