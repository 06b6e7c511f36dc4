// Entry points of ops/elementwise.h, ops/lincomb.h and the elementwise steps of ops/vae_resample.h.
#include "ops/elementwise.h"

#include <algorithm>

#include "backend/registry.h"
#include "ops/lincomb.h"
#include "ops/vae_resample.h"
#include "ops/validate.h"

namespace sv::ops {

namespace {

Tensor binaryOp(Op op, BinaryOp kind, const Tensor& a, const Tensor& b) {
    check::defined(opName(op), a, "a");
    check::defined(opName(op), b, "b");
    check::sameDevice(opName(op), a, {&b});
    const Shape out = broadcastShape(a.shape(), b.shape());
    return backend::kernelsFor(op, {&a, &b}).binary(a, b, out, kind);
}

Tensor unaryOp(Op op, UnaryOp kind, const Tensor& x, float p0 = 0.0f, float p1 = 0.0f) {
    check::defined(opName(op), x, "x");
    return backend::kernelsFor(op, {&x}).unary(x, kind, p0, p1);
}

Tensor channelAffine(Op op, const Tensor& z, const Tensor& mean, const Tensor& invStd, bool inverse) {
    SV_ASSERT_MSG(z.defined() && z.rank() >= 2 && mean.numel() == z.dim(1) && invStd.numel() == z.dim(1),
                  opName(op), ": z ", z.describe(), " mean ", mean.describe(), " invStd ", invStd.describe());
    return backend::kernelsFor(op, {&z, &mean, &invStd}).channelAffine(z, mean, invStd, inverse);
}

}  // namespace

Shape broadcastShape(const Shape& a, const Shape& b) {
    const size_t r = std::max(a.size(), b.size());
    Shape out(r, 1);
    for (size_t i = 0; i < r; ++i) {
        const int64_t da = i < r - a.size() ? 1 : a[i - (r - a.size())];
        const int64_t db = i < r - b.size() ? 1 : b[i - (r - b.size())];
        SV_CHECK(da == db || da == 1 || db == 1, "shapes ", shapeToString(a), " and ", shapeToString(b),
                 " do not broadcast");
        out[i] = da == 1 ? db : da;
    }
    return out;
}

Tensor add(const Tensor& a, const Tensor& b) {
    return binaryOp(Op::Add, BinaryOp::Add, a, b);
}
Tensor sub(const Tensor& a, const Tensor& b) {
    return binaryOp(Op::Sub, BinaryOp::Sub, a, b);
}
Tensor mul(const Tensor& a, const Tensor& b) {
    return binaryOp(Op::Mul, BinaryOp::Mul, a, b);
}
Tensor scale(const Tensor& a, float s) {
    return unaryOp(Op::Scale, UnaryOp::Scale, a, s);
}
Tensor silu(const Tensor& x) {
    return unaryOp(Op::Silu, UnaryOp::Silu, x);
}
Tensor geluTanh(const Tensor& x) {
    return unaryOp(Op::GeluTanh, UnaryOp::GeluTanh, x);
}
Tensor relu(const Tensor& x) {
    return unaryOp(Op::Relu, UnaryOp::Relu, x);
}
Tensor clampValues(const Tensor& x, float lo, float hi) {
    return unaryOp(Op::Clamp, UnaryOp::Clamp, x, lo, hi);
}

Tensor normalizeLatents(const Tensor& z, const Tensor& mean, const Tensor& invStd) {
    return channelAffine(Op::NormalizeLatents, z, mean, invStd, false);
}
Tensor denormalizeLatents(const Tensor& z, const Tensor& mean, const Tensor& invStd) {
    return channelAffine(Op::DenormalizeLatents, z, mean, invStd, true);
}

Tensor linearCombination(std::span<const double> coefs, std::span<const Tensor> inputs) {
    constexpr std::string_view op = "ops::linearCombination";
    SV_ASSERT_MSG(!inputs.empty() && coefs.size() == inputs.size(), op, ": ", coefs.size(),
                  " coefficients for ", inputs.size(), " inputs");
    const Tensor& first = inputs.front();
    for (const Tensor& t : inputs) {
        check::defined(op, t, "an input");
        SV_ASSERT_MSG(t.shape() == first.shape(), op, ": shape mismatch ", t.describe(), " vs ",
                      first.describe());
    }
    for (const Tensor& t : inputs) check::sameDevice(op, first, {&t});
    return backend::kernelsFor(Op::LinearCombination, inputs).linearCombination(coefs, inputs);
}

}  // namespace sv::ops
