// Entry points of ops/dit_norm.h, ops/gemma_norm.h, ops/vae_norm.h and the LTX-2 VAE's channel norm
// (ops/ltx_vae.h).
#include "backend/registry.h"
#include "ops/dit_norm.h"
#include "ops/gemma_norm.h"
#include "ops/ltx_vae.h"
#include "ops/vae_norm.h"
#include "ops/validate.h"

namespace sv::ops {

namespace {

Tensor offsetRmsNorm(std::string_view op, const Tensor& x, const Tensor& w, double eps,
                     const Tensor& residual) {
    check::defined(op, x, "x");
    SV_ASSERT_MSG(x.rank() >= 1 && w.defined() && w.rank() == 1 && w.dim(0) == x.dim(-1), op, ": x ",
                  x.describe(), " vs w ", w.describe());
    SV_ASSERT_MSG(!residual.defined() || residual.shape() == x.shape(), op, ": residual ",
                  residual.describe(), " vs x ", x.describe());
    check::sameDevice(op, x, {&residual});
    return backend::kernelsFor(Op::OffsetRmsNorm, {&x, &w, &residual}).offsetRmsNorm(x, w, eps, residual);
}

}  // namespace

Tensor gemmaRmsNorm(const Tensor& x, const Tensor& w, double eps) {
    return offsetRmsNorm("ops::gemmaRmsNorm", x, w, eps, Tensor());
}

Tensor gemmaNormResidual(const Tensor& residual, const Tensor& x, const Tensor& w, double eps) {
    check::defined("ops::gemmaNormResidual", residual, "residual");
    return offsetRmsNorm("ops::gemmaNormResidual", x, w, eps, residual);
}

Tensor wanRmsNorm(const Tensor& x, const Tensor& gamma, bool silu) {
    constexpr std::string_view op = "ops::wanRmsNorm";
    check::defined(op, x, "x");
    SV_ASSERT_MSG(x.rank() >= 2 && gamma.numel() == x.dim(1), op, ": x ", x.describe(), " gamma ",
                  gamma.describe());
    return backend::kernelsFor(Op::ChannelRmsNorm, {&x, &gamma}).channelRmsNorm(x, gamma, silu);
}

Tensor ltx::channelNorm(const Tensor& x, ChannelNorm kind, float eps, const Tensor& weight,
                        const Tensor& bias, bool silu) {
    constexpr std::string_view op = "ops::ltx::channelNorm";
    check::defined(op, x, "x");
    SV_ASSERT_MSG(x.rank() >= 2 && x.dim(1) > 0, op, ": x ", x.describe());
    SV_ASSERT_MSG(kind == ChannelNorm::Layer || (!weight.defined() && !bias.defined()), op,
                  ": the RMS norm has no affine parameters");
    SV_ASSERT_MSG(!weight.defined() || weight.numel() == x.dim(1), op, ": weight ", weight.describe());
    SV_ASSERT_MSG(!bias.defined() || bias.numel() == x.dim(1), op, ": bias ", bias.describe());
    return backend::kernelsFor(Op::LtxChannelNorm, {&x, &weight, &bias})
        .ltxChannelNorm(x, weight, bias, kind, eps, silu);
}

namespace dit {

Tensor rmsNorm(const Tensor& x, const Tensor& weight, float eps) {
    constexpr std::string_view op = "ops::dit::rmsNorm";
    check::defined(op, x, "x");
    SV_ASSERT_MSG(x.rank() >= 1 && weight.defined() && weight.numel() == x.dim(-1), op, ": weight ",
                  weight.describe(), " for x ", x.describe());
    check::sameDevice(op, x, {&weight});
    return backend::kernelsFor(Op::RmsNorm, {&x, &weight}).rmsNorm(x, weight, eps);
}

Tensor layerNormModulate(const Tensor& x, const Tensor& shift, const Tensor& scale, const Tensor& rowIndex,
                         float eps) {
    constexpr std::string_view op = "ops::dit::layerNormModulate";
    check::rank(op, x, 3, "x", "[B, N, D]");
    const int64_t D = x.dim(2);
    check::rows(op, shift, D, "shift");
    check::rows(op, scale, D, "scale");
    SV_ASSERT_MSG(shift.dim(0) == scale.dim(0), op, ": shift ", shift.describe(), " vs scale ",
                  scale.describe());
    check::sameDevice(op, x, {&shift, &scale});
    check::rowIndex(op, rowIndex, x, x.dim(0), x.dim(1), shift.dim(0));
    return backend::kernelsFor(Op::LayerNormModulate, {&x, &shift, &scale, &rowIndex})
        .layerNormModulate(x, shift, scale, rowIndex, eps);
}

Tensor gatedResidual(const Tensor& x, const Tensor& branch, const Tensor& gate, const Tensor& rowIndex) {
    constexpr std::string_view op = "ops::dit::gatedResidual";
    check::rank(op, x, 3, "x", "[B, N, D]");
    SV_ASSERT_MSG(branch.defined() && branch.shape() == x.shape(), op, ": x ", x.describe(), ", branch ",
                  branch.defined() ? branch.describe() : std::string("nothing"));
    check::rows(op, gate, x.dim(2), "gate");
    check::sameDevice(op, x, {&branch, &gate});
    check::rowIndex(op, rowIndex, x, x.dim(0), x.dim(1), gate.dim(0));
    return backend::kernelsFor(Op::GatedResidual, {&x, &branch, &gate, &rowIndex})
        .gatedResidual(x, branch, gate, rowIndex);
}

Tensor gatherRows(const Tensor& table, const Tensor& index) {
    constexpr std::string_view op = "ops::dit::gatherRows";
    check::rank(op, table, 2, "table", "[R, D]");
    SV_ASSERT_MSG(index.defined() && index.dtype() == DType::I32, op, ": index must be I32, got ",
                  index.defined() ? index.describe() : std::string("nothing"));
    if (index.device().isCpu()) {  // host indices are checked here; device ones by the caller's construction
        const Tensor ic = index.contiguous();
        for (int64_t m = 0; m < ic.numel(); ++m) {
            const int32_t i = ic.data<int32_t>()[m];
            SV_ASSERT_MSG(i >= 0 && i < table.dim(0), op, ": index ", i, " out of [0, ", table.dim(0), ")");
        }
    }
    return backend::kernelsFor(Op::GatherRows, {&table, &index}).gatherRows(table, index);
}

}  // namespace dit

}  // namespace sv::ops
