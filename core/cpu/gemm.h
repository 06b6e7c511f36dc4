// The CPU backend's float32 GEMM (the reference path: plain loops, float accumulation, threads).
#pragma once

#include <cstdint>

namespace sv::cpu {

/// C[m, n] = Σ_k A[m, k] · B[n, k] (+ beta · C[m, n]). Row-major with leading dimensions lda, ldb, ldc.
/// Multithreaded; deterministic (each output's summation order is fixed).
void gemmNT(int64_t M, int64_t N, int64_t K, const float* A, int64_t lda, const float* B, int64_t ldb,
            float* C, int64_t ldc, float beta = 0.0f);

/// C[m, n] = Σ_k A[m, k] · B[k, n] (+ beta · C). B is transposed into a scratch buffer, then gemmNT.
void gemmNN(int64_t M, int64_t N, int64_t K, const float* A, int64_t lda, const float* B, int64_t ldb,
            float* C, int64_t ldc, float beta = 0.0f);

}  // namespace sv::cpu
