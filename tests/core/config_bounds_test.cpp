// Regression tests for the fuzzer's config findings: absurd sizes must be rejected with an error naming the
// key and file (before they overflow int arithmetic or build billions of weight declarations).
#include <gtest/gtest.h>

#include "io/json_util.h"
#include "models/gemma2_config.h"
#include "models/transformer_config.h"
#include "models/wan_vae_config.h"
#include "support/reference.h"

namespace sv {
namespace {

nlohmann::json fixtureConfig(const std::string& folder) {
    return readJsonFile(test::referenceDir() / folder / "config.json");
}

template <class F>
void expectRejected(F&& parse, const std::string& fragment) {
    try {
        parse();
        ADD_FAILURE() << "accepted; expected an error mentioning " << fragment;
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("x/config.json"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
    }
}

TEST(ConfigBounds, TransformerWidthOverflow) {
    nlohmann::json j = fixtureConfig("transformer_tiny");
    j["num_attention_heads"] = 65536;
    j["attention_head_dim"] = 65536;
    expectRejected([&] { TransformerConfig::fromJson(j, "x/config.json"); }, "attention");
    j = fixtureConfig("transformer_tiny");
    j["num_layers"] = 100000000;
    expectRejected([&] { TransformerConfig::fromJson(j, "x/config.json"); }, "num_layers");
    j = fixtureConfig("transformer_tiny");
    j["mlp_ratio"] = 1e300;
    expectRejected([&] { TransformerConfig::fromJson(j, "x/config.json"); }, "mlp_ratio");
}

TEST(ConfigBounds, VaeStageCount) {
    nlohmann::json j = fixtureConfig("vae_tiny");
    j["dim_mult"] = std::vector<int>(40, 1);
    j["temperal_downsample"] = std::vector<bool>(39, true);
    expectRejected([&] { WanVaeConfig::fromJson(j, "x/config.json"); }, "dim_mult");
    j = fixtureConfig("vae_tiny");
    j["in_channels"] = 0;
    expectRejected([&] { WanVaeConfig::fromJson(j, "x/config.json"); }, "in_channels");
}

TEST(ConfigBounds, GemmaLayerCount) {
    nlohmann::json j = fixtureConfig("gemma2_tiny");
    j["num_hidden_layers"] = 50000000;
    j.erase("layer_types");
    expectRejected([&] { Gemma2Config::fromJson(j, "x/config.json"); }, "num_hidden_layers");
    j = fixtureConfig("gemma2_tiny");
    j["eos_token_id"] = {"one"};
    expectRejected([&] { Gemma2Config::fromJson(j, "x/config.json"); }, "eos_token_id");
}

}  // namespace
}  // namespace sv
