// Entry points of ops/linear.h and ops/gemma_mlp.h.
#include "ops/linear.h"

#include "backend/registry.h"
#include "ops/gemma_mlp.h"
#include "ops/quantize.h"
#include "ops/validate.h"

namespace sv::ops {

Tensor linear(const Tensor& x, const Tensor& w, const Tensor& bias) {
    constexpr std::string_view op = "ops::linear";
    check::defined(op, x, "x");
    check::defined(op, w, "w");
    SV_ASSERT_MSG(w.rank() == 2 && x.rank() >= 1 && x.dim(-1) == w.dim(1), op, ": x ", x.describe(), " vs w ",
                  w.describe());
    SV_ASSERT_MSG(!bias.defined() || bias.numel() == w.dim(0), op, ": bias ", bias.describe(), " for ",
                  w.dim(0), " outputs");
    check::sameDevice(op, x, {&w, &bias});
    if (w.isQuantized()) {
        // Weight-only 8-bit: the weight dequantized to the activation dtype (a scratch that dies with this
        // call), then the float GEMM. Fusing the dequantization into the GEMM's operand load is the
        // performance follow-up (docs/PERFORMANCE.md).
        const Tensor wf = dequantize(w, x.dtype());
        return backend::kernelsFor(Op::Linear, {&x, &wf, &bias}).linear(x, wf, bias);
    }
    return backend::kernelsFor(Op::Linear, {&x, &w, &bias}).linear(x, w, bias);
}

Tensor linearFp8(const Tensor& x, const Tensor& w, const Tensor& bias) {
    constexpr std::string_view op = "ops::linearFp8";
    check::defined(op, x, "x");
    SV_ASSERT_MSG(w.defined() && w.rank() == 2 && w.dtype() == DType::F8E4M3 && w.isQuantized() &&
                      w.dim(1) > 0 && x.rank() >= 1 && x.dim(-1) == w.dim(1),
                  op, ": x ", x.describe(), " vs w ", w.defined() ? w.describe() : std::string("nothing"));
    SV_ASSERT_MSG(!bias.defined() || bias.numel() == w.dim(0), op, ": bias ", bias.describe(), " for ",
                  w.dim(0), " outputs");
    check::sameDevice(op, x, {&w, &bias});
    return backend::kernelsFor(Op::LinearFp8, {&x, &w, &bias}).linearFp8(x, w, bias);
}

Tensor geluTanhGate(const Tensor& gate, const Tensor& up) {
    constexpr std::string_view op = "ops::geluTanhGate";
    check::defined(op, gate, "gate");
    SV_ASSERT_MSG(up.defined() && up.shape() == gate.shape(), op, ": gate ", gate.describe(), " vs up ",
                  up.defined() ? up.describe() : std::string("nothing"));
    check::sameDevice(op, gate, {&up});
    return backend::kernelsFor(Op::GeluTanhGate, {&gate, &up}).geluTanhGate(gate, up);
}

Tensor gemmaMlp(const Tensor& x, const Tensor& gateW, const Tensor& upW, const Tensor& downW) {
    constexpr std::string_view op = "ops::gemmaMlp";
    check::defined(op, x, "x");
    SV_ASSERT_MSG(gateW.rank() == 2 && upW.shape() == gateW.shape() && gateW.dim(1) == x.dim(-1) &&
                      downW.rank() == 2 && downW.dim(1) == gateW.dim(0),
                  op, ": x ", x.describe(), ", gate ", gateW.describe(), ", up ", upW.describe(), ", down ",
                  downW.describe());
    check::sameDevice(op, x, {&gateW, &upW, &downW});
    if (gateW.isQuantized() || upW.isQuantized() || downW.isQuantized()) {
        // 8-bit weights: the same three projections as separate linears, so at most one weight is
        // dequantized at a time (ops::linear above); gatedMlp needs all three in float at once.
        Tensor h = geluTanhGate(linear(x, gateW), linear(x, upW));
        return linear(h, downW);
    }
    return backend::kernelsFor(Op::GatedMlp, {&x, &gateW, &upW, &downW}).gatedMlp(x, gateW, upW, downW);
}

}  // namespace sv::ops
