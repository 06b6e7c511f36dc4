// The pipelines on the 720p demo model (writeDemoModel(…, DemoFamily::Ltx720p): 1×1×1 patches, sample_size
// 22, the LTX-2 VAE): the VAE class is detected from vae/config.json, the geometry follows the VAE's
// compression ratios (8k + 1 frames, sizes multiples of 32), binning uses ASPECT_RATIO_720_BIN, and text- and
// image-to-video run end to end with the noise diffusers draws.
#include <fstream>
#include <iterator>

#include <gtest/gtest.h>

#include "base/torch_randn.h"
#include "io/model_folder.h"
#include "models/ltx2_vae.h"
#include "pipelines/demo_model.h"
#include "pipelines/sana_pipeline.h"
#include "support/reference.h"

namespace sv {
namespace {

namespace fs = std::filesystem;

class Demo720p : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        dir_ = std::make_unique<test::TempDir>();
        writeDemoModel(dir_->path() / "demo", test::tinyTokenizerBytes(), 3, DemoFamily::Ltx720p);
        models_ = std::make_shared<const SanaModels>(SanaModels::load(dir_->path() / "demo"));
    }
    static void TearDownTestSuite() {
        models_.reset();
        dir_.reset();
    }
    static TextToVideoRequest smallRequest() {
        TextToVideoRequest r;
        r.prompts = {"a lighthouse at dusk"};
        r.height = 64;
        r.width = 96;
        r.frames = 9;
        r.steps = 2;
        r.seed = 11;
        r.useResolutionBinning = false;
        return r;
    }
    static inline std::unique_ptr<test::TempDir> dir_;
    static inline std::shared_ptr<const SanaModels> models_;
};

TEST_F(Demo720p, DetectsTheLtx2VaeAndItsGeometry) {
    ASSERT_TRUE(models_->vae && models_->transformer);
    EXPECT_EQ(models_->vae->className(), "AutoencoderKLLTX2Video");
    EXPECT_EQ(models_->vae->family(), VaeFamily::Ltx2);
    EXPECT_EQ(models_->family(), "720p LTX-2");
    EXPECT_EQ(models_->vaeTemporalScale(), 8);
    EXPECT_EQ(models_->vaeSpatialScale(), 32);
    EXPECT_EQ(models_->sizeMultiple(), 32);
    EXPECT_EQ(models_->transformer->config().inChannels, models_->vae->latentChannels());
    const ModelFolder folder = ModelFolder::open(dir_->path() / "demo");
    EXPECT_EQ(folder.videoVaeConfig().familyLabel(), "720p LTX-2");
    EXPECT_THROW((void)folder.vaeConfig(), Error);  // the Wan accessor names the class it expected
}

TEST_F(Demo720p, BinningUsesThe720Table) {
    const GenerationSize s = resolveGenerationSize(models_->transformer->config(), 720, 1280, true);
    EXPECT_EQ(s.height, 704);
    EXPECT_EQ(s.width, 1280);
    EXPECT_EQ(s.outputHeight, 720);
    const GenerationSize p = resolveGenerationSize(models_->transformer->config(), 1280, 720, true);
    EXPECT_EQ(p.height, 1280);
    EXPECT_EQ(p.width, 704);
}

TEST_F(Demo720p, TextToVideoRunsWithDiffusersNoise) {
    TextToVideoRequest r = smallRequest();
    Tensor prepared;
    r.observer = [&](std::string_view name, const Tensor& t) {
        if (name == "latents_prepared") prepared = t.clone();
    };
    int64_t next = 0;
    r.frameSink = [&](int64_t first, const Tensor& frames) {
        EXPECT_EQ(first, next);
        next += frames.dim(1);
    };
    const VideoResult out = TextToVideoPipeline(models_).run(r);
    const Shape latent = {1, 16, 2, 2, 3};  // 1 + 8k frames → k + 1 latent frames, 32× smaller
    EXPECT_EQ(out.latents.shape(), latent);
    EXPECT_EQ(out.frames.shape(), (Shape{1, 9, 64, 96, 3}));
    EXPECT_EQ(next, 9);
    TorchCpuGenerator g(r.seed);
    EXPECT_EQ(test::compare(prepared, g.randn(latent, DType::F32)).maxAbs, 0.0);
}

TEST_F(Demo720p, ImageToVideoKeepsTheImageLatent) {
    ImageToVideoRequest r;
    static_cast<TextToVideoRequest&>(r) = smallRequest();
    std::vector<float> pixels(size_t(40 * 50 * 3));
    for (size_t i = 0; i < pixels.size(); ++i) pixels[i] = float(i % 97) / 97.0f;
    r.image = Tensor::fromFloats(pixels, {40, 50, 3});
    Tensor lastLatents;
    r.observer = [&](std::string_view name, const Tensor& t) {
        if (name.ends_with(".latents")) lastLatents = t.clone();
    };
    const VideoResult out = ImageToVideoPipeline(models_).run(r);
    const Tensor image = encodeImageLatents(*models_, r.image, r.height, r.width);
    EXPECT_EQ(image.shape(), (Shape{1, 16, 1, 2, 3}));
    EXPECT_EQ(test::compare(out.latents.slice(2, 0, 1), image).maxAbs, 0.0);
    EXPECT_EQ(out.frames.shape(), (Shape{1, 9, 64, 96, 3}));
}

TEST_F(Demo720p, GeometryFollowsTheVae) {
    TextToVideoRequest r = smallRequest();
    r.decode = false;
    r.frames = 5;  // not 8k + 1
    EXPECT_THROW(TextToVideoPipeline(models_).run(r), Error);
    r.frames = 17;
    r.height = 48;  // not a multiple of 32
    EXPECT_THROW(TextToVideoPipeline(models_).run(r), Error);
    r.height = 32;
    EXPECT_EQ(TextToVideoPipeline(models_).run(r).latents.shape(), (Shape{1, 16, 3, 1, 3}));
}

// A transformer whose in_channels differ from the VAE's latent channels is refused at load.
TEST(Demo720pLoading, LatentChannelMismatchIsAnError) {
    test::TempDir dir;
    writeDemoModel(dir.path() / "a", test::tinyTokenizerBytes(), 0, DemoFamily::Ltx720p);
    writeDemoModel(dir.path() / "b", test::tinyTokenizerBytes(), 0, DemoFamily::Wan480p);
    ModelLoadOptions o;
    o.textEncoder = false;
    o.vaeEncoder = o.vaeDecoder = false;  // the config alone decides
    o.componentDirs["vae"] = dir.path() / "a" / "vae";
    nlohmann::json cfg = nlohmann::json::parse(std::ifstream(dir.path() / "a/vae/config.json"));
    cfg["latent_channels"] = 8;
    std::ofstream(dir.path() / "a/vae/config.json") << cfg.dump();
    try {
        (void)SanaModels::load(dir.path() / "b", o);
        ADD_FAILURE() << "accepted";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("latent channels"), std::string::npos) << e.what();
    }
}

}  // namespace
}  // namespace sv
