// The CUDA backend's per-device management (cuda/device.cu): one context per device (a stream, a cuBLASLt
// handle and workspace, the options read at its creation) and the caching allocator's statistics. Plain C++
// (no CUDA headers) for backend.cpp; kernels reach the context itself through cuda/context.cuh.
#pragma once

#include <string>

#include "backend/backend.h"

namespace sv::cuda {

/// GPUs the driver reports (0 without a driver or GPU).
int deviceCount();
/// The GPU's model name, or an empty string when there is none.
std::string deviceName(int device);
/// major · 10 + minor of the device's compute capability (89: Ada, 90: Hopper).
int computeCapability(int device);
MemoryStats memoryStats(int device);
void resetPeakMemory(int device);
/// Returns cached blocks to the driver (e.g. after a stage, before another model loads).
void releaseCachedMemory(int device);
/// Waits for the device's stream.
void synchronize(int device);
/// The device's stream (a cudaStream_t) for libraries that take one without our CUDA headers (NCCL,
/// parallel/nccl.cpp); also makes `device` current on the calling thread.
void* nativeStream(int device);

}  // namespace sv::cuda
