#include "models/ltx2_vae_config.h"

#include <algorithm>

#include "io/json_util.h"

namespace sv {

namespace {

// A config value diffusers accepts as one bool (repeated `count` times) or as a list.
std::vector<bool> boolOrList(const nlohmann::json& j, std::string_view key, std::vector<bool> fallback,
                             size_t count, std::string_view src) {
    auto it = j.find(std::string(key));
    if (it == j.end() || it->is_null()) return fallback;
    if (it->is_boolean()) return std::vector<bool>(count, it->get<bool>());
    return jsonRequire<std::vector<bool>>(j, key, src);
}

Ltx2Stride strideOf(std::string_view type, std::string_view key, std::string_view src) {
    if (type == "spatial") return {1, 2, 2};
    if (type == "temporal") return {2, 1, 1};
    if (type == "spatiotemporal") return {2, 2, 2};
    fail(src, ": key \"", key, "\" entry \"", type,
         "\" is not supported (spatial, temporal or spatiotemporal",
         type == "conv" ? "; the strided-conv downsampler keeps its input width, which LTX-2 never uses" : "",
         ")");
}

bool reflectMode(const nlohmann::json& j, std::string_view key, const char* fallback, std::string_view src) {
    const std::string mode = jsonGet<std::string>(j, key, fallback, src);
    SV_CHECK(mode == "zeros" || mode == "reflect", src, ": key \"", key, "\" = \"", mode,
             "\" is not supported (zeros or reflect)");
    return mode == "reflect";
}

int volume(const Ltx2Stride& s) {
    return s[0] * s[1] * s[2];
}

void checkSizes(const Ltx2VaeConfig& c, std::string_view src) {
    auto positive = [&](const std::vector<int>& v, const char* key, size_t n, int lo = 1) {
        SV_CHECK(v.size() == n, src, ": key \"", key, "\" needs ", n, " entries, has ", v.size());
        for (int x : v)
            SV_CHECK(x >= lo && x <= 8192, src, ": key \"", key, "\" entries must be in [", lo, ", 8192]");
    };
    const size_t enc = c.blockOutChannels.size(), dec = c.decoderBlockOutChannels.size();
    SV_CHECK(enc >= 1 && enc <= 8 && dec >= 1 && dec <= 8, src,
             ": block_out_channels and decoder_block_out_channels need 1 to 8 entries");
    positive(c.blockOutChannels, "block_out_channels", enc);
    positive(c.layersPerBlock, "layers_per_block", enc + 1, 0);  // 0: a block with only its downsampler
    positive(c.decoderBlockOutChannels, "decoder_block_out_channels", dec);
    positive(c.decoderLayersPerBlock, "decoder_layers_per_block", dec + 1, 0);
    positive(c.upsampleFactor, "upsample_factor", dec);
    for (int n : c.layersPerBlock) SV_CHECK(n <= 64, src, ": layers_per_block entries must be at most 64");
    for (int n : c.decoderLayersPerBlock)
        SV_CHECK(n <= 64, src, ": decoder_layers_per_block entries must be at most 64");
    SV_CHECK(c.spatioTemporalScaling.size() == enc && c.downsampleType.size() == enc, src,
             ": spatio_temporal_scaling and downsample_type need ", enc, " entries (one per encoder block)");
    SV_CHECK(c.decoderSpatioTemporalScaling.size() == dec && c.upsampleType.size() == dec &&
                 c.upsampleResidual.size() == dec,
             src, ": decoder_spatio_temporal_scaling, upsample_type and upsample_residual need ", dec,
             " entries (one per decoder block)");
    SV_CHECK(c.inChannels > 0 && c.inChannels <= 64 && c.outChannels > 0 && c.outChannels <= 64, src,
             ": in_channels and out_channels must be in [1, 64]");
    SV_CHECK(c.latentChannels >= 2 && c.latentChannels <= 4096, src,
             ": latent_channels must be in [2, 4096]");
    SV_CHECK(c.patchSize >= 1 && c.patchSize <= 16, src, ": patch_size must be in [1, 16]");
    // diffusers sizes conv_in / conv_out as channels · patch² (no patch_size_t), so only 1 runs.
    SV_CHECK(c.patchSizeT == 1, src, ": patch_size_t = ", c.patchSizeT,
             " is not supported (diffusers' conv_in/conv_out ignore it; only 1 runs)");
    SV_CHECK(c.spatialCompression > 0 && c.temporalCompression > 0, src,
             ": spatial_compression_ratio and temporal_compression_ratio must be positive");
}

}  // namespace

Ltx2VaeConfig Ltx2VaeConfig::fromJson(const nlohmann::json& j, std::string_view src) {
    SV_CHECK(j.is_object(), src, ": expected a JSON object");
    Ltx2VaeConfig c;
    c.inChannels = jsonGet<int>(j, "in_channels", c.inChannels, src);
    c.outChannels = jsonGet<int>(j, "out_channels", c.outChannels, src);
    c.latentChannels = jsonGet<int>(j, "latent_channels", c.latentChannels, src);
    c.blockOutChannels = jsonGet<std::vector<int>>(j, "block_out_channels", c.blockOutChannels, src);
    c.decoderBlockOutChannels =
        jsonGet<std::vector<int>>(j, "decoder_block_out_channels", c.decoderBlockOutChannels, src);
    c.layersPerBlock = jsonGet<std::vector<int>>(j, "layers_per_block", c.layersPerBlock, src);
    c.decoderLayersPerBlock =
        jsonGet<std::vector<int>>(j, "decoder_layers_per_block", c.decoderLayersPerBlock, src);
    const size_t enc = c.layersPerBlock.empty() ? 0 : c.layersPerBlock.size() - 1;
    const size_t dec = c.decoderLayersPerBlock.empty() ? 0 : c.decoderLayersPerBlock.size() - 1;
    c.spatioTemporalScaling = boolOrList(j, "spatio_temporal_scaling", c.spatioTemporalScaling, enc, src);
    c.decoderSpatioTemporalScaling =
        boolOrList(j, "decoder_spatio_temporal_scaling", c.decoderSpatioTemporalScaling, dec, src);
    c.upsampleResidual = boolOrList(j, "upsample_residual", c.upsampleResidual, dec, src);
    c.downsampleType = jsonGet<std::vector<std::string>>(j, "downsample_type", c.downsampleType, src);
    c.upsampleType = jsonGet<std::vector<std::string>>(j, "upsample_type", c.upsampleType, src);
    c.upsampleFactor = jsonGet<std::vector<int>>(j, "upsample_factor", c.upsampleFactor, src);
    c.patchSize = jsonGet<int>(j, "patch_size", c.patchSize, src);
    c.patchSizeT = jsonGet<int>(j, "patch_size_t", c.patchSizeT, src);
    c.resnetNormEps = jsonGet<double>(j, "resnet_norm_eps", c.resnetNormEps, src);
    c.encoderCausal = jsonGet<bool>(j, "encoder_causal", c.encoderCausal, src);
    c.decoderCausal = jsonGet<bool>(j, "decoder_causal", c.decoderCausal, src);
    c.encoderReflectPadding = reflectMode(j, "encoder_spatial_padding_mode", "zeros", src);
    c.decoderReflectPadding = reflectMode(j, "decoder_spatial_padding_mode", "reflect", src);

    for (const auto& t : jsonGet<std::vector<std::string>>(j, "down_block_types", {}, src))
        SV_CHECK(t == "LTX2VideoDownBlock3D", src, ": down block type \"", t, "\" is not supported");
    // The SANA-Video pipelines call vae.decode(latents) without a timestep embedding, and noise injection
    // draws from torch's global generator: neither has a reproducible meaning here.
    SV_CHECK(!jsonGet<bool>(j, "timestep_conditioning", false, src), src,
             ": timestep_conditioning = true is not supported (SANA-Video decodes without a timestep)");
    for (bool b : boolOrList(j, "decoder_inject_noise", {}, dec + 1, src))
        SV_CHECK(!b, src, ": decoder_inject_noise is not supported (it draws unseeded noise)");

    int scaled = 0;
    for (bool b : c.spatioTemporalScaling) scaled += b ? 1 : 0;
    SV_CHECK(scaled <= 8, src, ": too many scaling blocks");
    c.spatialCompression = jsonGet<int>(j, "spatial_compression_ratio", c.patchSize << scaled, src);
    c.temporalCompression = jsonGet<int>(j, "temporal_compression_ratio", c.patchSizeT << scaled, src);
    checkSizes(c, src);
    (void)ltx2VaeLayout(c, src);  // every structural rule
    return c;
}

Ltx2VaeConfig Ltx2VaeConfig::load(const std::filesystem::path& configJson) {
    return fromJson(readJsonFile(configJson), configJson.string());
}

int64_t Ltx2Layout::decodedFrames(int64_t latentFrames) const {
    int64_t f = latentFrames;
    for (const auto& b : decoderBlocks)
        if (b.upsample) f = b.stride[0] * f - (b.stride[0] - 1);
    return f;
}

int64_t Ltx2Layout::encodedFrames(int64_t pixelFrames) const {
    int64_t f = pixelFrames;
    for (const auto& b : encoderBlocks) {
        if (!b.downsample) continue;
        if ((f + b.stride[0] - 1) % b.stride[0] != 0) return 0;
        f = (f + b.stride[0] - 1) / b.stride[0];
    }
    return f;
}

int Ltx2Layout::decoderSpatialScale() const {
    int s = patch;
    for (const auto& b : decoderBlocks)
        if (b.upsample) s *= b.stride[1];
    return s;
}

int Ltx2Layout::encoderSpatialScale() const {
    int s = patch;
    for (const auto& b : encoderBlocks)
        if (b.downsample) s *= b.stride[1];
    return s;
}

// Mirrors LTX2VideoEncoder3d / LTX2VideoDecoder3d.__init__ (autoencoder_kl_ltx2.py), including the channel
// bookkeeping of the decoder's up blocks (input = output // factor).
Ltx2Layout ltx2VaeLayout(const Ltx2VaeConfig& c, std::string_view src) {
    Ltx2Layout L;
    L.patch = c.patchSize;
    const int p2 = c.patchSize * c.patchSize;
    L.encoderIn = c.inChannels * p2;
    L.encoderConvInOut = c.latentChannels;
    int ch = c.latentChannels;
    for (size_t i = 0; i < c.blockOutChannels.size(); ++i) {
        Ltx2EncoderBlock b{};
        b.dim = ch;
        b.resnets = c.layersPerBlock[i];
        b.outDim = c.blockOutChannels[i];
        b.downsample = c.spatioTemporalScaling[i];
        b.groupSize = 1;
        if (b.downsample) {
            b.stride = strideOf(c.downsampleType[i], "downsample_type", src);
            const int v = volume(b.stride);
            SV_CHECK(b.outDim % v == 0 && (ch * v) % b.outDim == 0, src, ": encoder block ", i, " (", ch,
                     " → ", b.outDim, " channels) does not fit its ", c.downsampleType[i], " downsampler");
            b.groupSize = ch * v / b.outDim;
        } else {
            SV_CHECK(ch == b.outDim, src, ": encoder block ", i,
                     " has no downsampler but changes the channel count (diffusers cannot run it)");
        }
        L.encoderBlocks.push_back(b);
        ch = b.outDim;
    }
    L.encoderMidDim = ch;
    L.encoderMidResnets = c.layersPerBlock.back();

    // Decoder: every per-block list reversed except upsample_type (as diffusers does).
    const size_t n = c.decoderBlockOutChannels.size();
    auto rev = [n](size_t i) { return n - 1 - i; };
    ch = c.decoderBlockOutChannels[rev(0)];
    L.decoderConvInOut = ch;
    L.decoderMidResnets = c.decoderLayersPerBlock.back();
    int outputChannel = ch;
    for (size_t i = 0; i < n; ++i) {
        Ltx2DecoderBlock b{};
        const int f = c.upsampleFactor[rev(i)];
        const int input = outputChannel / f;
        outputChannel = c.decoderBlockOutChannels[rev(i)] / f;
        b.inDim = ch;
        b.dim = outputChannel;
        if (input != outputChannel) {
            SV_CHECK(input == ch, src, ": decoder up block ", i, " declares ", input,
                     " input channels but gets ", ch, " (diffusers cannot run this config)");
            b.convIn.push_back({input, outputChannel});
            ch = outputChannel;
        }
        b.upsample = c.decoderSpatioTemporalScaling[rev(i)];
        if (b.upsample) {
            b.stride = strideOf(c.upsampleType[i], "upsample_type", src);
            b.residual = c.upsampleResidual[rev(i)];
            b.upscaleFactor = f;
            b.upsamplerIn = outputChannel * f;
            const int v = volume(b.stride);
            SV_CHECK(b.upsamplerIn == ch, src, ": decoder up block ", i, "'s upsampler expects ",
                     b.upsamplerIn, " channels but gets ", ch, " (diffusers cannot run this config)");
            SV_CHECK((b.upsamplerIn * v) % f == 0 && b.upsamplerIn % v == 0 && v % f == 0, src,
                     ": decoder up block ", i, ": upsample factor ", f, " does not fit ", b.upsamplerIn,
                     " channels and stride volume ", v);
            b.upsamplerConvOut = b.upsamplerIn * v / f;
            ch = b.upsamplerConvOut / v;
        }
        SV_CHECK(ch == outputChannel, src, ": decoder up block ", i, " produces ", ch,
                 " channels, its resnets ", "expect ", outputChannel, " (diffusers cannot run this config)");
        b.resnets = c.decoderLayersPerBlock[rev(i)];  // reversed list, entry i + 1
        L.decoderBlocks.push_back(b);
    }
    L.decoderOutDim = ch;
    L.decoderConvOut = c.outChannels * p2;
    return L;
}

namespace {

void addConv(std::vector<WeightSpec>& s, const std::string& name, int out, int in, int k) {
    s.push_back({name + ".weight", {out, in, k, k, k}});
    s.push_back({name + ".bias", {out}});
}

void addResnet(std::vector<WeightSpec>& s, const std::string& p, const Ltx2Resnet& r) {
    addConv(s, p + "conv1.conv", r.outDim, r.inDim, 3);
    addConv(s, p + "conv2.conv", r.outDim, r.outDim, 3);
    if (r.inDim != r.outDim) {
        s.push_back({p + "norm3.weight", {r.inDim}});
        s.push_back({p + "norm3.bias", {r.inDim}});
        addConv(s, p + "conv_shortcut", r.outDim, r.inDim, 1);
    }
}

void addBuffers(std::vector<WeightSpec>& s, const Ltx2VaeConfig& c) {
    s.push_back({"latents_mean", {c.latentChannels}, true});
    s.push_back({"latents_std", {c.latentChannels}, true});
}

}  // namespace

std::vector<WeightSpec> ltx2VaeEncoderWeightSpecs(const Ltx2VaeConfig& c) {
    const Ltx2Layout L = ltx2VaeLayout(c);
    std::vector<WeightSpec> s;
    addConv(s, "encoder.conv_in.conv", L.encoderConvInOut, L.encoderIn, 3);
    for (size_t i = 0; i < L.encoderBlocks.size(); ++i) {
        const auto& b = L.encoderBlocks[i];
        const std::string p = concat("encoder.down_blocks.", i, ".");
        for (int r = 0; r < b.resnets; ++r) addResnet(s, concat(p, "resnets.", r, "."), {b.dim, b.dim});
        if (b.downsample) addConv(s, p + "downsamplers.0.conv.conv", b.outDim / volume(b.stride), b.dim, 3);
    }
    for (int r = 0; r < L.encoderMidResnets; ++r)
        addResnet(s, concat("encoder.mid_block.resnets.", r, "."), {L.encoderMidDim, L.encoderMidDim});
    addConv(s, "encoder.conv_out.conv", c.latentChannels + 1, L.encoderMidDim, 3);
    addBuffers(s, c);
    return s;
}

std::vector<WeightSpec> ltx2VaeDecoderWeightSpecs(const Ltx2VaeConfig& c) {
    const Ltx2Layout L = ltx2VaeLayout(c);
    std::vector<WeightSpec> s;
    addConv(s, "decoder.conv_in.conv", L.decoderConvInOut, c.latentChannels, 3);
    for (int r = 0; r < L.decoderMidResnets; ++r)
        addResnet(s, concat("decoder.mid_block.resnets.", r, "."), {L.decoderConvInOut, L.decoderConvInOut});
    for (size_t i = 0; i < L.decoderBlocks.size(); ++i) {
        const auto& b = L.decoderBlocks[i];
        const std::string p = concat("decoder.up_blocks.", i, ".");
        for (const auto& r : b.convIn) addResnet(s, p + "conv_in.", r);
        if (b.upsample) addConv(s, p + "upsamplers.0.conv.conv", b.upsamplerConvOut, b.upsamplerIn, 3);
        for (int r = 0; r < b.resnets; ++r) addResnet(s, concat(p, "resnets.", r, "."), {b.dim, b.dim});
    }
    addConv(s, "decoder.conv_out.conv", L.decoderConvOut, L.decoderOutDim, 3);
    addBuffers(s, c);
    return s;
}

std::vector<WeightSpec> ltx2VaeWeightSpecs(const Ltx2VaeConfig& c) {
    std::vector<WeightSpec> s = ltx2VaeEncoderWeightSpecs(c);
    s.resize(s.size() - 2);  // the buffers come once, after the decoder
    for (auto& d : ltx2VaeDecoderWeightSpecs(c)) s.push_back(std::move(d));
    return s;
}

}  // namespace sv
