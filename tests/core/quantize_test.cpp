// 8-bit weights (ops/quantize.h, base/fp8.h): the e4m3 format against its definition, per-row quantization
// error bounds, and ops::linear / ops::gemmaMlp with quantized weights (CPU;
// tests/cuda/cuda_quantize_test.cpp checks the CUDA kernels against these).
#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include <gtest/gtest.h>

#include "base/fp8.h"
#include "ops/gemma_mlp.h"
#include "ops/linear.h"
#include "ops/quantize.h"
#include "support/reference.h"

namespace sv {
namespace {

// The value of an e4m3 code straight from the format's definition (OCP 8-bit floating point spec, E4M3:
// bias 7, no infinities, S.1111.111 NaN), in double: independent of base/fp8.h.
double e4m3Definition(int code) {
    const int s = code >> 7, e = (code >> 3) & 15, m = code & 7;
    if (e == 15 && m == 7) return std::numeric_limits<double>::quiet_NaN();
    const double mag = e == 0 ? (m / 8.0) * std::pow(2.0, -6) : (1.0 + m / 8.0) * std::pow(2.0, e - 7);
    return s ? -mag : mag;
}

TEST(E4m3, EveryCodeRoundTrips) {
    for (int c = 0; c < 256; ++c) {
        const double want = e4m3Definition(c);
        const float got = e4m3ToFloat(uint8_t(c));
        if (std::isnan(want)) {
            EXPECT_TRUE(std::isnan(got)) << "code " << c;
            EXPECT_TRUE(std::isnan(e4m3ToFloat(floatToE4m3(got)))) << "NaN stays NaN, code " << c;
            continue;
        }
        EXPECT_EQ(double(got), want) << "code " << c;
        EXPECT_EQ(int(floatToE4m3(float(want))), c) << "value " << want;  // -0 keeps its sign bit
    }
    EXPECT_EQ(e4m3Definition(0x7e), 448.0);
    EXPECT_EQ(e4m3Definition(0x01), std::pow(2.0, -9));
}

TEST(E4m3, RoundsToNearestTiesToEvenAndSaturates) {
    // Consecutive positive finite codes 0 … 0x7e are consecutive values; between each pair: the midpoint goes
    // to the even code (even mantissa = even code), a hair either side to the nearer one.
    for (int c = 0; c < 0x7e; ++c) {
        const double lo = e4m3Definition(c), hi = e4m3Definition(c + 1);
        ASSERT_LT(lo, hi);
        const auto mid = float((lo + hi) / 2);  // exact in float: 5 significant bits at most
        ASSERT_EQ(double(mid), (lo + hi) / 2);
        const int even = c % 2 == 0 ? c : c + 1;
        EXPECT_EQ(int(floatToE4m3(mid)), even) << "tie between " << lo << " and " << hi;
        EXPECT_EQ(int(floatToE4m3(-mid)), even | 0x80) << "negative tie between " << lo << " and " << hi;
        EXPECT_EQ(int(floatToE4m3(std::nextafter(mid, 0.0f))), c) << "below " << mid;
        EXPECT_EQ(int(floatToE4m3(std::nextafter(mid, 1e9f))), c + 1) << "above " << mid;
    }
    // __NV_SATFINITE: beyond the largest finite value (448) everything saturates, infinities included.
    for (float v : {448.0f, 460.0f, 464.0f, 480.0f, 1e6f, std::numeric_limits<float>::infinity()}) {
        EXPECT_EQ(int(floatToE4m3(v)), 0x7e) << v;
        EXPECT_EQ(int(floatToE4m3(-v)), 0xfe) << -v;
    }
    EXPECT_EQ(int(floatToE4m3(std::ldexp(1.0f, -11))), 0x00);  // below half the smallest subnormal
}

Tensor randomRows(int64_t rows, int64_t cols, uint32_t seed) {
    std::mt19937 rng(seed);
    std::normal_distribution<float> d;
    std::vector<float> v(size_t(rows * cols));
    for (int64_t r = 0; r < rows; ++r) {
        const float mag = std::ldexp(1.0f, int(r % 9) - 4);  // rows of very different magnitudes
        for (int64_t c = 0; c < cols; ++c) v[size_t(r * cols + c)] = r == 3 ? 0.0f : mag * d(rng);
    }
    return Tensor::fromFloats(v, {rows, cols});
}

// |dequantize(q) − w| per element against the format's bound: half a step (I8: s/2; e4m3: 2^-4 relative, or
// half the subnormal spacing 2^-10·s), with fp32 slack.
void expectWithinBound(const Tensor& w, DType format) {
    const Tensor q = ops::quantizePerChannel(w, format);
    ASSERT_EQ(q.dtype(), format);
    ASSERT_TRUE(q.isQuantized());
    const Tensor back = ops::dequantize(q, DType::F32);
    const std::vector<float> wv = w.toFloatVector(), bv = back.toFloatVector(),
                             s = q.quantScales().toFloatVector();
    const int64_t rows = w.dim(0), cols = w.dim(1);
    const float Q = ops::eightBitMax(format);
    for (int64_t r = 0; r < rows; ++r) {
        float m = 0;
        for (int64_t c = 0; c < cols; ++c) m = std::max(m, std::fabs(wv[size_t(r * cols + c)]));
        EXPECT_EQ(s[size_t(r)], m / Q) << "row " << r;  // s = absmax / Q
        double maxCode = 0;
        for (int64_t c = 0; c < cols; ++c) {
            const size_t i = size_t(r * cols + c);
            const double code = q.item(int64_t(i));
            maxCode = std::max(maxCode, std::fabs(code));
            const double err = std::fabs(double(bv[i]) - wv[i]);
            const double bound = format == DType::I8 ? 0.5 * s[size_t(r)]
                                                     : std::max(std::ldexp(std::fabs(double(wv[i])), -4),
                                                                std::ldexp(double(s[size_t(r)]), -10));
            // Slack: the fp32 roundings of f, s and the products (a few ulps of |w|).
            EXPECT_LE(err, bound + 1e-6 * std::fabs(double(wv[i])))
                << "row " << r << " col " << c << " w " << wv[i];
        }
        EXPECT_EQ(maxCode, m == 0 ? 0.0 : double(Q)) << "the row's largest magnitude maps to ±Q, row " << r;
    }
}

TEST(Quantize, Int8PerRowWithinHalfAStep) {
    expectWithinBound(randomRows(12, 300, 1), DType::I8);
}

TEST(Quantize, Fp8PerRowWithinE4m3Rounding) {
    expectWithinBound(randomRows(12, 300, 2), DType::F8E4M3);
}

TEST(Quantize, BF16InputAndHigherRankWeights) {
    // A 1×1 convolution's kernel [out, in, 1, 1]: rows are everything after dim 0; BF16 input read as is.
    const Tensor w = randomRows(6, 40, 3).to(DType::BF16).view({6, 40, 1, 1});
    const Tensor q = ops::quantizePerChannel(w, DType::I8);
    EXPECT_EQ(q.shape(), w.shape());
    const Tensor flat = q.view({6, 40});  // keeps dim 0, so keeps the scales
    EXPECT_TRUE(flat.isQuantized());
    EXPECT_EQ(
        test::compare(ops::dequantize(flat, DType::F32), ops::dequantize(q, DType::F32).view({6, 40})).maxAbs,
        0.0);
    const Tensor rows = q.slice(0, 2, 5);  // slicing the channels slices the scales
    EXPECT_EQ(rows.quantScales().toFloatVector(), q.quantScales().slice(0, 2, 5).toFloatVector());
}

TEST(Quantize, NonFiniteRowGetsNaNScale) {
    Tensor w = randomRows(3, 8, 4);
    w.data<float>()[9] = std::numeric_limits<float>::infinity();  // row 1
    const Tensor q = ops::quantizePerChannel(w, DType::F8E4M3);
    const std::vector<float> s = q.quantScales().toFloatVector();
    EXPECT_TRUE(std::isfinite(s[0]) && std::isnan(s[1]) && std::isfinite(s[2]));
}

TEST(Quantize, LinearEqualsTheDequantizedWeightAndIsCloseToFloat) {
    const int64_t N = 24, K = 96;
    const Tensor w = randomRows(N, K, 5);
    const Tensor x = randomRows(10, K, 6).view({2, 5, K});
    const Tensor bias = randomRows(1, N, 7).view({N});
    const Tensor yFloat = ops::linear(x, w, bias);
    const std::vector<float> xv = x.toFloatVector();
    for (DType format : {DType::I8, DType::F8E4M3}) {
        const Tensor q = ops::quantizePerChannel(w, format);
        const Tensor wd = ops::dequantize(q, DType::F32);
        const Tensor y = ops::linear(x, q, bias);
        EXPECT_EQ(test::compare(y, ops::linear(x, wd, bias)).maxAbs, 0.0) << dtypeName(format);
        // |Σ x·(wq − w)| ≤ Σ |x|·|wq − w|, with the per-element weight error measured.
        const std::vector<float> yq = y.toFloatVector(), yf = yFloat.toFloatVector(), wv = w.toFloatVector(),
                                 dv = wd.toFloatVector();
        for (int64_t m = 0; m < 10; ++m)
            for (int64_t n = 0; n < N; ++n) {
                double bound = 0, sumAbs = 0;
                for (int64_t k = 0; k < K; ++k) {
                    const double xk = std::fabs(double(xv[size_t(m * K + k)]));
                    bound += xk * std::fabs(double(dv[size_t(n * K + k)]) - wv[size_t(n * K + k)]);
                    sumAbs += xk * std::fabs(double(wv[size_t(n * K + k)]));
                }
                // Plus the two fp32 GEMMs' own rounding.
                EXPECT_LE(std::fabs(double(yq[size_t(m * N + n)]) - yf[size_t(m * N + n)]),
                          bound + 1e-5 * sumAbs);
            }
        EXPECT_GT(test::compare(y, yFloat).maxAbs, 0.0) << "quantization changes the weights";
    }
}

// ops::linearFp8 against the recipe written out here: each row of x scaled by its own absmax to ±448, rounded
// to e4m3 (base/fp8.h, checked against the format's definition above), both operands' codes times their
// scales, products summed in double.
TEST(Quantize, LinearFp8QuantizesEachTokenWithItsOwnScale) {
    const int64_t M = 10, N = 24, K = 96;
    const Tensor w = randomRows(N, K, 12), x = randomRows(M, K, 13), bias = randomRows(1, N, 14).view({N});
    const Tensor q = ops::quantizePerChannel(w, DType::F8E4M3);
    const Tensor y = ops::linearFp8(x.view({2, 5, K}), q, bias);
    ASSERT_EQ(y.shape(), (Shape{2, 5, N}));
    const std::vector<float> xv = x.toFloatVector(), wd = ops::dequantize(q, DType::F32).toFloatVector(),
                             bv = bias.toFloatVector(), yv = y.toFloatVector();
    for (int64_t m = 0; m < M; ++m) {
        float amax = 0;
        for (int64_t k = 0; k < K; ++k) amax = std::max(amax, std::fabs(xv[size_t(m * K + k)]));
        const float f = amax > 0 ? 448.0f / amax : 0.0f, s = amax / 448.0f;
        for (int64_t n = 0; n < N; ++n) {
            double acc = bv[size_t(n)], sumAbs = std::fabs(bv[size_t(n)]);
            for (int64_t k = 0; k < K; ++k) {
                const double xk = double(e4m3ToFloat(floatToE4m3(xv[size_t(m * K + k)] * f))) * s;
                acc += xk * wd[size_t(n * K + k)];
                sumAbs += std::fabs(xk * wd[size_t(n * K + k)]);
            }
            EXPECT_NEAR(yv[size_t(m * N + n)], acc, 1e-5 * sumAbs) << "token " << m << " output " << n;
            if (m == 3) {
                EXPECT_EQ(yv[size_t(m * N + n)], bv[size_t(n)]) << "a zero token gives the bias";
            }
        }
    }
    // The activations' rounding is what separates it from the weight-only linear: present, and small.
    const test::Diff d = test::compare(y, ops::linear(x.view({2, 5, K}), q, bias));
    EXPECT_GT(d.maxAbs, 0.0);
    EXPECT_LT(d.relL2, 0.05);
}

TEST(Quantize, GemmaMlpTakesQuantizedWeights) {
    const int64_t H = 32, I = 64;
    const Tensor x = randomRows(5, H, 8), gate = randomRows(I, H, 9), up = randomRows(I, H, 10),
                 down = randomRows(H, I, 11);
    const Tensor qg = ops::quantizePerChannel(gate, DType::F8E4M3),
                 qu = ops::quantizePerChannel(up, DType::I8),
                 qd = ops::quantizePerChannel(down, DType::F8E4M3);
    const Tensor y = ops::gemmaMlp(x, qg, qu, qd);
    const Tensor ref = ops::gemmaMlp(x, ops::dequantize(qg, DType::F32), ops::dequantize(qu, DType::F32),
                                     ops::dequantize(qd, DType::F32));
    EXPECT_EQ(test::compare(y, ref).maxAbs, 0.0);
}

}  // namespace
}  // namespace sv
