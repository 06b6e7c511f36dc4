// LongSANA on the CPU: the causal linear attention with a carried state against a float64 evaluation of its
// formula, causal RoPE positions, the chunk history's windowing, the streamed noise against torch.randn, the
// sampler's schedule and chunking, the prompt schedule, and the long-video pipeline on the demo model (chunks
// decode exactly like one decode, noise order, prompt changes between chunks, cancel, flat host memory).
// Parity with the diffusers PR #12723 reference is in long_sana_parity_test.cpp.
#include <chrono>
#include <cmath>
#include <fstream>
#include <iterator>
#include <map>
#include <random>
#include <thread>

#include <gtest/gtest.h>

#include "base/torch_randn.h"
#include "models/sana_causal.h"
#include "models/sana_transformer.h"
#include "ops/dit_attention.h"
#include "ops/dit_causal_attention.h"
#include "pipelines/demo_model.h"
#include "pipelines/long_video.h"
#include "support/reference.h"

namespace sv {
namespace {

namespace fs = std::filesystem;
using ops::dit::LinearAttentionState;

Tensor randn(Shape shape, uint32_t seed) {
    std::mt19937 rng(seed);
    std::normal_distribution<float> dist(0.0f, 1.0f);
    std::vector<float> v(static_cast<size_t>(shapeNumel(shape)));
    for (float& x : v) x = dist(rng);
    return Tensor::fromFloats(v, std::move(shape));
}

// float64 causal linear attention of chunk 2 given chunk 1 (both [1, N, H·d]) and the chunk states.
struct NaiveChunks {
    std::vector<double> out2;        // [N, C]
    std::vector<double> vk1, ksum1;  // chunk 1's own state [H, d, d], [H, d]
};

NaiveChunks naive(const Tensor& q2, const std::array<Tensor, 3>& c1, const std::array<Tensor, 3>& c2,
                  int heads, const ops::dit::RopeTables& r1, const ops::dit::RopeTables& r2) {
    const int64_t N = q2.dim(1), C = q2.dim(2), d = C / heads;
    auto relu = [](double x) { return x > 0 ? x : 0.0; };
    std::vector<double> vk(static_cast<size_t>(heads * d * d), 0.0), ks(static_cast<size_t>(heads * d), 0.0);
    NaiveChunks r;
    auto accumulate = [&](const std::array<Tensor, 3>& c, const ops::dit::RopeTables& rope) {
        for (int64_t n = 0; n < N; ++n)
            for (int h = 0; h < heads; ++h)
                for (int64_t j = 0; j < d; j += 2) {
                    const int64_t o = n * C + h * d + j;
                    const double k1 = relu(c[1].item(o)), k2 = relu(c[1].item(o + 1));
                    const double cs = rope.cos.item(n * d + j), sn = rope.sin.item(n * d + j + 1);
                    const double kr[2] = {k1 * cs - k2 * sn, k1 * sn + k2 * cs};
                    ks[size_t(h * d + j)] += k1, ks[size_t(h * d + j + 1)] += k2;
                    for (int64_t i = 0; i < d; ++i)
                        for (int t = 0; t < 2; ++t)
                            vk[size_t((h * d + i) * d + j + t)] += c[2].item(n * C + h * d + i) * kr[t];
                }
    };
    accumulate(c1, r1);
    r.vk1 = vk, r.ksum1 = ks;
    accumulate(c2, r2);
    r.out2.assign(size_t(N * C), 0.0);
    for (int64_t n = 0; n < N; ++n)
        for (int h = 0; h < heads; ++h) {
            std::vector<double> qr(static_cast<size_t>(d));
            double den = 0;
            for (int64_t j = 0; j < d; j += 2) {
                const int64_t o = n * C + h * d + j;
                const double a = relu(q2.item(o)), b = relu(q2.item(o + 1));
                const double cs = r2.cos.item(n * d + j), sn = r2.sin.item(n * d + j + 1);
                qr[size_t(j)] = a * cs - b * sn, qr[size_t(j + 1)] = a * sn + b * cs;
                den += ks[size_t(h * d + j)] * a + ks[size_t(h * d + j + 1)] * b;
            }
            for (int64_t i = 0; i < d; ++i) {
                double acc = 0;
                for (int64_t j = 0; j < d; ++j) acc += vk[size_t((h * d + i) * d + j)] * qr[size_t(j)];
                r.out2[size_t(n * C + h * d + i)] = acc / (den + 1e-15);
            }
        }
    return r;
}

double relErr(const Tensor& out, const std::vector<double>& ref) {
    double num = 0, den = 0;
    for (size_t i = 0; i < ref.size(); ++i) {
        const double e = out.item(int64_t(i)) - ref[i];
        num += e * e, den += ref[i] * ref[i];
    }
    return std::sqrt(num / std::max(den, 1e-300));
}

TEST(LongSanaOps, CachedAttentionCarriesThePreviousChunk) {
    const int heads = 2, d = 16;
    const int64_t N = 24, C = heads * d;
    const std::array<int, 3> split = {8, 4, 4};
    const auto rope1 = ops::dit::ropeTables(split, 64, 10000.0, {2, 3, 4});
    const auto rope2 = ops::dit::ropeTables(split, 64, 10000.0, {2, 3, 4}, Device::cpu(), 2);
    const std::array<Tensor, 3> c1 = {randn({1, N, C}, 1), randn({1, N, C}, 2), randn({1, N, C}, 3)};
    const std::array<Tensor, 3> c2 = {randn({1, N, C}, 4), randn({1, N, C}, 5), randn({1, N, C}, 6)};
    LinearAttentionState own1, own2;
    (void)ops::dit::reluLinearAttentionCached(c1[0], c1[1], c1[2], heads, rope1, nullptr, &own1);
    const Tensor out2 = ops::dit::reluLinearAttentionCached(c2[0], c2[1], c2[2], heads, rope2, &own1, &own2);
    const NaiveChunks ref = naive(c2[0], c1, c2, heads, rope1, rope2);
    EXPECT_LE(relErr(out2, ref.out2), 1e-6);
    EXPECT_LE(relErr(own1.vk, ref.vk1), 1e-6);
    EXPECT_LE(relErr(own1.kSum, ref.ksum1), 1e-6);
    ASSERT_EQ(own2.vk.shape(), (Shape{1, heads, d, d}));
    ASSERT_EQ(own2.kSum.shape(), (Shape{1, heads, d}));
    // Without states the op is exactly the stateless one.
    EXPECT_EQ(test::compare(
                  ops::dit::reluLinearAttentionCached(c2[0], c2[1], c2[2], heads, rope2, nullptr, nullptr),
                  ops::dit::reluLinearAttention(c2[0], c2[1], c2[2], heads, rope2))
                  .maxAbs,
              0.0);
}

TEST(LongSanaOps, RopeFrameOffsetContinuesTheFrameAxis) {
    const std::array<int, 3> split = {8, 4, 4};
    const auto whole = ops::dit::ropeTables(split, 16, 10000.0, {5, 2, 3});
    const auto later = ops::dit::ropeTables(split, 16, 10000.0, {2, 2, 3}, Device::cpu(), 3);
    EXPECT_EQ(test::compare(later.cos, whole.cos.slice(0, 3 * 6, 5 * 6)).maxAbs, 0.0);
    EXPECT_EQ(test::compare(later.sin, whole.sin.slice(0, 3 * 6, 5 * 6)).maxAbs, 0.0);
    EXPECT_THROW(ops::dit::ropeTables(split, 16, 10000.0, {2, 2, 3}, Device::cpu(), 15), Error);
}

CausalCache fakeState(int blocks, float v) {
    CausalCache c(static_cast<size_t>(blocks));
    for (auto& b : c) {
        b.attention.vk = Tensor::full({1, 1, 2, 2}, v);
        b.attention.kSum = Tensor::full({1, 1, 2}, v);
        b.temporal = Tensor::full({1, 1, 1, 2}, v);
    }
    return c;
}

TEST(LongSanaHistory, ContextSumsTheWindowAndKeepsTheLastTemporalFrame) {
    CausalChunkHistory all(2, -1), two(2, 2);
    EXPECT_FALSE(all.context()[0].attention.defined());
    for (float v : {1.0f, 10.0f, 100.0f}) {
        all.commit(fakeState(2, v));
        two.commit(fakeState(2, v));
    }
    EXPECT_EQ(all.context()[1].attention.vk.item(0), 111.0);
    EXPECT_EQ(two.context()[1].attention.vk.item(0), 110.0);
    EXPECT_EQ(two.context()[0].attention.kSum.item(1), 110.0);
    EXPECT_EQ(all.context()[0].temporal.item(0), 100.0);
    EXPECT_EQ(all.committed(), 3);
    const int64_t bytes = all.stateBytes();
    all.commit(fakeState(2, 1.0f));
    EXPECT_EQ(all.stateBytes(), bytes);  // constant in the number of chunks
}

TEST(LongSanaNoise, StreamedRandnIsTorchRandnAndAdvancesLikeIt) {
    for (const int64_t n : {int64_t(5), int64_t(16), int64_t(17), int64_t(1000), int64_t(70001)}) {
        SCOPED_TRACE(n);
        TorchCpuGenerator a(42), b(42);
        const Tensor full = a.randn({n});
        TorchRandnStream stream(b, n, 64);
        std::vector<float> piece(static_cast<size_t>(n));
        // Pieces of odd sizes, in a shuffled order.
        for (int64_t start : {n / 3, int64_t(0), n / 2, 2 * n / 3}) {
            const int64_t len = std::min<int64_t>(n - start, n / 3 + 1);
            stream.fill(start, std::span<float>(piece.data() + start, size_t(len)));
        }
        for (int64_t i = 0; i < n; ++i) ASSERT_EQ(piece[size_t(i)], full.data<float>()[i]) << "element " << i;
        EXPECT_EQ(a.random(), b.random());  // the generator continues where torch.randn leaves it
    }
}

TEST(LongSanaSampler, ChunksPutTheRemainderFirst) {
    EXPECT_EQ(longVideoChunks(241, 10),
              (std::vector<int64_t>{0,   11,  21,  31,  41,  51,  61,  71,  81,  91,  101, 111, 121,
                                    131, 141, 151, 161, 171, 181, 191, 201, 211, 221, 231, 241}));
    EXPECT_EQ(longVideoChunks(21, 10), (std::vector<int64_t>{0, 11, 21}));
    EXPECT_EQ(longVideoChunks(7, 10), (std::vector<int64_t>{0, 7}));
    EXPECT_EQ(longVideoChunks(6, 2), (std::vector<int64_t>{0, 2, 4, 6}));
}

TEST(LongSanaSampler, DiffusersScheduleOfTheDocumentedSteps) {
    const double steps[] = {1000, 960, 889, 727, 0};
    const LongSamplerSchedule s = LongSamplerSchedule::make(steps, 1.0, LongSigmaSource::Diffusers);
    ASSERT_EQ(s.steps(), 5);
    EXPECT_EQ(s.modelTimesteps, (std::vector<double>{1000, 960, 889, 727, 0}));
    EXPECT_EQ(s.sigmas, (std::vector<double>{1.0, double(0.96f), double(0.889f), double(0.727f), 0.0}));
    EXPECT_EQ(s.renoiseSigmas, (std::vector<float>{0.96f, 0.889f, 0.727f, 0.0f}));
    // NVlabs/Sana's nearest-entry σ of its 1000-step table with shift 7 agrees within half the table's
    // spacing (≈ 1e-3 near σ = 0.7).
    const LongSamplerSchedule n = LongSamplerSchedule::make(steps, 7.0, LongSigmaSource::NvlabsTable);
    ASSERT_EQ(n.steps(), 4);  // the trailing 0 is dropped
    for (int i = 0; i < 4; ++i) EXPECT_NEAR(n.sigmas[size_t(i)], s.sigmas[size_t(i)], 6e-4);
    const double bad[] = {960, 1000};
    EXPECT_THROW(LongSamplerSchedule::make(bad, 1.0, LongSigmaSource::Diffusers), Error);
}

TEST(LongSanaPrompts, SplitTextAndLaterChanges) {
    PromptSchedule s;
    s.setSplitText(" a cat <split> a dog<split>a bird ", 6);
    EXPECT_EQ(s.promptFor(0), "a cat");
    EXPECT_EQ(s.promptFor(1), "a cat");
    EXPECT_EQ(s.promptFor(2), "a dog");
    EXPECT_EQ(s.promptFor(5), "a bird");
    s.set(5, "a fish");
    EXPECT_EQ(s.promptFor(4), "a bird");
    EXPECT_EQ(s.promptFor(9), "a fish");
    EXPECT_THROW(s.setSplitText("a<split>b<split>c", 2), Error);
    PromptSchedule file;
    file.setLines("# a prompt file\n0: a cat\n\n  4 :  a dog  \n");
    EXPECT_EQ(file.promptFor(3), "a cat");
    EXPECT_EQ(file.promptFor(4), "a dog");
    EXPECT_THROW(file.setLines("0: a cat\nx: a dog\n"), Error);
    EXPECT_THROW(file.setLines("3:\n"), Error);
    EXPECT_THROW(s.setSplitText("a<split> <split>c", 4), Error);
    // Edits from another thread while this one reads.
    std::thread writer([&] {
        for (int i = 0; i < 2000; ++i) s.set(3, i % 2 ? "x" : "y");
    });
    for (int i = 0; i < 2000; ++i) {
        const std::string p = s.promptFor(3);
        ASSERT_TRUE(p == "x" || p == "y" || p == "a dog");
    }
    writer.join();
}

TEST(LongSanaPrompts, PromptFileIsReReadWhenItChanges) {
    test::TempDir dir;
    const fs::path file = dir.path() / "prompts.txt";
    auto write = [&](const char* text, int seconds) {
        std::ofstream(file) << text;
        fs::last_write_time(file, fs::file_time_type::clock::now() + std::chrono::seconds(seconds));
    };
    PromptSchedule schedule("unused");
    PromptFileWatcher watcher(file, schedule);
    write("0: a cat\n", 0);
    EXPECT_TRUE(watcher.refresh());
    EXPECT_FALSE(watcher.refresh());  // unchanged
    EXPECT_EQ(schedule.promptFor(5), "a cat");
    write("0: a cat\n3: a dog\n", 5);  // edited while rendering
    EXPECT_TRUE(watcher.refresh());
    EXPECT_EQ(schedule.promptFor(5), "a dog");
    write("0 a cat\n", 10);
    EXPECT_THROW(watcher.refresh(), Error);
    EXPECT_EQ(schedule.promptFor(5), "a dog");  // a broken edit leaves the schedule as it was
}

// ---- the causal transformer on the transformer fixture weights

TEST(LongSanaTransformer, FirstChunkWithoutContextIsTheStandardForward) {
    const fs::path folder = test::referenceFolders("transformer_").at(0);
    const SanaTransformer model = SanaTransformer::load(folder);
    const auto io = test::openIo(folder);
    const TransformerTextContext text =
        model.prepareText(io->get("encoder_hidden_states"), io->get("encoder_attention_mask"));
    const Tensor x = io->get("hidden_states"), t = io->get("timestep");
    CausalCache saved;
    CausalCache empty;
    const Tensor causal = model.forward(x, t, text, CausalStep{&empty, &saved, 0});
    EXPECT_EQ(test::compare(causal, model.forward(x, t, text)).maxAbs, 0.0);
    ASSERT_EQ(int(saved.size()), model.config().numLayers);
    const auto& c = model.config();
    EXPECT_EQ(saved[0].attention.vk.shape(), (Shape{x.dim(0), c.numHeads, c.headDim, c.headDim}));
    EXPECT_EQ(saved[0].temporal.shape(),
              (Shape{x.dim(0), 1, x.dim(3) / c.patchSize[1] * (x.dim(4) / c.patchSize[2]), c.innerDim()}));
    // A context changes the output; the same context twice gives the same output.
    CausalChunkHistory history(c.numLayers, -1);
    history.commit(saved);
    const Tensor a = model.forward(x, t, text, CausalStep{&history.context(), nullptr, x.dim(2)});
    const Tensor b = model.forward(x, t, text, CausalStep{&history.context(), nullptr, x.dim(2)});
    EXPECT_EQ(test::compare(a, b).maxAbs, 0.0);
    EXPECT_GT(test::compare(a, causal).relL2, 1e-2);
}

// ---- the pipeline on the demo model

class LongVideo : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        dir_ = std::make_unique<test::TempDir>();
        writeDemoModel(dir_->path() / "demo", test::tinyTokenizerBytes(), 0);
        models_ = std::make_shared<const SanaModels>(SanaModels::load(dir_->path() / "demo"));
    }
    static void TearDownTestSuite() {
        models_.reset();
        dir_.reset();
    }
    // 3 chunks of a 32×32 clip: 7 latent frames in chunks of 2 (the first takes 3) → 25 frames.
    static LongVideoRequest request(int frames = 25) {
        LongVideoRequest r;
        r.prompts = std::make_shared<PromptSchedule>("a red fox runs through snow");
        r.height = 32;
        r.width = 32;
        r.frames = frames;
        r.chunkFrames = 2;
        r.seed = 3;
        r.useResolutionBinning = false;
        return r;
    }
    static inline std::unique_ptr<test::TempDir> dir_;
    static inline std::shared_ptr<const SanaModels> models_;
};

