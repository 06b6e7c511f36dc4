// CPU convolutions of the Wan VAE: im2col over tiles of output positions, then the fp32 GEMM
// (out[Cout, n] = W[Cout, K] · col[n, K]ᵀ with K = Cin·kt·kh·kw, the weight's natural row-major layout).
#include <algorithm>
#include <cstring>

#include "base/parallel.h"
#include "cpu/gemm.h"
#include "ops/vae_conv.h"

#ifdef SV_WITH_CUDA
#include "cuda/vae.h"
#endif

namespace sv::ops {

namespace {

constexpr int64_t kColTileFloats = int64_t(1) << 22;  // im2col scratch per tile: 16 MiB

Tensor activation(const Tensor& t, const char* op, const char* what) {
    SV_ASSERT_MSG(t.device().isCpu(), op, ": only the CPU backend is implemented (", what, " ", t.describe(),
                  ")");
    SV_ASSERT_MSG(t.dtype() == DType::F32, op, ": ", what, " must be F32, got ", t.describe());
    return t.contiguous();
}

Tensor weight(const Tensor& t) {
    return t.to(DType::F32).contiguous();
}

// Frames of one batch entry along padded time: `front` zero frames, then the cache's frames, then x's frames.
struct FrameSeq {
    const float* cache = nullptr;  // [Cin, Tc, H, W] of this batch entry
    const float* x = nullptr;      // [Cin, T, H, W]
    int64_t front = 0, tc = 0, t = 0, hw = 0;

