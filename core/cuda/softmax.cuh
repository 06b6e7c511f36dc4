// The CUDA row softmax behind the GEMM paths of the attention kernels (attention.cu): scores made by a GEMM
// in fp32, probabilities written in the dtype of the GEMM that consumes them.
#pragma once

#include <cuda_runtime.h>

#include "base/dtype.h"

namespace sv::cuda {

/// P[r][l] = softmax_l(S[r][l] · scale + bias[l]) for `rows` rows of L fp32 scores (row stride ld in both S
/// and P), P in `pType` (F32, BF16 or F16); P may be S when both are F32. With `addBias` the bias is added
/// (null: zero, SDPA's additive mask); without it the scores are only scaled. One warp per row: max, sum of
/// exponentials and the normalised values in three passes, in float.
void softmaxRows(DType pType, void* P, const float* S, const float* bias, bool addBias, long long rows,
                 long long L, long long ld, float scale, cudaStream_t stream);

}  // namespace sv::cuda
