// CPU gated units: Gemma's GELU(tanh) gate and gated MLP, and the DiT's SiLU-gated GLU. F32.
#include <algorithm>

#include "base/parallel.h"
#include "cpu/activation.h"
#include "cpu/ops.h"

namespace sv::cpu {

namespace {

// gate ← gelu_tanh(gate) · up (both contiguous F32 of equal size).
void geluGateInPlace(float* gate, const float* up, int64_t n) {
    parallelFor(n, 16384, [&](int64_t b, int64_t e) {
        for (int64_t i = b; i < e; ++i) gate[i] = geluTanh(gate[i]) * up[i];
    });
}

}  // namespace

Tensor geluTanhGate(const Tensor& gate, const Tensor& up) {
    Tensor out = gate.clone();
    const Tensor uc = up.contiguous();
    geluGateInPlace(out.data<float>(), uc.data<float>(), out.numel());
    return out;
}

Tensor gatedMlp(const Tensor& x, const Tensor& gateW, const Tensor& upW, const Tensor& downW) {
    Tensor g = linear(x, gateW, Tensor());  // new contiguous F32
    {
        const Tensor u = linear(x, upW, Tensor());
        geluGateInPlace(g.data<float>(), u.data<float>(), g.numel());
    }
    return linear(g, downW, Tensor());
}

Tensor gluSilu(const Tensor& x) {
    const int64_t C2 = x.dim(-1), C = C2 / 2, rows = C2 > 0 ? x.numel() / C2 : 0;
    Shape outShape = x.shape();
    outShape.back() = C;
    const Tensor xc = x.contiguous();
    Tensor y = Tensor::empty(outShape, DType::F32);
    const float* xp = xc.data<float>();
    float* yp = y.data<float>();
    parallelFor(rows, std::max<int64_t>(1, 8192 / std::max<int64_t>(1, C)), [&](int64_t r0, int64_t r1) {
        for (int64_t r = r0; r < r1; ++r) {
            const float* value = xp + r * C2;
            const float* gate = value + C;
            for (int64_t c = 0; c < C; ++c) yp[r * C + c] = value[c] * silu(gate[c]);
        }
    });
    return y;
}

}  // namespace sv::cpu
