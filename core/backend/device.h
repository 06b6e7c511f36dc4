// The device API: which devices this build and this machine have, and what front ends, benchmarks, nodes and
// tests do with a device besides running ops on it (wait for it, read and reset its memory statistics, fill
// tensors with random values, time its ops). Device-neutral: nothing here names a backend's own API, so code
// outside core/ never includes anything under core/cuda/. Thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "backend/backend.h"
#include "base/tensor.h"

namespace sv::device {

/// Whether this build has the backend for devices of this kind (the CPU always; CUDA when built with it).
bool compiled(Device::Kind kind);
/// Devices of this kind present now (0 when the backend is not compiled in or finds no device).
int count(Device::Kind kind);
/// True when `d` exists: its backend is compiled in and its index is below count(d.kind).
bool available(Device d);
/// Every device present, the CPU first.
std::vector<Device> list();
/// A readable name ("cpu", the GPU's model name); empty when the device does not exist.
std::string name(Device d);
/// A GPU's compute capability as major · 10 + minor (89: Ada, 90: Hopper); 0 for the CPU or a missing device.
int computeCapability(Device d);

/// Waits until every op queued on `d` has finished (a no-op on the CPU).
void synchronize(Device d);
/// Bytes of tensor memory on `d`: live, peak since the last reset, and held from the system.
MemoryStats memoryStats(Device d);
void resetPeakMemory(Device d);
/// Gives cached free blocks of `d` back to the system (between stages, before another model loads).
void releaseCachedMemory(Device d);

/// t (contiguous, floating, on any device) ← mean + stddev · N(0, 1); t (I64) ← fillUniformInt. Element i
/// depends only on (seed, i) and the device kind.
void fillNormal(const Tensor& t, uint64_t seed, float mean, float stddev);
/// t (contiguous, I64) ← uniform integers in [lo, hi).
void fillUniformInt(const Tensor& t, uint64_t seed, int64_t lo, int64_t hi);

/// Per-op timing on every backend that records it (CUDA: a pair of events per op on its stream; the CPU
/// records nothing). Off by default; SV_CUDA_PROFILE=1 in the environment turns it on at start-up.
void setOpProfiling(bool on);
/// Totals per op name on `d` since the last call, largest first; waits for the device.
std::vector<OpTime> takeOpProfile(Device d);

/// Wall-clock time of device work: seconds() first waits for the device, so it covers every op queued
/// since the stopwatch started (or restarted).
class Stopwatch {
  public:
    explicit Stopwatch(Device d) : device_(d), start_(Clock::now()) {}
    void restart() { start_ = Clock::now(); }
    double seconds() const;

  private:
    using Clock = std::chrono::steady_clock;
    Device device_;
    Clock::time_point start_;
};

}  // namespace sv::device
