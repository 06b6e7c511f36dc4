// CUDA: the GLUMBTempConv convolutions of the DiT on channels-last activations.
#include "cuda/profile.h"

#include "cuda/dit.h"
#include "cuda/dit_glu.cuh"
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
            rows[di][dj] =
                (ii >= 0 && ii < H && jj >= 0 && jj < W) ? x + ((s * H + ii) * W + jj) * C : nullptr;
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

// Launches glu::siluDepthwiseGluKernel with NV channels per thread, G threads per pixel and a Depth-row ring.
template <class T, int NV, int G, int Depth, bool Exact>
void launchSiluDepthwiseGlu(T* y, const T* x, const T* w, const T* bias, int S, int H, int W, int C,
                            int device, cudaStream_t stream) {
    constexpr int kMaxTile = 256 / G - 2;  // ≤ 256 threads: two blocks per multiprocessor at 128 registers
    glu::Geometry geo{S, H, W, C, 0, H, 0};
    const int colTiles = (W + kMaxTile - 1) / kMaxTile;
    geo.tile = (W + colTiles - 1) / colTiles;
    geo.tiles = (W + geo.tile - 1) / geo.tile;
    // Row bands only when the image/channel/column blocks alone would leave the GPU short of work (each band
    // reloads two halo rows).
    const long long chunks = (C + NV * G - 1) / (NV * G);
    int sms = 0;
    SV_CUDA_CHECK(cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, device));
    while (geo.band > 4 && chunks * geo.tiles * S * ((H + geo.band - 1) / geo.band) < 8LL * sms)
        geo.band = (geo.band + 1) / 2;
    const int bands = (H + geo.band - 1) / geo.band;
    SV_ASSERT_MSG(S <= 65535 && (long long)geo.tiles * bands <= 65535, "CUDA siluDepthwiseGlu: ", S,
                  " images of ", H, " × ", W, " exceed the launch grid");
    const int threads = (geo.tile + 2) * G;
    const size_t smem = glu::smemBytes<T, NV, Depth>(threads);
    auto kernel = glu::siluDepthwiseGluKernel<T, NV, G, Depth, Exact>;
    SV_CUDA_CHECK(cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, int(smem)));
    const dim3 grid(unsigned(chunks), unsigned(geo.tiles * bands), unsigned(S));
    kernel<<<grid, threads, smem, stream>>>(y, x, w, bias, geo);
}

}  // namespace

Tensor ditDepthwiseConv3x3(const Tensor& xIn, const Tensor& weight, const Tensor& biasIn) {
    const OpScope opScope("dit.depthwiseConv3x3", xIn.device().index);
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
            static_cast<T*>(y.rawData()), static_cast<const T*>(x.rawData()),
            static_cast<const T*>(w.rawData()),
            bias.defined() ? static_cast<const T*>(bias.rawData()) : nullptr, int(H), int(W), C);
    });
    checkLaunch();
    return y;
}

Tensor ditGluSilu(const Tensor& xIn) {
    const OpScope opScope("dit.gluSilu", xIn.device().index);
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

Tensor ditSiluDepthwiseGlu(const Tensor& xIn, const Tensor& weight, const Tensor& biasIn) {
    const OpScope opScope("dit.siluDepthwiseGlu", xIn.device().index);
    SV_ASSERT_MSG(xIn.device().isCuda() && xIn.rank() == 4 && xIn.dim(3) % 2 == 0,
                  "CUDA siluDepthwiseGlu: x ", xIn.describe());
    const Tensor x = xIn.contiguous();
    const long long S = x.dim(0), H = x.dim(1), W = x.dim(2), C = x.dim(3) / 2;
    SV_ASSERT_MSG(weight.shape() == (Shape{2 * C, 1, 3, 3}), "CUDA siluDepthwiseGlu: weight ",
                  weight.describe(), " for ", 2 * C, " channels");
    SV_ASSERT_MSG(C < (1LL << 31) && H < (1LL << 31) && W < (1LL << 31), "CUDA siluDepthwiseGlu: x ",
                  x.describe());
    const Tensor w = weight.to(x.device()).to(x.dtype()).contiguous();
    Tensor bias;
    if (biasIn.defined()) {
        SV_ASSERT(biasIn.numel() == 2 * C);
        bias = biasIn.to(x.device()).to(x.dtype()).contiguous();
    }
    Tensor y = Tensor::empty({S, H, W, C}, x.dtype(), x.device());
    if (y.numel() == 0) return y;
    // Four channels per thread (8- or 16-byte accesses) where C and the base address allow, else one.
    const size_t es = dtypeSize(x.dtype());
    const bool vec4 = C % 4 == 0 && reinterpret_cast<uintptr_t>(x.rawData()) % (4 * es) == 0 &&
                      reinterpret_cast<uintptr_t>(y.rawData()) % (4 * es) == 0;
    SV_DISPATCH_FLOAT(x.dtype(), T, {
        constexpr bool exact = std::is_same_v<T, float>;  // F32: expf and true division, as the CPU op
        auto* yp = static_cast<T*>(y.rawData());
        const auto* xp = static_cast<const T*>(x.rawData());
        const auto* wp = static_cast<const T*>(w.rawData());
        const auto* bp = bias.defined() ? static_cast<const T*>(bias.rawData()) : nullptr;
        if (vec4)
            launchSiluDepthwiseGlu<T, 4, 4, 6, exact>(yp, xp, wp, bp, int(S), int(H), int(W), int(C),
                                                      x.device().index, streamOf(x));
        else
            launchSiluDepthwiseGlu<T, 1, 16, 6, exact>(yp, xp, wp, bp, int(S), int(H), int(W), int(C),
                                                       x.device().index, streamOf(x));
    });
    checkLaunch();
    return y;
}

Tensor ditTemporalConv3(const Tensor& xIn, const Tensor& weight) {
    const OpScope opScope("dit.temporalConv3", xIn.device().index);
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