TEST_F(LongVideo, ChunksDecodeLikeOneDecodeOfAllLatents) {
    std::vector<Tensor> chunks;
    std::vector<std::pair<int64_t, Tensor>> frames;
    LongVideoCallbacks cb;
    cb.onChunk = [&](int64_t, const Tensor& latents) { chunks.push_back(latents.clone()); };
    cb.onFrames = [&](int64_t first, const Tensor& f) { frames.emplace_back(first, f.clone()); };
    const LongVideoPlan plan = generateLongVideo(*models_, request(), cb);
    ASSERT_EQ(plan.chunks(), 3);
    EXPECT_EQ(plan.chunkBounds, (std::vector<int64_t>{0, 3, 5, 7}));
    ASSERT_EQ(chunks.size(), 3u);
    Tensor all = Tensor::empty({1, 16, 7, 4, 4}, DType::F32);
    for (size_t c = 0; c < 3; ++c)
        all.slice(2, plan.chunkBounds[c], plan.chunkBounds[c + 1]).copyFrom(chunks[c]);
    const Tensor whole = decodeLatents(*models_, all);
    ASSERT_EQ(whole.dim(1), 25);
    int64_t next = 0;
    for (const auto& [first, f] : frames) {
        ASSERT_EQ(first, next);
        EXPECT_EQ(test::compare(f, whole.slice(1, first, first + f.dim(1))).maxAbs, 0.0) << "frame " << first;
        next += f.dim(1);
    }
    EXPECT_EQ(next, 25);
}

