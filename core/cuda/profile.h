// Per-op GPU time of the CUDA backend, for benchmarks: when enabled, every CUDA op records a pair of events
// on its stream; takeOpProfile() waits for them and sums the elapsed time per op name. Off by default (no
// events are recorded); enable with setOpProfiling(true) or SV_CUDA_PROFILE=1 in the environment.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace sv::cuda {

struct OpTime {
    std::string name;
    double milliseconds = 0.0;
    int64_t calls = 0;
};

void setOpProfiling(bool on);
bool opProfiling();
/// Totals per op name since the last call (sorted by time, largest first); synchronises the device.
std::vector<OpTime> takeOpProfile(int device = 0);

/// Times the enclosing scope as op `name` (a string literal) when profiling is on. Nested scopes are
/// counted in their own names too (an op that calls another op counts the inner time twice).
class OpScope {
  public:
    OpScope(const char* name, int device);
    ~OpScope();
    OpScope(const OpScope&) = delete;
    OpScope& operator=(const OpScope&) = delete;

  private:
    const char* name_;
    int device_;
    void* start_ = nullptr;
};

}  // namespace sv::cuda
