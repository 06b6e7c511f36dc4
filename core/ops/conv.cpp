// Entry points of ops/dit_conv.h, ops/vae_conv.h and the LTX-2 VAE's conv (ops/ltx_vae.h). The 3D convs'
// geometry (output extent, padding, cache, repeated last frames) is derived here, once, for every backend
// (backend/kernels.h: ConvGeometry); both reach the same kernel entry.
#include <algorithm>

#include "backend/registry.h"
#include "ops/dit_conv.h"
#include "ops/ltx_vae.h"
#include "ops/quantize.h"
#include "ops/vae_conv.h"
#include "ops/validate.h"

namespace sv::ops {

namespace dit {

namespace {

void checkDepthwise(std::string_view op, const Tensor& weight, const Tensor& bias, int64_t channels) {
    SV_ASSERT_MSG(weight.defined() && weight.shape() == (Shape{channels, 1, 3, 3}), op, ": weight ",
                  weight.describe(), " for ", channels, " channels");
    SV_ASSERT_MSG(!bias.defined() || bias.numel() == channels, op, ": bias ", bias.describe(), " for ",
                  channels, " channels");
}

}  // namespace

Tensor depthwiseConv3x3(const Tensor& x, const Tensor& weight, const Tensor& bias) {
    constexpr std::string_view op = "ops::dit::depthwiseConv3x3";
    check::rank(op, x, 4, "x", "[S, H, W, C]");
    checkDepthwise(op, weight, bias, x.dim(3));
    return backend::kernelsFor(Op::DepthwiseConv3x3, {&x, &weight, &bias}).depthwiseConv3x3(x, weight, bias);
}

Tensor gluSilu(const Tensor& x) {
    constexpr std::string_view op = "ops::dit::gluSilu";
    check::defined(op, x, "x");
    SV_ASSERT_MSG(x.rank() >= 1 && x.dim(-1) % 2 == 0, op, ": last dimension must be even, got ",
                  x.describe());
    return backend::kernelsFor(Op::GluSilu, {&x}).gluSilu(x);
}

Tensor siluDepthwiseGlu(const Tensor& x, const Tensor& weight, const Tensor& bias) {
    constexpr std::string_view op = "ops::dit::siluDepthwiseGlu";
    check::rank(op, x, 4, "x", "[S, H, W, 2C]");
    SV_ASSERT_MSG(x.dim(3) % 2 == 0, op, ": x ", x.describe(), " needs an even channel count");
    checkDepthwise(op, weight, bias, x.dim(3));
    return backend::kernelsFor(Op::SiluDepthwiseGlu, {&x, &weight, &bias}).siluDepthwiseGlu(x, weight, bias);
}

Tensor temporalConv3(const Tensor& x, const Tensor& weight) {
    constexpr std::string_view op = "ops::dit::temporalConv3";
    check::rank(op, x, 4, "x", "[B, F, P, D]");
    const int64_t D = x.dim(3);
    SV_ASSERT_MSG(weight.defined() && weight.shape() == (Shape{D, D, 3, 1}), op, ": weight ",
                  weight.describe(), " for ", D, " channels");
    if (weight.isQuantized()) {  // 8-bit weight (ops/quantize.h): a float scratch for this call
        const Tensor wf = dequantize(weight, x.dtype());
        return backend::kernelsFor(Op::TemporalConv3, {&x, &wf}).temporalConv3(x, wf);
    }
    return backend::kernelsFor(Op::TemporalConv3, {&x, &weight}).temporalConv3(x, weight);
}

}  // namespace dit

namespace {

// Output extent and padding of a conv of x after `tc` cached frames and before `back` repeated last frames
// (WanCausalConv3d's geometry; LTX2VideoCausalConv3d's with its replicate frames).
ConvGeometry convGeometry(std::string_view op, const Tensor& x, int64_t tc, const Tensor& w,
                          const ConvPad3d& pad, int strideT, int strideH, int strideW, int64_t back = 0) {
    SV_ASSERT(pad.front >= 0 && pad.top >= 0 && pad.bottom >= 0 && pad.left >= 0 && pad.right >= 0 &&
              back >= 0);
    SV_ASSERT(strideT > 0 && strideH > 0 && strideW > 0);
    ConvGeometry g;
    g.batch = x.dim(0), g.cin = x.dim(1), g.cout = w.dim(0);
    g.t = x.dim(2), g.tc = tc, g.h = x.dim(3), g.w = x.dim(4);
    g.kt = w.dim(2), g.kh = w.dim(3), g.kw = w.dim(4);
    g.st = strideT, g.sh = strideH, g.sw = strideW;
    g.front = pad.front, g.top = pad.top, g.bottom = pad.bottom, g.left = pad.left, g.right = pad.right;
    g.back = back;
    const int64_t tp = g.front + tc + g.t + back, hp = g.h + g.top + g.bottom, wp = g.w + g.left + g.right;
    SV_ASSERT_MSG(tp >= g.kt && hp >= g.kh && wp >= g.kw, op, ": input ", x.describe(), " (+", tc,
                  " cached frames, +", back, " repeated) is smaller than the kernel ", w.describe());
    g.to = (tp - g.kt) / g.st + 1, g.ho = (hp - g.kh) / g.sh + 1, g.wo = (wp - g.kw) / g.sw + 1;
    return g;
}

// The operands both 3D convs share: x and w, the cache (undefined when it holds no frames) and the bias.
Tensor checkedConvOperands(std::string_view op, const Tensor& x, const Tensor& cacheIn, const Tensor& w,
                           const Tensor& bias) {
    check::rank(op, x, 5, "x", "[B, Cin, T, H, W]");
    check::rank(op, w, 5, "w", "[Cout, Cin, kt, kh, kw]");
    SV_ASSERT_MSG(w.dim(1) == x.dim(1), op, ": x ", x.describe(), " vs w ", w.describe());
    const Tensor cache =
        cacheIn.defined() && cacheIn.dim(2) > 0 ? cacheIn : Tensor();  // no frames = no cache
    SV_ASSERT_MSG(
        !cache.defined() || (cache.rank() == 5 && cache.dim(0) == x.dim(0) && cache.dim(1) == x.dim(1) &&
                             cache.dim(3) == x.dim(3) && cache.dim(4) == x.dim(4)),
        op, ": cache ", cache.describe(), " vs x ", x.describe());
    SV_ASSERT_MSG(!bias.defined() || bias.numel() == w.dim(0), op, ": bias ", bias.describe(), " for w ",
                  w.describe());
    return cache;
}

// The residual (the output's shape) and the devices of the activations.
void checkConvOutput(std::string_view op, const Tensor& x, const Tensor& cache, const Tensor& residual,
                     const ConvGeometry& g) {
    SV_ASSERT_MSG(!residual.defined() || residual.shape() == (Shape{g.batch, g.cout, g.to, g.ho, g.wo}), op,
                  ": residual ", residual.describe(), " vs output [", g.batch, ", ", g.cout, ", ", g.to, ", ",
                  g.ho, ", ", g.wo, "]");
    check::sameDevice(op, x, {&cache, &residual});
}

}  // namespace

Tensor causalConv3d(const Tensor& x, const Tensor& cacheIn, const Tensor& w, const Tensor& bias,
                    const ConvPad3d& pad, int strideT, int strideH, int strideW, const Tensor& residual) {
    constexpr std::string_view op = "ops::causalConv3d";
    const Tensor cache = checkedConvOperands(op, x, cacheIn, w, bias);
    const ConvGeometry g =
        convGeometry(op, x, cache.defined() ? cache.dim(2) : 0, w, pad, strideT, strideH, strideW);
    checkConvOutput(op, x, cache, residual, g);
    return backend::kernelsFor(Op::CausalConv3d, {&x, &cache, &w, &bias, &residual})
        .causalConv3d(x, cache, w, bias, residual, g);
}

Tensor ltx::conv3d(const Tensor& x, const Tensor& cacheIn, int back, const Tensor& w, const Tensor& bias,
                   SpatialPadding padding, const Tensor& residual) {
    constexpr std::string_view op = "ops::ltx::conv3d";
    const Tensor cache = checkedConvOperands(op, x, cacheIn, w, bias);
    SV_ASSERT_MSG(w.dim(3) % 2 == 1 && w.dim(4) % 2 == 1 && back >= 0, op, ": w ", w.describe(), ", back ",
                  back);
    const int ph = int(w.dim(3) / 2), pw = int(w.dim(4) / 2);
    const bool reflect = padding == SpatialPadding::Reflect;
    SV_ASSERT_MSG(!reflect || (x.dim(3) > ph && x.dim(4) > pw), op,
                  ": reflect padding needs frames larger than the padding, got ", x.describe());
    ConvGeometry g = convGeometry(op, x, cache.defined() ? cache.dim(2) : 0, w, ConvPad3d{0, ph, ph, pw, pw},
                                  1, 1, 1, back);
    g.reflect = reflect && (ph > 0 || pw > 0);
    checkConvOutput(op, x, cache, residual, g);
    return backend::kernelsFor(Op::LtxConv3d, {&x, &cache, &w, &bias, &residual})
        .causalConv3d(x, cache, w, bias, residual, g);
}

Tensor frameConv2d(const Tensor& x, const Tensor& w, const Tensor& bias, const ConvPad3d& pad, int strideH,
                   int strideW) {
    SV_ASSERT_MSG(w.rank() == 4 && pad.front == 0, "ops::frameConv2d: w ", w.describe(), ", front pad ",
                  pad.front);
    return causalConv3d(x, Tensor(), w.unsqueeze(2), bias, pad, 1, strideH, strideW);
}

Tensor pointwiseConv(const Tensor& x, const Tensor& w, const Tensor& bias, const Tensor& residual) {
    SV_ASSERT_MSG(x.rank() >= 2 && w.rank() >= 2 && w.dim(1) == x.dim(1) && w.numel() == w.dim(0) * w.dim(1),
                  "ops::pointwiseConv: x ", x.describe(), " vs w ", w.describe());
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
    SV_ASSERT_MSG(x.rank() == 5 && depth > 0, "ops::lastFrames: x ", x.describe());
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