TEST_F(LongVideo, NoiseIsOneTorchRandnThenOneDrawPerRenoising) {
    std::map<std::string, Tensor, std::less<>> seen;
    LongVideoRequest r = request();
    r.decode = false;
    r.observer = [&](std::string_view name, const Tensor& t) { seen[std::string(name)] = t.clone(); };
    (void)generateLongVideo(*models_, r);
    TorchCpuGenerator g(r.seed);
    const Tensor init = g.randn({1, 16, 7, 4, 4});
    EXPECT_EQ(test::compare(seen.at("chunk_1.latents_init"), init.slice(2, 3, 5)).maxAbs, 0.0);
    // Chunk 0's three re-noisings, then chunk 1's first: randn([B, f, C, h, w]) each.
    for (int i = 0; i < 3; ++i) (void)g.randn({1, 3, 16, 4, 4});
    const Tensor eps = g.randn({1, 2, 16, 4, 4}).permute({0, 2, 1, 3, 4});
    EXPECT_EQ(test::compare(seen.at("chunk_1.step_0.noise"), eps).maxAbs, 0.0);
    EXPECT_EQ(seen.count("chunk_2.step_3.noise"), 0u);  // no re-noising after the last step
}

TEST_F(LongVideo, PromptChangeTakesEffectFromTheNextChunk) {
    auto run = [&](bool change) {
        LongVideoRequest r = request();
        r.decode = false;
        std::vector<Tensor> chunks;
        LongVideoCallbacks cb;
        cb.onChunk = [&](int64_t, const Tensor& latents) { chunks.push_back(latents.clone()); };
        cb.onChunkStart = [&](int64_t c) {  // before chunk 1 reads its prompt
            EXPECT_EQ(int64_t(chunks.size()), c);
            if (change && c == 1) r.prompts->set(1, "a blue whale sings");
        };
        (void)generateLongVideo(*models_, r, cb);
        return chunks;
    };
    const auto same = run(false), changed = run(true);
    EXPECT_EQ(test::compare(same[0], changed[0]).maxAbs, 0.0);
    EXPECT_GT(test::compare(same[1], changed[1]).maxAbs, 0.0);
}

