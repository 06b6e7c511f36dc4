// torch.randn on a CUDA generator with cuRAND's device API (cuda/philox_normal.cu): bit for bit against the
// noise_cuda/ goldens (every case, drawn with the goldens' grid so the test runs on any GPU), the sequential
// offsets, the normals of known Philox words; and the CPU emulation against it at latent size (the measured
// distance is printed). Skipped without a GPU; the golden cases skip while noise_cuda/ is absent.
#include <gtest/gtest.h>

#include <cstdio>

#include "backend/device.h"
#include "base/sha256.h"
#include "ops/philox_normal.h"
#include "pipelines/torch_cuda_generator.h"
#include "support/noise_cuda_golden.h"
#include "support/reference.h"

namespace sv {
namespace {

class CudaRandn : public ::testing::Test {
  protected:
    void SetUp() override {
        if (!device::available(Device::cuda())) GTEST_SKIP() << "no CUDA GPU present";
    }
};

/// Bit equality of two tensors of one dtype (any devices), with the first mismatch named.
::testing::AssertionResult bitEqual(const Tensor& a, const Tensor& b) {
    const Tensor x = a.to(Device::cpu()).contiguous(), y = b.to(Device::cpu()).contiguous();
    if (x.dtype() != y.dtype() || x.numel() != y.numel())
        return ::testing::AssertionFailure() << x.describe() << " vs " << y.describe();
    const size_t elem = dtypeSize(x.dtype());
    const auto* p = static_cast<const uint8_t*>(x.rawData());
    const auto* q = static_cast<const uint8_t*>(y.rawData());
    int64_t bad = 0, first = -1;
    for (int64_t i = 0; i < x.numel(); ++i) {
        if (std::memcmp(p + size_t(i) * elem, q + size_t(i) * elem, elem) != 0 && bad++ == 0) first = i;
    }
    if (bad == 0) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << bad << " of " << x.numel() << " differ; first at " << first
                                         << ": " << x.item(first) << " vs " << y.item(first);
}

TEST_F(CudaRandn, EveryGoldenCaseBitExact) {
    std::string why;
    const auto dir = test::noiseCudaDir(why);
    if (!dir) GTEST_SKIP() << why;
    const auto doc = readJsonFile(*dir / "randn_cuda.json");
    const auto file = SafetensorsFile::open(*dir / "randn_cuda.safetensors");
    const CudaGeneratorGrid grid = test::noiseCudaGrid(doc);
    const CudaGeneratorGrid own = CudaGeneratorGrid::ofDevice(0);
    std::printf("goldens from %s (%s), this GPU %s (%s)\n",
                doc.at("device").at("device").get<std::string>().c_str(), grid.toString().c_str(), "cuda:0",
                own.toString().c_str());
    int cases = 0;
    for (const test::NoiseCudaCase& c : test::noiseCudaCases(doc)) {
        SCOPED_TRACE(c.key);
        TorchCudaGenerator gen(c.seed, grid);
        const Tensor out = gen.randn(c.shape, c.dtype, Device::cuda(0));
        EXPECT_EQ(gen.offset(), c.offsetAfter);
        const Tensor host = out.to(Device::cpu()).contiguous();
        EXPECT_EQ(sha256Hex(test::rawBytes(host)), c.sha256);
        const Tensor flat = host.view({c.numel});
        if (c.full) {
            EXPECT_TRUE(bitEqual(flat, file->get("randn." + c.key)));
        } else {
            const Tensor idx = file->get("randn." + c.key + ".sample_index").contiguous();
            const Tensor ref = file->get("randn." + c.key + ".samples").contiguous();
            test::UlpStats s;
            for (int64_t i = 0; i < idx.numel(); ++i)
                s.add(flat.item(idx.data<int64_t>()[i]), ref.item(i), c.dtype);
            EXPECT_EQ(s.bitEqual, s.count) << s.describe();
        }
        ++cases;
    }
    EXPECT_GT(cases, 0);
    // The sequential draws: offsets and values of one generator used four times.
    TorchCudaGenerator seq(7, grid);
    for (const auto& d : doc.at("sequential_seed7")) {
        const Shape shape = d.at("shape").get<Shape>();
        ASSERT_EQ(seq.offset(), d.at("offset_before").get<uint64_t>());
        const Tensor x = seq.randn(shape, DType::F32, Device::cuda(0)).to(Device::cpu());
        EXPECT_EQ(seq.offset(), d.at("offset_after").get<uint64_t>());
        EXPECT_EQ(sha256Hex(test::rawBytes(x)), d.at("sha256").get<std::string>()) << shapeToString(shape);
    }
}

TEST_F(CudaRandn, NormalsOfKnownWordsBitExact) {
    std::string why;
    const auto dir = test::noiseCudaDir(why);
    if (!dir) GTEST_SKIP() << why;
    const auto doc = readJsonFile(*dir / "randn_cuda.json");
    const auto file = SafetensorsFile::open(*dir / "randn_cuda.safetensors");
    const CudaGeneratorGrid grid = test::noiseCudaGrid(doc);
    const int64_t threads = grid.maxBlocks() * 256;
    for (const auto& rec : doc.at("philox")) {
        const uint64_t seed = rec.at("seed").get<uint64_t>();
        const std::string name = concat("philox.seed", seed, ".normal4");
        if (file->find(name)) {
            const Tensor ref = file->get(name).contiguous();  // [4, M]
            TorchCudaGenerator g(seed, grid);
            const Tensor x = g.randn({4 * threads}, DType::F32, Device::cuda(0)).to(Device::cpu());
            for (int k = 0; k < 4; ++k)
                EXPECT_TRUE(bitEqual(x.slice(0, k * threads, k * threads + ref.dim(1)), ref.select(0, k)))
                    << name;
        }
        const std::string small = concat("philox.seed", seed, ".small_normal");
        if (file->find(small)) {
            const Tensor ref = file->get(small);
            TorchCudaGenerator g(seed, grid);
            EXPECT_TRUE(bitEqual(g.randn({ref.numel()}, DType::F32, Device::cuda(0)), ref)) << small;
        }
    }
}

// CPU emulation vs cuRAND at the 480p latent size on this GPU's own grid (no goldens needed): the Philox
// words are exact, so the distance is the __sincosf approximation alone.
TEST_F(CudaRandn, CpuEmulationDistanceAtLatentSize) {
    const CudaGeneratorGrid grid = CudaGeneratorGrid::ofDevice(0);
    for (DType dtype : {DType::F32, DType::BF16, DType::F16}) {
        TorchCudaGenerator gpu(0, grid), cpu(0, grid);
        const Shape shape = {1, 16, 21, 60, 104};
        const Tensor a = gpu.randn(shape, dtype, Device::cuda(0)).to(Device::cpu());
        const Tensor b = cpu.randn(shape, dtype, Device::cpu());
        EXPECT_EQ(gpu.offset(), cpu.offset());
        test::UlpStats s{.absTolerance = 2e-5};
        const Tensor fa = a.view({a.numel()}), fb = b.view({b.numel()});
        for (int64_t i = 0; i < fa.numel(); ++i) s.add(fb.item(i), fa.item(i), dtype);
        std::printf("CPU emulation vs cuRAND, %s %s, grid %s: %s\n", dtypeName(dtype).data(),
                    shapeToString(shape).c_str(), grid.toString().c_str(), s.describe().c_str());
        EXPECT_EQ(s.outliers, 0) << s.describe();
    }
}

}  // namespace
}  // namespace sv
