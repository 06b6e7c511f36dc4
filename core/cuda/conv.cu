// CUDA convolutions. The DiT feed-forward's convs on channels-last activations (diffusers GLUMBTempConv): the
// depthwise 3×3 (one block per pixel, threads over channels), the fused SiLU → depthwise → GLU
// (depthwise_glu.cuh) and the temporal (3, 1) conv as three accumulating GEMMs on frame-shifted views. The
// VAEs' 3D convs (diffusers WanCausalConv3d; LTX2VideoCausalConv3d with its trailing replicate frames and
// reflect padding, read in place) on channels-first video: the implicit-GEMM tensor-core kernel where it
// applies (conv_igemm.cuh: BF16/F16, Cin % 8 == 0, more than one tap); otherwise one cuBLASLt GEMM per batch
// entry for 1×1×1 convs, and for the rest im2col of whole output rows into a bounded scratch (≤ 256 MiB)
// followed by a GEMM per tile, then the bias and residual in one pass.
#include <algorithm>

#include "cuda/conv_igemm.h"
#include "cuda/depthwise_glu.cuh"
#include "cuda/gemm.cuh"
#include "cuda/kernels.cuh"
#include "cuda/ops.h"
#include "cuda/profile.h"

namespace sv::cuda {

namespace {

constexpr long long kScratchBytes = 256LL << 20;

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
    static_assert((kMaxTile + 2) * G <= 256, "a block of at most 256 threads");
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

// PyTorch's reflect index for a padded coordinate i of an extent n (padding < n); others unchanged.
__device__ __forceinline__ int reflectIndex(int i, int n) {
    return i < 0 ? -i : (i >= n ? 2 * (n - 1) - i : i);
}

constexpr int kIm2colRun =
    8;  // consecutive outputs per thread: 8 independent loads in flight, one 16-byte store

// col[kidx][rr·Wo + wo] (row stride ldc) = the input under kernel offset kidx = (c, kt, kh, kw) of output
// position (row row0 + rr, column wo); an output row (to, ho) reads one input row. Block (x: a band of
// rowsPerBlock output rows, y: kidx); each thread copies runs of kIm2colRun outputs of a row.
template <class T>
__global__ void im2colRowsKernel(T* __restrict__ col, long long ldc, const T* __restrict__ x,
                                 const T* __restrict__ cache, ConvGeometry g, long long row0, int rows,
                                 int rowsPerBlock, bool vectorStores) {
    static_assert(kIm2colRun * sizeof(T) % sizeof(uint4) == 0, "a run is whole 16-byte stores");
    const int kidx = blockIdx.y;
    const int kk = int(g.kt * g.kh * g.kw), r = kidx % kk, c = kidx / kk;
    const int kw = r % int(g.kw), kh = (r / int(g.kw)) % int(g.kh), kt = r / int(g.kw * g.kh);
    const int Wo = int(g.wo), Ho = int(g.ho), W = int(g.w), H = int(g.h), sw = int(g.sw), left = int(g.left);
    const long long hw = g.h * g.w;
    T* dst = col + (long long)kidx * ldc;
    const int runsPerRow = (Wo + kIm2colRun - 1) / kIm2colRun;
    const int rStart = blockIdx.x * rowsPerBlock;
    const int rStop = rows < rStart + rowsPerBlock ? rows : rStart + rowsPerBlock;
    const int items = (rStop - rStart) * runsPerRow;
    for (int it = threadIdx.x; it < items; it += blockDim.x) {
        const int rr = rStart + it / runsPerRow, wo0 = (it % runsPerRow) * kIm2colRun;
        const long long orow = row0 + rr;
        const int ho = int(orow % Ho);
        long long tau = (orow / Ho) * g.st + kt;
        int hi = ho * int(g.sh) + kh - int(g.top);
        if (g.reflect) hi = reflectIndex(hi, H);
        const T* src = nullptr;
        if (tau >= g.front && hi >= 0 && hi < H) {
            tau = min(tau - g.front, (long long)(g.tc + g.t - 1));  // past the last frame: it again (back)
            src = tau < g.tc ? cache + (c * g.tc + tau) * hw + (long long)hi * W
                             : x + (c * g.t + (tau - g.tc)) * hw + (long long)hi * W;
        }
        alignas(16) T vals[kIm2colRun];
#pragma unroll
        for (int j = 0; j < kIm2colRun; ++j) {
            const int wo = wo0 + j;
            int wi = wo * sw + kw - left;
            if (g.reflect) wi = reflectIndex(wi, W);
            vals[j] = (src && wo < Wo && wi >= 0 && wi < W) ? src[wi] : fromF<T>(0.0f);
        }
        T* d = dst + (long long)rr * Wo + wo0;
        if (vectorStores) {
            const uint4* v = reinterpret_cast<const uint4*>(vals);
#pragma unroll
            for (int q = 0; q < int(sizeof(vals) / sizeof(uint4)); ++q) reinterpret_cast<uint4*>(d)[q] = v[q];
        } else {
            for (int j = 0; j < kIm2colRun && wo0 + j < Wo; ++j) d[j] = vals[j];
        }
    }
}

// out[b][co][n] += bias[co] (+ residual[b][co][n]); grid y = b·Cout + co.
template <class T>
__global__ void biasResidualKernel(T* __restrict__ out, const T* __restrict__ bias,
                                   const T* __restrict__ residual, long long Cout, long long N) {
    const long long plane = blockIdx.y;
    const float bv = bias ? toF(bias[plane % Cout]) : 0.0f;
    T* o = out + plane * N;
    const T* rp = residual ? residual + plane * N : nullptr;
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < N;
         i += (long long)gridDim.x * blockDim.x) {
        float v = toF(o[i]) + bv;
        if (rp) v += toF(rp[i]);
        o[i] = fromF<T>(v);
    }
}

// A 1×1×1 conv: per batch entry, out_b (column-major N × Cout, ld N) = x_b (N × Cin, ld N) · W (Cin × Cout).
void pointwiseGemm(const Tensor& x, const Tensor& w, Tensor& out, const ConvGeometry& g) {
    const DType dt = x.dtype();
    const size_t es = dtypeSize(dt);
    const long long N = g.n(), K = g.k();
    for (long long b = 0; b < g.batch; ++b) {
        GemmSpec s;
        s.m = N, s.n = g.cout, s.k = K;
        s.a = {static_cast<const char*>(x.rawData()) + size_t(b * g.cin * g.t * g.h * g.w) * es, dt, N, 0,
               false};
        s.b = {w.rawData(), dt, K, 0, false};
        s.d = static_cast<char*>(out.rawData()) + size_t(b * g.cout * N) * es, s.dType = dt, s.ldd = N;
        gemm(s, x.device().index);
    }
}

// The general conv: per batch entry and tile of whole output rows, col [K, tileRows · Wo] (within the scratch
// budget) by im2col, then out_b[:, r0·Wo:] (column-major rows·Wo × Cout, ld N) = col (rows·Wo × K) · W (K ×
// Cout).
void im2colGemm(const Tensor& x, const Tensor& cache, const Tensor& w, Tensor& out, const ConvGeometry& g) {
    const DType dt = x.dtype();
    const size_t es = dtypeSize(dt);
    const int dev = x.device().index;
    cudaStream_t stream = streamOf(x);
    const long long K = g.k(), N = g.n(), rowsTotal = g.to * g.ho, Wo = g.wo, hw = g.h * g.w;
    long long tileRows = std::max<long long>(1, kScratchBytes / (long long)es / K / Wo);
    if (tileRows >= 8) tileRows = tileRows / 8 * 8;  // keeps the leading dimension 16-byte aligned
    tileRows = std::min(tileRows, rowsTotal);
    const long long ld = tileRows * Wo;
    Tensor col = Tensor::empty({K, ld}, dt, x.device());
    for (long long b = 0; b < g.batch; ++b) {
        const char* xb = static_cast<const char*>(x.rawData()) + size_t(b * g.cin * g.t * hw) * es;
        const char* cb = cache.defined()
                             ? static_cast<const char*>(cache.rawData()) + size_t(b * g.cin * g.tc * hw) * es
                             : nullptr;
        for (long long r0 = 0; r0 < rowsTotal; r0 += tileRows) {
            const long long rows = std::min(tileRows, rowsTotal - r0);
            {
                const OpScope im2colScope("vae.conv.im2col", dev);
                // ≥ ~16K elements per block: with tiny blocks, block scheduling (not bandwidth) limits.
                const long long perBlock = std::max<long long>(1, 16384 / Wo);
                const unsigned bx = unsigned((rows + perBlock - 1) / perBlock);
                const bool vec = Wo % kIm2colRun == 0 && ld % kIm2colRun == 0;
                SV_DISPATCH_FLOAT(dt, E, {
                    im2colRowsKernel<E><<<dim3(bx, unsigned(K)), 256, 0, stream>>>(
                        static_cast<E*>(col.rawData()), ld, reinterpret_cast<const E*>(xb),
                        reinterpret_cast<const E*>(cb), g, r0, int(rows), int(perBlock), vec);
                });
                checkLaunch();
            }
            GemmSpec s;
            s.m = rows * Wo, s.n = g.cout, s.k = K;
            s.a = {col.rawData(), dt, ld, 0, false};
            s.b = {w.rawData(), dt, K, 0, false};
            s.d = static_cast<char*>(out.rawData()) + size_t(b * g.cout * N + r0 * Wo) * es, s.dType = dt,
            s.ldd = N;
            const OpScope gemmScope("vae.conv.gemm3d", dev);
            gemm(s, dev);
        }
    }
}

void addBiasResidual(Tensor& out, const Tensor& bias, const Tensor& res, const ConvGeometry& g) {
    if (!bias.defined() && !res.defined()) return;
    const OpScope biasScope("vae.conv.biasResidual", out.device().index);
    const long long N = g.n();
    SV_DISPATCH_FLOAT(out.dtype(), E, {
        const unsigned bx = unsigned(std::min<long long>((N + 1023) / 1024, 4096));
        biasResidualKernel<E><<<dim3(bx, unsigned(g.batch * g.cout)), 256, 0, streamOf(out)>>>(
            static_cast<E*>(out.rawData()), bias.defined() ? static_cast<const E*>(bias.rawData()) : nullptr,
            res.defined() ? static_cast<const E*>(res.rawData()) : nullptr, g.cout, N);
    });
    checkLaunch();
}

}  // namespace