TEST_F(LongVideo, CancelStopsWithinAStep) {
    int steps = 0;
    LongVideoCallbacks cb;
    cb.onStep = [&](const LongStepInfo& info, const Tensor&) {
        ++steps;
        return !(info.chunk == 1 && info.step == 1);
    };
    EXPECT_THROW(generateLongVideo(*models_, request(), cb), Cancelled);
    EXPECT_EQ(steps, 6);
}

TEST_F(LongVideo, HostMemoryDoesNotGrowWithTheNumberOfChunks) {
    auto peak = [&](int frames) {
        LongVideoCallbacks cb;
        cb.onFrames = [](int64_t, const Tensor&) {};
        resetHostTensorPeak();
        const int64_t before = hostTensorMemory().current;
        (void)generateLongVideo(*models_, request(frames), cb);
        return hostTensorMemory().peak - before;
    };
    const int64_t three = peak(25), twelve = peak(1 + 4 * 25);  // 3 and 12 chunks
    std::printf("host tensor peak: 3 chunks %lld bytes, 12 chunks %lld bytes\n", (long long)three,
                (long long)twelve);
    EXPECT_LE(twelve, three + three / 20);
}

TEST_F(LongVideo, BadRequestsNameTheProblem) {
    LongVideoRequest r = request();
    r.frames = 24;
    EXPECT_THROW(planLongVideo(*models_, r), Error);
    r = request();
    r.steps = {900, 950};
    EXPECT_THROW(planLongVideo(*models_, r), Error);
    r = request();
    r.prompts.reset();
    EXPECT_THROW(planLongVideo(*models_, r), Error);
}

}  // namespace
}  // namespace sv
