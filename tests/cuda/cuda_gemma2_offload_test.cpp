// The offloaded Gemma-2 encoder on the GPU (Gemma2EncoderOptions::offload: weights in host memory, each
// decoder layer's weights copied to the GPU just before it runs): the same outputs as the resident encoder,
// bit for bit, in bf16 with float and int8 weights on every gemma2_* fixture (SV_REFERENCE_DIR honoured);
// after load the GPU holds less by at least the decoder layers' weights; and on a mid-size random model one
// encode() never holds more than about one layer's weights on the GPU. Skipped without a GPU.
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "backend/device.h"
#include "models/gemma2.h"
#include "support/reference.h"

namespace sv {
namespace {

namespace fs = std::filesystem;

class CudaGemma2Offload : public ::testing::Test {
  protected:
    void SetUp() override {
        if (!device::available(Device::cuda())) GTEST_SKIP() << "no CUDA GPU present";
    }
};

int64_t gpuBytesNow() {
    device::synchronize(Device::cuda());
    return device::memoryStats(Device::cuda()).current;
}

// Bytes of the decoder layers' weights (8-bit scales included): what offloading takes off the GPU at least.
int64_t layerBytes(const WeightSet& w, std::optional<int> layer = std::nullopt) {
    const std::string prefix = layer ? concat("layers.", *layer, ".") : std::string("layers.");
    int64_t n = 0;
    for (const auto& [name, t] : w.all())
        if (name.rfind(prefix, 0) == 0)
            n += int64_t(t.nbytes() + (t.isQuantized() ? t.quantScales().nbytes() : 0));
    return n;
}

bool bitIdentical(const Tensor& a, const Tensor& b) {
    const std::vector<float> x = a.to(DType::F32).toFloatVector(), y = b.to(DType::F32).toFloatVector();
    return a.shape() == b.shape() && a.dtype() == b.dtype() &&
           std::memcmp(x.data(), y.data(), x.size() * sizeof(float)) == 0;
}

// Every observed intermediate and the result of both encoders on the same ids.
void expectIdentical(const Gemma2Encoder& resident, const Gemma2Encoder& offloaded, const Tensor& ids,
                     const Tensor& mask) {
    std::map<std::string, Tensor> seen;
    const Tensor ref = resident.encode(
        ids, mask, [&](std::string_view n, const Tensor& t) { seen[std::string(n)] = t.to(Device::cpu()); });
    int compared = 0;
    const Tensor out = offloaded.encode(ids, mask, [&](std::string_view n, const Tensor& t) {
        ASSERT_TRUE(seen.count(std::string(n))) << n;
        EXPECT_TRUE(bitIdentical(t.to(Device::cpu()), seen[std::string(n)])) << n;
        ++compared;
    });
    EXPECT_EQ(compared, int(seen.size()));
    EXPECT_TRUE(out.device().isCuda());
    EXPECT_TRUE(bitIdentical(out.to(Device::cpu()), ref.to(Device::cpu())));
}

TEST_F(CudaGemma2Offload, FixturesBf16SameOutputsLessMemory) {
    const auto folders = test::referenceFolders("gemma2_");
    ASSERT_FALSE(folders.empty()) << "no gemma2_* fixtures in " << test::referenceDir();
    for (const fs::path& folder : folders) {
        for (WeightStorage storage : {WeightStorage::Auto, WeightStorage::Int8}) {
            SCOPED_TRACE(concat(folder.string(), ", weights ", weightStorageName(storage)));
            LoadOptions o;
            o.device = Device::cuda();
            o.dtype = DType::BF16;
            o.storage = storage;
            const int64_t base = gpuBytesNow();
            const Gemma2Encoder resident = Gemma2Encoder::load(folder, o, {.softcap = true});
            const int64_t residentBytes = gpuBytesNow() - base;
            const Gemma2Encoder offloaded =
                Gemma2Encoder::load(folder, o, {.softcap = true, .offload = true});
            const int64_t offloadedBytes = gpuBytesNow() - base - residentBytes;
            const int64_t layers = layerBytes(resident.weights());
            std::printf("  %s: GPU bytes after load: resident %lld, offloaded %lld; decoder layers %lld\n",
                        std::string(weightStorageName(storage)).c_str(), (long long)residentBytes,
                        (long long)offloadedBytes, (long long)layers);
            EXPECT_GT(layers, 0);
            EXPECT_GE(residentBytes - offloadedBytes, layers);
            EXPECT_TRUE(offloaded.weights().get("layers.0.mlp.down_proj.weight").device().isCpu());
            EXPECT_EQ(offloaded.weights().get("layers.0.mlp.down_proj.weight").dtype(),
                      resident.weights().get("layers.0.mlp.down_proj.weight").dtype());
            const auto io = test::openIo(folder);
            expectIdentical(resident, offloaded, io->get("input_ids"), io->get("attention_mask"));
        }
    }
}

// A mid-size random encoder (1024 wide, 4096 MLP, 32k vocabulary; ~30 MB of bf16 weights per layer): during
// an offloaded encode() the GPU holds one layer's weights (they are really copied) and never two.
TEST_F(CudaGemma2Offload, OneLayerAtATimeOnTheGpu) {
    Gemma2Config c;
    c.vocabSize = 32000;
    c.hiddenSize = 1024;
    c.intermediateSize = 4096;
    c.numLayers = 4;
    c.numHeads = 8;
    c.numKvHeads = 4;
    c.headDim = 128;
    c.queryPreAttnScalar = 128;
    c.slidingLayer = {true, false, true, false};
    const std::vector<WeightSpec> specs = gemma2WeightSpecs(c);
    const Gemma2Encoder resident(c, randomWeights(specs, 5, DType::BF16, Device::cuda()));
    const Gemma2Encoder offloaded(c, randomWeights(specs, 5, DType::BF16), {.offload = true}, Device::cuda());
    EXPECT_EQ(offloaded.computeDevice(), Device::cuda());
    int64_t largest = 0;
    for (int i = 0; i < c.numLayers; ++i) largest = std::max(largest, layerBytes(offloaded.weights(), i));

    constexpr int64_t B = 2, L = 64;
    Tensor ids = Tensor::empty({B, L}, DType::I64, Device::cuda());
    device::fillUniformInt(ids, 3, 0, c.vocabSize);
    std::vector<int64_t> maskValues(size_t(B * L), 1);
    for (int64_t l = 40; l < L; ++l) maskValues[size_t(L + l)] = 0;
    const Tensor hostIds = ids.to(Device::cpu()), mask = Tensor::fromInts(maskValues, {B, L});

    const int64_t before = gpuBytesNow();
    device::resetPeakMemory(Device::cuda());
    const Tensor out = offloaded.encode(hostIds, mask);
    device::synchronize(Device::cuda());
    const int64_t peak = device::memoryStats(Device::cuda()).peak - before;
    std::printf("  offloaded encode: GPU peak %lld B above the start, largest layer %lld B\n",
                (long long)peak, (long long)largest);
    EXPECT_GE(peak, largest);          // a layer's weights were on the GPU
    EXPECT_LT(peak, largest * 3 / 2);  // never two (activations here are a few MB)
    expectIdentical(resident, offloaded, hostIds, mask);
}

}  // namespace
}  // namespace sv
