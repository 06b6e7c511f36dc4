// The device memory of the CUDA backend, which base/tensor.cpp reaches through these few entry points (the
// rest of the backend registers through backend/registry.h). core/cuda implements them; core/cuda_stub
// (CPU-only builds) throws sv::Error naming the missing backend.
#pragma once

#include <cstddef>
#include <memory>

#include "base/tensor.h"

namespace sv::detail {

/// Total memory of CUDA device `device` in bytes (0 when it cannot be queried); the memory budget's limit.
size_t cudaDeviceMemory(int device);
std::shared_ptr<Storage> cudaAllocate(size_t bytes, int device);
/// Plain byte copy between host and/or device memory (synchronous with respect to the host).
void cudaCopyBytes(void* dst, Device dstDevice, const void* src, Device srcDevice, size_t bytes);
/// dst = src on one CUDA device: same shape, any strides, dtype conversion included.
void cudaCopyStrided(const Tensor& dst, const Tensor& src);
void cudaZero(const Tensor& dst);

/// A CUDA device's streaming multiprocessor count and the most resident threads per multiprocessor
/// (cudaDeviceProp multiProcessorCount, maxThreadsPerMultiProcessor): what torch sizes the grid of its CUDA
/// random kernels by. sv::Error when the device does not exist.
struct CudaMultiprocessors {
    int count = 0;
    int threadsPerMultiprocessor = 0;
};
CudaMultiprocessors cudaMultiprocessors(int device);

}  // namespace sv::detail
