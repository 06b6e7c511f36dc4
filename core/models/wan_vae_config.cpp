#include "models/wan_vae_config.h"

#include "io/json_util.h"

namespace sv {

namespace {

// The Wan 2.1 latent statistics (diffusers' AutoencoderKLWan defaults).
const std::vector<float> kWanMean = {-0.7571f, -0.7089f, -0.9113f, 0.1075f,  -0.1745f, 0.9653f,
                                     -0.1517f, 1.5508f,  0.4134f,  -0.0715f, 0.5517f,  -0.3632f,
                                     -0.1922f, -0.9497f, 0.2503f,  -0.2921f};
const std::vector<float> kWanStd = {2.8184f, 1.4541f, 2.3275f, 2.6558f, 1.2196f, 1.7708f, 2.6052f, 2.0743f,
                                    3.2687f, 2.1526f, 2.8652f, 1.5579f, 1.6382f, 1.1253f, 2.8251f, 1.9160f};

void addConv(std::vector<WeightSpec>& s, const std::string& name, Shape weightShape) {
    int64_t out = weightShape[0];
    s.push_back({name + ".weight", std::move(weightShape)});
    s.push_back({name + ".bias", {out}});
}

void addBlock(std::vector<WeightSpec>& s, const std::string& p, const WanBlock& b) {
    switch (b.kind) {
        case WanBlock::Kind::Residual:
            s.push_back({p + "norm1.gamma", {b.inDim, 1, 1, 1}});
            addConv(s, p + "conv1", {b.outDim, b.inDim, 3, 3, 3});
            s.push_back({p + "norm2.gamma", {b.outDim, 1, 1, 1}});
            addConv(s, p + "conv2", {b.outDim, b.outDim, 3, 3, 3});
            if (b.inDim != b.outDim) addConv(s, p + "conv_shortcut", {b.outDim, b.inDim, 1, 1, 1});
            break;
        case WanBlock::Kind::Downsample2d:
            addConv(s, p + "resample.1", {b.outDim, b.inDim, 3, 3});
            break;
        case WanBlock::Kind::Downsample3d:
            addConv(s, p + "resample.1", {b.outDim, b.inDim, 3, 3});
            addConv(s, p + "time_conv", {b.inDim, b.inDim, 3, 1, 1});
            break;
        case WanBlock::Kind::Upsample2d:
            addConv(s, p + "resample.1", {b.outDim, b.inDim, 3, 3});
            break;
        case WanBlock::Kind::Upsample3d:
            addConv(s, p + "time_conv", {2 * b.inDim, b.inDim, 3, 1, 1});
            addConv(s, p + "resample.1", {b.outDim, b.inDim, 3, 3});
            break;
    }
}

void addMid(std::vector<WeightSpec>& s, const std::string& p, int dim) {
    addBlock(s, p + "resnets.0.", {WanBlock::Kind::Residual, dim, dim});
    s.push_back({p + "attentions.0.norm.gamma", {dim, 1, 1}});
    addConv(s, p + "attentions.0.to_qkv", {3 * dim, dim, 1, 1});
    addConv(s, p + "attentions.0.proj", {dim, dim, 1, 1});
    addBlock(s, p + "resnets.1.", {WanBlock::Kind::Residual, dim, dim});
}

}  // namespace

WanVaeConfig WanVaeConfig::fromJson(const nlohmann::json& j, std::string_view src) {
    WanVaeConfig c;
    c.baseDim = jsonGet<int>(j, "base_dim", 96, src);
    c.decoderBaseDim = jsonGet<int>(j, "decoder_base_dim", c.baseDim, src);
    c.zDim = jsonGet<int>(j, "z_dim", 16, src);
    c.dimMult = jsonGet<std::vector<int>>(j, "dim_mult", {1, 2, 4, 4}, src);
    c.numResBlocks = jsonGet<int>(j, "num_res_blocks", 2, src);
    c.temporalDownsample = jsonGet<std::vector<bool>>(j, "temperal_downsample", {false, true, true}, src);
    c.inChannels = jsonGet<int>(j, "in_channels", 3, src);
    c.outChannels = jsonGet<int>(j, "out_channels", 3, src);
    c.scaleFactorTemporal = jsonGet<int>(j, "scale_factor_temporal", 4, src);
    c.scaleFactorSpatial = jsonGet<int>(j, "scale_factor_spatial", 8, src);
    c.latentsMean = jsonGet<std::vector<float>>(j, "latents_mean", kWanMean, src);
    c.latentsStd = jsonGet<std::vector<float>>(j, "latents_std", kWanStd, src);

    SV_CHECK(jsonGet<std::vector<double>>(j, "attn_scales", {}, src).empty(), src,
             ": key \"attn_scales\" must be empty (attention outside the mid blocks is not supported)");
    SV_CHECK(!jsonGet<bool>(j, "is_residual", false, src), src,
             ": key \"is_residual\" = true (the Wan 2.2 VAE) is not supported");
    SV_CHECK(!j.contains("patch_size") || j["patch_size"].is_null(), src,
             ": key \"patch_size\" must be null (patchified VAEs are not supported)");
    SV_CHECK(c.baseDim > 0 && c.decoderBaseDim > 0 && c.zDim > 0 && c.numResBlocks > 0, src,
             ": base_dim, decoder_base_dim, z_dim and num_res_blocks must be positive");
    // Upper bounds far above any real model (fuzzer finding: shift/multiply overflow, unbounded weight
    // lists).
    SV_CHECK(c.baseDim <= 4096 && c.decoderBaseDim <= 4096 && c.zDim <= 1024 && c.numResBlocks <= 64, src,
             ": base_dim / decoder_base_dim (<= 4096), z_dim (<= 1024) or num_res_blocks (<= 64) too large");
    SV_CHECK(c.inChannels > 0 && c.inChannels <= 64 && c.outChannels > 0 && c.outChannels <= 64, src,
             ": in_channels and out_channels must be in [1, 64]");
    SV_CHECK(c.dimMult.size() >= 2 && c.dimMult.size() <= 8, src, ": key \"dim_mult\" needs 2 to 8 entries");
    for (int m : c.dimMult) SV_CHECK(m > 0 && m <= 64, src, ": key \"dim_mult\" entries must be in [1, 64]");
    SV_CHECK(c.temporalDownsample.size() == c.dimMult.size() - 1, src, ": key \"temperal_downsample\" needs ",
             c.dimMult.size() - 1, " entries (one per down stage)");
    SV_CHECK(c.latentsMean.size() == size_t(c.zDim) && c.latentsStd.size() == size_t(c.zDim), src,
             ": latents_mean and latents_std need z_dim (", c.zDim, ") entries");
    for (float s : c.latentsStd) SV_CHECK(s > 0, src, ": key \"latents_std\" entries must be positive");
    int spatial = 1 << (c.dimMult.size() - 1), temporal = 1;
    for (bool t : c.temporalDownsample) temporal *= t ? 2 : 1;
    SV_CHECK(spatial == c.scaleFactorSpatial, src, ": scale_factor_spatial (", c.scaleFactorSpatial,
             ") does not match dim_mult (", spatial, ")");
    SV_CHECK(temporal == c.scaleFactorTemporal, src, ": scale_factor_temporal (", c.scaleFactorTemporal,
             ") does not match temperal_downsample (", temporal, ")");
    return c;
}

WanVaeConfig WanVaeConfig::load(const std::filesystem::path& configJson) {
    return fromJson(readJsonFile(configJson), configJson.string());
}

WanLayout wanVaeLayout(const WanVaeConfig& c) {
    WanLayout L;
    const int stages = int(c.dimMult.size());
    L.encoderDims.push_back(c.baseDim);
    for (int m : c.dimMult) L.encoderDims.push_back(c.baseDim * m);
    for (int i = 0; i < stages; ++i) {
        int in = L.encoderDims[size_t(i)], out = L.encoderDims[size_t(i) + 1];
        for (int r = 0; r < c.numResBlocks; ++r) {
            L.encoderBlocks.push_back({WanBlock::Kind::Residual, in, out});
            in = out;
        }
        if (i != stages - 1) {
            auto kind =
                c.temporalDownsample[size_t(i)] ? WanBlock::Kind::Downsample3d : WanBlock::Kind::Downsample2d;
            L.encoderBlocks.push_back({kind, out, out});
        }
    }
    L.encoderMidDim = L.encoderDims.back();

    const int d = c.decoderBaseDim;
    L.decoderDims.push_back(d * c.dimMult.back());
    for (int i = stages; i-- > 0;) L.decoderDims.push_back(d * c.dimMult[size_t(i)]);
    L.decoderMidDim = L.decoderDims[0];
    for (int i = 0; i < stages; ++i) {
        int in = L.decoderDims[size_t(i)], out = L.decoderDims[size_t(i) + 1];
        if (i > 0) in /= 2;  // the previous upsampler halved the channels
        WanLayout::UpBlock ub;
        for (int r = 0; r < c.numResBlocks + 1; ++r) {
            ub.resnets.push_back({WanBlock::Kind::Residual, in, out});
            in = out;
        }
        if (i != stages - 1) {
            // temperal_upsample = reversed temperal_downsample
            bool temporal = c.temporalDownsample[size_t(stages - 2 - i)];
            ub.hasUpsampler = true;
            ub.upsampler = {temporal ? WanBlock::Kind::Upsample3d : WanBlock::Kind::Upsample2d, out, out / 2};
        }
        L.decoderBlocks.push_back(std::move(ub));
    }
    L.decoderOutDim = L.decoderDims.back();
    return L;
}

std::vector<WeightSpec> wanVaeEncoderWeightSpecs(const WanVaeConfig& c) {
    const WanLayout L = wanVaeLayout(c);
    std::vector<WeightSpec> s;
    addConv(s, "encoder.conv_in", {L.encoderDims[0], c.inChannels, 3, 3, 3});
    for (size_t i = 0; i < L.encoderBlocks.size(); ++i)
        addBlock(s, concat("encoder.down_blocks.", i, "."), L.encoderBlocks[i]);
    addMid(s, "encoder.mid_block.", L.encoderMidDim);
    s.push_back({"encoder.norm_out.gamma", {L.encoderMidDim, 1, 1, 1}});
    addConv(s, "encoder.conv_out", {2 * c.zDim, L.encoderMidDim, 3, 3, 3});
    addConv(s, "quant_conv", {2 * c.zDim, 2 * c.zDim, 1, 1, 1});
    return s;
}

std::vector<WeightSpec> wanVaeDecoderWeightSpecs(const WanVaeConfig& c) {
    const WanLayout L = wanVaeLayout(c);
    std::vector<WeightSpec> s;
    addConv(s, "post_quant_conv", {c.zDim, c.zDim, 1, 1, 1});
    addConv(s, "decoder.conv_in", {L.decoderMidDim, c.zDim, 3, 3, 3});
    addMid(s, "decoder.mid_block.", L.decoderMidDim);
    for (size_t i = 0; i < L.decoderBlocks.size(); ++i) {
        const auto& ub = L.decoderBlocks[i];
        for (size_t r = 0; r < ub.resnets.size(); ++r)
            addBlock(s, concat("decoder.up_blocks.", i, ".resnets.", r, "."), ub.resnets[r]);
        if (ub.hasUpsampler) addBlock(s, concat("decoder.up_blocks.", i, ".upsamplers.0."), ub.upsampler);
    }
    s.push_back({"decoder.norm_out.gamma", {L.decoderOutDim, 1, 1, 1}});
    addConv(s, "decoder.conv_out", {c.outChannels, L.decoderOutDim, 3, 3, 3});
    return s;
}

std::vector<WeightSpec> wanVaeWeightSpecs(const WanVaeConfig& c) {
    auto s = wanVaeEncoderWeightSpecs(c);
    auto d = wanVaeDecoderWeightSpecs(c);
    s.insert(s.end(), d.begin(), d.end());
    return s;
}

}  // namespace sv
