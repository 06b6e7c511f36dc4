// A backend: the kernels of one kind of device (backend/kernels.h), its answer to "can you run this op on
// these operands?", and the management of its devices (synchronisation, memory statistics, random fill, op
// profiling). ggml's split, adapted to eager tensors: ggml-backend.h's device/backend interfaces with
// supports_op, one kernel table per backend instead of one switch.
//
// Backends register in backend/registry.cpp: the CPU backend always (core/cpu/backend.cpp), the CUDA backend
// when the build has it (core/cuda/backend.cpp; core/cuda_stub/ stands in otherwise). Code outside core/
// reaches them through the device API (backend/device.h); ops reach them through backend/dispatch.h.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "backend/kernels.h"
#include "backend/op.h"
#include "base/tensor.h"

namespace sv {

/// A backend's answer to supports(): supported, or why not (a static string, e.g. "F32 activations only").
struct Support {
    const char* reason = nullptr;
    static Support yes() { return {}; }
    static Support no(const char* why) { return {why}; }
    explicit operator bool() const { return reason == nullptr; }
};

/// Memory of one device in bytes: held by live tensors now, the most held at once since the last reset, and
/// what the backend holds from the system (live plus cached blocks; equal to current on the CPU).
struct MemoryStats {
    int64_t current = 0;
    int64_t peak = 0;
    int64_t reserved = 0;
};

/// GPU time summed per op name (the name an op's kernel gives its profiling scope, e.g. "vae.conv.igemm").
struct OpTime {
    std::string name;
    double milliseconds = 0.0;
    int64_t calls = 0;
};

class Backend {
  public:
    virtual ~Backend() = default;
    Backend(const Backend&) = delete;
    Backend& operator=(const Backend&) = delete;

    /// "cpu", "cuda".
    std::string_view name() const { return name_; }
    Device::Kind kind() const { return kind_; }

    /// Whether this backend runs `op` on these operands, in the order opOperands(op) lists them (undefined
    /// tensors stand for absent optional operands): it has a kernel for the op and admits() the call. Looks
    /// at dtypes, devices and shapes, never at data; the op's entry point has validated shapes and ranks.
    Support supports(Op op, std::span<const Tensor* const> operands) const;
    const Kernels& kernels() const { return kernels_; }

    // ---- devices of this kind
    /// Devices present now (0 when the driver finds none).
    virtual int deviceCount() const = 0;
    virtual std::string deviceName(int index) const = 0;
    /// major · 10 + minor for a GPU; 0 where the notion does not apply (the CPU).
    virtual int computeCapability(int) const { return 0; }
    /// Waits until every op queued on the device has finished.
    virtual void synchronize(int index) const = 0;
    virtual MemoryStats memoryStats(int index) const = 0;
    /// Starts a new peak measurement: peak = current.
    virtual void resetPeakMemory(int index) const = 0;
    /// Gives cached free blocks back to the system (between pipeline stages).
    virtual void releaseCachedMemory(int index) const = 0;

    // ---- random contents (benchmarks and self-made test models): counter-based, element i depends only on
    // (seed, i), so the result does not depend on the launch shape or thread count.
    /// t (contiguous, floating) ← mean + stddev · N(0, 1).
    virtual void fillNormal(const Tensor& t, uint64_t seed, float mean, float stddev) const = 0;
    /// t (contiguous, I64) ← uniform integers in [lo, hi).
    virtual void fillUniformInt(const Tensor& t, uint64_t seed, int64_t lo, int64_t hi) const = 0;

    // ---- op profiling: when on, kernels time themselves on their device; takeOpProfile() waits for the
    // device and returns the totals per op name since the last call, largest first.
    virtual void setOpProfiling(bool on) const = 0;
    virtual std::vector<OpTime> takeOpProfile(int index) const = 0;

  protected:
    Backend(std::string_view name, Device::Kind kind, const Kernels& kernels)
        : name_(name), kind_(kind), kernels_(kernels) {}
    /// The backend's own rules (dtypes, devices, sizes) for a call it has a kernel for.
    virtual Support admits(Op op, std::span<const Tensor* const> operands) const = 0;

  private:
    std::string_view name_;
    Device::Kind kind_;
    Kernels kernels_;
};

}  // namespace sv
