// LongSANA on the GPU against the CPU: the causal linear attention with a carried state at the real width
// (20 heads × 112, 1,560 tokens per frame), the causal transformer over two chunks (the state of the first
// carried into the second) on every transformer fixture, and the long-video pipeline on the demo model, in
// fp32 and bf16 within the tolerance table's GPU columns. Skipped without a GPU.
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <random>

#include <gtest/gtest.h>

#include "backend/device.h"
#include "models/sana_transformer.h"
#include "ops/dit_causal_attention.h"
#include "pipelines/demo_model.h"
#include "pipelines/long_video.h"
#include "support/reference.h"

namespace sv {
namespace {

namespace fs = std::filesystem;
using ops::dit::LinearAttentionState;

class CudaLongSana : public ::testing::Test {
  protected:
    void SetUp() override {
        if (!device::available(Device::cuda())) GTEST_SKIP() << "no CUDA GPU present";
    }
};

Tensor randn(Shape shape, uint32_t seed) {
    std::mt19937 rng(seed);
    std::normal_distribution<float> d;
    std::vector<float> v(size_t(shapeNumel(shape)));
    for (auto& x : v) x = d(rng);
    return Tensor::fromFloats(v, std::move(shape));
}

test::Diff report(const std::string& name, const Tensor& out, const Tensor& ref) {
    const test::Diff d = test::compare(out.to(Device::cpu()).to(DType::F32), ref);
    std::printf("    %-44s rel L2 %.3e  max abs %.3e\n", name.c_str(), d.relL2, d.maxAbs);
    return d;
}

void cachedAttention(DType dt, double tol) {
    const int heads = 20, d = 112;
    const int64_t N = 2 * 1560, C = heads * d;
    const auto r1 = ops::dit::ropeTables({40, 36, 36}, 1024, 10000.0, {2, 30, 52});
    const auto r2 = ops::dit::ropeTables({40, 36, 36}, 1024, 10000.0, {2, 30, 52}, Device::cpu(), 2);
    // Inputs rounded to the GPU dtype, so the CPU reference sees the same values.
    auto in = [&](uint32_t s) { return randn({1, N, C}, s).to(dt).to(DType::F32); };
    const Tensor q1 = in(1), k1 = in(2), v1 = in(3), q2 = in(4), k2 = in(5), v2 = in(6);
    LinearAttentionState cpuOwn1, cpuOwn2, gpuOwn1, gpuOwn2;
    (void)ops::dit::reluLinearAttentionCached(q1, k1, v1, heads, r1, nullptr, &cpuOwn1);
    const Tensor cpuOut = ops::dit::reluLinearAttentionCached(q2, k2, v2, heads, r2, &cpuOwn1, &cpuOwn2);
    auto g = [&](const Tensor& t) { return t.to(dt).to(Device::cuda()); };
    (void)ops::dit::reluLinearAttentionCached(g(q1), g(k1), g(v1), heads, r1, nullptr, &gpuOwn1);
    const Tensor gpuOut =
        ops::dit::reluLinearAttentionCached(g(q2), g(k2), g(v2), heads, r2, &gpuOwn1, &gpuOwn2);
    std::printf("[cached linear attention, %s]\n", std::string(dtypeName(dt)).c_str());
    EXPECT_LE(report("out (chunk 2, with chunk 1's state)", gpuOut, cpuOut).relL2, tol);
    EXPECT_LE(report("own vk (chunk 1)", gpuOwn1.vk, cpuOwn1.vk).relL2, tol);
    EXPECT_LE(report("own kSum (chunk 1)", gpuOwn1.kSum, cpuOwn1.kSum).relL2, tol);
    EXPECT_LE(report("own vk (chunk 2)", gpuOwn2.vk, cpuOwn2.vk).relL2, tol);
    EXPECT_EQ(gpuOwn2.vk.dtype(), DType::F32);  // the carried state stays fp32
}

TEST_F(CudaLongSana, CachedAttentionFp32) {
    cachedAttention(DType::F32, 1e-5);
}

TEST_F(CudaLongSana, CachedAttentionBf16) {
    cachedAttention(DType::BF16, 1e-2);
}

// Two chunks: the first saves its state, the second runs with it (absolute RoPE positions).
void twoChunks(DType dt, double tol) {
    for (const fs::path& folder : test::referenceFolders("transformer_")) {
        std::printf("[%s, two causal chunks, %s]\n", folder.filename().string().c_str(),
                    std::string(dtypeName(dt)).c_str());
        LoadOptions gpu;
        gpu.device = Device::cuda();
        gpu.dtype = dt;
        const SanaTransformer cpuModel = SanaTransformer::load(folder),
                              gpuModel = SanaTransformer::load(folder, gpu);
        const auto io = test::openIo(folder);
        const Tensor x = io->get("hidden_states"), t = io->get("timestep");
        const Tensor text = io->get("encoder_hidden_states"), mask = io->get("encoder_attention_mask");
        auto run = [&](const SanaTransformer& m) {
            const TransformerTextContext ctx = m.prepareText(text, mask);
            CausalCache first;
            (void)m.forward(x, Tensor::zeros({x.dim(0)}, DType::F32), ctx, CausalStep{nullptr, &first, 0});
            CausalChunkHistory h(m.config().numLayers, -1);
            h.commit(first);
            return m.forward(x, t, ctx, CausalStep{&h.context(), nullptr, x.dim(2)}).to(Device::cpu());
        };
        EXPECT_LE(report("chunk 2 output", run(gpuModel), run(cpuModel)).relL2, tol);
    }
}

TEST_F(CudaLongSana, CausalTransformerFp32) {
    twoChunks(DType::F32, 1e-3);
}

TEST_F(CudaLongSana, CausalTransformerBf16) {
    twoChunks(DType::BF16, 2e-2);
}

// The whole pipeline on the LongSANA demo model: 3 chunks of a 64×64 clip, latents and frames.
void demoPipeline(DType dt, double latentTol, double frameTol) {
    test::TempDir dir;
    writeDemoModel(dir.path() / "long", test::tinyTokenizerBytes(), 0, DemoFamily::LongSana);
    auto run = [&](Device device, DType dtype) {
        ModelLoadOptions lo;
        lo.device = device;
        lo.transformerDtype = lo.textEncoderDtype = lo.vaeDtype = dtype;
        const SanaModels models = SanaModels::load(dir.path() / "long", lo);
        LongVideoRequest r;
        r.prompts = std::make_shared<PromptSchedule>("a red fox runs through snow");
        r.height = r.width = 64;
        r.frames = 1 + 4 * 8;  // 9 latent frames in chunks of 3
        r.chunkFrames = 3;
        r.useResolutionBinning = false;
        std::vector<Tensor> latents, frames;
        LongVideoCallbacks cb;
        cb.onChunk = [&](int64_t, const Tensor& l) { latents.push_back(l.to(Device::cpu()).to(DType::F32)); };
        cb.onFrames = [&](int64_t, const Tensor& f) { frames.push_back(f.clone()); };
        (void)generateLongVideo(models, r, cb);
        return std::pair(latents, frames);
    };
    const auto [cpuLatents, cpuFrames] = run(Device::cpu(), DType::F32);
    const auto [gpuLatents, gpuFrames] = run(Device::cuda(), dt);
    ASSERT_EQ(cpuLatents.size(), 3u);
    ASSERT_EQ(gpuFrames.size(), cpuFrames.size());
    std::printf("[LongSANA demo pipeline, %s]\n", std::string(dtypeName(dt)).c_str());
    for (size_t c = 0; c < 3; ++c)
        EXPECT_LE(report(concat("chunk ", c, " latents"), gpuLatents[c], cpuLatents[c]).relL2, latentTol);
    for (size_t i = 0; i < cpuFrames.size(); ++i)
        EXPECT_LE(report(concat("frames ", i), gpuFrames[i], cpuFrames[i]).maxAbs, frameTol);
}

TEST_F(CudaLongSana, DemoPipelineFp32) {
    demoPipeline(DType::F32, 1e-3, 1e-2);
}

TEST_F(CudaLongSana, DemoPipelineBf16) {
    demoPipeline(DType::BF16, 4e-2, 0.1);
}

}  // namespace
}  // namespace sv
