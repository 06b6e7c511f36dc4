// CPU linear layers: the fp32 GEMM (cpu/gemm.h) with the bias written first and accumulated into, and the
// FP8-compute reference built on it.
#include "cpu/gemm.h"
#include "cpu/ops.h"

namespace sv::cpu {

Tensor linear(const Tensor& x, const Tensor& w, const Tensor& bias) {
    const int64_t K = w.dim(1), N = w.dim(0);
    const int64_t M = x.numel() / K;
    const Tensor xc = x.to(DType::F32).contiguous();
    const Tensor wc = w.to(DType::F32).contiguous();
    Shape outShape = x.shape();
    outShape.back() = N;
    Tensor y = Tensor::empty(outShape, DType::F32);
    float* yp = y.data<float>();
    if (bias.defined()) {
        const Tensor bc = bias.to(DType::F32).contiguous();
        const float* bp = bc.data<float>();
        for (int64_t m = 0; m < M; ++m)
            for (int64_t n = 0; n < N; ++n) yp[m * N + n] = bp[n];
        gemmNT(M, N, K, xc.data<float>(), K, wc.data<float>(), K, yp, N, 1.0f);
    } else {
        gemmNT(M, N, K, xc.data<float>(), K, wc.data<float>(), K, yp, N, 0.0f);
    }
    return y;
}

// The reference of ops::linearFp8: x's rows quantized to e4m3 with their own absmax scales by the weights'
// quantizer (cpu/quantize.cpp), both operands dequantized to F32 (exact: e4m3 codes times an F32 scale,
// one rounding), then the F32 GEMM above.
Tensor linearFp8(const Tensor& x, const Tensor& w, const Tensor& bias) {
    const int64_t K = w.dim(1);
    const Tensor x8 = quantize(x.reshape({x.numel() / K, K}), DType::F8E4M3);
    return linear(dequantize(x8, DType::F32).view(x.shape()), dequantize(w, DType::F32), bias);
}

}  // namespace sv::cpu
