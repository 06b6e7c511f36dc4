#include <cmath>
#include <numbers>

#include "base/parallel.h"
#include "ops/gemma_mlp.h"
#include "ops/linear.h"

#ifdef SV_WITH_CUDA
#include "cuda/gemma.h"
#endif

namespace sv::ops {

namespace {

inline float geluTanh(float g) {
    // PyTorch's CPU kernel: 0.5·x·(1 + tanh(β·(x + κ·x³))), β = √2·(2/√π)·0.5 = √(2/π), κ = 0.044715.
    constexpr float kBeta = float(std::numbers::sqrt2 * (2.0 * std::numbers::inv_sqrtpi) * 0.5);
    constexpr float kKappa = 0.044715f;
    const float cube = g * g * g;
    const float inner = kBeta * (g + kKappa * cube);
    return 0.5f * g * (1.0f + std::tanh(inner));
}

void checkPair(const Tensor& gate, const Tensor& up) {
    SV_ASSERT_MSG(gate.device().isCpu() && up.device().isCpu(),
                  "geluTanhGate: only the CPU backend is implemented");
    SV_ASSERT_MSG(gate.dtype() == DType::F32 && up.dtype() == DType::F32 && gate.shape() == up.shape(),
                  "geluTanhGate: gate ", gate.describe(), " vs up ", up.describe());
}

// gate ← gelu_tanh(gate) · up (both contiguous F32 of equal size).
void gateInPlace(float* gate, const float* up, int64_t n) {
    parallelFor(n, 16384, [&](int64_t b, int64_t e) {
        for (int64_t i = b; i < e; ++i) gate[i] = geluTanh(gate[i]) * up[i];
    });
}

}  // namespace

Tensor geluTanhGate(const Tensor& gate, const Tensor& up) {
#ifdef SV_WITH_CUDA
    if (gate.device().isCuda()) return cuda::geluTanhGate(gate, up);
#endif
    checkPair(gate, up);
    Tensor out = gate.clone();
    Tensor uc = up.contiguous();
    gateInPlace(out.data<float>(), uc.data<float>(), out.numel());
    return out;
}

Tensor gemmaMlp(const Tensor& x, const Tensor& gateW, const Tensor& upW, const Tensor& downW) {
#ifdef SV_WITH_CUDA
    if (x.device().isCuda()) return cuda::gemmaMlp(x, gateW, upW, downW);
#endif
    SV_ASSERT_MSG(x.device().isCpu(), "gemmaMlp: only the CPU backend is implemented");
    SV_ASSERT_MSG(x.dtype() == DType::F32, "gemmaMlp: F32 only, got ", x.describe());
    SV_ASSERT_MSG(gateW.rank() == 2 && upW.shape() == gateW.shape() && gateW.dim(1) == x.dim(-1) &&
                      downW.rank() == 2 && downW.dim(1) == gateW.dim(0),
                  "gemmaMlp: x ", x.describe(), ", gate ", gateW.describe(), ", up ", upW.describe(),
                  ", down ", downW.describe());
    Tensor g = linear(x, gateW);  // new contiguous F32
    {
        Tensor u = linear(x, upW);
        checkPair(g, u);
        gateInPlace(g.data<float>(), u.data<float>(), g.numel());
    }
    return linear(g, downW);
}

}  // namespace sv::ops
