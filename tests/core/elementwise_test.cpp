// Elementwise ops: broadcasting rules, strided inputs and the activation formulas (checked against the
// closed-form definitions evaluated in double).
#include <cmath>

#include <gtest/gtest.h>

#include "ops/elementwise.h"

namespace sv {
namespace {

Tensor iota(Shape shape, float start = 0.0f, float step = 1.0f) {
    std::vector<float> v(size_t(shapeNumel(shape)));
    for (size_t i = 0; i < v.size(); ++i) v[i] = start + step * float(i);
    return Tensor::fromFloats(v, std::move(shape));
}

TEST(Elementwise, BroadcastShapes) {
    EXPECT_EQ(ops::broadcastShape({2, 1, 4}, {3, 1}), (Shape{2, 3, 4}));
    EXPECT_EQ(ops::broadcastShape({5}, {2, 5}), (Shape{2, 5}));
    EXPECT_THROW(ops::broadcastShape({2, 3}, {4}), Error);
}

TEST(Elementwise, AddMulBroadcastAndStrided) {
    Tensor a = iota({2, 1, 4});            // a[i,0,k] = 4i + k
    Tensor b = iota({3, 1}, 10.0f, 1.0f);  // b[j,0] = 10 + j
    Tensor s = ops::add(a, b);
    ASSERT_EQ(s.shape(), (Shape{2, 3, 4}));
    Tensor p = ops::mul(a, b);
    Tensor d = ops::sub(a, b);
    for (int i = 0; i < 2; ++i)
        for (int j = 0; j < 3; ++j)
            for (int k = 0; k < 4; ++k) {
                const int64_t f = (i * 3 + j) * 4 + k;
                EXPECT_EQ(s.item(f), (4 * i + k) + (10 + j));
                EXPECT_EQ(p.item(f), (4 * i + k) * (10 + j));
                EXPECT_EQ(d.item(f), (4 * i + k) - (10 + j));
            }
    // A transposed (non-contiguous) operand.
    Tensor m = iota({3, 4});
    Tensor t = m.transpose(0, 1);  // [4, 3], t[r, c] = 4c + r
    Tensor r = ops::add(t, Tensor::full({4, 3}, 0.5f));
    for (int i = 0; i < 4; ++i)
        for (int j = 0; j < 3; ++j) EXPECT_EQ(r.item(i * 3 + j), 4 * j + i + 0.5);
    EXPECT_EQ(ops::scale(m, -2.0f).item(5), -10.0);
}

TEST(Elementwise, Activations) {
    Tensor x = iota({41}, -10.0f, 0.5f);
    Tensor s = ops::silu(x), g = ops::geluTanh(x), r = ops::relu(x);
    for (int64_t i = 0; i < x.numel(); ++i) {
        const double v = x.item(i);
        EXPECT_NEAR(s.item(i), v / (1 + std::exp(-v)), 1e-6 * (1 + std::abs(v)));
        const double gt = 0.5 * v * (1 + std::tanh(std::sqrt(2 / M_PI) * (v + 0.044715 * v * v * v)));
        EXPECT_NEAR(g.item(i), gt, 1e-6 * (1 + std::abs(v)));
        EXPECT_EQ(r.item(i), v > 0 ? v : 0.0);
    }
    Tensor n = Tensor::fromFloats(std::vector<float>{NAN}, {1});
    EXPECT_TRUE(std::isnan(ops::relu(n).item(0)));
}

}  // namespace
}  // namespace sv
