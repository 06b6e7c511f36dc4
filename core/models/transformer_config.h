// SanaVideoTransformer3DModel configuration (diffusers config.json) and its weight declarations.
#pragma once

#include <array>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "models/weights.h"

namespace sv {

struct TransformerConfig {
    int inChannels = 16;
    int outChannels = 16;
    int numHeads = 20;
    int headDim = 112;
    int numLayers = 20;
    int numCrossHeads = 20;
    int crossHeadDim = 112;
    int crossAttentionDim = 2240;
    int captionChannels = 2304;
    double mlpRatio = 3.0;
    bool attentionBias = false;  // biases on attn1 to_q/k/v
    int sampleSize = 30;         // selects the resolution-binning table (30 → 480p, 22 → 720p)
    std::array<int, 3> patchSize = {1, 2, 2};  // (t, h, w)
    double normEps = 1e-6;
    std::string qkNorm = "rms_norm_across_heads";
    int ropeMaxSeqLen = 1024;
    /// LongSANA: the config names SanaVideoCausalTransformer3DModel (diffusers PR #12723). Same weights and
    /// keys; the forward can carry a per-block state from chunk to chunk (models/sana_causal.h).
    bool causal = false;

    int innerDim() const { return numHeads * headDim; }
    int crossInnerDim() const { return numCrossHeads * crossHeadDim; }
    /// GLUMBTempConv hidden width: int(mlp_ratio · D) (diffusers truncates).
    int ffHidden() const { return int(mlpRatio * innerDim()); }
    int patchVolume() const { return patchSize[0] * patchSize[1] * patchSize[2]; }
    /// RoPE split of the head dimension into (t, h, w): h = w = 2·(headDim / 6), t = the rest.
    std::array<int, 3> ropeSplit() const {
        int hw = 2 * (headDim / 6);
        return {headDim - 2 * hw, hw, hw};
    }

    /// The diffusers class name of the causal (LongSANA) variant.
    static constexpr const char* kCausalClassName = "SanaVideoCausalTransformer3DModel";

    /// Parses and validates; errors name `source` and the key.
    static TransformerConfig fromJson(const nlohmann::json& j, std::string_view source);
    static TransformerConfig load(const std::filesystem::path& configJson);
};

std::vector<WeightSpec> transformerWeightSpecs(const TransformerConfig& c);

}  // namespace sv
