// torch.Generator(device="cuda"): the seed, the Philox offset and how torch.randn draws from them, so that a
// seed gives the noise of diffusers' examples, which pass generator=torch.Generator(device="cuda")
// .manual_seed(seed). The CPU generator (base/torch_randn.h) stays the default everywhere.
//
// Ref: PyTorch aten/src/ATen/native/cuda/DistributionTemplates.h (calc_execution_policy,
// distribution_nullary_kernel) and aten/src/ATen/cuda/CUDAGeneratorImpl.cpp (manual_seed, philox_cuda_state,
// get_offset).
//
// The noise of a CUDA generator depends on the GPU it is drawn on: the launch grid is min(SMs × (threads per
// SM / 256), ⌈numel / 256⌉) blocks of 256 threads and Philox subsequence i is thread i, so above one wave of
// threads the element → subsequence map follows the SM count and threads per SM
// (/shared/docs/cuda-generator.md). A TorchCudaGenerator is therefore made for one grid: the GPU in use, or
// the numbers of the card whose noise is to be reproduced. The offset advances by the launch's
// counter_offset after every draw, as torch's does.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/tensor.h"

namespace sv {

/// The two numbers of a GPU that torch's random kernels size their grid by.
struct CudaGeneratorGrid {
    int multiprocessors = 0;           // cudaDeviceProp::multiProcessorCount (an H100 SXM / H200: 132)
    int threadsPerMultiprocessor = 0;  // cudaDeviceProp::maxThreadsPerMultiProcessor (H100/H200: 2048)

    /// SMs × (threads per SM / 256): the most blocks a launch gets.
    int64_t maxBlocks() const { return int64_t(multiprocessors) * (threadsPerMultiprocessor / 256); }
    bool operator==(const CudaGeneratorGrid&) const = default;
    /// "132x2048".
    std::string toString() const;
    /// Parses "SMSxTHREADS" (e.g. "132x2048"); sv::Error naming `what` otherwise.
    static CudaGeneratorGrid parse(std::string_view text, std::string_view what);
    /// The grid of a CUDA device of this machine (sv::Error when there is none).
    static CudaGeneratorGrid ofDevice(int index);
};

/// The grid noise drawn for `device` uses: `given` when set (validated), else the device's own when it is a
/// CUDA device, else the first CUDA device's. sv::Error naming `what` when there is neither (a CPU-only
/// machine must be told which GPU's noise to reproduce).
CudaGeneratorGrid resolveCudaGeneratorGrid(const std::optional<CudaGeneratorGrid>& given, Device device,
                                           std::string_view what);

/// One torch random launch: grid blocks (of 256 threads) and the Philox offset advance.
struct CudaRandomLaunch {
    int64_t blocks = 0;
    uint64_t counterOffset = 0;  // words per thread reserved: passes · 4
};

/// calc_execution_policy(numel, unroll 4) for this grid (numel ≥ 1).
CudaRandomLaunch cudaRandnLaunch(int64_t numel, const CudaGeneratorGrid& grid);

class TorchCudaGenerator {
  public:
    /// torch.Generator(device="cuda").manual_seed(seed) on a GPU with this grid.
    TorchCudaGenerator(uint64_t seed, const CudaGeneratorGrid& grid);

    /// generator.manual_seed(seed): the offset restarts at 0.
    void manualSeed(uint64_t seed);
    uint64_t initialSeed() const { return seed_; }
    /// generator.get_offset(): the Philox offset (in words) the next draw starts at.
    uint64_t offset() const { return offset_; }
    const CudaGeneratorGrid& grid() const { return grid_; }

    /// torch.randn(shape, generator=this, device=..., dtype=dtype): a new contiguous F32/BF16/F16 tensor on
    /// `device`. On a CUDA device the values are torch's bit for bit; on the CPU they are emulated
    /// (ops/philox_normal.h). Advances the offset as torch does. sv::Error for another dtype, a negative size
    /// or a tensor beyond torch's 32-bit indexing.
    Tensor randn(const Shape& shape, DType dtype = DType::F32, Device device = Device::cpu());

  private:
    uint64_t seed_ = 0;
    uint64_t offset_ = 0;
    CudaGeneratorGrid grid_;
};

}  // namespace sv
