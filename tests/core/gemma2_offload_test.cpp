// The offloaded Gemma-2 encoder (Gemma2EncoderOptions::offload) on the CPU: weights kept in host memory and
// copied layer by layer to the compute device (here the CPU too, so the per-layer copies really run) give
// bit-identical results to the resident encoder, in F32 and with int8 weights, on the demo model's text
// encoder; the copies are real (host memory peaks higher by at least a layer's weights); offload survives
// SanaModels::load and soft-capping can still be switched.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <map>
#include <random>
#include <vector>

#include <gtest/gtest.h>

#include "models/gemma2.h"
#include "pipelines/demo_model.h"
#include "pipelines/sana_models.h"
#include "support/reference.h"

namespace sv {
namespace {

namespace fs = std::filesystem;

class Gemma2Offload : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        dir_ = std::make_unique<test::TempDir>();
        writeDemoModel(dir_->path() / "demo", test::tinyTokenizerBytes(), 0);
    }
    static void TearDownTestSuite() { dir_.reset(); }
    static fs::path textEncoderDir() { return dir_->path() / "demo" / "text_encoder"; }
    static Gemma2Encoder load(WeightStorage storage, bool offload) {
        LoadOptions o;
        o.storage = storage;
        return Gemma2Encoder::load(textEncoderDir(), o, {.offload = offload});
    }
    static inline std::unique_ptr<test::TempDir> dir_;
};

// Two right-padded prompts of random ids over the whole vocabulary (repeats included).
struct Batch {
    Tensor ids, mask;
};
Batch randomBatch(int64_t vocab) {
    constexpr int64_t B = 2, L = 13;
    std::mt19937 rng(11);
    std::uniform_int_distribution<int64_t> id(0, vocab - 1);
    std::vector<int64_t> ids(size_t(B * L)), mask(size_t(B * L), 1);
    for (auto& v : ids) v = id(rng);
    for (int64_t l = 9; l < L; ++l) mask[size_t(L + l)] = 0;  // the second prompt is shorter
    return {Tensor::fromInts(ids, {B, L}), Tensor::fromInts(mask, {B, L})};
}

bool bitIdentical(const Tensor& a, const Tensor& b) {
    const std::vector<float> x = a.toFloatVector(), y = b.toFloatVector();
    return a.shape() == b.shape() && std::memcmp(x.data(), y.data(), x.size() * sizeof(float)) == 0;
}

// Every observed intermediate and the result, resident against offloaded.
void expectIdentical(const Gemma2Encoder& resident, const Gemma2Encoder& offloaded) {
    const Batch in = randomBatch(resident.config().vocabSize);
    std::map<std::string, Tensor> seen;
    const Tensor ref = resident.encode(
        in.ids, in.mask, [&](std::string_view n, const Tensor& t) { seen[std::string(n)] = t.clone(); });
    int compared = 0;
    const Tensor out = offloaded.encode(in.ids, in.mask, [&](std::string_view n, const Tensor& t) {
        ASSERT_TRUE(seen.count(std::string(n))) << n;
        EXPECT_TRUE(bitIdentical(t, seen[std::string(n)])) << n;
        ++compared;
    });
    EXPECT_EQ(compared, int(seen.size()));
    EXPECT_EQ(ref.dtype(), DType::F32);
    EXPECT_TRUE(bitIdentical(out, ref));
    EXPECT_GT(test::compare(Tensor::zeros(ref.shape(), DType::F32), ref).refMaxAbs, 0.0) << "a real output";
}

TEST_F(Gemma2Offload, F32IsBitIdenticalToResident) {
    const Gemma2Encoder resident = load(WeightStorage::Auto, false),
                        offloaded = load(WeightStorage::Auto, true);
    EXPECT_TRUE(offloaded.options().offload);
    EXPECT_TRUE(offloaded.weights().get("layers.0.mlp.up_proj.weight").device().isCpu());
    EXPECT_EQ(offloaded.computeDevice(), Device::cpu());
    expectIdentical(resident, offloaded);
}

TEST_F(Gemma2Offload, Int8IsBitIdenticalToResident) {
    const Gemma2Encoder resident = load(WeightStorage::Int8, false),
                        offloaded = load(WeightStorage::Int8, true);
    const Tensor& w = offloaded.weights().get("layers.1.self_attn.q_proj.weight");
    ASSERT_EQ(w.dtype(), DType::I8);
    ASSERT_TRUE(w.isQuantized());
    // The same codes and scales as the resident load keeps (quantized where the model computes).
    const Tensor& r = resident.weights().get("layers.1.self_attn.q_proj.weight");
    EXPECT_EQ(std::memcmp(w.rawData(), r.rawData(), w.nbytes()), 0);
    EXPECT_TRUE(bitIdentical(w.quantScales(), r.quantScales()));
    expectIdentical(resident, offloaded);
}

// The offloaded path copies every layer's weights before running it: during encode() the host holds, on top
// of what the resident run needs at its peak, at least the smallest layer's copies.
TEST_F(Gemma2Offload, EachLayerIsCopiedBeforeItRuns) {
    const Gemma2Encoder resident = load(WeightStorage::Auto, false),
                        offloaded = load(WeightStorage::Auto, true);
    const Batch in = randomBatch(resident.config().vocabSize);
    auto encodePeak = [&](const Gemma2Encoder& enc) {
        const int64_t before = hostTensorMemory().current;
        resetHostTensorPeak();
        (void)enc.encode(in.ids, in.mask);
        return hostTensorMemory().peak - before;
    };
    size_t smallestLayer = SIZE_MAX;
    for (int i = 0; i < resident.config().numLayers; ++i) {
        size_t bytes = 0;
        const std::string prefix = concat("layers.", i, ".");
        for (const auto& [name, t] : resident.weights().all())
            if (name.rfind(prefix, 0) == 0) bytes += t.nbytes();
        smallestLayer = std::min(smallestLayer, bytes);
    }
    ASSERT_GT(smallestLayer, 0u);
    const int64_t residentPeak = encodePeak(resident), offloadedPeak = encodePeak(offloaded);
    std::printf("encode's host peak: resident %lld B, offloaded %lld B, smallest layer %zu B\n",
                (long long)residentPeak, (long long)offloadedPeak, smallestLayer);
    EXPECT_GE(offloadedPeak, residentPeak + int64_t(smallestLayer));
}

TEST_F(Gemma2Offload, SanaModelsPassesItOnAndSoftcapStillSwitches) {
    ModelLoadOptions o;
    o.transformer = o.vaeEncoder = o.vaeDecoder = false;
    o.gemma.offload = true;
    const SanaModels m = SanaModels::load(dir_->path() / "demo", o);
    ASSERT_TRUE(m.textEncoder);
    EXPECT_TRUE(m.textEncoder->options().offload);
    Gemma2Encoder enc = load(WeightStorage::Auto, true);
    enc.setOptions({.softcap = true, .offload = true});  // soft-capping may change
    EXPECT_TRUE(enc.options().softcap);
    EXPECT_TRUE(enc.options().offload);
}

}  // namespace
}  // namespace sv
