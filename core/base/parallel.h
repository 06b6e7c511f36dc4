// CPU parallelism for the reference backend: a fixed pool (size from SV_NUM_THREADS or the core count).
#pragma once

#include <cstdint>
#include <functional>

namespace sv {

int cpuThreadCount();

/// Calls fn(begin, end) on disjoint chunks covering [0, n), in parallel; chunks hold at least `grain` items.
/// Returns after every chunk finished; rethrows the first exception thrown by fn. Nested calls run inline.
void parallelFor(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& fn);

}  // namespace sv
