// AutoencoderKLWan (Wan 2.1) configuration and its weight declarations, plus the block layout both the weight
// list and the model walk (so the two can never disagree).
#pragma once

#include <filesystem>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "models/weights.h"

namespace sv {

struct WanVaeConfig {
    int baseDim = 96;
    int decoderBaseDim = 96;
    int zDim = 16;
    std::vector<int> dimMult = {1, 2, 4, 4};
    int numResBlocks = 2;
    std::vector<bool> temporalDownsample = {false, true, true};
    int inChannels = 3;
    int outChannels = 3;
    int scaleFactorTemporal = 4;
    int scaleFactorSpatial = 8;
    std::vector<float> latentsMean;  // zDim entries
    std::vector<float> latentsStd;   // zDim entries

    static WanVaeConfig fromJson(const nlohmann::json& j, std::string_view source);
    static WanVaeConfig load(const std::filesystem::path& configJson);
};

/// One entry of the encoder's flat `down_blocks` list or of a decoder up block.
struct WanBlock {
    enum class Kind { Residual, Downsample2d, Downsample3d, Upsample2d, Upsample3d };
    Kind kind;
    int inDim;
    int outDim;  // for resamples: the channel count after the block
};

struct WanLayout {
    std::vector<int> encoderDims;         // [base·1, base·m0, base·m1, ...]
    std::vector<WanBlock> encoderBlocks;  // encoder.down_blocks.{i}
    int encoderMidDim = 0;
    std::vector<int> decoderDims;
    int decoderMidDim = 0;
    struct UpBlock {
        std::vector<WanBlock> resnets;  // decoder.up_blocks.{i}.resnets.{j}
        bool hasUpsampler = false;      // decoder.up_blocks.{i}.upsamplers.0
        WanBlock upsampler{};
    };
    std::vector<UpBlock> decoderBlocks;
    int decoderOutDim = 0;
};

WanLayout wanVaeLayout(const WanVaeConfig& c);
std::vector<WeightSpec> wanVaeWeightSpecs(const WanVaeConfig& c);
/// Only the encoder half (encoder.* + quant_conv.*) or the decoder half (post_quant_conv.* + decoder.*).
std::vector<WeightSpec> wanVaeEncoderWeightSpecs(const WanVaeConfig& c);
std::vector<WeightSpec> wanVaeDecoderWeightSpecs(const WanVaeConfig& c);

}  // namespace sv
