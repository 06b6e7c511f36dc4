// CUDA gated units: Gemma's GELU(tanh) gate and gated MLP (transformers Gemma2MLP: down(gelu(gate(x)) ·
// up(x))) and the DiT's SiLU-gated GLU (diffusers GLUMBTempConv's chunk → value · silu(gate)). Grid-stride
// loops; one block per row for the GLU.
#include "cuda/kernels.cuh"
#include "cuda/ops.h"
#include "cuda/profile.h"

namespace sv::cuda {

namespace {

// y = gelu_tanh(g) · u; y may alias g (each element is read before the same thread writes it).
template <class T>
__global__ void geluGateKernel(T* y, const T* g, const T* __restrict__ u, long long n) {
    constexpr float kBeta = 0.7978845608028654f;  // √(2/π)
    constexpr float kKappa = 0.044715f;
    for (long long e = blockIdx.x * (long long)blockDim.x + threadIdx.x; e < n;
         e += (long long)gridDim.x * blockDim.x) {
        const float x = toF(g[e]);
        const float gelu = 0.5f * x * (1.0f + tanhf(kBeta * (x + kKappa * (x * x * x))));
        y[e] = fromF<T>(gelu * toF(u[e]));
    }
}

// One block per row: y[r, c] = x[r, c] · SiLU(x[r, C + c]).
template <class T>
__global__ void gluSiluKernel(T* __restrict__ y, const T* __restrict__ x, long long C) {
    const long long r = blockIdx.x;
    const T* xr = x + r * 2 * C;
    T* yr = y + r * C;
    for (long long c = threadIdx.x; c < C; c += blockDim.x) {
        const float value = toF(xr[c]), g = toF(xr[C + c]);
        yr[c] = fromF<T>(value * (g / (1.0f + expf(-g))));
    }
}

// y ← gelu_tanh(g) · u for contiguous g, u, y of g's dtype (y may be g).
void launchGeluGate(const Tensor& y, const Tensor& g, const Tensor& u) {
    const long long n = g.numel();
    SV_DISPATCH_FLOAT(g.dtype(), T, {
        geluGateKernel<T><<<gridFor(n), 256, 0, streamOf(g)>>>(static_cast<T*>(y.rawData()),
                                                               static_cast<const T*>(g.rawData()),
                                                               static_cast<const T*>(u.rawData()), n);
    });
    checkLaunch();
}

}  // namespace

Tensor geluTanhGate(const Tensor& gateIn, const Tensor& upIn) {
    const OpScope opScope("gemma.geluGate", gateIn.device().index);
    const Tensor g = gateIn.contiguous(), u = upIn.to(g.dtype()).contiguous();
    Tensor y = Tensor::empty(g.shape(), g.dtype(), g.device());
    if (g.numel() == 0) return y;
    launchGeluGate(y, g, u);
    return y;
}

Tensor gatedMlp(const Tensor& x, const Tensor& gateW, const Tensor& upW, const Tensor& downW) {
    const OpScope opScope("gemma.mlp", x.device().index);
    Tensor g = linear(x, gateW, Tensor());
    {
        const Tensor u = linear(x, upW, Tensor());
        launchGeluGate(g, g, u);  // in place: the [..., I] projections are the only scratch
    }
    return linear(g, downW, Tensor());
}

Tensor gluSilu(const Tensor& xIn) {
    const OpScope opScope("dit.gluSilu", xIn.device().index);
    const Tensor x = xIn.contiguous();
    const long long C = x.dim(-1) / 2;
    Shape shape = x.shape();
    shape.back() = C;
    Tensor y = Tensor::empty(shape, x.dtype(), x.device());
    const long long n = y.numel();
    if (n == 0) return y;
    SV_DISPATCH_FLOAT(x.dtype(), T, {
        gluSiluKernel<T><<<unsigned(n / C), C >= 1024 ? 256 : 64, 0, streamOf(x)>>>(
            static_cast<T*>(y.rawData()), static_cast<const T*>(x.rawData()), C);
    });
    checkLaunch();
    return y;
}

}  // namespace sv::cuda
