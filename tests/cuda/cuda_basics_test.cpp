// CUDA backend basics against the CPU reference: copies with dtype conversion, the caching allocator, linear.
// Skipped cleanly where no GPU is present.
#include <random>

#include <gtest/gtest.h>

#include "backend/device.h"
#include "ops/linear.h"
#include "support/reference.h"

namespace sv {
namespace {

class Cuda : public ::testing::Test {
  protected:
    void SetUp() override {
        if (!device::available(Device::cuda())) GTEST_SKIP() << "no CUDA GPU present";
    }
};

Tensor randomTensor(Shape shape, uint32_t seed) {
    std::mt19937 rng(seed);
    std::normal_distribution<float> d;
    std::vector<float> v(size_t(shapeNumel(shape)));
    for (auto& x : v) x = d(rng);
    return Tensor::fromFloats(v, std::move(shape));
}

TEST_F(Cuda, CopiesRoundTripWithConversionAndStrides) {
    Tensor h = randomTensor({3, 5, 7}, 1);
    Tensor d = h.to(Device::cuda());
    EXPECT_EQ(d.toFloatVector(), h.toFloatVector());
    Tensor p = d.permute({2, 0, 1}).contiguous();
    EXPECT_EQ(p.toFloatVector(), h.permute({2, 0, 1}).contiguous().toFloatVector());
    Tensor b = d.to(DType::BF16).to(Device::cpu());
    EXPECT_EQ(b.toFloatVector(), h.to(DType::BF16).toFloatVector());  // same RNE rounding as the CPU
}

TEST_F(Cuda, LinearMatchesCpuAtModelWidth) {
    // A slice of the real shapes: 2240 channels.
    Tensor x = randomTensor({2, 300, 2240}, 2);
    Tensor w = randomTensor({2240, 2240}, 3);
    Tensor b = randomTensor({2240}, 4);
    Tensor ref = ops::linear(x, w, b);
    Tensor out = ops::linear(x.to(Device::cuda()), w.to(Device::cuda()), b.to(Device::cuda()));
    SV_EXPECT_CLOSE(out, ref, 1e-6);  // true fp32 (no TF32)
    Tensor outBf = ops::linear(x.to(Device::cuda()).to(DType::BF16), w.to(Device::cuda()).to(DType::BF16),
                               b.to(Device::cuda()).to(DType::BF16));
    SV_EXPECT_CLOSE(outBf, ref, 1e-2);
}

TEST_F(Cuda, CachingAllocatorReusesBlocks) {
    device::resetPeakMemory(Device::cuda());
    const int64_t before = device::memoryStats(Device::cuda()).reserved;
    for (int i = 0; i < 10; ++i) Tensor t = Tensor::empty({1024, 1024}, DType::F32, Device::cuda());
    const int64_t after = device::memoryStats(Device::cuda()).reserved;
    EXPECT_LE(after - before, int64_t(4) << 20);  // one 4 MiB block, reused
    EXPECT_GE(device::memoryStats(Device::cuda()).peak, int64_t(4) << 20);
}

}  // namespace
}  // namespace sv