    // Frame tau (padded index) and the stride between its channels; nullptr for a zero frame.
    const float* frame(int64_t tau, int64_t& channelStride) const {
        if (tau < front) return nullptr;
        tau -= front;
        if (tau < tc) {
            channelStride = tc * hw;
            return cache + tau * hw;
        }
        tau -= tc;
        channelStride = t * hw;
        return x + tau * hw;
    }
};

struct ConvGeom {
    int64_t cin, kt, kh, kw, st, sh, sw, top, left, h, w, to, ho, wo;
    int64_t k() const { return cin * kt * kh * kw; }
    int64_t n() const { return to * ho * wo; }
};

// col[i, :] = the receptive field of output position n0 + i, zeros outside the input.
void im2col(const FrameSeq& seq, const ConvGeom& g, int64_t n0, int64_t n1, float* col) {
    const int64_t K = g.k();
    parallelFor(n1 - n0, 16, [&](int64_t b, int64_t e) {
        for (int64_t i = b; i < e; ++i) {
            const int64_t n = n0 + i;
            const int64_t wo = n % g.wo, ho = (n / g.wo) % g.ho, to = n / (g.wo * g.ho);
            float* dst = col + i * K;
            for (int64_t kt = 0; kt < g.kt; ++kt) {
                int64_t cs = 0;
                const float* f = seq.frame(to * g.st + kt, cs);
                for (int64_t c = 0; c < g.cin; ++c) {
                    float* d = dst + (c * g.kt + kt) * g.kh * g.kw;
                    if (!f) {
                        std::fill(d, d + g.kh * g.kw, 0.0f);
                        continue;
                    }
                    const float* fc = f + c * cs;
                    for (int64_t kh = 0; kh < g.kh; ++kh) {
                        const int64_t hi = ho * g.sh + kh - g.top;
                        float* dr = d + kh * g.kw;
                        if (hi < 0 || hi >= g.h) {
                            std::fill(dr, dr + g.kw, 0.0f);
                            continue;
                        }
                        const float* row = fc + hi * g.w;
                        for (int64_t kw = 0; kw < g.kw; ++kw) {
                            const int64_t wi = wo * g.sw + kw - g.left;
                            dr[kw] = (wi >= 0 && wi < g.w) ? row[wi] : 0.0f;
                        }
                    }
                }
            }
        }
    });
}

// col[i, c] = x[c, n0 + i] (the transpose a 1×1 conv needs).
void transposeTile(const float* x, int64_t cin, int64_t n, int64_t n0, int64_t n1, float* col) {
    parallelFor(n1 - n0, 64, [&](int64_t b, int64_t e) {
        for (int64_t c = 0; c < cin; ++c) {
            const float* src = x + c * n + n0;
            for (int64_t i = b; i < e; ++i) col[i * cin + c] = src[i];
        }
    });
}

// out[Cout, N] (+)= W · colᵀ over output tiles; `fill(n0, n1, col)` writes the tile's columns.
template <class Fill>
void gemmTiles(const float* w, const float* bias, int64_t cout, int64_t K, int64_t N, float* out,
               Fill&& fill) {
    const int64_t tile =
        std::min(N, std::max<int64_t>(64, kColTileFloats / std::max<int64_t>(K, 1) / 64 * 64));
    Tensor scratch = Tensor::empty({tile, K}, DType::F32);
    float* col = scratch.data<float>();
    for (int64_t n0 = 0; n0 < N; n0 += tile) {
        const int64_t n1 = std::min(N, n0 + tile);
        fill(n0, n1, col);
        float* o = out + n0;
        if (bias) {
            for (int64_t co = 0; co < cout; ++co) std::fill(o + co * N, o + co * N + (n1 - n0), bias[co]);
        }
        cpu::gemmNT(cout, n1 - n0, K, w, K, col, K, o, N, bias ? 1.0f : 0.0f);
    }
}

void addResidual(Tensor& out, const Tensor& residual, const char* op) {
    if (!residual.defined()) return;
    SV_ASSERT_MSG(residual.shape() == out.shape(), op, ": residual ", residual.describe(), " vs output ",
                  out.describe());
    Tensor r = activation(residual, op, "residual");
    float* o = out.data<float>();
    const float* rp = r.data<float>();
    parallelFor(out.numel(), 1 << 16, [&](int64_t b, int64_t e) {
        for (int64_t i = b; i < e; ++i) o[i] += rp[i];
    });
}

}  // namespace

Tensor causalConv3d(const Tensor& xIn, const Tensor& cacheIn, const Tensor& wIn, const Tensor& biasIn,
                    const ConvPad3d& pad, int strideT, int strideH, int strideW, const Tensor& residual) {
#ifdef SV_WITH_CUDA
    if (xIn.device().isCuda())
        return cuda::vaeCausalConv3d(xIn, cacheIn, wIn, biasIn, pad, strideT, strideH, strideW, residual);
#endif
    const char* op = "causalConv3d";
    SV_ASSERT_MSG(xIn.rank() == 5 && wIn.rank() == 5 && wIn.dim(1) == xIn.dim(1), op, ": x ", xIn.describe(),
                  " vs w ", wIn.describe());
    Tensor x = activation(xIn, op, "x");
    Tensor cache;
    if (cacheIn.defined() && cacheIn.dim(2) > 0) {
        cache = activation(cacheIn, op, "cache");
        SV_ASSERT_MSG(cache.dim(0) == x.dim(0) && cache.dim(1) == x.dim(1) && cache.dim(3) == x.dim(3) &&
                          cache.dim(4) == x.dim(4),
                      op, ": cache ", cache.describe(), " vs x ", x.describe());
    }
    SV_ASSERT(pad.front >= 0 && pad.top >= 0 && pad.bottom >= 0 && pad.left >= 0 && pad.right >= 0);
    SV_ASSERT(strideT > 0 && strideH > 0 && strideW > 0);
    Tensor w = weight(wIn), bias = biasIn.defined() ? weight(biasIn) : Tensor();
    const int64_t B = x.dim(0), T = x.dim(2), H = x.dim(3), W = x.dim(4),
                  Tc = cache.defined() ? cache.dim(2) : 0;
    ConvGeom g{};
    g.cin = x.dim(1);
    g.kt = w.dim(2), g.kh = w.dim(3), g.kw = w.dim(4);
    g.st = strideT, g.sh = strideH, g.sw = strideW;
    g.top = pad.top, g.left = pad.left, g.h = H, g.w = W;
    const int64_t tp = pad.front + Tc + T, hp = H + pad.top + pad.bottom, wp = W + pad.left + pad.right;
    SV_ASSERT_MSG(tp >= g.kt && hp >= g.kh && wp >= g.kw, op, ": input ", x.describe(), " (+", Tc,
                  " cached frames) is smaller than the kernel ", w.describe());
    g.to = (tp - g.kt) / g.st + 1, g.ho = (hp - g.kh) / g.sh + 1, g.wo = (wp - g.kw) / g.sw + 1;
    const int64_t cout = w.dim(0), K = g.k(), N = g.n();
    Tensor out = Tensor::empty({B, cout, g.to, g.ho, g.wo}, DType::F32);
    const bool pointwise = K == g.cin && pad.front == 0 && Tc == 0 && g.st == 1 && g.sh == 1 && g.sw == 1 &&
                           pad.top == 0 && pad.bottom == 0 && pad.left == 0 && pad.right == 0;
    for (int64_t b = 0; b < B; ++b) {
        const float* xb = x.data<float>() + b * g.cin * T * H * W;
        float* ob = out.data<float>() + b * cout * N;
        const float* bp = bias.defined() ? bias.data<float>() : nullptr;
        if (pointwise) {
            gemmTiles(w.data<float>(), bp, cout, K, N, ob,
                      [&](int64_t n0, int64_t n1, float* col) { transposeTile(xb, g.cin, N, n0, n1, col); });
        } else {
            FrameSeq seq;
            seq.cache = cache.defined() ? cache.data<float>() + b * g.cin * Tc * H * W : nullptr;
            seq.x = xb;
            seq.front = pad.front, seq.tc = Tc, seq.t = T, seq.hw = H * W;
            gemmTiles(w.data<float>(), bp, cout, K, N, ob,
                      [&](int64_t n0, int64_t n1, float* col) { im2col(seq, g, n0, n1, col); });
        }
    }
    addResidual(out, residual, op);
    return out;
}

Tensor frameConv2d(const Tensor& x, const Tensor& w, const Tensor& bias, const ConvPad3d& pad, int strideH,
                   int strideW) {
    SV_ASSERT_MSG(w.rank() == 4 && pad.front == 0, "frameConv2d: w ", w.describe(), ", front pad ",
                  pad.front);
    return causalConv3d(x, Tensor(), w.unsqueeze(2), bias, pad, 1, strideH, strideW);
}

Tensor pointwiseConv(const Tensor& x, const Tensor& w, const Tensor& bias, const Tensor& residual) {
    SV_ASSERT_MSG(x.rank() >= 2 && w.rank() >= 2 && w.dim(1) == x.dim(1) && w.numel() == w.dim(0) * w.dim(1),
                  "pointwiseConv: x ", x.describe(), " vs w ", w.describe());
    const int64_t B = x.dim(0), cin = x.dim(1), cout = w.dim(0),
                  S = x.numel() / std::max<int64_t>(1, B * cin);
    Tensor y = causalConv3d(x.contiguous().view({B, cin, 1, 1, S}), Tensor(), w.reshape({cout, cin, 1, 1, 1}),
                            bias, ConvPad3d{}, 1, 1, 1,
                            residual.defined() ? residual.contiguous().view({B, cout, 1, 1, S}) : Tensor());
    Shape shape = x.shape();
    shape[1] = cout;
    return y.view(shape);
}

Tensor lastFrames(const Tensor& cache, const Tensor& x, int depth) {
    SV_ASSERT_MSG(x.rank() == 5 && depth > 0, "lastFrames: x ", x.describe());
    const int64_t T = x.dim(2), Tc = cache.defined() ? cache.dim(2) : 0;
    const int64_t keep = std::min<int64_t>(depth, Tc + T), fromCache = keep - std::min<int64_t>(keep, T);
    Shape shape = x.shape();
    shape[2] = keep;
    Tensor out = Tensor::empty(shape, x.dtype(), x.device());
    if (fromCache > 0) out.slice(2, 0, fromCache).copyFrom(cache.slice(2, Tc - fromCache, Tc));
    out.slice(2, fromCache, keep).copyFrom(x.slice(2, T - (keep - fromCache), T));
    return out;
}

}  // namespace sv::ops
