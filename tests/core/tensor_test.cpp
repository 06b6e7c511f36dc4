#include <cmath>
#include <cstring>
#include <limits>

#include <gtest/gtest.h>

#include "base/half.h"
#include "base/parallel.h"
#include "base/tensor.h"
#include "cpu/gemm.h"
#include "ops/linear.h"

namespace sv {
namespace {

TEST(Half, Bf16RoundsToNearestEven) {
    // 1 + 2^-8 is exactly halfway between bf16 1.0 and 1.0078125: ties go to the even mantissa (1.0).
    EXPECT_EQ(floatToBf16(1.0f + std::ldexp(1.0f, -8)), 0x3f80);
    // 1 + 3·2^-8 is halfway between 1.0078125 (odd) and 1.015625 (even): rounds up.
    EXPECT_EQ(floatToBf16(1.0f + 3 * std::ldexp(1.0f, -8)), 0x3f82);
    EXPECT_EQ(floatToBf16(-2.0f), 0xc000);
    EXPECT_TRUE(std::isnan(bf16ToFloat(floatToBf16(std::numeric_limits<float>::quiet_NaN()))));
    EXPECT_EQ(bf16ToFloat(floatToBf16(std::numeric_limits<float>::infinity())),
              std::numeric_limits<float>::infinity());
}

TEST(Half, F16RoundTripsEveryValue) {
    for (uint32_t h = 0; h < 0x10000; ++h) {
        uint16_t v = uint16_t(h);
        float f = f16ToFloat(v);
        if (std::isnan(f)) continue;
        ASSERT_EQ(floatToF16(f), v) << "bits " << h;
    }
}

TEST(Half, F16RoundsToNearestEven) {
    EXPECT_EQ(floatToF16(1.0f + std::ldexp(1.0f, -11)), 0x3c00);      // tie -> even
    EXPECT_EQ(floatToF16(1.0f + 3 * std::ldexp(1.0f, -11)), 0x3c02);  // tie -> even (up)
    EXPECT_EQ(floatToF16(65520.0f), 0x7c00);                          // overflow -> inf
    EXPECT_EQ(floatToF16(std::ldexp(1.0f, -25)), 0x0000);             // tie between 0 and min subnormal -> 0
    EXPECT_EQ(floatToF16(std::ldexp(1.5f, -25)), 0x0001);
    EXPECT_EQ(floatToF16(std::ldexp(1.0f, -24)), 0x0001);
}

TEST(Tensor, ViewsShareStorageAndCopiesConvert) {
    std::vector<float> v(24);
    for (size_t i = 0; i < v.size(); ++i) v[i] = float(i);
    Tensor t = Tensor::fromFloats(v, {2, 3, 4});
    Tensor p = t.permute({2, 0, 1});
    EXPECT_EQ(p.shape(), (Shape{4, 2, 3}));
    EXPECT_FALSE(p.isContiguous());
    EXPECT_EQ(p.item(1), 4.0);  // p[0,0,1] = t[0,1,0]
    Tensor c = p.contiguous();
    EXPECT_TRUE(c.isContiguous());
    EXPECT_EQ(c.data<float>()[3], 12.0f);  // p[0,1,0] = t[1,0,0]
    Tensor s = t.slice(1, 1, 3).select(2, 2);
    EXPECT_EQ(s.shape(), (Shape{2, 2}));
    EXPECT_EQ(s.item(0), 6.0);
    EXPECT_EQ(s.item(3), 22.0);
    Tensor b = t.to(DType::BF16).to(DType::F32);
    EXPECT_EQ(b.toFloatVector(), v);  // small integers are exact in bf16
    t.data<float>()[0] = 42.0f;
    EXPECT_EQ(p.item(0), 42.0);  // view sees the write
}

TEST(Tensor, ViewWithInferredDim) {
    Tensor t = Tensor::zeros({6, 4}, DType::F32);
    EXPECT_EQ(t.view({-1, 8}).shape(), (Shape{3, 8}));
    EXPECT_EQ(t.unsqueeze(0).shape(), (Shape{1, 6, 4}));
    EXPECT_EQ(t.unsqueeze(-1).shape(), (Shape{6, 4, 1}));
}

TEST(Gemm, MatchesNaiveDoubleLoop) {
    const int64_t M = 37, N = 70, K = 131;
    std::vector<float> a(size_t(M * K)), b(size_t(N * K)), c(size_t(M * N));
    for (size_t i = 0; i < a.size(); ++i) a[i] = float(std::sin(double(i) * 0.37));
    for (size_t i = 0; i < b.size(); ++i) b[i] = float(std::cos(double(i) * 0.11));
    cpu::gemmNT(M, N, K, a.data(), K, b.data(), K, c.data(), N);
    for (int64_t m = 0; m < M; ++m)
        for (int64_t n = 0; n < N; ++n) {
            double ref = 0;
            for (int64_t k = 0; k < K; ++k) ref += double(a[size_t(m * K + k)]) * b[size_t(n * K + k)];
            ASSERT_NEAR(c[size_t(m * N + n)], ref, 1e-4) << m << "," << n;
        }
}

TEST(Linear, AddsBiasAndKeepsLeadingDims) {
    Tensor x = Tensor::fromFloats(std::vector<float>{1, 2, 3, 4, 5, 6}, {1, 2, 3});
    Tensor w = Tensor::fromFloats(std::vector<float>{1, 0, 0, 0, 1, 1}, {2, 3});
    Tensor b = Tensor::fromFloats(std::vector<float>{10, 20}, {2});
    Tensor y = ops::linear(x, w, b);
    EXPECT_EQ(y.shape(), (Shape{1, 2, 2}));
    EXPECT_EQ(y.toFloatVector(), (std::vector<float>{11, 25, 14, 31}));
}

TEST(Parallel, CoversRangeOnceAndPropagatesErrors) {
    std::vector<int> hits(10000, 0);
    parallelFor(10000, 7, [&](int64_t b, int64_t e) {
        for (int64_t i = b; i < e; ++i) hits[size_t(i)]++;
    });
    for (int h : hits) ASSERT_EQ(h, 1);
    EXPECT_THROW(parallelFor(100, 1,
                             [](int64_t b, int64_t) {
                                 if (b == 0) throw Error("boom");
                             }),
                 Error);
}

}  // namespace
}  // namespace sv
