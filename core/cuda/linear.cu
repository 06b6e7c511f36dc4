// CUDA linear layers: one cuBLASLt GEMM (gemm.cuh), the bias fused as its epilogue.
// * linear: x and w share a dtype (F32: true fp32, no TF32; BF16/F16: fp32 accumulation, output in x's
//   dtype).
// * linearFp8: an F8E4M3 weight with per-output-channel scales s_w. x is quantized per token (row) to
//   e4m3 with its own absmax scale s_x (quantizeRowsFp8, bitwise the weights' quantizer), then for BF16/F16 x
//   y[t, o] = s_x[t] · s_w[o] · Σ_k x8[t, k] · w8[o, k] on the FP8 tensor cores with fp32 accumulation,
//   rounded once to x's dtype: the dynamic per-token scaling of issue 12 (TransformerEngine's and torchao's
//   row-wise float8 recipes). Where the card, cuBLAS or shape has no FP8 GEMM (and for F32 x), the same
//   arithmetic as the CPU reference (core/cpu/linear.cpp): both operands dequantized, then linear.
#include "cuda/context.h"
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

namespace {

// The FP8 tensor-core GEMM; false when this card, cuBLAS or shape has none (then nothing was queued).
bool fp8Gemm(const Tensor& x8, const Tensor& w, const Tensor& bias, Tensor& y) {
    const int64_t K = w.dim(1), N = w.dim(0), M = x8.dim(0);
    const int device = y.device().index;
    if (y.dtype() == DType::F32 || !haveFp8OuterScaling() || computeCapability(device) < 89 ||
        N % kFp8Align != 0 || K % kFp8Align != 0)
        return false;
    const Tensor wq = w.contiguous();
    // Column-major, as linear(): yᵀ[N, M] = (w8 stored K×N)ᵀ · (x8 stored K×M), the "TN" form FP8 needs.
    GemmSpec s;
    s.m = N, s.n = M, s.k = K;
    s.a = {wq.rawData(), DType::F8E4M3, K, 0, true};
    s.b = {x8.rawData(), DType::F8E4M3, K, 0, false};
    s.d = y.rawData(), s.dType = y.dtype(), s.ldd = N;
    s.bias = bias.defined() ? bias.rawData() : nullptr;
    s.aScale = wq.quantScales().data<float>();  // on w's device (Tensor::quantScales)
    s.bScale = x8.quantScales().data<float>();
    return tryGemm(s, device);
}

}  // namespace

Tensor linearFp8(const Tensor& xIn, const Tensor& w, const Tensor& biasIn) {
    const DType dt = xIn.dtype();
    const int64_t K = w.dim(1), N = w.dim(0);
    Shape outShape = xIn.shape();
    outShape.back() = N;
    Tensor y = Tensor::empty(outShape, dt, xIn.device());
    if (y.numel() == 0) return y;
    const OpScope opScope("linear.fp8", xIn.device().index);
    const Tensor x8 = quantizeRowsFp8(xIn, K);  // [M, K] codes with per-token scales
    Tensor bias;
    if (biasIn.defined()) bias = biasIn.dtype() == dt ? biasIn.contiguous() : biasIn.to(dt).contiguous();
    if (fp8Gemm(x8, w, bias, y)) return y;
    // No FP8 tensor cores for this call: the CPU reference's steps, in x's dtype.
    return linear(dequantize(x8, dt).view(xIn.shape()), dequantize(w, dt), bias);
}

}  // namespace sv::cuda
