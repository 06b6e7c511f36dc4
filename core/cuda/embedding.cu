// CUDA token embedding: y[t, :] = table[ids[t], :] · scale (transformers Gemma2Model's embed_tokens times the
// normaliser √hidden), one thread per output element.
#include "cuda/kernels.cuh"
#include "cuda/ops.h"
#include "cuda/profile.h"

namespace sv::cuda {

namespace {

template <class T>
__global__ void embedKernel(T* __restrict__ y, const T* __restrict__ table, const long long* __restrict__ ids,
                            long long H, float scale, long long n) {
    for (long long e = blockIdx.x * (long long)blockDim.x + threadIdx.x; e < n;
         e += (long long)gridDim.x * blockDim.x) {
        const long long t = e / H, h = e % H;
        y[e] = fromF<T>(toF(table[ids[t] * H + h]) * scale);
    }
}

}  // namespace

Tensor embed(const Tensor& table, const Tensor& idsIn, float scale) {
    const OpScope opScope("gemma.embed", table.device().index);
    const Tensor t = table.contiguous();
    const Tensor ids = idsIn.to(t.device()).contiguous();
    const long long H = t.dim(1);
    Shape shape = idsIn.shape();
    shape.push_back(H);
    Tensor y = Tensor::empty(shape, t.dtype(), t.device());
    const long long n = y.numel();
    if (n == 0) return y;
    SV_DISPATCH_FLOAT(t.dtype(), T, {
        embedKernel<T><<<gridFor(n), 256, 0, streamOf(t)>>>(
            static_cast<T*>(y.rawData()), static_cast<const T*>(t.rawData()),
            reinterpret_cast<const long long*>(ids.rawData()), H, scale, n);
    });
    checkLaunch();
    return y;
}

}  // namespace sv::cuda
