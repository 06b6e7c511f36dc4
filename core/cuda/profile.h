// Per-op GPU time of the CUDA backend (device::setOpProfiling / takeOpProfile): when profiling is on, every
// op records a pair of events on its stream through an OpScope; takeOpProfile() waits for them and sums the
// elapsed time per op name. Off by default (no events are recorded); SV_CUDA_PROFILE=1 in the environment
// turns it on at start-up.
#pragma once

#include <vector>

#include "backend/backend.h"

namespace sv::cuda {

void setOpProfiling(bool on);
bool opProfiling();
/// Totals per op name since the last call (sorted by time, largest first); synchronises the device.
std::vector<OpTime> takeOpProfile(int device);

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
