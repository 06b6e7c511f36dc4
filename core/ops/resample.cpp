// Entry points of ops/vae_resample.h (data movement; its elementwise steps are in ops/elementwise.cpp), the
// LTX-2 VAE's space ↔ depth shuffles (ops/ltx_vae.h), ops/resize.h, ops/gemma_embedding.h and
// ops/timestep_embedding.h.
#include "backend/registry.h"
#include "cpu/ops.h"
#include "ops/gemma_embedding.h"
#include "ops/ltx_vae.h"
#include "ops/resize.h"
#include "ops/timestep_embedding.h"
#include "ops/vae_resample.h"
#include "ops/validate.h"

namespace sv::ops {

Tensor upsampleNearest2x(const Tensor& x) {
    check::rank("ops::upsampleNearest2x", x, 5, "x", "[B, C, T, H, W]");
    return backend::kernelsFor(Op::UpsampleNearest2x, {&x}).upsampleNearest2x(x);
}

Tensor interleaveTimeHalves(const Tensor& x) {
    constexpr std::string_view op = "ops::interleaveTimeHalves";
    check::rank(op, x, 5, "x", "[B, 2C, T, H, W]");
    SV_ASSERT_MSG(x.dim(1) % 2 == 0, op, ": x ", x.describe(), " needs an even channel count");
    return backend::kernelsFor(Op::InterleaveTimeHalves, {&x}).interleaveTimeHalves(x);
}

namespace ltx {

namespace {

void checkFactors(std::string_view op, const Factors& f) {
    SV_ASSERT_MSG(f[0] >= 1 && f[1] >= 1 && f[2] >= 1 && f[0] * f[1] * f[2] <= 4096, op, ": factors (", f[0],
                  ", ", f[1], ", ", f[2], ")");
}

}  // namespace

Tensor depthToSpace(const Tensor& y, Factors f, SubpixelOrder order, int dropFrames, const Tensor& residual) {
    constexpr std::string_view op = "ops::ltx::depthToSpace";
    check::rank(op, y, 5, "y", "[B, C·V, T, H, W]");
    checkFactors(op, f);
    const int64_t V = int64_t(f[0]) * f[1] * f[2];
    SV_ASSERT_MSG(y.dim(1) % V == 0 && dropFrames >= 0 && dropFrames < f[0] * y.dim(2), op, ": y ",
                  y.describe(), " factors volume ", V, " drop ", dropFrames);
    if (residual.defined()) {
        check::rank(op, residual, 5, "residual", "[B, Cr·V, T, H, W]");
        SV_ASSERT_MSG(residual.dim(0) == y.dim(0) && residual.dim(1) % V == 0 && residual.dim(1) > 0 &&
                          (y.dim(1) / V) % (residual.dim(1) / V) == 0 && residual.dim(2) == y.dim(2) &&
                          residual.dim(3) == y.dim(3) && residual.dim(4) == y.dim(4),
                      op, ": residual ", residual.describe(), " vs y ", y.describe());
    }
    check::sameDevice(op, y, {&residual});
    return backend::kernelsFor(Op::DepthToSpace, {&y, &residual})
        .depthToSpace(y, residual, f, order, dropFrames);
}

Tensor spaceToDepth(const Tensor& x, Factors f, SubpixelOrder order, int groupSize, const Tensor& residual) {
    constexpr std::string_view op = "ops::ltx::spaceToDepth";
    check::rank(op, x, 5, "x", "[B, C, T, H, W]");
    checkFactors(op, f);
    const int64_t V = int64_t(f[0]) * f[1] * f[2];
    SV_ASSERT_MSG(x.dim(2) % f[0] == 0 && x.dim(3) % f[1] == 0 && x.dim(4) % f[2] == 0 && groupSize >= 1 &&
                      (x.dim(1) * V) % groupSize == 0,
                  op, ": x ", x.describe(), " factors (", f[0], ", ", f[1], ", ", f[2], ") group ",
                  groupSize);
    if (residual.defined()) {
        const Shape expect = {x.dim(0), x.dim(1) * V / groupSize, x.dim(2) / f[0], x.dim(3) / f[1],
                              x.dim(4) / f[2]};
        SV_ASSERT_MSG(residual.shape() == expect, op, ": residual ", residual.describe(), ", expected ",
                      shapeToString(expect));
    }
    check::sameDevice(op, x, {&residual});
    return backend::kernelsFor(Op::SpaceToDepth, {&x, &residual})
        .spaceToDepth(x, residual, f, order, groupSize);
}

}  // namespace ltx

Tensor resizeLanczosPil(const Tensor& image, int64_t newW, int64_t newH) {
    SV_CHECK(image.dtype() == DType::U8 && image.rank() == 3 && (image.dim(2) == 1 || image.dim(2) == 3),
             "resizeLanczosPil: expected a uint8 image [H, W, 1 or 3], got ", image.describe());
    SV_CHECK(newW >= 1 && newH >= 1, "resizeLanczosPil: target size must be at least 1x1, got ", newW, "x",
             newH);
    SV_CHECK(image.dim(0) >= 1 && image.dim(1) >= 1, "resizeLanczosPil: empty image ", image.describe());
    SV_CHECK(newW < (1 << 24) && newH < (1 << 24) && image.dim(0) < (1 << 24) && image.dim(1) < (1 << 24),
             "resizeLanczosPil: image size too large");
    return backend::kernelsFor(Op::ResizeLanczos, {&image}).resizeLanczos(image, newW, newH);
}

Tensor resizeBilinear(const Tensor& x, int64_t newH, int64_t newW, TorchBilinearKernel kernel) {
    SV_CHECK(x.dtype() == DType::F32 && (x.rank() == 3 || x.rank() == 4),
             "resizeBilinear: expected an F32 tensor [C, H, W] or [N, C, H, W], got ", x.describe());
    SV_CHECK(newH >= 1 && newW >= 1, "resizeBilinear: target size must be at least 1x1, got ", newH, "x",
             newW);
    SV_CHECK(x.dim(-1) >= 1 && x.dim(-2) >= 1, "resizeBilinear: empty input ", x.describe());
    return backend::kernelsFor(Op::ResizeBilinear, {&x}).resizeBilinear(x, newH, newW, kernel);
}

Tensor gemmaEmbed(const Tensor& table, const Tensor& ids, float scale) {
    constexpr std::string_view op = "ops::gemmaEmbed";
    check::rank(op, table, 2, "table", "[V, H]");
    SV_ASSERT_MSG(ids.defined() && ids.dtype() == DType::I64, op, ": ids ", ids.describe());
    if (ids.device().isCpu()) {  // the caller validates ids; an id out of range is a programmer error here
        const Tensor ic = ids.contiguous();
        const int64_t* p = ic.data<int64_t>();
        for (int64_t i = 0; i < ic.numel(); ++i)
            SV_ASSERT_MSG(p[i] >= 0 && p[i] < table.dim(0), op, ": id ", p[i], " of ", table.dim(0));
    }
    return backend::kernelsFor(Op::Embed, {&table, &ids}).embed(table, ids, scale);
}

Tensor timestepEmbedding(const Tensor& t, const TimestepEmbeddingOptions& options) {
    SV_ASSERT_MSG(t.rank() == 1, "timestepEmbedding: timesteps must be 1-D, got ", t.describe());
    SV_ASSERT(options.dim >= 2);
    // A few values: computed on the host in the reference's float32 steps, moved to t's device.
    return cpu::timestepEmbedding(t.to(Device::cpu()).to(DType::F32).contiguous(), options).to(t.device());
}

}  // namespace sv::ops
