// CUDA backend common helpers: error checks (always on) that throw sv::Error with the failing call.
#pragma once

#include <cublasLt.h>
#include <cublas_v2.h>
#include <cuda_runtime.h>

#include "base/error.h"

#define SV_CUDA_CHECK(call)                                                                            \
    do {                                                                                               \
        cudaError_t err_ = (call);                                                                     \
        if (err_ != cudaSuccess)                                                                       \
            ::sv::fail("CUDA error ", cudaGetErrorName(err_), " (", cudaGetErrorString(err_), ") in ", \
                       #call, " at ", __FILE__, ":", __LINE__);                                        \
    } while (0)

#define SV_CUBLAS_CHECK(call)                                                                           \
    do {                                                                                                \
        cublasStatus_t st_ = (call);                                                                    \
        if (st_ != CUBLAS_STATUS_SUCCESS)                                                               \
            ::sv::fail("cuBLAS error ", cublasGetStatusName(st_), " in ", #call, " at ", __FILE__, ":", \
                       __LINE__);                                                                       \
    } while (0)

namespace sv::cuda {

inline unsigned ceilDiv(long long a, long long b) {
    return unsigned((a + b - 1) / b);
}

}  // namespace sv::cuda
