// The CUDA backend's per-device context: one stream, a cuBLASLt handle and workspace, and the caching
// allocator's statistics. Plain C++ (no CUDA headers) so CPU translation units can include it.
#pragma once

#include <cstddef>

namespace sv::cuda {

struct MemoryStats {
    size_t allocated = 0;      // bytes held by live tensors
    size_t peakAllocated = 0;  // high-water mark since the last reset
    size_t reserved = 0;       // bytes held from the driver (live + cached)
};

MemoryStats memoryStats(int device = 0);
void resetPeakMemory(int device = 0);
/// Returns cached blocks to the driver (e.g. after a stage, before another model loads).
void releaseCachedMemory(int device = 0);
/// Waits for the device's stream.
void synchronize(int device = 0);
/// The GPU's name, or an empty string when there is none.
const char* deviceName(int device = 0);

}  // namespace sv::cuda
