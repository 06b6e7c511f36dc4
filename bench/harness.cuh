// Shared by the standalone kernel harnesses under bench/ (CMake targets of CUDA builds: xattn_harness,
// vaeconv_harness, glu_bench): each checks one CUDA kernel of core/cuda against a naive fp32 GPU reference
// and times it, without linking the engine, so they report CUDA errors themselves.
#pragma once

#include <cuda_runtime.h>

#include <cstdio>
#include <cstdlib>

/// Runs a CUDA runtime call; on failure prints the error, the call and where it was made, and exits with 1.
#define SV_HARNESS_CHECK(call)                                                                  \
    do {                                                                                        \
        const cudaError_t err_ = (call);                                                        \
        if (err_ != cudaSuccess) {                                                              \
            std::fprintf(stderr, "CUDA error %s (%s) in %s at %s:%d\n", cudaGetErrorName(err_), \
                         cudaGetErrorString(err_), #call, __FILE__, __LINE__);                  \
            std::exit(1);                                                                       \
        }                                                                                       \
    } while (0)
