// The typed configs and weight declarations: they must describe the fixture checkpoints exactly (names and
// shapes) and reproduce the full-size parameter counts of the spec from the architecture alone.
#include <gtest/gtest.h>

#include "io/json_util.h"
#include "models/gemma2_config.h"
#include "models/transformer_config.h"
#include "models/video_vae.h"
#include "models/wan_vae_config.h"
#include "support/reference.h"

namespace sv {
namespace {

void expectSpecsMatchArchive(const std::vector<WeightSpec>& specs, const std::filesystem::path& dir,
                             const std::vector<std::string>& prefixes = {}) {
    WeightArchive a = WeightArchive::open(dir);
    LoadOptions opt;
    opt.acceptedPrefixes = prefixes;
    WeightSet w = loadWeights(a, specs, opt, dir.filename().string());
    EXPECT_EQ(w.size(), specs.size());
    EXPECT_EQ(a.names().size(), specs.size()) << dir;
}

TEST(ModelConfigs, TransformerFixturesMatchDeclaredWeights) {
    auto folders = test::referenceFolders("transformer_");
    ASSERT_FALSE(folders.empty());
    for (const auto& f : folders) {
        SCOPED_TRACE(f.filename().string());
        auto cfg = TransformerConfig::load(f / "config.json");
        expectSpecsMatchArchive(transformerWeightSpecs(cfg), f);
    }
}

TEST(ModelConfigs, VaeFixtureMatchesDeclaredWeights) {
    for (const auto& f : test::referenceFolders("vae_")) {
        SCOPED_TRACE(f.filename().string());
        expectSpecsMatchArchive(VideoVaeConfig::load(f / "config.json").weightSpecs(), f);
    }
}

TEST(ModelConfigs, GemmaFixtureMatchesDeclaredWeights) {
    for (const auto& f : test::referenceFolders("gemma2_")) {
        SCOPED_TRACE(f.filename().string());
        auto cfg = Gemma2Config::load(f / "config.json");
        EXPECT_EQ(cfg.slidingLayer.size(), size_t(cfg.numLayers));
        expectSpecsMatchArchive(gemma2WeightSpecs(cfg), f, {"model."});
    }
}

TEST(ModelConfigs, FullSizeParameterCounts) {
    auto full = test::referenceDir() / "full_size";
    if (!std::filesystem::exists(full)) GTEST_SKIP() << "no full_size configs in " << test::referenceDir();
    EXPECT_EQ(
        countParameters(transformerWeightSpecs(TransformerConfig::load(full / "transformer/config.json"))),
        2056862144);
    EXPECT_EQ(countParameters(wanVaeWeightSpecs(WanVaeConfig::load(full / "vae/config.json"))), 126892531);
    EXPECT_EQ(countParameters(gemma2WeightSpecs(Gemma2Config::load(full / "text_encoder/config.json"))),
              2614341888);
}

// The 720p configs of full_size/ (transformer_720p/, vae_ltx2/). The LTX-2 VAE's counts were also taken from
// diffusers' module instantiated on meta tensors (1,222,479,601 = 694,098,881 encoder + 528,380,720 decoder).
TEST(ModelConfigs, FullSize720pParameterCounts) {
    const auto full = test::referenceDir() / "full_size";
    if (!std::filesystem::exists(full / "vae_ltx2")) GTEST_SKIP() << "no 720p configs in " << full;
    const TransformerConfig tc = TransformerConfig::load(full / "transformer_720p/config.json");
    EXPECT_EQ(tc.sampleSize, 22);
    EXPECT_EQ(countParameters(transformerWeightSpecs(tc)), 2057148928);
    const VideoVaeConfig vae = VideoVaeConfig::load(full / "vae_ltx2/config.json");
    EXPECT_EQ(vae.family(), VaeFamily::Ltx2);
    EXPECT_EQ(vae.latentChannels(), tc.inChannels);
    EXPECT_EQ(vae.spatialCompression(), 32);
    EXPECT_EQ(vae.temporalCompression(), 8);
    EXPECT_EQ(countParameters(vae.weightSpecs()), 1222479601);
    EXPECT_EQ(countParameters(vae.weightSpecs(VaeParts::Encoder)), 694098881);
    EXPECT_EQ(countParameters(vae.weightSpecs(VaeParts::Decoder)), 528380720);
    EXPECT_EQ(vae.weightSpecs().size(), 184u);  // the state dict's tensors, buffers included
}

TEST(ModelConfigs, LoaderReportsEveryMismatchAtOnce) {
    test::TempDir dir;
    auto cfg = TransformerConfig::load(test::referenceFolders("transformer_tiny").at(0) / "config.json");
    auto specs = transformerWeightSpecs(cfg);
    std::vector<std::pair<std::string, Tensor>> tensors;
    for (size_t i = 1; i < specs.size(); ++i) {  // drop the first: missing
        Shape s = specs[i].shape;
        if (i == 2) s[0] += 1;  // mis-shaped
        tensors.emplace_back(specs[i].name, Tensor::zeros(s, DType::BF16));
    }
    tensors.emplace_back("bogus.weight", Tensor::zeros({3}, DType::F32));  // unexpected
    writeSafetensors(dir.path() / "diffusion_pytorch_model.safetensors", tensors);
    try {
        loadWeights(WeightArchive::open(dir.path()), specs, {}, "transformer");
        FAIL() << "expected an error";
    } catch (const Error& e) {
        std::string m = e.what();
        EXPECT_NE(m.find("1 missing"), std::string::npos) << m;
        EXPECT_NE(m.find(specs[0].name), std::string::npos) << m;
        EXPECT_NE(m.find("1 unexpected"), std::string::npos) << m;
        EXPECT_NE(m.find("bogus.weight"), std::string::npos) << m;
        EXPECT_NE(m.find("wrong shape"), std::string::npos) << m;
        EXPECT_NE(m.find(specs[2].name), std::string::npos) << m;
    }
}

TEST(ModelConfigs, BadConfigsNameTheKey) {
    nlohmann::json j = readJsonFile(test::referenceFolders("transformer_tiny").at(0) / "config.json");
    j.erase("num_layers");
    try {
        TransformerConfig::fromJson(j, "x/config.json");
        FAIL();
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("\"num_layers\""), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("x/config.json"), std::string::npos) << e.what();
    }
    j = readJsonFile(test::referenceFolders("transformer_tiny").at(0) / "config.json");
    j["mlp_ratio"] = "three";
    EXPECT_THROW(TransformerConfig::fromJson(j, "x/config.json"), Error);
}

}  // namespace
}  // namespace sv
