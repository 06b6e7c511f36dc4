// Memory budgets computed from a request's shape and the model's configuration (the full-size SANA-Video 2B
// configs): the default 480x832x81 request fits an 80 GB GPU; 4096x4096x1001 does not and is refused with the
// numbers; the RoPE length refuses --frames 4000001 without building a table; a latent file's claim of 401
// frames of 4096x4096 is refused for a 24 GB machine.
#include <cstdlib>

#include <gtest/gtest.h>

#include "io/json_util.h"
#include "pipelines/memory_budget.h"
#include "support/hostile_files.h"
#include "support/reference.h"

namespace sv {
namespace {

constexpr uint64_t kGB = 1000ull * 1000 * 1000;

TransformerConfig transformer2B() {
    const auto p = test::referenceDir() / "full_size" / "transformer" / "config.json";
    return TransformerConfig::fromJson(readJsonFile(p), p.string());
}

WanVaeConfig wanVae() {
    const auto p = test::referenceDir() / "full_size" / "vae" / "config.json";
    return WanVaeConfig::fromJson(readJsonFile(p), p.string());
}

/// Latent shape [1, 16, F', H/8, W/8] of a request.
std::array<int64_t, 5> latents(int64_t frames, int64_t height, int64_t width) {
    return {1, 16, (frames - 1) / 4 + 1, height / 8, width / 8};
}

TEST(MemoryBudget, TheDefaultRequestFitsAGpu) {
    const MemoryEstimate e = estimateSampling(transformer2B(), latents(81, 480, 832), true, 2);
    EXPECT_GT(e.deviceBytes, 1 * kGB);  // two rows of 32760 tokens of 2240 + 2·5600 bf16 values
    EXPECT_LT(e.deviceBytes, 8 * kGB);
    const MemoryCapacity h100{80 * kGB, 128 * kGB};
    EXPECT_NO_THROW(checkMemory(e, h100, false, "sampling"));
    const MemoryEstimate d = estimateDecoding(wanVae(), latents(81, 480, 832), 480, 832, false);
    EXPECT_NO_THROW(checkMemory(d, h100, false, "decoding"));
}

TEST(MemoryBudget, AHugeRequestIsRefusedWithItsNumbers) {
    const MemoryEstimate e = estimateSampling(transformer2B(), latents(1001, 4096, 4096), true, 2);
    EXPECT_GT(e.deviceBytes, 500 * kGB);
    const MemoryCapacity h100{80 * kGB, 128 * kGB};
    const std::string why =
        test::errorMessage([&] { checkMemory(e, h100, false, "sampling 4096x4096, 1001 frames"); });
    EXPECT_NE(why.find("sampling 4096x4096, 1001 frames needs about"), std::string::npos) << why;
    EXPECT_NE(why.find("of GPU memory (initial noise"), std::string::npos) << why;
    EXPECT_NE(why.find("transformer activations"), std::string::npos) << why;
    EXPECT_NE(why.find("more than the GPU's 80.0 GB"), std::string::npos) << why;
    // On the CPU the device and host parts add up on the host.
    const std::string cpu = test::errorMessage([&] {
        checkMemory(e, {128 * kGB, 128 * kGB}, true, "sampling");
    });
    EXPECT_NE(cpu.find("more than the 128.0 GB this machine has"), std::string::npos) << cpu;
}

TEST(MemoryBudget, RopeLengthIsCheckedFromTheShape) {
    const TransformerConfig tc = transformer2B();
    EXPECT_NO_THROW(checkRopeGrid(tc, {21, 60, 104}));
    const std::string why = test::errorMessage([&] { checkRopeGrid(tc, {1000001, 60, 104}); });
    EXPECT_NE(why.find("1000001 transformer positions along frames"), std::string::npos) << why;
    EXPECT_NE(why.find("rope_max_seq_len"), std::string::npos) << why;
}

TEST(MemoryBudget, DecodingAClaimedHugeVideoIsRefused) {
    // 401 frames of 4096x4096 (what a 6.4 KB latent file once claimed): 20 GB of bytes in the sink alone.
    const MemoryEstimate d = estimateDecoding(wanVae(), latents(401, 4096, 4096), 4096, 4096, false);
    EXPECT_GT(d.hostBytes, 20 * kGB);
    const std::string why = test::errorMessage([&] {
        checkMemory(d, {24 * kGB, 24 * kGB}, false, "decoding");
    });
    EXPECT_NE(why.find("decoded frames"), std::string::npos) << why;
}

TEST(MemoryBudget, AbsurdShapesSaturateInsteadOfOverflowing) {
    const MemoryEstimate e =
        estimateSampling(transformer2B(), {1 << 20, 16, int64_t(1) << 40, 1 << 20, 1 << 20}, true, 4);
    EXPECT_EQ(e.deviceBytes, UINT64_MAX);
    EXPECT_THROW(checkMemory(e, {kGB, kGB}, false, "x"), Error);
}

TEST(MemoryBudget, TheEnvironmentLowersTheLimit) {
    ::setenv("SV_MEMORY_LIMIT_MB", "100", 1);
    const MemoryCapacity c = memoryCapacity(Device::cpu());
    ::unsetenv("SV_MEMORY_LIMIT_MB");
    EXPECT_EQ(c.hostBytes, 100ull << 20);
    EXPECT_EQ(c.deviceBytes, 100ull << 20);
    const MemoryCapacity all = memoryCapacity(Device::cpu());
    EXPECT_GT(all.hostBytes, 100ull << 20) << "the host's physical memory";
}

}  // namespace
}  // namespace sv
