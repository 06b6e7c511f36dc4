// AutoencoderKLLTX2Video (the LTX-2 video VAE of SANA-Video 720p) configuration, its block layout and its
// weight declarations (diffusers models/autoencoders/autoencoder_kl_ltx2.py). The layout is derived once from
// the config and drives both the weight list and the forward walk, so the two cannot disagree.
#pragma once

#include <array>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "models/weights.h"

namespace sv {

struct Ltx2VaeConfig {
    int inChannels = 3;
    int outChannels = 3;
    int latentChannels = 128;
    std::vector<int> blockOutChannels = {256, 512, 1024, 2048};
    std::vector<int> decoderBlockOutChannels = {256, 512, 1024};
    std::vector<int> layersPerBlock = {4, 6, 6, 2, 2};
    std::vector<int> decoderLayersPerBlock = {5, 5, 5, 5};
    std::vector<bool> spatioTemporalScaling = {true, true, true, true};
    std::vector<bool> decoderSpatioTemporalScaling = {true, true, true};
    std::vector<std::string> downsampleType = {"spatial", "temporal", "spatiotemporal", "spatiotemporal"};
    std::vector<std::string> upsampleType = {"spatiotemporal", "spatiotemporal", "spatiotemporal"};
    std::vector<bool> upsampleResidual = {true, true, true};
    std::vector<int> upsampleFactor = {2, 2, 2};
    int patchSize = 4;
    int patchSizeT = 1;
    double resnetNormEps = 1e-6;  // the LayerNorm of conv-shortcut resnets (PerChannelRMSNorm uses 1e-8)
    bool encoderCausal = true;
    bool decoderCausal = true;           // the class default; LTX-2's config.json says false
    bool encoderReflectPadding = false;  // encoder_spatial_padding_mode: "zeros" or "reflect"
    bool decoderReflectPadding = true;   // decoder_spatial_padding_mode
    // What the pipelines read (config.spatial_compression_ratio / temporal_compression_ratio); when the
    // config holds null, the model attribute diffusers computes: patch · 2^Σ spatio_temporal_scaling.
    int spatialCompression = 32;
    int temporalCompression = 8;

    static Ltx2VaeConfig fromJson(const nlohmann::json& j, std::string_view source);
    static Ltx2VaeConfig load(const std::filesystem::path& configJson);
};

/// A stride of a down/up-sampler in (t, h, w).
using Ltx2Stride = std::array<int, 3>;

struct Ltx2Resnet {
    int inDim;
    int outDim;  // in ≠ out: norm3 (LayerNorm) + conv_shortcut (1×1×1) on the skip path
};

struct Ltx2EncoderBlock {  // encoder.down_blocks.{i}
    int dim;               // channels of the resnets
    int resnets;
    bool downsample = false;  // downsamplers.0 (LTX2VideoDownsampler3d)
    Ltx2Stride stride{1, 1, 1};
    int outDim;     // channels after the block
    int groupSize;  // channels averaged by the downsampler's residual
};

struct Ltx2DecoderBlock {            // decoder.up_blocks.{i}
    int inDim;                       // channels arriving
    std::vector<Ltx2Resnet> convIn;  // 0 or 1 resnet (in ≠ out)
    bool upsample = false;           // upsamplers.0 (LTX2VideoUpsampler3d)
    Ltx2Stride stride{1, 1, 1};
    bool residual = false;
    int upscaleFactor = 1;
    int upsamplerIn = 0;  // upsampler conv channels in / out
    int upsamplerConvOut = 0;
    int dim = 0;  // channels of the resnets and after the block
    int resnets = 0;
};

struct Ltx2Layout {
    int patch = 1;      // spatial patch (patch_size)
    int encoderIn = 0;  // in_channels · patch²
    int encoderConvInOut = 0;
    std::vector<Ltx2EncoderBlock> encoderBlocks;
    int encoderMidDim = 0;
    int encoderMidResnets = 0;
    int decoderConvInOut = 0;
    int decoderMidResnets = 0;
    std::vector<Ltx2DecoderBlock> decoderBlocks;
    int decoderOutDim = 0;   // conv_out input channels
    int decoderConvOut = 0;  // out_channels · patch²
    /// Pixel frames decoded from F latent frames (each temporal upsampler maps f → s·f − (s − 1)).
    int64_t decodedFrames(int64_t latentFrames) const;
    /// Latent frames encoded from F pixel frames (each temporal downsampler maps f → (f + s − 1) / s); 0 when
    /// F does not divide evenly.
    int64_t encodedFrames(int64_t pixelFrames) const;
    int decoderSpatialScale() const;  // patch · Π stride_h of the upsamplers
    int encoderSpatialScale() const;  // patch · Π stride_h of the downsamplers
};

/// The layout, or sv::Error naming `source` for a config that diffusers itself could not run.
Ltx2Layout ltx2VaeLayout(const Ltx2VaeConfig& c, std::string_view source = "AutoencoderKLLTX2Video config");
std::vector<WeightSpec> ltx2VaeWeightSpecs(const Ltx2VaeConfig& c);
/// encoder.* or decoder.*, each with the latents_mean / latents_std buffers (both halves use them).
std::vector<WeightSpec> ltx2VaeEncoderWeightSpecs(const Ltx2VaeConfig& c);
std::vector<WeightSpec> ltx2VaeDecoderWeightSpecs(const Ltx2VaeConfig& c);

}  // namespace sv
