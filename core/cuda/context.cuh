// CUDA-side access to the per-device context (stream, cuBLASLt handle, workspace, options).
#pragma once

#include "cuda/common.cuh"
#include "cuda/context.h"

namespace sv::cuda {

/// Settings read from the environment once, when a device's context is created (never per op call).
struct Options {
    /// SV_VAE_CONV_IM2COL=1: the causal conv keeps the im2col + cuBLASLt path (comparisons and benchmarks).
    bool vaeConvIm2col = false;
    /// SV_VAE_IGEMM_WARPS=4|8: the implicit-GEMM conv's block shape; 8 measured best on an H100.
    int igemmWarps = 8;
};

struct DeviceContext {
    int device = 0;
    cudaStream_t stream = nullptr;
    cublasLtHandle_t lt = nullptr;
    void* workspace = nullptr;
    size_t workspaceBytes = 0;
    int computeCapability = 0;  // major · 10 + minor, e.g. 90 for Hopper
    Options options;
};

/// The context of `device` (created on first use; lives until process exit). Sets the current device.
DeviceContext& deviceContext(int device);

}  // namespace sv::cuda
