// CPU convolutions: the DiT feed-forward's depthwise 3×3 and temporal (3, 1) convs on channels-last
// activations (diffusers GLUMBTempConv), and the VAEs' 3D convs (diffusers WanCausalConv3d;
// LTX2VideoCausalConv3d, its replicate frames and reflect padding read in place) as im2col over tiles of
// output positions followed by the fp32 GEMM: out[Cout, n] = W[Cout, K] · col[n, K]ᵀ with K = Cin·kt·kh·kw,
// the weight's natural row-major layout. F32 (weights of other float dtypes converted).
#include <algorithm>
#include <vector>

#include "base/parallel.h"
#include "cpu/gemm.h"
#include "cpu/ops.h"

namespace sv::cpu {

namespace {

constexpr int64_t kColTileFloats = int64_t(1) << 22;  // im2col scratch per tile: 16 MiB

// Frames of one batch entry along padded time: `front` zero frames, then the cache's frames, then x's frames,
// then (ConvGeometry::back) the last frame again.
struct FrameSeq {
    const float* cache = nullptr;  // [Cin, Tc, H, W] of this batch entry
    const float* x = nullptr;      // [Cin, T, H, W]
    int64_t front = 0, tc = 0, t = 0, hw = 0;

    // Frame tau (padded index) and the stride between its channels; nullptr for a zero frame.
    const float* frame(int64_t tau, int64_t& channelStride) const {
        if (tau < front) return nullptr;
        tau = std::min(tau - front, tc + t - 1);
        if (tau < tc) {
            channelStride = tc * hw;
            return cache + tau * hw;
        }
        tau -= tc;
        channelStride = t * hw;
        return x + tau * hw;
    }
};

// PyTorch's reflect index for a padded coordinate i of an extent n (padding < n); others unchanged.
int64_t reflectIndex(int64_t i, int64_t n) {
    return i < 0 ? -i : (i >= n ? 2 * (n - 1) - i : i);
}

// The kh × kw receptive field of output (ho, wo) in one input frame channel fc (null: a zero frame); outside
// the frame zeros, or the mirrored inside with g.reflect.
void gatherPatch(const float* fc, const ConvGeometry& g, int64_t ho, int64_t wo, float* d) {
    for (int64_t kh = 0; kh < g.kh; ++kh) {
        int64_t hi = ho * g.sh + kh - g.top;
        if (g.reflect) hi = reflectIndex(hi, g.h);
        float* dr = d + kh * g.kw;
        if (!fc || hi < 0 || hi >= g.h) {
            std::fill(dr, dr + g.kw, 0.0f);
            continue;
        }
        const float* row = fc + hi * g.w;
        for (int64_t kw = 0; kw < g.kw; ++kw) {
            int64_t wi = wo * g.sw + kw - g.left;
            if (g.reflect) wi = reflectIndex(wi, g.w);
            dr[kw] = (wi >= 0 && wi < g.w) ? row[wi] : 0.0f;
        }
    }
}

// col[i, :] = the receptive field of output position n0 + i, zeros outside the input.
void im2col(const FrameSeq& seq, const ConvGeometry& g, int64_t n0, int64_t n1, float* col) {
    const int64_t K = g.k();
    parallelFor(n1 - n0, 16, [&](int64_t b, int64_t e) {
        for (int64_t i = b; i < e; ++i) {
            const int64_t n = n0 + i;
            const int64_t wo = n % g.wo, ho = (n / g.wo) % g.ho, to = n / (g.wo * g.ho);
            float* dst = col + i * K;
            for (int64_t kt = 0; kt < g.kt; ++kt) {
                int64_t cs = 0;
                const float* f = seq.frame(to * g.st + kt, cs);
                for (int64_t c = 0; c < g.cin; ++c)
                    gatherPatch(f ? f + c * cs : nullptr, g, ho, wo, dst + (c * g.kt + kt) * g.kh * g.kw);
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
        gemmNT(cout, n1 - n0, K, w, K, col, K, o, N, bias ? 1.0f : 0.0f);
    }
}

}  // namespace

Tensor depthwiseConv3x3(const Tensor& x, const Tensor& weight, const Tensor& bias) {
    const int64_t S = x.dim(0), H = x.dim(1), W = x.dim(2), C = x.dim(3);
    // Taps transposed to [9][C] so the channel loop is contiguous.
    const Tensor wc = weight.contiguous();
    std::vector<float> taps(static_cast<size_t>(9 * C));
    for (int64_t c = 0; c < C; ++c)
        for (int t = 0; t < 9; ++t) taps[size_t(t * C + c)] = wc.data<float>()[c * 9 + t];
    std::vector<float> b(size_t(C), 0.0f);
    if (bias.defined()) std::copy_n(bias.contiguous().data<float>(), C, b.begin());
    const Tensor xc = x.contiguous();
    Tensor y = Tensor::empty(x.shape(), DType::F32);
    const float* xp = xc.data<float>();
    float* yp = y.data<float>();
    parallelFor(S * H, 1, [&](int64_t r0, int64_t r1) {
        std::vector<float> acc(static_cast<size_t>(C));
        for (int64_t r = r0; r < r1; ++r) {
            const int64_t s = r / H, i = r % H;
            for (int64_t j = 0; j < W; ++j) {
                std::fill(acc.begin(), acc.end(), 0.0f);
                for (int di = 0; di < 3; ++di) {
                    const int64_t ii = i + di - 1;
                    if (ii < 0 || ii >= H) continue;
                    for (int dj = 0; dj < 3; ++dj) {
                        const int64_t jj = j + dj - 1;
                        if (jj < 0 || jj >= W) continue;
                        const float* src = xp + ((s * H + ii) * W + jj) * C;
                        const float* w = taps.data() + (di * 3 + dj) * C;
                        for (int64_t c = 0; c < C; ++c) acc[size_t(c)] += w[c] * src[c];
                    }
                }
                float* dst = yp + ((s * H + i) * W + j) * C;
                for (int64_t c = 0; c < C; ++c) dst[c] = acc[size_t(c)] + b[size_t(c)];
            }
        }
    });
    return y;
}

Tensor siluDepthwiseGlu(const Tensor& x, const Tensor& weight, const Tensor& bias) {
    // Exactly the three ops in turn (the CUDA backend fuses them).
    return gluSilu(depthwiseConv3x3(unary(x, UnaryOp::Silu, 0.0f, 0.0f), weight, bias));
}

Tensor temporalConv3(const Tensor& x, const Tensor& weight) {
    const int64_t B = x.dim(0), F = x.dim(1), P = x.dim(2), D = x.dim(3);
    // W_k[o, c] = weight[o, c, k, 0], each [D, D] row-major.
    const Tensor wc = weight.contiguous();
    std::vector<float> wk(static_cast<size_t>(3 * D * D));
    const float* wp = wc.data<float>();
    for (int64_t o = 0; o < D; ++o)
        for (int64_t c = 0; c < D; ++c)
            for (int k = 0; k < 3; ++k) wk[size_t((k * D + o) * D + c)] = wp[(o * D + c) * 3 + k];
    const Tensor xc = x.contiguous();
    Tensor y = Tensor::zeros(x.shape(), DType::F32);
    const float* xp = xc.data<float>();
    float* yp = y.data<float>();
    const int64_t frame = P * D;
    for (int64_t b = 0; b < B; ++b)
        for (int64_t t = 0; t < F; ++t)
            for (int k = 0; k < 3; ++k) {
                const int64_t src = t + k - 1;
                if (src < 0 || src >= F) continue;
                gemmNT(P, D, D, xp + (b * F + src) * frame, D, wk.data() + k * D * D, D,
                       yp + (b * F + t) * frame, D, 1.0f);
            }
    return y;
}

Tensor causalConv3d(const Tensor& xIn, const Tensor& cacheIn, const Tensor& wIn, const Tensor& biasIn,
                    const Tensor& residual, const ConvGeometry& g) {
    const Tensor x = xIn.contiguous(), cache = cacheIn.defined() ? cacheIn.contiguous() : Tensor();
    const Tensor w = wIn.to(DType::F32).contiguous();
    const Tensor bias = biasIn.defined() ? biasIn.to(DType::F32).contiguous() : Tensor();
    const int64_t K = g.k(), N = g.n(), hw = g.h * g.w;
    Tensor out = Tensor::empty({g.batch, g.cout, g.to, g.ho, g.wo}, DType::F32);
    const float* bp = bias.defined() ? bias.data<float>() : nullptr;
    for (int64_t b = 0; b < g.batch; ++b) {
        const float* xb = x.data<float>() + b * g.cin * g.t * hw;
        float* ob = out.data<float>() + b * g.cout * N;
        if (g.pointwise()) {
            gemmTiles(w.data<float>(), bp, g.cout, K, N, ob,
                      [&](int64_t n0, int64_t n1, float* col) { transposeTile(xb, g.cin, N, n0, n1, col); });
        } else {
            const FrameSeq seq{cache.defined() ? cache.data<float>() + b * g.cin * g.tc * hw : nullptr,
                               xb,
                               g.front,
                               g.tc,
                               g.t,
                               hw};
            gemmTiles(w.data<float>(), bp, g.cout, K, N, ob,
                      [&](int64_t n0, int64_t n1, float* col) { im2col(seq, g, n0, n1, col); });
        }
    }
    if (residual.defined()) {  // the fused skip connection, added after the bias
        const Tensor r = residual.contiguous();
        float* o = out.data<float>();
        const float* rp = r.data<float>();
        parallelFor(out.numel(), 1 << 16, [&](int64_t b, int64_t e) {
            for (int64_t i = b; i < e; ++i) o[i] += rp[i];
        });
    }
    return out;
}

}  // namespace sv::cpu
