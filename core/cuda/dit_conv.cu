// CUDA: the GLUMBTempConv convolutions of the DiT on channels-last activations.
#include <algorithm>
#include "cuda/profile.h"

#include "cuda/dit.h"
#include "cuda/elementwise.h"
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

constexpr int kGluChunk = 16;        // value channels (and as many gate channels) per block
constexpr int kGluPixelStride = 36;  // floats per staged pixel: 16 value + 16 gate (+4: conflict-free reads)
constexpr int kGluGroup = 4;         // output columns per thread (register reuse of the staged rows)
constexpr size_t kGluSmemBudget = 96 * 1024;

// Block (channel chunk, row band, image s): stages SiLU(x) for rows i0 − 1 … i0 + R (all W columns) of the
// chunk's 16 value and 16 gate channels (16-byte loads), then each thread computes kGluGroup adjacent outputs
// of one channel: y[s, i, j, c] = dw_c · SiLU(dw_{C+c}) with dw = Σ taps·SiLU(x) + bias. Needs C % 16 == 0.
template <class T>
__global__ void __launch_bounds__(256)
    siluDepthwiseGluKernel(T* __restrict__ y, const T* __restrict__ x, const T* __restrict__ w,
                           const T* __restrict__ bias, int H, int W, long long C, int R) {
    extern __shared__ float in[];  // [R + 2][W][kGluPixelStride]
    const long long c0 = (long long)blockIdx.x * kGluChunk;
    const int i0 = blockIdx.y * R;
    const long long s = blockIdx.z, C2 = 2 * C;
    const int rows = R + 2;
    // Stage: 4 vectors of 8 channels per pixel (value lo/hi, gate lo/hi).
    const int vectors = rows * W * 4;
#pragma unroll 4
    for (int e = threadIdx.x; e < vectors; e += blockDim.x) {
        const int q = e & 3, p = e >> 2, j = p % W, r = p / W, row = i0 - 1 + r;
        float v[8];
        if (row >= 0 && row < H) {
            const long long gc = (q < 2 ? c0 : C + c0) + (q & 1) * 8;
            load8(x + ((s * H + row) * W + j) * C2 + gc, v);
#pragma unroll
            for (int t = 0; t < 8; ++t) v[t] = __fdividef(v[t], 1.0f + __expf(-v[t]));  // SiLU, fast path
        } else {
#pragma unroll
            for (int t = 0; t < 8; ++t) v[t] = 0.0f;
        }
        float* dst = in + p * kGluPixelStride + q * 8;
#pragma unroll
        for (int t = 0; t < 8; ++t) dst[t] = v[t];
    }
    // Each thread keeps one channel (k = threadIdx.x % 16, as blockDim is a multiple of 16): its 18 taps.
    const int k = threadIdx.x % kGluChunk;
    float tv[9], tg[9];
#pragma unroll
    for (int t = 0; t < 9; ++t) {
        tv[t] = toF(w[(c0 + k) * 9 + t]);
        tg[t] = toF(w[(C + c0 + k) * 9 + t]);
    }
    const float bv = bias ? toF(bias[c0 + k]) : 0.0f, bg = bias ? toF(bias[C + c0 + k]) : 0.0f;
    __syncthreads();
    const int rEnd = H - i0 < R ? H - i0 : R;
    const int groups = (W + kGluGroup - 1) / kGluGroup;
    for (int e = threadIdx.x / kGluChunk; e < rEnd * groups; e += blockDim.x / kGluChunk) {
        const int jg = e % groups, r = e / groups, j0 = jg * kGluGroup;
        float av[kGluGroup] = {}, ag[kGluGroup] = {};
#pragma unroll
        for (int di = 0; di < 3; ++di) {
            const float* rowp = in + (r + di) * W * kGluPixelStride;
            float v[kGluGroup + 2], g[kGluGroup + 2];
#pragma unroll
            for (int t = 0; t < kGluGroup + 2; ++t) {
                const int jj = j0 - 1 + t;
                const bool ok = jj >= 0 && jj < W;
                v[t] = ok ? rowp[jj * kGluPixelStride + k] : 0.0f;
                g[t] = ok ? rowp[jj * kGluPixelStride + kGluChunk + k] : 0.0f;
            }
#pragma unroll
            for (int dj = 0; dj < 3; ++dj)
#pragma unroll
                for (int q = 0; q < kGluGroup; ++q) {
                    av[q] += tv[di * 3 + dj] * v[q + dj];
                    ag[q] += tg[di * 3 + dj] * g[q + dj];
                }
        }
#pragma unroll
        for (int q = 0; q < kGluGroup; ++q) {
            const int j = j0 + q;
            if (j >= W) break;
            const float a = av[q] + bv, gt = ag[q] + bg;
            y[((s * H + i0 + r) * W + j) * C + c0 + k] = fromF<T>(a * __fdividef(gt, 1.0f + __expf(-gt)));
        }
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
    const size_t perRow = size_t(W * kGluPixelStride) * sizeof(float);
    const long long maxRows = (long long)(kGluSmemBudget / perRow);
    const bool aligned = reinterpret_cast<uintptr_t>(x.rawData()) % 16 == 0;
    if (maxRows < 3 || C % kGluChunk != 0 || !aligned) {  // the three ops in turn
        return ditGluSilu(ditDepthwiseConv3x3(unary(x, UnaryOp::Silu), weight, biasIn));
    }
    const int R = int(std::min<long long>({8, maxRows - 2, H}));
    const Tensor w = weight.to(x.device()).to(x.dtype()).contiguous();
    Tensor bias;
    if (biasIn.defined()) {
        SV_ASSERT(biasIn.numel() == 2 * C);
        bias = biasIn.to(x.device()).to(x.dtype()).contiguous();
    }
    Tensor y = Tensor::empty({S, H, W, C}, x.dtype(), x.device());
    if (y.numel() == 0) return y;
    const size_t smem = size_t(R + 2) * perRow;
    const dim3 grid(unsigned((C + kGluChunk - 1) / kGluChunk), unsigned((H + R - 1) / R), unsigned(S));
    SV_DISPATCH_FLOAT(x.dtype(), T, {
        SV_CUDA_CHECK(cudaFuncSetAttribute(siluDepthwiseGluKernel<T>,
                                           cudaFuncAttributeMaxDynamicSharedMemorySize, int(smem)));
        siluDepthwiseGluKernel<T><<<grid, 256, smem, streamOf(x)>>>(
            static_cast<T*>(y.rawData()), static_cast<const T*>(x.rawData()),
            static_cast<const T*>(w.rawData()),
            bias.defined() ? static_cast<const T*>(bias.rawData()) : nullptr, int(H), int(W), C, R);
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
