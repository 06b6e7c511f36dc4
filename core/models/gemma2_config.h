// Gemma2Model (transformers) configuration and its weight declarations.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "models/weights.h"

namespace sv {

struct Gemma2Config {
    int vocabSize = 256000;
    int hiddenSize = 2304;
    int intermediateSize = 9216;
    int numLayers = 26;
    int numHeads = 8;
    int numKvHeads = 4;
    int headDim = 256;
    double rmsNormEps = 1e-6;
    double ropeTheta = 10000.0;
    double queryPreAttnScalar = 256;
    std::optional<double> attnLogitSoftcapping =
        50.0;  // applied only when the encoder's softcap switch is on
    int slidingWindow = 4096;
    std::vector<bool> slidingLayer;  // per layer: true = "sliding_attention"
    std::string hiddenActivation = "gelu_pytorch_tanh";
    int padTokenId = 0;
    int bosTokenId = 2;
    int eosTokenId = 1;

    static Gemma2Config fromJson(const nlohmann::json& j, std::string_view source);
    static Gemma2Config load(const std::filesystem::path& configJson);
};

/// Gemma2Model names (no "model." prefix; the loader also accepts a Gemma2ForCausalLM checkpoint's prefix).
std::vector<WeightSpec> gemma2WeightSpecs(const Gemma2Config& c);

}  // namespace sv
