// The CUDA 8-bit weight kernels (core/cuda/quantize.cu) against the CPU reference (core/cpu/quantize.cpp):
// quantization and dequantization give the same bits (the same fp32 operations in the same order), at the
// model widths (the 2B transformer's 2240 and its 11200-wide feed-forward, Gemma-2's 2304 / 9216) and at edge
// shapes (one row, one column, odd widths, a zero row, a 1×1 conv kernel); ops::linear with 8-bit weights on
// the GPU is the GPU's float linear of the dequantized weight; ops::linearFp8 (FP8 tensor cores where the
// card has them) is the CPU's reference within the output dtype's rounding. Skipped without a GPU.
#include <limits>
#include <random>
#include <vector>

#include <gtest/gtest.h>

#include "backend/device.h"
#include "cuda/ops.h"
#include "op_scopes.h"
#include "ops/linear.h"
#include "ops/quantize.h"
#include "support/reference.h"

namespace sv {
namespace {

class CudaQuantize : public ::testing::Test {
  protected:
    void SetUp() override {
        if (!device::available(Device::cuda())) GTEST_SKIP() << "no CUDA GPU present";
    }
};

Tensor randomWeight(Shape shape, uint32_t seed) {
    std::mt19937 rng(seed);
    std::normal_distribution<float> d;
    std::vector<float> v(size_t(shapeNumel(shape)));
    const int64_t cols = shape[0] > 0 ? int64_t(v.size()) / shape[0] : 0;
    for (size_t i = 0; i < v.size(); ++i)
        v[i] = (int64_t(i) / std::max<int64_t>(cols, 1)) % 7 == 3 ? 0.0f : 0.02f * d(rng);  // some zero rows
    return Tensor::fromFloats(v, std::move(shape));
}

// Bytes of a tensor (any dtype) on the host, for bitwise comparison.
std::vector<uint8_t> bytesOf(const Tensor& t) {
    const Tensor h = t.to(Device::cpu()).contiguous();
    const auto* p = static_cast<const uint8_t*>(h.rawData());
    return {p, p + h.nbytes()};
}

const std::vector<Shape> kShapes = {{2240, 2240}, {11200, 2240}, {2240, 5600, 1, 1},
                                    {9216, 2304}, {2304, 9216},  {1, 1},
                                    {1, 4097},    {37, 1},       {5, 257}};

TEST_F(CudaQuantize, QuantizeIsBitwiseTheCpus) {
    uint32_t seed = 1;
    for (const Shape& shape : kShapes)
        for (DType in : {DType::F32, DType::BF16})
            for (DType format : {DType::I8, DType::F8E4M3}) {
                const Tensor w = randomWeight(shape, seed++).to(in);
                const Tensor cpu = ops::quantizePerChannel(w, format);
                const Tensor gpu = ops::quantizePerChannel(w.to(Device::cuda()), format);
                ASSERT_TRUE(gpu.isQuantized() && gpu.device().isCuda());
                const std::string what =
                    concat(shapeToString(shape), " ", dtypeName(in), " → ", dtypeName(format));
                EXPECT_EQ(bytesOf(gpu), bytesOf(cpu)) << what;
                EXPECT_EQ(bytesOf(gpu.quantScales()), bytesOf(cpu.quantScales())) << what;
            }
}

TEST_F(CudaQuantize, DequantizeIsBitwiseTheCpus) {
    uint32_t seed = 100;
    for (const Shape& shape : kShapes)
        for (DType format : {DType::I8, DType::F8E4M3}) {
            const Tensor q = ops::quantizePerChannel(randomWeight(shape, seed++), format);
            const Tensor qg = q.to(Device::cuda());
            ASSERT_TRUE(qg.isQuantized());
            for (DType out : {DType::F32, DType::BF16, DType::F16})
                EXPECT_EQ(bytesOf(ops::dequantize(qg, out)), bytesOf(ops::dequantize(q, out)))
                    << shapeToString(shape) << " " << dtypeName(format) << " → " << dtypeName(out);
        }
}

TEST_F(CudaQuantize, LinearWithEightBitWeightsIsTheDequantizedLinear) {
    const Tensor w = randomWeight({2240, 2240}, 7), bias = randomWeight({1, 2240}, 8).view({2240});
    const Tensor x = randomWeight({300, 2240}, 9).view({1, 300, 2240});
    for (DType act : {DType::F32, DType::BF16})
        for (DType format : {DType::I8, DType::F8E4M3}) {
            const Tensor q = ops::quantizePerChannel(w.to(DType::BF16).to(Device::cuda()), format);
            const Tensor xg = x.to(act).to(Device::cuda()), bg = bias.to(act).to(Device::cuda());
            const std::vector<std::string> ran = test::convOpsRun([&] { (void)ops::linear(xg, q, bg); });
            EXPECT_TRUE(test::ran(ran, "dequantize"));
            const Tensor y = ops::linear(xg, q, bg);
            EXPECT_EQ(y.dtype(), act);
            EXPECT_EQ(test::compare(y, ops::linear(xg, ops::dequantize(q, act), bg)).maxAbs, 0.0);
            // And the CPU's 8-bit linear (same codes and scales) within the GEMM's own tolerance.
            SV_EXPECT_CLOSE(y.to(DType::F32),
                            ops::linear(x.to(act).to(DType::F32), q.to(Device::cpu()), bias),
                            act == DType::F32 ? 1e-5 : 1e-2);
        }
}

// linearFp8's activation quantizer (one warp per token, vector loads) gives the weight quantizer's bits: rows
// of model widths, a short row, zero and non-finite rows, each activation dtype.
TEST_F(CudaQuantize, TokenQuantizerIsBitwiseTheRowQuantizer) {
    const Shape shapes[] = {{4096, 2240}, {333, 5600}, {7, 2304}, {9, 8}};
    uint32_t seed = 50;
    for (const Shape& shape : shapes)
        for (DType act : {DType::BF16, DType::F16, DType::F32}) {
            Tensor x = randomWeight(shape, seed++);  // every 7th row (index 3 mod 7) is zero
            x.data<float>()[shape[1] * 5 + 1] = std::numeric_limits<float>::quiet_NaN();
            x = x.to(act);
            const Tensor cpu = ops::quantizePerChannel(x, DType::F8E4M3);
            const Tensor gpu =
                cuda::quantizeRowsFp8(x.to(Device::cuda()).view({shape[0], 1, shape[1]}), shape[1]);
            const std::string what = concat(shapeToString(shape), " ", dtypeName(act));
            ASSERT_EQ(gpu.shape(), shape) << what;
            EXPECT_EQ(bytesOf(gpu), bytesOf(cpu)) << what;
            EXPECT_EQ(bytesOf(gpu.quantScales()), bytesOf(cpu.quantScales())) << what;
        }
}

// ops::linearFp8 on the GPU against the CPU reference of the same codes and scales (the activation codes are
// bitwise the CPU's, QuantizeIsBitwiseTheCpus): what is left is the fp32 accumulation order and the output's
// one rounding. Model widths (attention 2240², the feed-forward's 2240 → 11200 and 5600 → 2240, Gemma-2's
// 2304 → 9216), one token, a few tokens, the smallest aligned shape and an unaligned one (the fallback).
TEST_F(CudaQuantize, LinearFp8IsTheCpuReference) {
    struct Case {
        int64_t m, k, n;
    };
    const Case cases[] = {{300, 2240, 2240}, {1024, 2240, 11200}, {1024, 5600, 2240}, {77, 2304, 9216},
                          {1, 2240, 2240},   {17, 48, 16},        {5, 40, 24}};
    const bool tensorCores = device::computeCapability(Device::cuda()) >= 89;
    uint32_t seed = 100;
    for (const Case& c : cases)
        for (DType act : {DType::BF16, DType::F16, DType::F32}) {
            const Tensor w = randomWeight({c.n, c.k}, seed++),
                         bias = randomWeight({1, c.n}, seed++).view({c.n});
            const Tensor x = randomWeight({c.m, c.k}, seed++).to(act).to(DType::F32);  // act-representable
            const Tensor q = ops::quantizePerChannel(w, DType::F8E4M3);
            const Tensor xg = x.to(act).to(Device::cuda()),
                         qg = ops::quantizePerChannel(w.to(Device::cuda()), DType::F8E4M3);
            const Tensor bg = bias.to(act).to(Device::cuda());
            Tensor y;
            const std::vector<std::string> ran = test::convOpsRun([&] { y = ops::linearFp8(xg, qg, bg); });
            const std::string what = concat(c.m, "x", c.k, "→", c.n, " ", dtypeName(act));
            ASSERT_EQ(y.dtype(), act) << what;
            // The tensor cores take aligned 16-bit activations on Ada/Hopper and later; the rest dequantizes.
            const bool fp8 = tensorCores && act != DType::F32 && c.k % 16 == 0 && c.n % 16 == 0;
            EXPECT_EQ(test::ran(ran, "dequantize"), !fp8) << what;
            // The bias is rounded to act first on the GPU; F32 output compares at fp32 GEMM precision.
            const Tensor refAct = ops::linearFp8(x, q, bias.to(act).to(DType::F32));
            SV_EXPECT_CLOSE(y.to(Device::cpu()).to(DType::F32), refAct, act == DType::F32 ? 1e-5 : 4e-3)
                << what;
        }
}

}  // namespace
}  // namespace sv
