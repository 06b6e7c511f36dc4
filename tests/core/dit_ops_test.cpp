// DiT op families against naive float64 evaluations of their documented formulas (small random inputs), so
// that backends can be compared op by op. Model-level parity lives in transformer_parity_test.cpp.
#include <cmath>
#include <random>

#include <gtest/gtest.h>

#include "ops/dit_attention.h"
#include "ops/dit_conv.h"
#include "ops/dit_norm.h"
#include "ops/dit_rope.h"
#include "ops/timestep_embedding.h"
#include "support/reference.h"

namespace sv {
namespace {

using namespace ops::dit;

Tensor randn(Shape shape, uint32_t seed, float stddev = 1.0f, float mean = 0.0f) {
    std::mt19937 rng(seed);
    std::normal_distribution<float> dist(mean, stddev);
    std::vector<float> v(static_cast<size_t>(shapeNumel(shape)));
    for (float& x : v) x = dist(rng);
    return Tensor::fromFloats(v, std::move(shape));
}

// Reference values are built in a double vector and compared in relative L2.
void expectClose(const Tensor& out, const std::vector<double>& ref, double tol = 1e-6) {
    ASSERT_EQ(size_t(out.numel()), ref.size());
    double num = 0, den = 0;
    for (size_t i = 0; i < ref.size(); ++i) {
        const double d = out.item(int64_t(i)) - ref[i];
        num += d * d;
        den += ref[i] * ref[i];
    }
    EXPECT_LE(std::sqrt(num / std::max(den, 1e-300)), tol);
}

TEST(DitOps, RopeTablesAndRotation) {
    const std::array<int, 3> split = {4, 2, 6};
    const std::array<int64_t, 3> grid = {2, 3, 4};
    const RopeTables t = ropeTables(split, 8, 10000.0, grid);
    ASSERT_EQ(t.cos.shape(), (Shape{24, 12}));
    std::vector<double> c, s;
    for (int64_t f = 0; f < 2; ++f)
        for (int64_t i = 0; i < 3; ++i)
            for (int64_t j = 0; j < 4; ++j) {
                const int64_t pos[3] = {f, i, j};
                for (int a = 0; a < 3; ++a)
                    for (int d = 0; d < split[size_t(a)]; ++d) {
                        const double ang =
                            double(pos[a]) * std::pow(10000.0, -double(2 * (d / 2)) / split[size_t(a)]);
                        c.push_back(float(std::cos(ang)));
                        s.push_back(float(std::sin(ang)));
                    }
            }
    expectClose(t.cos, c, 0.0);
    expectClose(t.sin, s, 0.0);
    EXPECT_THROW(ropeTables(split, 3, 10000.0, grid), Error);  // 4 positions along width > max 3

    const Tensor x = randn({2, 24, 24}, 1);  // 2 heads of 12
    const Tensor y = applyRope(x, t);
    std::vector<double> ref(size_t(x.numel()));
    for (int64_t b = 0; b < 2; ++b)
        for (int64_t n = 0; n < 24; ++n)
            for (int64_t ch = 0; ch < 24; ch += 2) {
                const int64_t i = (b * 24 + n) * 24 + ch, d = ch % 12;
                const double x1 = x.item(i), x2 = x.item(i + 1), cs = c[size_t(n * 12 + d)],
                             sn = s[size_t(n * 12 + d)];
                ref[size_t(i)] = x1 * cs - x2 * sn;
                ref[size_t(i + 1)] = x1 * sn + x2 * cs;
            }
    expectClose(y, ref);
}

TEST(DitOps, ReluLinearAttention) {
    const int64_t B = 2, N = 10, H = 3, d = 6, C = H * d;
    const RopeTables rope = ropeTables({2, 2, 2}, 16, 10000.0, {1, 2, 5});
    const Tensor q = randn({B, N, C}, 2), k = randn({B, N, C}, 3), v = randn({B, N, C}, 4);
    const Tensor o = reluLinearAttention(q, k, v, int(H), rope);
    std::vector<double> ref(size_t(o.numel()));
    auto relu = [](double x) { return x > 0 ? x : 0.0; };
    auto rot = [&](const Tensor& x, int64_t b, int64_t n, int64_t h, int64_t j) {  // RoPE(relu(x))[j]
        const int64_t base = (b * N + n) * C + h * d, p = j & ~int64_t(1);
        const double x1 = relu(x.item(base + p)), x2 = relu(x.item(base + p + 1));
        const double cs = rope.cos.item(n * d + p), sn = rope.sin.item(n * d + p);
        return (j % 2 == 0) ? x1 * cs - x2 * sn : x1 * sn + x2 * cs;
    };
    for (int64_t b = 0; b < B; ++b)
        for (int64_t h = 0; h < H; ++h)
            for (int64_t n = 0; n < N; ++n) {
                double den = 0;
                for (int64_t m = 0; m < N; ++m)
                    for (int64_t j = 0; j < d; ++j)
                        den += relu(k.item((b * N + m) * C + h * d + j)) *
                               relu(q.item((b * N + n) * C + h * d + j));
                for (int64_t i = 0; i < d; ++i) {
                    double num = 0;
                    for (int64_t m = 0; m < N; ++m)
                        for (int64_t j = 0; j < d; ++j)
                            num +=
                                v.item((b * N + m) * C + h * d + i) * rot(k, b, m, h, j) * rot(q, b, n, h, j);
                    ref[size_t((b * N + n) * C + h * d + i)] = num / (den + 1e-15);
                }
            }
    expectClose(o, ref, 1e-5);
}

TEST(DitOps, CrossAttentionAndMaskBias) {
    const int64_t B = 2, N = 5, L = 7, H = 2, d = 4, C = H * d;
    const Tensor q = randn({B, N, C}, 5), k = randn({B, L, C}, 6), v = randn({B, L, C}, 7);
    std::vector<int64_t> m = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0};
    const Tensor bias = attentionBiasFromMask(Tensor::fromInts(m, {B, L}));
    for (size_t i = 0; i < m.size(); ++i) EXPECT_EQ(bias.item(int64_t(i)), m[i] ? 0.0 : -10000.0);
    EXPECT_EQ(test::compare(attentionBiasFromMask(Tensor::fromInts(m, {B, L}).to(DType::F32)), bias).maxAbs,
              0.0);
    m[3] = 2;
    EXPECT_THROW(attentionBiasFromMask(Tensor::fromInts(m, {B, L})), Error);

