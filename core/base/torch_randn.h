// PyTorch's CPU random number generator and torch.randn, reproduced bit for bit, so that a seed gives the
// same initial noise as diffusers with `generator=torch.Generator("cpu").manual_seed(seed)` — on every
// backend, since the noise is always drawn here on the CPU and then moved to the device.
//
// What is reproduced (PyTorch 2.x on x86-64, the platform the fixtures in tests/data/reference/noise come
// from):
//  - the engine: at::mt19937 (standard MT19937, seeded with the low 32 bits of the seed; get_state layout not
//  needed);
//  - float32 tensors of ≥ 16 elements: one uniform float per element ((u32 & 2^24−1)·2^−24), then Box–Muller
//  over
//    blocks of 16 (u1 = 1 − x[j], u2 = x[j+8]) exactly as ATen's AVX2 kernel computes it: the Cephes-style
//    log and sincos of avx_mathfun.h with the FMA contractions of the shipped x86-64 build; a tail that is
//    not a multiple of 16 redraws 16 fresh uniforms for the last 16 elements;
//  - float64 tensors of ≥ 16 elements: the scalar kernel in double with libm log/cos/sin (53-bit uniforms);
//  - tensors of < 16 elements (any dtype): at::normal_distribution<double> (two 53-bit uniforms per pair,
//  log1p,
//    the second value of each pair cached in the generator for the next draw, as PyTorch does).
// PyTorch builds without AVX2 (e.g. aarch64) use plain libm float math for ≥ 16 elements and can differ in
// the last bit; those builds are not reproduced.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "base/tensor.h"

namespace sv {

/// The state of torch.Generator("cpu"): an MT19937 engine plus the cached second Box–Muller sample.
class TorchCpuGenerator {
  public:
    /// PyTorch's default seed for a fresh torch.Generator() (67280421310721).
    static constexpr uint64_t kDefaultSeed = 67280421310721ull;

    explicit TorchCpuGenerator(uint64_t seed = kDefaultSeed) { manualSeed(seed); }

    /// generator.manual_seed(seed): reseeds the engine and drops the cached normal samples.
    void manualSeed(uint64_t seed);
    /// generator.initial_seed().
    uint64_t initialSeed() const { return seed_; }

    /// One 32-bit draw of the engine (CPUGeneratorImpl::random).
    uint32_t random();
    /// Two draws joined high-then-low (CPUGeneratorImpl::random64).
    uint64_t random64();

    /// torch.randn(shape, generator=this, dtype) on the CPU: a new contiguous tensor (F32 or F64; other
    /// dtypes throw sv::Error). Advances the generator exactly as PyTorch does.
    Tensor randn(const Shape& shape, DType dtype = DType::F32);
    /// The same draws written into caller memory (the flat, contiguous order of a tensor of out.size()
    /// elements).
    void randnFill(std::span<float> out);
    void randnFill(std::span<double> out);

  private:
    double normalDouble();  // at::normal_distribution<double>(0, 1)
    void nextState();

    uint64_t seed_ = 0;
    std::array<uint32_t, 624> state_{};
    int left_ = 1;
    int next_ = 0;
    std::optional<double> nextDoubleNormal_;
};

/// torch.randn of `count` float32 values drawn from a generator, readable piece by piece without holding it:
/// the constructor advances the generator exactly as torch.randn((count,), generator=g) would (so later draws
/// continue the same sequence) and keeps generator states every `checkpointEvery` draws; fill() regenerates
/// any range. Memory: count / checkpointEvery states (2.5 KB each), not count floats — LongSANA draws the
/// initial noise of a whole minute-long video at once (as diffusers does) but needs it one chunk at a time.
class TorchRandnStream {
  public:
    TorchRandnStream(TorchCpuGenerator& generator, int64_t count, int64_t checkpointEvery = int64_t(1) << 16);

    int64_t size() const { return count_; }
    /// Elements [offset, offset + out.size()) of the tensor torch.randn would have returned.
    void fill(int64_t offset, std::span<float> out) const;

  private:
    int64_t count_;
    int64_t every_;                               // a multiple of 16
    std::vector<TorchCpuGenerator> checkpoints_;  // state before draw k·every_
    std::vector<float> tail_;                     // the last 16 values when count % 16 != 0
    std::vector<float> small_;                    // all values when count < 16
};

}  // namespace sv
