// The LTX-2 VAE's ops (ops/ltx_vae.h) on the CPU against plain definitions: the conv reads its reflect
// padding and repeated last frames in place (bitwise the conv of the explicitly padded frames, which is how
// the op was first written), the channel norms against float64 formulas, the shuffles against each other.
// Model-level parity: ltx2_vae_parity_test.cpp.
#include <cmath>
#include <random>

#include <gtest/gtest.h>

#include "ops/ltx_vae.h"
#include "ops/vae_conv.h"
#include "support/reference.h"

namespace sv {
namespace {

using ops::ltx::ChannelNorm;
using ops::ltx::SpatialPadding;
using ops::ltx::SubpixelOrder;

Tensor randn(Shape shape, uint32_t seed, float stddev = 1.0f) {
    std::mt19937 rng(seed);
    std::normal_distribution<float> dist(0.0f, stddev);
    std::vector<float> v(static_cast<size_t>(shapeNumel(shape)));
    for (float& x : v) x = dist(rng);
    return Tensor::fromFloats(v, std::move(shape));
}

int64_t reflected(int64_t i, int64_t n) {
    return i < 0 ? -i : (i >= n ? 2 * (n - 1) - i : i);
}

// [cache ; x ; back × last frame] with ph / pw rows / columns of zeros or reflect padding, materialised.
Tensor paddedFrames(const Tensor& x, const Tensor& cache, int back, int64_t ph, int64_t pw, bool reflect) {
    const int64_t B = x.dim(0), C = x.dim(1), T = x.dim(2), H = x.dim(3), W = x.dim(4);
    const int64_t Tc = cache.defined() ? cache.dim(2) : 0, To = Tc + T + back;
    Tensor out = Tensor::zeros({B, C, To, H + 2 * ph, W + 2 * pw}, DType::F32);
    float* o = out.data<float>();
    for (int64_t b = 0; b < B; ++b)
        for (int64_t c = 0; c < C; ++c)
            for (int64_t t = 0; t < To; ++t) {
                const int64_t src = std::min(t, Tc + T - 1);
                const Tensor& from = src < Tc ? cache : x;
                const int64_t ts = src < Tc ? src : src - Tc, tn = src < Tc ? Tc : T;
                const float* f = from.data<float>() + ((b * C + c) * tn + ts) * H * W;
                for (int64_t r = 0; r < H + 2 * ph; ++r)
                    for (int64_t q = 0; q < W + 2 * pw; ++q) {
                        int64_t hi = r - ph, wi = q - pw;
                        if (reflect) hi = reflected(hi, H), wi = reflected(wi, W);
                        if (hi < 0 || hi >= H || wi < 0 || wi >= W) continue;
                        o[(((b * C + c) * To + t) * (H + 2 * ph) + r) * (W + 2 * pw) + q] = f[hi * W + wi];
                    }
            }
    return out;
}

TEST(LtxOps, ConvReadsReflectPaddingAndRepeatedFramesInPlace) {
    struct Case {
        int64_t B, cin, cout, T, Tc, H, W, k;
        int back;
        SpatialPadding pad;
    };
    const Case cases[] = {{1, 3, 4, 2, 2, 5, 6, 3, 0, SpatialPadding::Reflect},
                          {2, 2, 3, 1, 1, 2, 3, 3, 1, SpatialPadding::Reflect},
                          {1, 4, 2, 0, 2, 3, 4, 3, 1, SpatialPadding::Reflect},
                          {1, 2, 2, 3, 0, 4, 4, 3, 2, SpatialPadding::Zeros},
                          {1, 2, 5, 2, 1, 6, 7, 1, 0, SpatialPadding::Reflect}};
    uint32_t seed = 1;
    for (const Case& c : cases) {
        SCOPED_TRACE(concat("T ", c.T, " + ", c.Tc, " cached + ", c.back, " back, ", c.H, "x", c.W,
                            c.pad == SpatialPadding::Reflect ? " reflect" : " zeros"));
        const Tensor x = randn({c.B, c.cin, c.T, c.H, c.W}, seed++);
        const Tensor cache = c.Tc ? randn({c.B, c.cin, c.Tc, c.H, c.W}, seed++) : Tensor();
        const Tensor w = randn({c.cout, c.cin, c.k, c.k, c.k}, seed++, 0.3f),
                     b = randn({c.cout}, seed++, 0.1f);
        const Tensor padded =
            paddedFrames(x, cache, c.back, c.k / 2, c.k / 2, c.pad == SpatialPadding::Reflect);
        const Tensor ref = ops::causalConv3d(padded, Tensor(), w, b, ops::ConvPad3d{});
        const Tensor out = ops::ltx::conv3d(x, cache, c.back, w, b, c.pad);
        ASSERT_EQ(out.shape(), ref.shape());
        EXPECT_EQ(test::compare(out, ref).maxAbs, 0.0);
    }
}

TEST(LtxOps, ChannelNormsFollowTheirFormulas) {
    const Tensor x = randn({2, 6, 2, 3, 5}, 20, 2.0f);
    const Tensor w = randn({6}, 21, 0.3f), b = randn({6}, 22, 0.1f);
    const int64_t B = 2, C = 6, S = 30;
    for (ChannelNorm kind : {ChannelNorm::Rms, ChannelNorm::Layer})
        for (bool silu : {false, true}) {
            const float eps = kind == ChannelNorm::Rms ? 1e-8f : 1e-6f;
            const Tensor y = kind == ChannelNorm::Rms ? ops::ltx::channelNorm(x, kind, eps, {}, {}, silu)
                                                      : ops::ltx::channelNorm(x, kind, eps, w, b, silu);
            double num = 0, den = 0;
            for (int64_t bb = 0; bb < B; ++bb)
                for (int64_t s = 0; s < S; ++s) {
                    double sum = 0, sq = 0;
                    for (int64_t c = 0; c < C; ++c) {
                        const double v = x.item((bb * C + c) * S + s);
                        sum += v, sq += v * v;
                    }
                    const bool layer = kind == ChannelNorm::Layer;
                    const double mean = layer ? sum / C : 0.0, var = layer ? sq / C - mean * mean : sq / C;
                    for (int64_t c = 0; c < C; ++c) {
                        const int64_t i = (bb * C + c) * S + s;
                        double r = (x.item(i) - mean) / std::sqrt(var + eps);
                        if (layer) r = r * w.item(c) + b.item(c);
                        if (silu) r = r / (1.0 + std::exp(-r));
                        num += (y.item(i) - r) * (y.item(i) - r), den += r * r;
                    }
                }
            EXPECT_LE(std::sqrt(num / den), 1e-6);
        }
}

TEST(LtxOps, ShufflesInvertEachOtherAndGroupMeansAverage) {
    for (SubpixelOrder order : {SubpixelOrder::THW, SubpixelOrder::TWH}) {
        const Tensor y = randn({2, 3 * 12, 2, 3, 4}, 30);
        const ops::ltx::Factors f = {3, 2, 2};
        const Tensor video = ops::ltx::depthToSpace(y, f, order);
        EXPECT_EQ(video.shape(), (Shape{2, 3, 6, 6, 8}));
        EXPECT_EQ(test::compare(ops::ltx::spaceToDepth(video, f, order), y).maxAbs, 0.0);
    }
    // The downsampler's residual: the mean of each run of 4 channels, plus the residual operand.
    const Tensor x = randn({1, 2, 2, 4, 4}, 31);
    const Tensor full = ops::ltx::spaceToDepth(x, {1, 2, 2}, SubpixelOrder::THW);
    const Tensor extra = randn({1, 2, 2, 2, 2}, 32);
    const Tensor grouped = ops::ltx::spaceToDepth(x, {1, 2, 2}, SubpixelOrder::THW, 4, extra);
    for (int64_t c = 0; c < 2; ++c)
        for (int64_t s = 0; s < 8; ++s) {
            double mean = 0;
            for (int64_t g = 0; g < 4; ++g) mean += full.item((c * 4 + g) * 8 + s) / 4.0;
            EXPECT_NEAR(grouped.item(c * 8 + s), mean + extra.item(c * 8 + s), 1e-6);
        }
}

}  // namespace
}  // namespace sv