    for (bool withBias : {true, false}) {
        const Tensor o = crossAttention(q, k, v, int(H), withBias ? bias : Tensor());
        std::vector<double> ref(size_t(o.numel()));
        for (int64_t b = 0; b < B; ++b)
            for (int64_t h = 0; h < H; ++h)
                for (int64_t n = 0; n < N; ++n) {
                    std::vector<double> p(static_cast<size_t>(L));
                    double mx = -1e300, sum = 0;
                    for (int64_t l = 0; l < L; ++l) {
                        double sc = 0;
                        for (int64_t j = 0; j < d; ++j)
                            sc += q.item((b * N + n) * C + h * d + j) * k.item((b * L + l) * C + h * d + j);
                        p[size_t(l)] = sc / std::sqrt(double(d)) + (withBias ? bias.item(b * L + l) : 0.0);
                        mx = std::max(mx, p[size_t(l)]);
                    }
                    for (double& x : p) sum += (x = std::exp(x - mx));
                    for (int64_t i = 0; i < d; ++i) {
                        double acc = 0;
                        for (int64_t l = 0; l < L; ++l)
                            acc += p[size_t(l)] / sum * v.item((b * L + l) * C + h * d + i);
                        ref[size_t((b * N + n) * C + h * d + i)] = acc;
                    }
                }
        expectClose(o, ref, 1e-6);
    }
}

TEST(DitOps, NormsAndModulationRows) {
    const int64_t B = 2, N = 6, D = 8;
    const Tensor x = randn({B, N, D}, 8, 2.0f, 0.5f), w = randn({D}, 9, 0.2f, 1.0f);
    const Tensor r = rmsNorm(x, w, 1e-5f);
    std::vector<double> ref(size_t(x.numel()));
    for (int64_t t = 0; t < B * N; ++t) {
        double ms = 0;
        for (int64_t i = 0; i < D; ++i) ms += x.item(t * D + i) * x.item(t * D + i) / double(D);
        for (int64_t i = 0; i < D; ++i)
            ref[size_t(t * D + i)] = x.item(t * D + i) / std::sqrt(ms + 1e-5) * w.item(i);
    }
    expectClose(r, ref);

    // Three rows; sample 0 uses row 2, sample 1 uses row 0 (per-sample index), and a per-token index.
    const Tensor table = randn({3, 2, D}, 10, 0.5f);
    const Tensor shift = table.select(1, 0), scale = table.select(1, 1);  // strided row views
    const Tensor branch = randn({B, N, D}, 11);
    std::vector<int32_t> perToken(static_cast<size_t>(B * N));
    for (int64_t t = 0; t < B * N; ++t) perToken[size_t(t)] = int32_t((t * 7) % 3);
    Tensor tokIdx = Tensor::empty({B * N}, DType::I32);
    std::copy(perToken.begin(), perToken.end(), tokIdx.data<int32_t>());
    Tensor sampleIdx = Tensor::empty({B}, DType::I32);
    sampleIdx.data<int32_t>()[0] = 2;
    sampleIdx.data<int32_t>()[1] = 0;
    for (int variant = 0; variant < 2; ++variant) {
        const Tensor& idx = variant == 0 ? tokIdx : sampleIdx;
        auto rowOf = [&](int64_t t) { return variant == 0 ? perToken[size_t(t)] : (t / N == 0 ? 2 : 0); };
        const Tensor y = layerNormModulate(x, shift, scale, idx, 1e-6f);
        const Tensor g = gatedResidual(x, branch, scale, idx);
        std::vector<double> ry(size_t(x.numel())), rg(size_t(x.numel()));
        for (int64_t t = 0; t < B * N; ++t) {
            double mean = 0, var = 0;
            for (int64_t i = 0; i < D; ++i) mean += x.item(t * D + i) / double(D);
            for (int64_t i = 0; i < D; ++i) var += std::pow(x.item(t * D + i) - mean, 2) / double(D);
            const int64_t row = rowOf(t);
            for (int64_t i = 0; i < D; ++i) {
                const double sh = table.item((row * 2 + 0) * D + i), sc = table.item((row * 2 + 1) * D + i);
                ry[size_t(t * D + i)] = (x.item(t * D + i) - mean) / std::sqrt(var + 1e-6) * (1 + sc) + sh;
                rg[size_t(t * D + i)] = x.item(t * D + i) + sc * branch.item(t * D + i);
            }
        }
        expectClose(y, ry);
        expectClose(g, rg);
        // gatherRows materialises what the index selects.
        if (variant == 0) {
            const Tensor gathered = gatherRows(scale, idx);
            std::vector<double> rr;
            for (int64_t t = 0; t < B * N; ++t)
                for (int64_t i = 0; i < D; ++i) rr.push_back(table.item((rowOf(t) * 2 + 1) * D + i));
            expectClose(gathered, rr, 0.0);
        }
    }
    // No index: one row per sample.
    const Tensor two = table.slice(0, 0, 2);
    EXPECT_EQ(test::compare(
                  layerNormModulate(x, two.select(1, 0), two.select(1, 1), Tensor(), 1e-6f),
                  layerNormModulate(x, two.select(1, 0), two.select(1, 1),
                                    Tensor::fromInts(std::vector<int64_t>{0, 1}, {2}).to(DType::I32), 1e-6f))
                  .maxAbs,
              0.0);
}

TEST(DitOps, FeedForwardConvs) {
    const int64_t S = 2, H = 3, W = 4, C = 5;
    const Tensor x = randn({S, H, W, C}, 12), w = randn({C, 1, 3, 3}, 13), b = randn({C}, 14);
    const Tensor y = depthwiseConv3x3(x, w, b);
    std::vector<double> ref(size_t(y.numel()));
    for (int64_t s = 0; s < S; ++s)
        for (int64_t i = 0; i < H; ++i)
            for (int64_t j = 0; j < W; ++j)
                for (int64_t c = 0; c < C; ++c) {
                    double acc = b.item(c);
                    for (int di = -1; di <= 1; ++di)
                        for (int dj = -1; dj <= 1; ++dj)
                            if (i + di >= 0 && i + di < H && j + dj >= 0 && j + dj < W)
                                acc += w.item(c * 9 + (di + 1) * 3 + (dj + 1)) *
                                       x.item(((s * H + i + di) * W + j + dj) * C + c);
                    ref[size_t(((s * H + i) * W + j) * C + c)] = acc;
                }
    expectClose(y, ref);

    const Tensor gl =
        gluSilu(x.view({S * H * W, C}).slice(1, 0, 4));  // 2 value + 2 gate channels, strided input
    std::vector<double> rg;
    for (int64_t r = 0; r < S * H * W; ++r)
        for (int64_t c = 0; c < 2; ++c) {
            const double g = x.item(r * C + 2 + c);
            rg.push_back(x.item(r * C + c) * g / (1 + std::exp(-g)));
        }
    expectClose(gl, rg);

    const int64_t B = 2, F = 4, P = 3, D = 6;
    const Tensor xt = randn({B, F, P, D}, 15), wt = randn({D, D, 3, 1}, 16);
    const Tensor yt = temporalConv3(xt, wt);
    std::vector<double> rt(size_t(yt.numel()));
    for (int64_t bb = 0; bb < B; ++bb)
        for (int64_t t = 0; t < F; ++t)
            for (int64_t p = 0; p < P; ++p)
                for (int64_t o = 0; o < D; ++o) {
                    double acc = 0;
                    for (int k = 0; k < 3; ++k) {
                        const int64_t src = t + k - 1;
                        if (src < 0 || src >= F) continue;
                        for (int64_t c = 0; c < D; ++c)
                            acc += wt.item((o * D + c) * 3 + k) * xt.item(((bb * F + src) * P + p) * D + c);
                    }
                    rt[size_t(((bb * F + t) * P + p) * D + o)] = acc;
                }
    expectClose(yt, rt);
}

TEST(DitOps, TimestepEmbedding) {
    const Tensor t = Tensor::fromFloats(std::vector<float>{0.0f, 1.0f, 417.5f, 999.0f}, {4});
    const Tensor e = ops::timestepEmbedding(t, {.dim = 9, .flipSinToCos = true});
    ASSERT_EQ(e.shape(), (Shape{4, 9}));
    std::vector<double> ref;
    for (int64_t m = 0; m < 4; ++m) {
        for (int part = 0; part < 2; ++part)
            for (int k = 0; k < 4; ++k) {
                const float freq = float(std::exp(double(float(-std::log(10000.0)) * float(k) / 4.0f)));
                const double arg = double(float(t.item(m)) * freq);
                ref.push_back(part == 0 ? std::cos(arg) : std::sin(arg));
            }
        ref.push_back(0.0);  // odd dim: zero column
    }
    expectClose(e, ref, 1e-7);
    const Tensor s = ops::timestepEmbedding(Tensor::fromInts(std::vector<int64_t>{999}, {1}),
                                            {.dim = 8, .flipSinToCos = false});
    EXPECT_EQ(s.item(0), float(std::sin(999.0)));
    EXPECT_EQ(s.item(4), float(std::cos(999.0)));
}

}  // namespace
}  // namespace sv