Tensor depthwiseConv3x3(const Tensor& xIn, const Tensor& weight, const Tensor& biasIn) {
    const OpScope opScope("dit.depthwiseConv3x3", xIn.device().index);
    const Tensor x = xIn.contiguous();
    const long long S = x.dim(0), H = x.dim(1), W = x.dim(2), C = x.dim(3);
    const Tensor w = weight.to(x.device()).to(x.dtype()).contiguous();
    const Tensor bias = biasIn.defined() ? biasIn.to(x.device()).to(x.dtype()).contiguous() : Tensor();
    Tensor y = Tensor::empty(x.shape(), x.dtype(), x.device());
    if (x.numel() == 0) return y;
    SV_DISPATCH_FLOAT(x.dtype(), T, {
        depthwise3x3Kernel<T><<<unsigned(S * H * W), 256, 0, streamOf(x)>>>(
            static_cast<T*>(y.rawData()), static_cast<const T*>(x.rawData()),
            static_cast<const T*>(w.rawData()),
            bias.defined() ? static_cast<const T*>(bias.rawData()) : nullptr, int(H), int(W), C);
    });
    checkLaunch();
    return y;
}

Tensor siluDepthwiseGlu(const Tensor& xIn, const Tensor& weight, const Tensor& biasIn) {
    const OpScope opScope("dit.siluDepthwiseGlu", xIn.device().index);
    const Tensor x = xIn.contiguous();
    const long long S = x.dim(0), H = x.dim(1), W = x.dim(2), C = x.dim(3) / 2;
    SV_ASSERT_MSG(C < (1LL << 31) && H < (1LL << 31) && W < (1LL << 31), "CUDA siluDepthwiseGlu: x ",
                  x.describe());
    const Tensor w = weight.to(x.device()).to(x.dtype()).contiguous();
    const Tensor bias = biasIn.defined() ? biasIn.to(x.device()).to(x.dtype()).contiguous() : Tensor();
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

Tensor temporalConv3(const Tensor& xIn, const Tensor& weight) {
    const OpScope opScope("dit.temporalConv3", xIn.device().index);
    const Tensor x = xIn.contiguous();
    const long long B = x.dim(0), F = x.dim(1), P = x.dim(2), D = x.dim(3);
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

Tensor causalConv3d(const Tensor& xIn, const Tensor& cacheIn, const Tensor& wIn, const Tensor& biasIn,
                    const Tensor& residual, const ConvGeometry& g) {
    const OpScope opScope("vae.conv", xIn.device().index);
    const DType dt = xIn.dtype();
    const Tensor x = xIn.contiguous();
    const Tensor cache = cacheIn.defined() ? cacheIn.to(dt).contiguous() : Tensor();
    const Tensor w = wIn.to(x.device()).to(dt).contiguous();
    const Tensor bias = biasIn.defined() ? biasIn.to(x.device()).to(dt).contiguous() : Tensor();
    Tensor out = Tensor::empty({g.batch, g.cout, g.to, g.ho, g.wo}, dt, x.device());
    if (g.batch * g.n() * g.cout == 0) return out;
    const Tensor res = residual.defined() ? residual.to(dt).contiguous() : Tensor();
    if (!g.pointwise() && implicitGemmApplies(deviceContext(x.device().index).options, dt, g)) {
        implicitGemmConv(x, cache, w, bias, res, out, g);  // bias and residual fused
        return out;
    }
    if (g.pointwise())
        pointwiseGemm(x, w, out, g);
    else
        im2colGemm(x, cache, w, out, g);
    addBiasResidual(out, bias, res, g);
    return out;
}

}  // namespace sv::cuda
