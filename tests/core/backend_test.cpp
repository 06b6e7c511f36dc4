// The backend seam on the CPU: every op reaches a CPU kernel through the dispatch, an unsupported call fails
// with an sv::Error naming the op, the backend, the reason and the operands, and the device API works on the
// host (device list, memory statistics, random fill, stopwatch). The CUDA side: tests/cuda/cuda_ops_test.cpp.
#include <chrono>
#include <cmath>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "backend/device.h"
#include "backend/registry.h"
#include "ops/dit_norm.h"
#include "ops/elementwise.h"
#include "ops/lincomb.h"
#include "ops/linear.h"
#include "support/reference.h"

namespace sv {
namespace {

void expectContains(const std::string& text, const std::string& needle) {
    EXPECT_NE(text.find(needle), std::string::npos) << "\"" << needle << "\" not in: " << text;
}

TEST(Backend, EveryOpHasACpuKernelAndANamedEntryPoint) {
    // A new op lands CPU first (docs/ARCHITECTURE.md): the reference backend implements every op.
    const Backend& cpu = backend::cpuBackend();
    for (int i = 0; i < int(Op::Count); ++i) {
        const Op op = Op(i);
        SCOPED_TRACE(opName(op));
        EXPECT_TRUE(hasKernel(cpu.kernels(), op));
        EXPECT_TRUE(opName(op).starts_with("ops::"));
    }
    EXPECT_EQ(backend::all().front(), &cpu);
    EXPECT_EQ(backend::find(Device::Kind::Cpu), &cpu);
}

TEST(Backend, UnsupportedCallNamesOpBackendReasonAndOperands) {
    const Tensor x = Tensor::zeros({2, 8}, DType::BF16), w = Tensor::zeros({8}, DType::F32);
    const std::string msg = test::errorMessage([&] { (void)ops::dit::rmsNorm(x, w, 1e-6f); });
    expectContains(msg, "ops::dit::rmsNorm");
    expectContains(msg, "cpu backend");
    expectContains(msg, "F32 activations only");
    expectContains(msg, "x BF16[2, 8] cpu");
    expectContains(msg, "weight F32[8] cpu");
    // An op over a list names its inputs by position.
    const Tensor a = Tensor::zeros({3}, DType::F32), b = Tensor::zeros({3}, DType::I64);
    const double coefs[] = {1.0, 2.0};
    const Tensor in[] = {a, b};
    const std::string lc = test::errorMessage([&] { (void)ops::linearCombination(coefs, in); });
    expectContains(lc, "ops::linearCombination");
    expectContains(lc, "inputs[1] I64[3] cpu");
}

TEST(Backend, SupportedCallsReachTheKernels) {
    // The same entry points with admitted dtypes compute (weights of another float dtype are converted).
    const Tensor x = Tensor::fromFloats(std::vector<float>{1, 2, 3, 4}, {2, 2});
    const Tensor w = Tensor::fromFloats(std::vector<float>{1, 0, 0, 1}, {2, 2}).to(DType::BF16);
    const Tensor y = ops::linear(x, w);
    EXPECT_EQ(y.toFloatVector(), x.toFloatVector());
    const Tensor sum = ops::add(x, Tensor::full({2}, 1.0f));
    EXPECT_EQ(sum.toFloatVector(), (std::vector<float>{2, 3, 4, 5}));
}

TEST(Device, TheHostIsAlwaysPresent) {
    EXPECT_TRUE(device::compiled(Device::Kind::Cpu));
    EXPECT_EQ(device::count(Device::Kind::Cpu), 1);
    ASSERT_FALSE(device::list().empty());
    EXPECT_EQ(device::list().front(), Device::cpu());
    EXPECT_FALSE(device::name(Device::cpu()).empty());
    EXPECT_TRUE(device::available(Device::cpu()));
    EXPECT_FALSE(device::available(Device::cuda(1000)));
    EXPECT_EQ(device::compiled(Device::Kind::Cuda), backend::find(Device::Kind::Cuda) != nullptr);
    device::synchronize(Device::cpu());
    EXPECT_THROW(device::synchronize(Device::cuda(1000)), Error);
}

TEST(Device, HostMemoryStatisticsFollowTensors) {
    const Device cpu = Device::cpu();
    device::resetPeakMemory(cpu);
    const MemoryStats before = device::memoryStats(cpu);
    EXPECT_EQ(before.peak, before.current);
    constexpr int64_t kBytes = int64_t(4) << 20;
    {
        const Tensor t = Tensor::empty({kBytes / 4}, DType::F32);
        EXPECT_GE(device::memoryStats(cpu).current - before.current, kBytes);
    }
    const MemoryStats after = device::memoryStats(cpu);
    EXPECT_EQ(after.current, before.current);
    EXPECT_GE(after.peak - before.current, kBytes);
}

TEST(Device, RandomFillIsReproducibleAndDistributed) {
    test::expectNormalFill(Device::cpu(), 1 << 18, 0.02);
    Tensor a = Tensor::empty({1 << 18}, DType::F32);
    device::fillNormal(a, 7, 0.5f, 2.0f);
    // Another float dtype holds the same draws, rounded once.
    Tensor h = Tensor::empty({1 << 18}, DType::BF16);
    device::fillNormal(h, 7, 0.5f, 2.0f);
    EXPECT_EQ(test::compare(h, a.to(DType::BF16)).maxAbs, 0.0);

    Tensor ids = Tensor::empty({10000}, DType::I64), again = Tensor::empty({10000}, DType::I64);
    device::fillUniformInt(ids, 3, -5, 7);
    device::fillUniformInt(again, 3, -5, 7);
    EXPECT_EQ(test::compare(ids, again).maxAbs, 0.0);
    std::vector<int> seen(12, 0);
    for (int64_t i = 0; i < ids.numel(); ++i) {
        const int64_t x = ids.data<int64_t>()[i];
        ASSERT_TRUE(x >= -5 && x < 7) << x;
        ++seen[size_t(x + 5)];
    }
    for (int n : seen) EXPECT_GT(n, 600);  // about 833 each
}

TEST(Device, StopwatchCoversTheElapsedTime) {
    const device::Stopwatch clock(Device::cpu());
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    EXPECT_GE(clock.seconds(), 0.02);
    EXPECT_LT(clock.seconds(), 10.0);
}

TEST(Device, TheCpuRecordsNoOpTimes) {
    device::setOpProfiling(true);
    (void)ops::silu(Tensor::zeros({4}, DType::F32));
    EXPECT_TRUE(device::takeOpProfile(Device::cpu()).empty());
    device::setOpProfiling(false);
}

}  // namespace
}  // namespace sv
