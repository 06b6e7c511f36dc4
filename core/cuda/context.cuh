// CUDA-side access to the per-device context (stream, cuBLASLt handle, workspace).
#pragma once

#include "cuda/common.cuh"
#include "cuda/context.h"

namespace sv::cuda {

struct DeviceContext {
    int device = 0;
    cudaStream_t stream = nullptr;
    cublasLtHandle_t lt = nullptr;
    void* workspace = nullptr;
    size_t workspaceBytes = 0;
};

/// The context of `device` (created on first use; lives until process exit). Sets the current device.
DeviceContext& deviceContext(int device);

}  // namespace sv::cuda
