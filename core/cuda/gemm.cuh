// A general cuBLASLt GEMM for the CUDA op families (column-major, as cuBLAS sees memory):
//   D[m, n] = alpha · op(A)[m, k] · op(B)[k, n] + beta · D   (batched with strides; fp32 accumulation)
// A row-major [R, C] matrix with row stride ld is, to cuBLAS, a column-major [C, R] matrix with leading
// dimension ld. F32 operands run true fp32 (no TF32); BF16/F16 operands use the tensor cores.
#pragma once

#include <cstdint>

#include "base/tensor.h"

namespace sv::cuda {

struct GemmOperand {
    const void* data = nullptr;
    DType dtype = DType::F32;
    int64_t ld = 0;
    int64_t batchStride = 0;  // elements between consecutive batch entries
    bool trans = false;       // op(X) = Xᵀ
};

struct GemmSpec {
    int64_t m = 0, n = 0, k = 0;
    GemmOperand a, b;
    void* d = nullptr;
    DType dType = DType::F32;
    int64_t ldd = 0;
    int64_t batchStrideD = 0;
    int batch = 1;
    float alpha = 1.0f;
    float beta = 0.0f;
    /// Per-row bias of D (m values, D's dtype), added by the epilogue; null for none.
    const void* bias = nullptr;
    /// FP8 operands only (A and B F8E4M3, A transposed, B not): device F32 vectors of m and n scales, so that
    /// D[i, j] = alpha · aScale[i] · bScale[j] · Σ_k op(A)[i, k] · op(B)[k, j] (cuBLASLt's outer-vector
    /// scaling, CUBLASLT_MATMUL_MATRIX_SCALE_OUTER_VEC_32F, cuBLAS ≥ 12.9). Both or neither.
    const float* aScale = nullptr;
    const float* bScale = nullptr;
};

/// Runs the GEMM on `device`'s stream (sv::Error when cuBLASLt has no algorithm for it).
void gemm(const GemmSpec& spec, int device);
/// The same, but false (and nothing queued) when cuBLASLt has no algorithm for it on this device, e.g. FP8
/// outer-vector scaling on a card or cuBLAS version without it; the answer is cached per configuration.
bool tryGemm(const GemmSpec& spec, int device);

/// y[M, N] (+)= x[M, K] · w[N, K]ᵀ for row-major x (row stride ldx), w (row stride ldw), y (row stride ldy):
/// the linear-layer form. beta = 1 accumulates into y.
void gemmRowMajorNT(int64_t M, int64_t N, int64_t K, const void* x, int64_t ldx, const void* w, int64_t ldw,
                    void* y, int64_t ldy, DType dtype, float beta, int device);

}  // namespace sv::cuda
