// The Gemma-2 op family (norm, gated GELU MLP, embedding, rotary, attention) against plain double-precision
// implementations of their definitions (transformers modeling_gemma2.py: Gemma2RMSNorm, Gemma2MLP,
// apply_rotary_pos_emb, eager_attention_forward), on random data sized so that several query blocks, GQA
// groups, sliding windows crossing block edges, key padding and the soft-cap all come into play.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>

#include "ops/gemma_attention.h"
#include "ops/gemma_embedding.h"
#include "ops/gemma_mlp.h"
#include "ops/gemma_norm.h"
#include "ops/linear.h"
#include "support/reference.h"

namespace sv {
namespace {

Tensor randomTensor(Shape shape, float stddev, uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::normal_distribution<float> dist(0.0f, stddev);
    std::vector<float> v(size_t(shapeNumel(shape)));
    for (float& x : v) x = dist(rng);
    return Tensor::fromFloats(v, std::move(shape));
}

Tensor fromDoubles(const std::vector<double>& v, Shape shape) {
    std::vector<float> f(v.begin(), v.end());
    return Tensor::fromFloats(f, std::move(shape));
}

TEST(GemmaOps, RmsNormAndResidual) {
    const Tensor x = randomTensor({3, 5, 24}, 2.0f, 1), w = randomTensor({24}, 0.3f, 2),
                 res = randomTensor({3, 5, 24}, 1.0f, 3);
    const double eps = 1e-6;
    std::vector<double> ref(size_t(x.numel())), refRes(size_t(x.numel()));
    for (int64_t r = 0; r < 15; ++r) {
        double ss = 0;
        for (int64_t h = 0; h < 24; ++h) ss += x.item(r * 24 + h) * x.item(r * 24 + h);
        const double inv = 1.0 / std::sqrt(ss / 24 + eps);
        for (int64_t h = 0; h < 24; ++h) {
            ref[size_t(r * 24 + h)] = x.item(r * 24 + h) * inv * (1.0 + w.item(h));
            refRes[size_t(r * 24 + h)] = ref[size_t(r * 24 + h)] + res.item(r * 24 + h);
        }
    }
    SV_EXPECT_CLOSE(ops::gemmaRmsNorm(x, w, eps), fromDoubles(ref, x.shape()), 1e-6);
    SV_EXPECT_CLOSE(ops::gemmaNormResidual(res, x, w, eps), fromDoubles(refRes, x.shape()), 1e-6);
    // A non-contiguous input gives the same result as its contiguous copy.
    const Tensor xt = x.transpose(0, 1);
    EXPECT_EQ(test::compare(ops::gemmaRmsNorm(xt, w, eps), ops::gemmaRmsNorm(xt.contiguous(), w, eps)).maxAbs,
              0.0);
}

TEST(GemmaOps, GatedGeluMlp) {
    const Tensor g = randomTensor({4, 7}, 3.0f, 4), u = randomTensor({4, 7}, 1.0f, 5);
    std::vector<double> ref(28);
    for (int64_t i = 0; i < 28; ++i) {
        const double a = g.item(i);
        const double gelu = 0.5 * a * (1.0 + std::tanh(std::sqrt(2.0 / M_PI) * (a + 0.044715 * a * a * a)));
        ref[size_t(i)] = gelu * u.item(i);
    }
    SV_EXPECT_CLOSE(ops::geluTanhGate(g, u), fromDoubles(ref, {4, 7}), 1e-6);

    const Tensor x = randomTensor({2, 3, 16}, 1.0f, 6);
    const Tensor gw = randomTensor({40, 16}, 0.25f, 7), uw = randomTensor({40, 16}, 0.25f, 8),
                 dw = randomTensor({16, 40}, 0.16f, 9);
    const Tensor composed = ops::linear(ops::geluTanhGate(ops::linear(x, gw), ops::linear(x, uw)), dw);
    EXPECT_EQ(test::compare(ops::gemmaMlp(x, gw, uw, dw), composed).maxAbs, 0.0);
}

TEST(GemmaOps, EmbeddingScalesRows) {
    const Tensor table = randomTensor({10, 6}, 1.0f, 10);
    const std::vector<int64_t> ids = {3, 0, 9, 3};
    const Tensor out = ops::gemmaEmbed(table, Tensor::fromInts(ids, {2, 2}), 2.5f);
    ASSERT_EQ(out.shape(), (Shape{2, 2, 6}));
    for (int64_t i = 0; i < 4; ++i)
        for (int64_t h = 0; h < 6; ++h)
            EXPECT_EQ(out.item(i * 6 + h), double(float(table.item(ids[size_t(i)] * 6 + h)) * 2.5f));
}

TEST(GemmaOps, RotaryIsHalfSplit) {
    const int64_t B = 2, L = 9, H = 3, D = 8;
    const double theta = 10000.0;
    const Tensor x = randomTensor({B, L, H, D}, 1.0f, 11);
    const auto tables = ops::gemmaRotaryTables(L, D, theta);
    std::vector<double> ref(size_t(x.numel()));
    for (int64_t b = 0; b < B; ++b)
        for (int64_t l = 0; l < L; ++l)
            for (int64_t h = 0; h < H; ++h) {
                const int64_t base = ((b * L + l) * H + h) * D;
                for (int64_t d = 0; d < D; ++d) {
                    const double angle = double(l) / std::pow(theta, double(2 * (d % (D / 2))) / double(D));
                    const double rot = d < D / 2 ? -x.item(base + d + D / 2) : x.item(base + d - D / 2);
                    ref[size_t(base + d)] = x.item(base + d) * std::cos(angle) + rot * std::sin(angle);
                }
            }
    SV_EXPECT_CLOSE(ops::gemmaApplyRotary(x, tables), fromDoubles(ref, x.shape()), 1e-6);
}

// Eager Gemma-2 attention in double, straight from the definition.
Tensor naiveAttention(const Tensor& q, const Tensor& k, const Tensor& v, const std::vector<int64_t>& mask,
                      const ops::GemmaAttentionParams& p) {
    const int64_t B = q.dim(0), L = q.dim(1), Hq = q.dim(2), D = q.dim(3), Hkv = k.dim(2);
    std::vector<double> out(size_t(B * L * Hq * D), 0.0);
    auto at = [](const Tensor& t, int64_t b, int64_t l, int64_t h, int64_t d) {
        return t.item(((b * t.dim(1) + l) * t.dim(2) + h) * t.dim(3) + d);
    };
    for (int64_t b = 0; b < B; ++b)
        for (int64_t h = 0; h < Hq; ++h) {
            const int64_t kvh = h / (Hq / Hkv);
            for (int64_t i = 0; i < L; ++i) {
                std::vector<double> w(size_t(L), 0.0);
                std::vector<bool> seen(size_t(L), false);
                double mx = -INFINITY;
                for (int64_t j = 0; j < L; ++j) {
                    seen[size_t(j)] = j <= i && mask[size_t(b * L + j)] != 0 &&
                                      (p.slidingWindow == 0 || i - j < p.slidingWindow);
                    if (!seen[size_t(j)]) continue;
                    double s = 0;
                    for (int64_t d = 0; d < D; ++d) s += at(q, b, i, h, d) * at(k, b, j, kvh, d);
                    s *= p.scale;
                    if (p.softcap) s = *p.softcap * std::tanh(s / *p.softcap);
                    w[size_t(j)] = s;
                    mx = std::max(mx, s);
                }
                double sum = 0;
                for (int64_t j = 0; j < L; ++j)
                    if (seen[size_t(j)]) sum += (w[size_t(j)] = std::exp(w[size_t(j)] - mx));
                for (int64_t j = 0; j < L; ++j) {
                    // No visible key: every score is at the mask's minimum, so the softmax is uniform.
                    const double pj =
                        sum > 0 ? (seen[size_t(j)] ? w[size_t(j)] / sum : 0.0) : 1.0 / double(L);
                    for (int64_t d = 0; d < D; ++d)
                        out[size_t(((b * L + i) * Hq + h) * D + d)] += pj * at(v, b, j, kvh, d);
                }
            }
        }
    return fromDoubles(out, {B, L, Hq * D});
}

TEST(GemmaOps, AttentionMatchesDefinition) {
    const int64_t B = 2, L = 70, Hq = 4, Hkv = 2, D = 8;
    // Large q/k so that scores reach beyond ±50 and the soft-cap binds.
    const Tensor q = randomTensor({B, L, Hq, D}, 5.0f, 12), k = randomTensor({B, L, Hkv, D}, 5.0f, 13),
                 v = randomTensor({B, L, Hkv, D}, 1.0f, 14);
    std::vector<int64_t> mask(size_t(B * L), 1);
    for (int64_t l = 50; l < L; ++l) mask[size_t(L + l)] = 0;  // row 1: right padding of 20
    const Tensor maskT = Tensor::fromInts(mask, {B, L});
    for (int64_t window : {int64_t(0), int64_t(5), int64_t(40)}) {
        for (bool cap : {false, true}) {
            SCOPED_TRACE(concat("window ", window, ", softcap ", cap));
            ops::GemmaAttentionParams p;
            p.scale = float(std::pow(24.0, -0.5));
            if (cap) p.softcap = 50.0f;
            p.slidingWindow = window;
            const Tensor out = ops::gemmaAttention(q, k, v, maskT, p);
            SV_EXPECT_CLOSE(out, naiveAttention(q, k, v, mask, p), 2e-5);
        }
    }
    // The cap changes the result on this data, and an undefined mask means "no padding".
    ops::GemmaAttentionParams on, off;
    on.scale = off.scale = 0.2f;
    on.softcap = 50.0f;
    EXPECT_GT(
        test::compare(ops::gemmaAttention(q, k, v, {}, on), ops::gemmaAttention(q, k, v, {}, off)).relL2,
        1e-2);
    std::vector<int64_t> ones(size_t(B * L), 1);
    EXPECT_EQ(test::compare(ops::gemmaAttention(q, k, v, {}, on),
                            ops::gemmaAttention(q, k, v, Tensor::fromInts(ones, {B, L}), on))
                  .maxAbs,
              0.0);
}

}  // namespace
}  // namespace sv
