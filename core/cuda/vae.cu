// CUDA: the Wan VAE's convolutions (im2col + cuBLASLt), RMS norm, frame attention and resampling.
#include <algorithm>
#include <cmath>
#include "cuda/profile.h"

#include "cuda/gemm.cuh"
#include "cuda/kernels.cuh"
#include "cuda/vae.h"
#include "cuda/vae_conv_igemm.h"

namespace sv::cuda {

namespace {

constexpr long long kScratchBytes = 256LL << 20;

struct ConvGeom {
    long long cin, kt, kh, kw, st, sh, sw, top, left, h, w, to, ho, wo;
    long long front, tc, t;  // padded time: front zero frames, then tc cached frames, then t input frames
};

constexpr int kIm2colRun =
    8;  // consecutive outputs per thread: 8 independent loads in flight, one 16-byte store

// col[kidx][rr·Wo + wo] (row stride ldc) = the input under kernel offset kidx = (c, kt, kh, kw) of output
// position (row row0 + rr, column wo); an output row (to, ho) reads one input row. Block (x: a band of
// rowsPerBlock output rows, y: kidx); each thread copies runs of kIm2colRun outputs of a row.
template <class T>
__global__ void im2colRowsKernel(T* __restrict__ col, long long ldc, const T* __restrict__ x,
                                 const T* __restrict__ cache, ConvGeom g, long long row0, int rows,
                                 int rowsPerBlock, bool vectorStores) {
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
        const int hi = ho * int(g.sh) + kh - int(g.top);
        const T* src = nullptr;
        if (tau >= g.front && hi >= 0 && hi < H) {
            tau -= g.front;
            src = tau < g.tc ? cache + (c * g.tc + tau) * hw + (long long)hi * W
                             : x + (c * g.t + (tau - g.tc)) * hw + (long long)hi * W;
        }
        alignas(16) T vals[kIm2colRun];
#pragma unroll
        for (int j = 0; j < kIm2colRun; ++j) {
            const int wo = wo0 + j, wi = wo * sw + kw - left;
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

// Per (b, location): y = x / max(‖x‖₂ over C, 1e-12) · √C · γ_c, optionally SiLU.
template <class T>
__global__ void wanRmsNormKernel(T* __restrict__ y, const T* __restrict__ x, const float* __restrict__ gamma,
                                 long long C, long long S, long long total, float scale, bool silu) {
    for (long long e = blockIdx.x * (long long)blockDim.x + threadIdx.x; e < total;
         e += (long long)gridDim.x * blockDim.x) {
        const long long b = e / S, s = e % S;
        const T* xp = x + b * C * S + s;
        T* yp = y + b * C * S + s;
        float ss = 0.0f;
        for (long long c = 0; c < C; ++c) {
            const float v = toF(xp[c * S]);
            ss += v * v;
        }
        const float norm = fmaxf(sqrtf(ss), 1e-12f);
        for (long long c = 0; c < C; ++c) {
            float v = toF(xp[c * S]) / norm * scale * gamma[c];
            if (silu) v = v / (1.0f + expf(-v));
            yp[c * S] = fromF<T>(v);
        }
    }
}

template <class T>
__global__ void softmaxScaledKernel(T* P, const float* S, long long rows, long long L, long long ld,
                                    float scale) {
    const long long row = (long long)blockIdx.x * (blockDim.x >> 5) + (threadIdx.x >> 5);
    const int lane = threadIdx.x & 31;
    if (row >= rows) return;
    const float* s = S + row * ld;
    float m = -INFINITY;
    for (long long l = lane; l < L; l += 32) m = fmaxf(m, s[l] * scale);
    m = warpMax(m);
    float sum = 0.0f;
    for (long long l = lane; l < L; l += 32) sum += expf(s[l] * scale - m);
    sum = warpSum(sum);
    const float inv = 1.0f / sum;
    T* p = P + row * ld;
    for (long long l = lane; l < L; l += 32) p[l] = fromF<T>(expf(s[l] * scale - m) * inv);
}

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

Tensor vaeCausalConv3d(const Tensor& xIn, const Tensor& cacheIn, const Tensor& wIn, const Tensor& biasIn,
                       const ops::ConvPad3d& pad, int strideT, int strideH, int strideW,
                       const Tensor& residual) {
    const OpScope opScope("vae.conv", xIn.device().index);
    const char* op = "CUDA causalConv3d";
    SV_ASSERT_MSG(xIn.device().isCuda() && xIn.rank() == 5 && wIn.rank() == 5 && wIn.dim(1) == xIn.dim(1), op,
                  ": x ", xIn.describe(), " vs w ", wIn.describe());
    const DType dt = xIn.dtype();
    const Tensor x = xIn.contiguous();
    Tensor cache;
    if (cacheIn.defined() && cacheIn.dim(2) > 0) {
        cache = cacheIn.to(dt).contiguous();
        SV_ASSERT_MSG(cache.device() == x.device() && cache.dim(0) == x.dim(0) && cache.dim(1) == x.dim(1) &&
                          cache.dim(3) == x.dim(3) && cache.dim(4) == x.dim(4),
                      op, ": cache ", cache.describe(), " vs x ", x.describe());
    }
    SV_ASSERT(pad.front >= 0 && pad.top >= 0 && pad.bottom >= 0 && pad.left >= 0 && pad.right >= 0);
    SV_ASSERT(strideT > 0 && strideH > 0 && strideW > 0);
    const Tensor w = wIn.to(x.device()).to(dt).contiguous();
    const Tensor bias = biasIn.defined() ? biasIn.to(x.device()).to(dt).contiguous() : Tensor();
    const long long B = x.dim(0), T = x.dim(2), H = x.dim(3), W = x.dim(4),
                    Tc = cache.defined() ? cache.dim(2) : 0;
    ConvGeom g{};
    g.cin = x.dim(1);
    g.kt = w.dim(2), g.kh = w.dim(3), g.kw = w.dim(4);
    g.st = strideT, g.sh = strideH, g.sw = strideW;
    g.top = pad.top, g.left = pad.left, g.h = H, g.w = W;
    g.front = pad.front, g.tc = Tc, g.t = T;
    const long long tp = pad.front + Tc + T, hp = H + pad.top + pad.bottom, wp = W + pad.left + pad.right;
    SV_ASSERT_MSG(tp >= g.kt && hp >= g.kh && wp >= g.kw, op, ": input ", x.describe(), " (+", Tc,
                  " cached frames) is smaller than the kernel ", w.describe());
    g.to = (tp - g.kt) / g.st + 1, g.ho = (hp - g.kh) / g.sh + 1, g.wo = (wp - g.kw) / g.sw + 1;
    const long long cout = w.dim(0), K = g.cin * g.kt * g.kh * g.kw, N = g.to * g.ho * g.wo;
    Tensor out = Tensor::empty({B, cout, g.to, g.ho, g.wo}, dt, x.device());
    if (B * N * cout == 0) return out;
    const bool pointwise = K == g.cin && pad.front == 0 && Tc == 0 && g.st == 1 && g.sh == 1 && g.sw == 1 &&
                           pad.top == 0 && pad.bottom == 0 && pad.left == 0 && pad.right == 0;
    const int dev = x.device().index;
    if (!pointwise &&
        vaeConvImplicitGemmApplies(dt, g.cin, g.kt * g.kh * g.kw,
                                   std::max({B * g.cin * (T + Tc) * H * W, B * cout * N, cout * K}))) {
        Tensor res;
        if (residual.defined()) {
            SV_ASSERT_MSG(residual.shape() == out.shape(), op, ": residual ", residual.describe(),
                          " vs output ", out.describe());
            res = residual.to(dt).contiguous();
        }
        ConvShape s;
        s.st = strideT, s.sh = strideH, s.sw = strideW, s.front = pad.front, s.top = pad.top,
        s.left = pad.left;
        vaeConvImplicitGemm(x, cache, w, bias, res, out, s);
        return out;
    }
    cudaStream_t stream = streamOf(x);
    const size_t es = dtypeSize(dt);
    const long long inPerBatch = g.cin * T * H * W;
    if (pointwise) {
        for (long long b = 0; b < B; ++b) {
            // out_b (column-major N × Cout, ld N) = x_b (N × Cin, ld N) · W (Cin × Cout, ld Cin)
            GemmSpec s;
            s.m = N, s.n = cout, s.k = K;
            s.a = {static_cast<const char*>(x.rawData()) + size_t(b * inPerBatch) * es, dt, N, 0, false};
            s.b = {w.rawData(), dt, K, 0, false};
            s.d = static_cast<char*>(out.rawData()) + size_t(b * cout * N) * es, s.dType = dt, s.ldd = N;
            gemm(s, dev);
        }
    } else {
        // Tiles of whole output rows: col [K, tileRows · Wo] within the scratch budget.
        const long long rowsTotal = g.to * g.ho, Wo = g.wo;
        long long tileRows = std::max<long long>(1, kScratchBytes / (long long)es / K / Wo);
        if (tileRows >= 8) tileRows = tileRows / 8 * 8;  // keeps the leading dimension 16-byte aligned
        tileRows = std::min(tileRows, rowsTotal);
        const long long ld = tileRows * Wo;
        Tensor col = Tensor::empty({K, ld}, dt, x.device());
        for (long long b = 0; b < B; ++b) {
            const char* xb = static_cast<const char*>(x.rawData()) + size_t(b * inPerBatch) * es;
            const char* cb = cache.defined() ? static_cast<const char*>(cache.rawData()) +
                                                   size_t(b * g.cin * Tc * H * W) * es
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
                // out_b[:, r0·Wo:] (column-major rows·Wo × Cout, ld N) = col (rows·Wo × K, ld) · W (K × Cout)
                GemmSpec s;
                s.m = rows * Wo, s.n = cout, s.k = K;
                s.a = {col.rawData(), dt, ld, 0, false};
                s.b = {w.rawData(), dt, K, 0, false};
                s.d = static_cast<char*>(out.rawData()) + size_t(b * cout * N + r0 * Wo) * es, s.dType = dt,
                s.ldd = N;
                const OpScope gemmScope("vae.conv.gemm3d", dev);
                gemm(s, dev);
            }
        }
    }
    Tensor res;
    if (residual.defined()) {
        SV_ASSERT_MSG(residual.shape() == out.shape(), op, ": residual ", residual.describe(), " vs output ",
                      out.describe());
        res = residual.to(dt).contiguous();
    }
    if (bias.defined() || res.defined()) {
        const OpScope biasScope("vae.conv.biasResidual", dev);
        SV_DISPATCH_FLOAT(dt, E, {
            const unsigned bx = unsigned(std::min<long long>((N + 1023) / 1024, 4096));
            biasResidualKernel<E><<<dim3(bx, unsigned(B * cout)), 256, 0, stream>>>(
                static_cast<E*>(out.rawData()),
                bias.defined() ? static_cast<const E*>(bias.rawData()) : nullptr,
                res.defined() ? static_cast<const E*>(res.rawData()) : nullptr, cout, N);
        });
        checkLaunch();
    }
    return out;
}

Tensor vaeRmsNorm(const Tensor& xIn, const Tensor& gammaIn, bool silu) {
    const OpScope opScope("vae.rmsNorm", xIn.device().index);
    SV_ASSERT_MSG(xIn.device().isCuda() && xIn.rank() >= 2 && gammaIn.numel() == xIn.dim(1),
                  "CUDA wanRmsNorm: x ", xIn.describe(), " gamma ", gammaIn.describe());
    const Tensor x = xIn.contiguous();
    const Tensor gamma = gammaIn.to(x.device()).to(DType::F32).contiguous();
    const long long B = x.dim(0), C = x.dim(1), S = x.numel() / std::max<long long>(1, B * C);
    Tensor y = Tensor::empty(x.shape(), x.dtype(), x.device());
    const long long total = B * S;
    if (total == 0 || C == 0) return y;
    const float scale = float(std::sqrt(double(C)));
    SV_DISPATCH_FLOAT(x.dtype(), T, {
        wanRmsNormKernel<T><<<gridFor(total, 128), 128, 0, streamOf(x)>>>(
            static_cast<T*>(y.rawData()), static_cast<const T*>(x.rawData()), gamma.data<float>(), C, S,
            total, scale, silu);
    });
    checkLaunch();
    return y;
}

Tensor vaeFrameAttention(const Tensor& qkvIn) {
    const OpScope opScope("vae.attention", qkvIn.device().index);
    SV_ASSERT_MSG(qkvIn.device().isCuda() && qkvIn.rank() == 5 && qkvIn.dim(1) % 3 == 0,
                  "CUDA vaeFrameAttention: qkv ", qkvIn.describe());
    const Tensor qkv = qkvIn.contiguous();
    const DType dt = qkv.dtype();
    const long long B = qkv.dim(0), C = qkv.dim(1) / 3, T = qkv.dim(2), S = qkv.dim(3) * qkv.dim(4);
    Tensor out = Tensor::empty({B, C, T, qkv.dim(3), qkv.dim(4)}, dt, qkv.device());
    if (B * C * T * S == 0) return out;
    const float scale = float(1.0 / std::sqrt(double(C)));
    const long long Sp = (S + 7) / 8 * 8;
    const long long rowsPerPass = std::clamp<long long>(kScratchBytes / 4 / Sp, 1, S);
    Tensor scores = Tensor::empty({rowsPerPass, Sp}, DType::F32, qkv.device());
    Tensor probs = dt == DType::F32 ? scores : Tensor::empty({rowsPerPass, Sp}, dt, qkv.device());
    const size_t es = dtypeSize(dt);
    const int dev = qkv.device().index;
    const long long TS = T * S;
    for (long long b = 0; b < B; ++b) {
        for (long long t = 0; t < T; ++t) {
            const char* qb = static_cast<const char*>(qkv.rawData()) + size_t((b * 3 * C * T + t) * S) * es;
            const char* kb = qb + size_t(C * TS) * es;
            const char* vb = qb + size_t(2 * C * TS) * es;
            char* ob = static_cast<char*>(out.rawData()) + size_t((b * C * T + t) * S) * es;
            for (long long r0 = 0; r0 < S; r0 += rowsPerPass) {
                const long long rc = std::min(rowsPerPass, S - r0);
                // scores (column-major S × rc, ld Sp) = K (S × C, ld TS) · Q[r0:]ᵀ
                GemmSpec s1;
                s1.m = S, s1.n = rc, s1.k = C;
                s1.a = {kb, dt, TS, 0, false};
                s1.b = {qb + size_t(r0) * es, dt, TS, 0, true};
                s1.d = scores.rawData(), s1.dType = DType::F32, s1.ldd = Sp;
                gemm(s1, dev);
                SV_DISPATCH_FLOAT(dt, Tt, {
                    softmaxScaledKernel<Tt><<<unsigned((rc + 7) / 8), 256, 0, streamOf(qkv)>>>(
                        static_cast<Tt*>(probs.rawData()), scores.data<float>(), rc, S, Sp, scale);
                });
                checkLaunch();
                // out[:, r0:] (column-major rc × C, ld TS) = Pᵀ (rc × S) · V (S × C, ld TS)
                GemmSpec s2;
                s2.m = rc, s2.n = C, s2.k = S;
                s2.a = {probs.rawData(), dt, Sp, 0, true};
                s2.b = {vb, dt, TS, 0, false};
                s2.d = ob + size_t(r0) * es, s2.dType = dt, s2.ldd = TS;
                gemm(s2, dev);
            }
        }
    }
    return out;
}

Tensor vaeUpsampleNearest2x(const Tensor& xIn) {
    const OpScope opScope("vae.upsample2x", xIn.device().index);
    SV_ASSERT_MSG(xIn.device().isCuda() && xIn.rank() == 5, "CUDA upsampleNearest2x: x ", xIn.describe());
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

Tensor vaeInterleaveTimeHalves(const Tensor& xIn) {
    const OpScope opScope("vae.interleaveTime", xIn.device().index);
    SV_ASSERT_MSG(xIn.device().isCuda() && xIn.rank() == 5 && xIn.dim(1) % 2 == 0,
                  "CUDA interleaveTimeHalves: x ", xIn.describe());
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
