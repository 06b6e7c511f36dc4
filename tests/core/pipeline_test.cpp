// The pipeline stages on the demo model (tiny random weights, written by writeDemoModel): the noise guarantee
// wiring, image-to-video's frame-0 latent held at the encoded image latent through sampling, cancelling,
// prompt batching (num_videos_per_prompt, negative prompts, CHI, motion score), un-binning, bad inputs, and
// the demo model writer itself.
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <iterator>

#include <gtest/gtest.h>

#include "base/torch_randn.h"
#include "io/model_folder.h"
#include "ops/resize.h"
#include "pipelines/demo_model.h"
#include "pipelines/sana_pipeline.h"
#include "schedulers/scheduler.h"
#include "support/reference.h"
#include "text/prompt_tokens.h"

namespace sv {
namespace {

namespace fs = std::filesystem;

std::vector<uint8_t> readBytes(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// One demo model for the whole suite (written once into a temporary folder).
class DemoModel : public ::testing::Test {
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
    static TextToVideoRequest smallRequest() {
        TextToVideoRequest r;
        r.prompts = {"a red fox runs through snow"};
        r.height = 32;
        r.width = 32;
        r.frames = 9;
        r.steps = 3;
        r.seed = 7;
        r.motionScore = 30;
        r.useResolutionBinning = false;
        return r;
    }
    static inline std::unique_ptr<test::TempDir> dir_;
    static inline std::shared_ptr<const SanaModels> models_;
};

bool equal(const Tensor& a, const Tensor& b) {
    if (a.shape() != b.shape()) return false;
    return test::compare(a, b).maxAbs == 0.0;
}

TEST_F(DemoModel, LoadsAllComponents) {
    ASSERT_TRUE(models_->tokenizer && models_->textEncoder && models_->transformer && models_->vae);
    EXPECT_EQ(models_->pipelineClass, "SanaVideoPipeline");
    EXPECT_EQ(models_->requireScheduler().shortName(), "dpm");
    EXPECT_EQ(models_->requireScheduler().shift(), 8.0);
    EXPECT_EQ(models_->textEncoder->config().vocabSize, models_->tokenizer->vocabSize());
    EXPECT_EQ(models_->transformer->config().captionChannels, models_->textEncoder->config().hiddenSize);
    EXPECT_TRUE(models_->vae->hasEncoder() && models_->vae->hasDecoder());
}

TEST_F(DemoModel, TextToVideoNoiseIsTorchRandnOfTheSeed) {
    TextToVideoRequest r = smallRequest();
    Tensor prepared;
    r.observer = [&](std::string_view name, const Tensor& t) {
        if (name == "latents_prepared") prepared = t.clone();
    };
    const VideoResult out = TextToVideoPipeline(models_).run(r);
    TorchCpuGenerator gen(7);
    EXPECT_TRUE(equal(prepared, gen.randn({1, 16, 3, 4, 4})));
    ASSERT_EQ(out.frames.shape(), (Shape{1, 9, 32, 32, 3}));
    ASSERT_EQ(out.latents.shape(), (Shape{1, 16, 3, 4, 4}));
    // Deterministic: the same request gives the same frames; another seed other frames.
    r.observer = {};
    EXPECT_TRUE(equal(TextToVideoPipeline(models_).run(r).frames, out.frames));
    r.seed = 8;
    EXPECT_FALSE(equal(TextToVideoPipeline(models_).run(r).latents, out.latents));
}

TEST_F(DemoModel, CudaGeneratorNoiseIsTheCudaGeneratorsDraw) {
    TextToVideoRequest r = smallRequest();
    r.decode = false;
    r.generator = NoiseGenerator::Cuda;
    r.cudaGrid = CudaGeneratorGrid{132, 2048};
    Tensor prepared;
    r.observer = [&](std::string_view name, const Tensor& t) {
        if (name == "latents_prepared") prepared = t.clone();
    };
    (void)TextToVideoPipeline(models_).run(r);
    TorchCudaGenerator gen(7, {132, 2048});
    EXPECT_TRUE(equal(prepared, gen.randn({1, 16, 3, 4, 4})));
    EXPECT_FALSE(equal(prepared, TorchCpuGenerator(7).randn({1, 16, 3, 4, 4})));
    EXPECT_EQ(parseNoiseGenerator("cuda", "x"), NoiseGenerator::Cuda);
    EXPECT_EQ(noiseGeneratorName(NoiseGenerator::Cpu), "cpu");
    EXPECT_THROW(parseNoiseGenerator("gpu", "--generator"), Error);
}

TEST_F(DemoModel, ImageToVideoKeepsFrameZeroAtTheImageLatent) {
    ImageToVideoRequest r;
    static_cast<TextToVideoRequest&>(r) = smallRequest();
    r.steps = 4;
    // A 40×48 gradient image (resized to 32×32 with Lanczos by the pipeline).
    Tensor image = Tensor::empty({40, 48, 3}, DType::U8);
    uint8_t* p = image.data<uint8_t>();
    for (int y = 0; y < 40; ++y)
        for (int x = 0; x < 48; ++x)
            for (int c = 0; c < 3; ++c) p[(y * 48 + x) * 3 + c] = uint8_t((x * 5 + y * 3 + c * 70) % 256);
    r.image = image;
    const Tensor imageLatent = encodeImageLatents(*models_, image, 32, 32);
    ASSERT_EQ(imageLatent.shape(), (Shape{1, 16, 1, 4, 4}));

    int stepsSeen = 0, callbacks = 0;
    r.observer = [&](std::string_view name, const Tensor& t) {
        const std::string n(name);
        if (n == "latents_prepared" || (n.starts_with("step_") && n.ends_with(".latents"))) {
            EXPECT_TRUE(equal(t.slice(2, 0, 1), imageLatent)) << n;
            EXPECT_FALSE(equal(t.slice(2, 1, 2), imageLatent.slice(2, 0, 1))) << n;
            stepsSeen += n != "latents_prepared";
        }
        if (n.ends_with(".timestep")) {  // per token: 0 on frame 0, t elsewhere
            ASSERT_EQ(t.shape(), (Shape{2, 1, 3, 2, 2}));
            for (int64_t i = 0; i < t.numel(); ++i)
                EXPECT_EQ(t.item(i) == 0.0, (i % 12) < 4) << n << " " << i;
        }
    };
    const VideoResult out =
        ImageToVideoPipeline(models_).run(r, [&](int, int, double, const Tensor& latents, const Tensor& x0) {
            ++callbacks;
            EXPECT_TRUE(equal(latents.slice(2, 0, 1), imageLatent));
            EXPECT_TRUE(equal(x0.slice(2, 0, 1), imageLatent));
            return true;
        });
    EXPECT_EQ(stepsSeen, 4);
    EXPECT_EQ(callbacks, 4);
    EXPECT_TRUE(equal(out.latents.slice(2, 0, 1), imageLatent));
    EXPECT_EQ(out.frames.shape(), (Shape{1, 9, 32, 32, 3}));

    // One frame: the result is the image latent itself.
    r.observer = {};
    r.frames = 1;
    const VideoResult single = ImageToVideoPipeline(models_).run(r);
    EXPECT_TRUE(equal(single.latents, imageLatent));
    EXPECT_EQ(single.frames.shape(), (Shape{1, 1, 32, 32, 3}));
}

TEST_F(DemoModel, CallbackCancelsAfterTheStep) {
    TextToVideoRequest r = smallRequest();
    r.steps = 5;
    int calls = 0;
    bool decoded = false;
    r.frameSink = [&](int64_t, const Tensor&) { decoded = true; };
    EXPECT_THROW(
        TextToVideoPipeline(models_).run(r,
                                         [&](int step, int total, double, const Tensor&, const Tensor&) {
                                             EXPECT_EQ(total, 5);
                                             ++calls;
                                             return step < 1;  // cancel after the second step
                                         }),
        Cancelled);
    EXPECT_EQ(calls, 2);
    EXPECT_FALSE(decoded);
    // A sink may cancel the decode.
    r.frameSink = [&](int64_t, const Tensor&) { throw Cancelled(); };
    EXPECT_THROW(TextToVideoPipeline(models_).run(r), Cancelled);
}

TEST_F(DemoModel, PromptBatchingIsPromptMajor) {
    PromptRequest p;
    p.prompts = {"a cat", "a dog on a beach"};
    p.negativePrompts = {"blurry"};
    p.numVideosPerPrompt = 2;
    const PromptEncoding e = encodePrompts(*models_, p);
    ASSERT_EQ(e.embeds.shape(), (Shape{4, 300, 64}));
    ASSERT_EQ(e.negativeEmbeds.shape(), (Shape{4, 300, 64}));
    EXPECT_TRUE(equal(e.embeds.select(0, 0), e.embeds.select(0, 1)));
    EXPECT_TRUE(equal(e.embeds.select(0, 2), e.embeds.select(0, 3)));
    EXPECT_FALSE(equal(e.embeds.select(0, 1), e.embeds.select(0, 2)));
    EXPECT_TRUE(equal(e.mask.select(0, 0), e.mask.select(0, 1)));
    EXPECT_FALSE(equal(e.mask.select(0, 1), e.mask.select(0, 2)));  // the two prompts differ in length
    for (int i = 1; i < 4; ++i)
        EXPECT_TRUE(equal(e.negativeEmbeds.select(0, i), e.negativeEmbeds.select(0, 0)));
    EXPECT_EQ(e.cfgEmbeds(true).dim(0), 8);
    EXPECT_TRUE(equal(e.cfgEmbeds(true).slice(0, 0, 4), e.negativeEmbeds));

    // The positive rows are the text encoder's output at the select-index of the CHI-prefixed prompt, with
    // the motion-score suffix; the negative ones have no CHI.
    p.prompts = {"A Cat"};
    p.numVideosPerPrompt = 1;
    p.motionScore = 30;
    const PromptEncoding one = encodePrompts(*models_, p);
    const auto tokens = text::tokenizePositivePrompts(*models_->tokenizer,
                                                      std::vector<std::string>{"a cat motion score: 30."},
                                                      text::defaultComplexHumanInstruction(), 300);
    EXPECT_GT(tokens.chiTokenCount, 0);
    const Tensor full = models_->textEncoder->encode(tokens.tokens.ids, tokens.tokens.mask);
    EXPECT_TRUE(equal(one.embeds, text::selectTokens(full, tokens.selectIndex)));
    EXPECT_TRUE(equal(one.mask, text::selectTokens(tokens.tokens.mask, tokens.selectIndex)));
    const auto neg =
        text::tokenizeNegativePrompts(*models_->tokenizer, std::vector<std::string>{"blurry"}, 300);
    EXPECT_TRUE(equal(one.negativeEmbeds, models_->textEncoder->encode(neg.tokens.ids, neg.tokens.mask)));

    // CHI off: the positive prompt is encoded like a negative one.
    p.complexHumanInstruction = std::vector<std::string>{};
    p.motionScore.reset();
    p.negativePrompts = {"a cat"};
    const PromptEncoding off = encodePrompts(*models_, p);
    EXPECT_TRUE(equal(off.embeds, off.negativeEmbeds));
}

TEST_F(DemoModel, BadInputsNameTheProblem) {
    auto expectError = [&](TextToVideoRequest r, const std::string& needle) {
        try {
            TextToVideoPipeline(models_).run(r);
            ADD_FAILURE() << "no error for " << needle;
        } catch (const Error& e) {
            EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
        }
    };
    TextToVideoRequest r = smallRequest();
    r.frames = 10;
    expectError(r, "frames");
    r = smallRequest();
    r.height = 40;
    expectError(r, "height");
    r = smallRequest();
    r.steps = 0;
    expectError(r, "steps");
    r = smallRequest();
    r.scheduler = "ddim";
    expectError(r, "ddim");
    r = smallRequest();
    r.prompts.clear();
    expectError(r, "prompt");
    r = smallRequest();
    r.negativePrompts = {"a", "b"};
    expectError(r, "negative prompts");
    r = smallRequest();
    r.latents = Tensor::zeros({1, 16, 2, 4, 4}, DType::F32);
    expectError(r, "initial latents");
    // Guidance needs negative embeddings.
    PromptRequest p;
    p.prompts = {"x"};
    p.classifierFreeGuidance = false;
    const PromptEncoding e = encodePrompts(*models_, p);
    SampleRequest s;
    s.height = s.width = 32;
    s.frames = 9;
    s.steps = 1;
    EXPECT_THROW(sampleLatents(*models_, e, s), Error);
    s.guidanceScale = 1.0;
    EXPECT_EQ(sampleLatents(*models_, e, s).shape(), (Shape{1, 16, 3, 4, 4}));
}

/// Runs `fn` expecting an sv::Error containing `needle`; returns the host tensor memory allocated meanwhile.
int64_t refusedPeakBytes(const std::function<void()>& fn, const std::string& needle) {
    resetHostTensorPeak();
    const int64_t before = hostTensorMemory().current;
    try {
        fn();
        ADD_FAILURE() << "no error for " << needle;
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    }
    return hostTensorMemory().peak - before;
}

TEST_F(DemoModel, HugeRequestsAreRefusedBeforeAllocating) {
    ::setenv("SV_MEMORY_LIMIT_MB", "1024", 1);
    TextToVideoRequest r = smallRequest();
    r.width = r.height = 4096;
    r.frames = 1001;
    int64_t peak = refusedPeakBytes([&] { TextToVideoPipeline(models_).run(r); }, "needs about");
    EXPECT_LT(peak, 16 << 20) << "refused before the noise, the tables or the text encoder";
    // The shared stages refuse too (what the Sampler and VAE Decode nodes call).
    PromptRequest p;
    p.prompts = {"x"};
    const PromptEncoding e = encodePrompts(*models_, p);
    SampleRequest s;
    s.height = s.width = 4096;
    s.frames = 1001;
    peak = refusedPeakBytes([&] { sampleLatents(*models_, e, s); }, "sampling 1 video(s) of 4096x4096");
    EXPECT_LT(peak, 16 << 20);
    DecodeOptions d;
    d.outputHeight = d.outputWidth = 4096;
    const Tensor few = Tensor::zeros({1, 16, 101, 4, 4}, DType::F32);
    peak =
        refusedPeakBytes([&] { decodeLatents(*models_, few, {}, d); }, "decoding latents [1, 16, 101, 4, 4]");
    EXPECT_LT(peak, 16 << 20);
    ::unsetenv("SV_MEMORY_LIMIT_MB");
    // --frames 4000001: the RoPE length refuses it from the shape (no 3 GB of noise first).
    r = smallRequest();
    r.frames = 4000001;
    peak = refusedPeakBytes([&] { TextToVideoPipeline(models_).run(r); }, "rope_max_seq_len");
    EXPECT_LT(peak, 16 << 20);
}

TEST_F(DemoModel, LongPromptsAreCutWithoutTokenizingThemWhole) {
    const text::Tokenizer& tok = *models_->tokenizer;
    std::string text;
    for (int i = 0; text.size() < 40000; ++i)
        text += concat("word", i % 97, i % 5 ? " " : ".\n  ", "\xc3\xa9t\xc3\xa9 ");
    for (int64_t n : {2, 10, 300, 1024}) {
        SCOPED_TRACE(n);
        std::vector<int64_t> whole = tok.encode(text);
        ASSERT_GT(int64_t(whole.size()), n);
        whole.resize(size_t(n));
        EXPECT_EQ(text::encodeFirstTokens(tok, text, n), whole);
    }
    EXPECT_EQ(text::encodeFirstTokens(tok, "a cat", 300), tok.encode("a cat")) << "short texts whole";
    // A 50 MB prompt: its first tokens, found quickly and without gigabytes.
    std::string huge = "  A Cat " + std::string(50 << 20, 'z');
    PromptRequest p;
    p.prompts = {huge};
    p.maxSequenceLength = 300;
    const auto t0 = std::chrono::steady_clock::now();
    const PromptEncoding e = encodePrompts(*models_, p);
    EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), 20.0);
    p.prompts = {"  A Cat " + std::string(20000, 'z')};
    const PromptEncoding same = encodePrompts(*models_, p);
    EXPECT_TRUE(equal(e.embeds, same.embeds)) << "only the first tokens matter";
    EXPECT_TRUE(equal(e.mask, same.mask));
}

TEST_F(DemoModel, UnbinningResizesAndCentreCrops) {
    const GenerationSize g = resolveGenerationSize(models_->transformer->config(), 64, 96, true);
    EXPECT_EQ(g.height, 528);  // 64/96 = 0.667 → bin 0.68 = 528×768
    EXPECT_EQ(g.width, 768);
    EXPECT_TRUE(g.resized());
    EXPECT_FALSE(resolveGenerationSize(models_->transformer->config(), 64, 96, false).resized());

    // Decode 32×32 latents' video to 16×24: scale max(16/32, 24/32) = 0.75 → 24×24, crop rows 4..20.
    TorchCpuGenerator gen(3);
    const Tensor latents = gen.randn({1, 16, 2, 4, 4});
    const Tensor plain = decodeLatents(*models_, latents);
    DecodeOptions o;
    o.outputHeight = 16;
    o.outputWidth = 24;
    int64_t sunk = 0;
    const Tensor resized = decodeLatents(
        *models_, latents,
        [&](int64_t first, const Tensor& f) {
            EXPECT_EQ(first, sunk);
            sunk += f.dim(1);
        },
        o);
    ASSERT_EQ(resized.shape(), (Shape{1, 5, 16, 24, 3}));
    EXPECT_EQ(sunk, 5);
    // Expected: the [-1, 1] video = 2·frames − 1 (exact in float), resized with torch's bilinear and cropped.
    for (int64_t f = 0; f < 5; ++f) {
        const Tensor chw = plain.select(0, 0).select(0, f).permute({2, 0, 1}).contiguous();
        Tensor pm = Tensor::empty(chw.shape(), DType::F32);
        for (int64_t i = 0; i < chw.numel(); ++i) pm.data<float>()[i] = chw.data<float>()[i] * 2.0f - 1.0f;
        const Tensor big = ops::resizeBilinear(pm, 24, 24).slice(1, 4, 20);
        const Tensor got = resized.select(0, 0).select(0, f).permute({2, 0, 1});
        for (int64_t i = 0; i < big.numel(); ++i) {
            const float v = std::clamp(float(big.contiguous().data<float>()[i]) * 0.5f + 0.5f, 0.0f, 1.0f);
            ASSERT_NEAR(got.contiguous().data<float>()[i], v, 1e-6) << "frame " << f << " index " << i;
        }
    }
}

TEST(DemoModelWriter, DeterministicDiffusersLayout) {
    test::TempDir tmp;
    const auto bytes = test::tinyTokenizerBytes();
    writeDemoModel(tmp.path() / "a", bytes, 5);
    writeDemoModel(tmp.path() / "b", bytes, 5);
    writeDemoModel(tmp.path() / "c", bytes, 6);
    const ModelFolder m = ModelFolder::open(tmp.path() / "a");
    EXPECT_EQ(m.pipelineClass(), "SanaVideoPipeline");
    for (const char* c : {"transformer", "vae", "text_encoder", "tokenizer", "scheduler"})
        EXPECT_TRUE(m.require(c).present) << c;
    EXPECT_EQ(m.scheduler()->className(), "DPMSolverMultistepScheduler");
    // -Infinity as diffusers writes it.
    const auto sched = readBytes(tmp.path() / "a" / "scheduler" / "scheduler_config.json");
    EXPECT_NE(std::string(sched.begin(), sched.end()).find("\"lambda_min_clipped\": -Infinity"),
              std::string::npos);
    for (const char* f :
         {"transformer/diffusion_pytorch_model.safetensors", "vae/diffusion_pytorch_model.safetensors",
          "text_encoder/model.safetensors", "tokenizer/tokenizer.model"}) {
        EXPECT_EQ(readBytes(tmp.path() / "a" / f), readBytes(tmp.path() / "b" / f)) << f;
    }
    EXPECT_NE(readBytes(tmp.path() / "a" / "transformer/diffusion_pytorch_model.safetensors"),
              readBytes(tmp.path() / "c" / "transformer/diffusion_pytorch_model.safetensors"));
    EXPECT_EQ(readBytes(tmp.path() / "a" / "tokenizer/tokenizer.model"), bytes);
    // Overwriting a model folder works; a foreign non-empty folder is refused.
    writeDemoModel(tmp.path() / "a", bytes, 5);
    fs::create_directories(tmp.path() / "other");
    std::ofstream(tmp.path() / "other" / "notes.txt") << "mine";
    EXPECT_THROW(writeDemoModel(tmp.path() / "other", bytes, 5), Error);
}

}  // namespace
}  // namespace sv
