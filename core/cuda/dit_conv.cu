// CUDA: the GLUMBTempConv convolutions of the DiT on channels-last activations.
#include "cuda/dit.h"
#include "cuda/gemm.cuh"
#include "cuda/kernels.cuh"

namespace sv::cuda {

namespace {

// One block per pixel (s, i, j); threads over channels (coalesced): y[s, i, j, c] = bias[c] +
// Σ_{di, dj} w[c, di, dj] · x[s, i + di − 1, j + dj − 1, c] (zero outside).
template <class T>
__global__ void depthwise3x3Kernel(T* __restrict__ y, const T* __restrict__ x, const T* __restrict__ w,
                                   const T* __restrict__ bias, int H, int W, long long C) {
    const long long p = blockIdx.x;
    const int j = int(p % W), i = int((p / W) % H);
    const long long s = p / ((long long)W * H);
    const T* rows[3][3];
#pragma unroll
    for (int di = 0; di < 3; ++di)
#pragma unroll
        for (int dj = 0; dj < 3; ++dj) {
            const int ii = i + di - 1, jj = j + dj - 1;
            rows[di][dj] = (ii >= 0 && ii < H && jj >= 0 && jj < W) ? x + ((s * H + ii) * W + jj) * C : nullptr;
        }
    T* out = y + p * C;
    for (long long c = threadIdx.x; c < C; c += blockDim.x) {
        const T* wc = w + c * 9;
        float acc = 0.0f;
#pragma unroll
        for (int di = 0; di < 3; ++di)
#pragma unroll
            for (int dj = 0; dj < 3; ++dj)
                if (rows[di][dj]) acc += toF(wc[di * 3 + dj]) * toF(rows[di][dj][c]);
        out[c] = fromF<T>(acc + (bias ? toF(bias[c]) : 0.0f));
    }
}

// One block per row: y[r, c] = x[r, c] · SiLU(x[r, C + c]).
template <class T>
__global__ void gluSiluKernel(T* __restrict__ y, const T* __restrict__ x, long long C) {
    const long long r = blockIdx.x;
    const T* xr = x + r * 2 * C;
    T* yr = y + r * C;
    for (long long c = threadIdx.x; c < C; c += blockDim.x) {
        const float value = toF(xr[c]), g = toF(xr[C + c]);
        yr[c] = fromF<T>(value * (g / (1.0f + expf(-g))));
    }
}

// wk[k][o][c] = w[o][c][k] (the (3, 1) kernel split into three D × D matrices).
template <class T>
__global__ void splitTapsKernel(T* __restrict__ wk, const T* __restrict__ w, long long D) {
    const long long n = 3 * D * D;
    for (long long e = blockIdx.x * (long long)blockDim.x + threadIdx.x; e < n;
         e += (long long)gridDim.x * blockDim.x) {
        const long long k = e / (D * D), oc = e % (D * D);
        wk[e] = w[oc * 3 + k];
    }
}

}  // namespace

Tensor ditDepthwiseConv3x3(const Tensor& xIn, const Tensor& weight, const Tensor& biasIn) {
    SV_ASSERT_MSG(xIn.device().isCuda() && xIn.rank() == 4, "CUDA depthwiseConv3x3: x ", xIn.describe());
    const Tensor x = xIn.contiguous();
    const long long S = x.dim(0), H = x.dim(1), W = x.dim(2), C = x.dim(3);
    SV_ASSERT_MSG(weight.shape() == (Shape{C, 1, 3, 3}), "CUDA depthwiseConv3x3: weight ", weight.describe(),
                  " for ", C, " channels");
    const Tensor w = weight.to(x.device()).to(x.dtype()).contiguous();
    Tensor bias;
    if (biasIn.defined()) {
        SV_ASSERT(biasIn.numel() == C);
        bias = biasIn.to(x.device()).to(x.dtype()).contiguous();
    }
    Tensor y = Tensor::empty(x.shape(), x.dtype(), x.device());
    const long long n = x.numel();
    if (n == 0) return y;
    SV_DISPATCH_FLOAT(x.dtype(), T, {
        depthwise3x3Kernel<T><<<unsigned(S * H * W), 256, 0, streamOf(x)>>>(
            static_cast<T*>(y.rawData()), static_cast<const T*>(x.rawData()), static_cast<const T*>(w.rawData()),
            bias.defined() ? static_cast<const T*>(bias.rawData()) : nullptr, int(H), int(W), C);
    });
    checkLaunch();
    return y;
}

Tensor ditGluSilu(const Tensor& xIn) {
    SV_ASSERT_MSG(xIn.device().isCuda() && xIn.rank() >= 1 && xIn.dim(-1) % 2 == 0, "CUDA gluSilu: x ",
                  xIn.describe());
    const Tensor x = xIn.contiguous();
    const long long C = x.dim(-1) / 2;
    Shape shape = x.shape();
    shape.back() = C;
    Tensor y = Tensor::empty(shape, x.dtype(), x.device());
    const long long n = y.numel();
    if (n == 0) return y;
    SV_DISPATCH_FLOAT(x.dtype(), T, {
        gluSiluKernel<T><<<unsigned(n / C), C >= 1024 ? 256 : 64, 0, streamOf(x)>>>(
            static_cast<T*>(y.rawData()), static_cast<const T*>(x.rawData()), C);
    });
    checkLaunch();
    return y;
}

Tensor ditTemporalConv3(const Tensor& xIn, const Tensor& weight) {
    SV_ASSERT_MSG(xIn.device().isCuda() && xIn.rank() == 4, "CUDA temporalConv3: x ", xIn.describe());
    const Tensor x = xIn.contiguous();
    const long long B = x.dim(0), F = x.dim(1), P = x.dim(2), D = x.dim(3);
    SV_ASSERT_MSG(weight.shape() == (Shape{D, D, 3, 1}), "CUDA temporalConv3: weight ", weight.describe(),
                  " for ", D, " channels");
    const Tensor w = weight.to(x.device()).to(x.dtype()).contiguous();
    Tensor wk = Tensor::empty({3, D, D}, x.dtype(), x.device());
    SV_DISPATCH_FLOAT(x.dtype(), T, {
        splitTapsKernel<T><<<gridFor(3 * D * D), 256, 0, streamOf(x)>>>(
            static_cast<T*>(wk.rawData()), static_cast<const T*>(w.rawData()), D);
    });
    checkLaunch();
    Tensor y = Tensor::empty(x.shape(), x.dtype(), x.device());
    if (x.numel() == 0) return y;
    const size_t es = dtypeSize(x.dtype());
    const int dev = x.device().index;
    const long long frame = P * D;
    for (long long b = 0; b < B; ++b) {
        // Centre tap over every frame first (overwrites y), then the shifted taps accumulate.
        for (int k : {1, 0, 2}) {
            const long long t0 = k == 0 ? 1 : 0,
                            t1 = k == 2 ? F - 1 : F;  // output frames with a source frame
            if (t1 <= t0) continue;
            const char* src =
                static_cast<const char*>(x.rawData()) + size_t((b * F + t0 + k - 1) * frame) * es;
            char* dst = static_cast<char*>(y.rawData()) + size_t((b * F + t0) * frame) * es;
            const char* wp = static_cast<const char*>(wk.rawData()) + size_t(k * D * D) * es;
            gemmRowMajorNT((t1 - t0) * P, D, D, src, D, wp, D, dst, D, x.dtype(), k == 1 ? 0.0f : 1.0f, dev);
        }
    }
    return y;
}

}  // namespace sv::cuda
