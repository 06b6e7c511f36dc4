// Entry points of the LTX-2 VAE ops: validate once, then dispatch on the device (CPU kernels in
// cpu/ltx_vae.cpp, CUDA kernels in cuda/ltx_vae.cu).
#include "ops/ltx_vae.h"

#include "cpu/ltx_vae.h"
#include "ops/vae_conv.h"

#ifdef SV_WITH_CUDA
#include "cuda/ltx_vae.h"
#endif

namespace sv::ops::ltx {

namespace {

// CPU operands: contiguous F32 (weights of other float dtypes are converted).
Tensor cpuF32(const Tensor& t, const char* op, const char* what) {
    SV_ASSERT_MSG(t.dtype() == DType::F32, op, ": the CPU backend needs F32, ", what, " is ", t.describe());
    return t.contiguous();
}

Tensor asF32(const Tensor& t) {
    return t.defined() ? t.to(DType::F32).contiguous() : Tensor();
}

void checkVideo(const Tensor& t, const char* op, const char* what) {
    SV_ASSERT_MSG(t.defined() && t.rank() == 5, op, ": ", what, " must be [B, C, T, H, W], got ",
                  t.defined() ? t.describe() : std::string("nothing"));
}

void checkFactors(const Factors& f, const char* op) {
    SV_ASSERT_MSG(f[0] >= 1 && f[1] >= 1 && f[2] >= 1 && f[0] * f[1] * f[2] <= 4096, op, ": factors (", f[0],
                  ", ", f[1], ", ", f[2], ")");
}

}  // namespace

Tensor channelNorm(const Tensor& x, ChannelNorm kind, float eps, const Tensor& weight, const Tensor& bias,
                   bool silu) {
    const char* op = "ltx::channelNorm";
    SV_ASSERT_MSG(x.defined() && x.rank() >= 2 && x.dim(1) > 0, op, ": x ", x.describe());
    SV_ASSERT_MSG(kind == ChannelNorm::Layer || (!weight.defined() && !bias.defined()), op,
                  ": the RMS norm has no affine parameters");
    SV_ASSERT_MSG(!weight.defined() || weight.numel() == x.dim(1), op, ": weight ", weight.describe());
    SV_ASSERT_MSG(!bias.defined() || bias.numel() == x.dim(1), op, ": bias ", bias.describe());
#ifdef SV_WITH_CUDA
    if (x.device().isCuda()) return cuda::ltx::channelNorm(x, kind, eps, weight, bias, silu);
#endif
    return cpu::ltx::channelNorm(cpuF32(x, op, "x"), kind, eps, asF32(weight), asF32(bias), silu);
}

Tensor conv3d(const Tensor& x, const Tensor& cache, int back, const Tensor& w, const Tensor& bias,
              SpatialPadding padding, const Tensor& residual) {
    const char* op = "ltx::conv3d";
    checkVideo(x, op, "x");
    SV_ASSERT_MSG(
        w.defined() && w.rank() == 5 && w.dim(1) == x.dim(1) && w.dim(3) % 2 == 1 && w.dim(4) % 2 == 1, op,
        ": w ", w.describe(), " vs x ", x.describe());
    const bool hasCache = cache.defined() && cache.dim(2) > 0;
    if (hasCache) {
        checkVideo(cache, op, "cache");
        SV_ASSERT_MSG(cache.dim(0) == x.dim(0) && cache.dim(1) == x.dim(1) && cache.dim(3) == x.dim(3) &&
                          cache.dim(4) == x.dim(4) && cache.device() == x.device(),
                      op, ": cache ", cache.describe(), " vs x ", x.describe());
    }
    const int64_t frames = (hasCache ? cache.dim(2) : 0) + x.dim(2) + back;
    SV_ASSERT_MSG(back >= 0 && frames >= w.dim(2), op, ": ", frames, " frames for a kernel of ", w.dim(2));
    const int ph = int(w.dim(3) / 2), pw = int(w.dim(4) / 2);
    SV_ASSERT_MSG(padding == SpatialPadding::Zeros || (x.dim(3) > ph && x.dim(4) > pw), op,
                  ": reflect padding needs frames larger than the padding, got ", x.describe());
    const Tensor c = hasCache ? cache : Tensor();
    if (padding == SpatialPadding::Zeros && back == 0)
        return causalConv3d(x, c, w, bias, ConvPad3d{0, ph, ph, pw, pw}, 1, 1, 1, residual);
    Tensor padded;
#ifdef SV_WITH_CUDA
    if (x.device().isCuda()) {
        if (Tensor y = cuda::ltx::conv3dImplicitGemm(x, c, back, w, bias, padding, residual); y.defined())
            return y;
        padded = cuda::ltx::padFrames(x, c, back, ph, pw, padding);
    }
#endif
    if (!padded.defined())
        padded = cpu::ltx::padFrames(cpuF32(x, op, "x"), hasCache ? cpuF32(c, op, "cache") : Tensor(), back,
                                     ph, pw, padding);
    return causalConv3d(padded, Tensor(), w, bias, ConvPad3d{}, 1, 1, 1, residual);
}

Tensor depthToSpace(const Tensor& y, Factors f, SubpixelOrder order, int dropFrames, const Tensor& residual) {
    const char* op = "ltx::depthToSpace";
    checkVideo(y, op, "y");
    checkFactors(f, op);
    const int64_t V = int64_t(f[0]) * f[1] * f[2];
    SV_ASSERT_MSG(y.dim(1) % V == 0 && dropFrames >= 0 && dropFrames < f[0] * y.dim(2), op, ": y ",
                  y.describe(), " factors volume ", V, " drop ", dropFrames);
    if (residual.defined()) {
        checkVideo(residual, op, "residual");
        SV_ASSERT_MSG(residual.dim(0) == y.dim(0) && residual.dim(1) % V == 0 &&
                          (y.dim(1) / V) % (residual.dim(1) / V) == 0 && residual.dim(2) == y.dim(2) &&
                          residual.dim(3) == y.dim(3) && residual.dim(4) == y.dim(4) &&
                          residual.device() == y.device(),
                      op, ": residual ", residual.describe(), " vs y ", y.describe());
    }
#ifdef SV_WITH_CUDA
    if (y.device().isCuda()) return cuda::ltx::depthToSpace(y, f, order, dropFrames, residual);
#endif
    return cpu::ltx::depthToSpace(cpuF32(y, op, "y"), f, order, dropFrames,
                                  residual.defined() ? cpuF32(residual, op, "residual") : Tensor());
}

Tensor spaceToDepth(const Tensor& x, Factors f, SubpixelOrder order, int groupSize, const Tensor& residual) {
    const char* op = "ltx::spaceToDepth";
    checkVideo(x, op, "x");
    checkFactors(f, op);
    const int64_t V = int64_t(f[0]) * f[1] * f[2];
    SV_ASSERT_MSG(x.dim(2) % f[0] == 0 && x.dim(3) % f[1] == 0 && x.dim(4) % f[2] == 0 && groupSize >= 1 &&
                      (x.dim(1) * V) % groupSize == 0,
                  op, ": x ", x.describe(), " factors (", f[0], ", ", f[1], ", ", f[2], ") group ",
                  groupSize);
    if (residual.defined()) {
        const Shape expect = {x.dim(0), x.dim(1) * V / groupSize, x.dim(2) / f[0], x.dim(3) / f[1],
                              x.dim(4) / f[2]};
        SV_ASSERT_MSG(residual.shape() == expect && residual.device() == x.device(), op, ": residual ",
                      residual.describe(), ", expected ", shapeToString(expect));
    }
#ifdef SV_WITH_CUDA
    if (x.device().isCuda()) return cuda::ltx::spaceToDepth(x, f, order, groupSize, residual);
#endif
    return cpu::ltx::spaceToDepth(cpuF32(x, op, "x"), f, order, groupSize,
                                  residual.defined() ? cpuF32(residual, op, "residual") : Tensor());
}

}  // namespace sv::ops::ltx
