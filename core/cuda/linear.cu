// CUDA linear layer: one cuBLASLt GEMM (gemm.cuh), the bias fused as its epilogue; x and w share a dtype
// (F32: true fp32, no TF32; BF16/F16: fp32 accumulation, output in the input dtype).
#include "cuda/gemm.cuh"
#include "cuda/ops.h"
#include "cuda/profile.h"

namespace sv::cuda {

Tensor linear(const Tensor& xIn, const Tensor& wIn, const Tensor& biasIn) {
    const OpScope opScope("linear", xIn.device().index);
    const DType dt = xIn.dtype();
    Tensor x = xIn.contiguous();
    Tensor w = wIn.dtype() == dt ? wIn.contiguous() : wIn.to(dt).contiguous();
    const int64_t K = w.dim(1), N = w.dim(0), M = x.numel() / K;
    Shape outShape = x.shape();
    outShape.back() = N;
    Tensor y = Tensor::empty(outShape, dt, x.device());
    if (M == 0) return y;
    Tensor bias;
    if (biasIn.defined()) {
        bias = biasIn.dtype() == dt ? biasIn.contiguous() : biasIn.to(dt).contiguous();
    }
    // Column-major view: yᵀ[N, M] = W[N, K] (stored K×N, transposed) · xᵀ (stored K×M); bias per row of yᵀ.
    // fp32 accumulation; F32 operands run true fp32 (no TF32).
    GemmSpec s;
    s.m = N, s.n = M, s.k = K;
    s.a = {w.rawData(), dt, K, 0, true};
    s.b = {x.rawData(), dt, K, 0, false};
    s.d = y.rawData(), s.dType = dt, s.ldd = N;
    s.bias = bias.defined() ? bias.rawData() : nullptr;
    gemm(s, x.device().index);
    return y;
}

}  // namespace sv::cuda
