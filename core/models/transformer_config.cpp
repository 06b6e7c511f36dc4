#include "models/transformer_config.h"

#include "io/json_util.h"

namespace sv {

TransformerConfig TransformerConfig::fromJson(const nlohmann::json& j, std::string_view src) {
    TransformerConfig c;
    c.inChannels = jsonRequire<int>(j, "in_channels", src);
    c.outChannels = jsonGet<int>(j, "out_channels", c.inChannels, src);
    c.numHeads = jsonRequire<int>(j, "num_attention_heads", src);
    c.headDim = jsonRequire<int>(j, "attention_head_dim", src);
    c.numLayers = jsonRequire<int>(j, "num_layers", src);
    c.numCrossHeads = jsonRequire<int>(j, "num_cross_attention_heads", src);
    c.crossHeadDim = jsonRequire<int>(j, "cross_attention_head_dim", src);
    c.crossAttentionDim = jsonRequire<int>(j, "cross_attention_dim", src);
    c.captionChannels = jsonRequire<int>(j, "caption_channels", src);
    c.mlpRatio = jsonRequire<double>(j, "mlp_ratio", src);
    c.attentionBias = jsonGet<bool>(j, "attention_bias", false, src);
    c.sampleSize = jsonGet<int>(j, "sample_size", 30, src);
    auto patch = jsonGet<std::vector<int>>(j, "patch_size", {1, 2, 2}, src);
    SV_CHECK(patch.size() == 3, src, ": key \"patch_size\" must have 3 entries (t, h, w)");
    c.patchSize = {patch[0], patch[1], patch[2]};
    c.normEps = jsonGet<double>(j, "norm_eps", 1e-6, src);
    c.qkNorm = jsonGet<std::string>(j, "qk_norm", "rms_norm_across_heads", src);
    c.ropeMaxSeqLen = jsonGet<int>(j, "rope_max_seq_len", 1024, src);
    c.causal = jsonGet<std::string>(j, "_class_name", "", src) == kCausalClassName;

    SV_CHECK(!jsonGet<bool>(j, "guidance_embeds", false, src), src,
             ": key \"guidance_embeds\" = true (guidance-distilled variant) is not supported");
    SV_CHECK(!jsonGet<bool>(j, "norm_elementwise_affine", false, src), src,
             ": key \"norm_elementwise_affine\" = true is not supported");
    SV_CHECK(c.qkNorm == "rms_norm_across_heads", src, ": key \"qk_norm\" = \"", c.qkNorm,
             "\" is not supported (only \"rms_norm_across_heads\")");
    // Upper bounds far above any real model keep every size product inside int (fuzzer finding: overflow in
    // innerDim() and unbounded weight lists).
    constexpr int kMaxDim = 1 << 16;
    auto positive = [&](int v, const char* key) {
        SV_CHECK(v > 0 && v <= kMaxDim, src, ": key \"", key, "\" must be in [1, ", kMaxDim, "], got ", v);
    };
    positive(c.inChannels, "in_channels");
    positive(c.outChannels, "out_channels");
    positive(c.numHeads, "num_attention_heads");
    positive(c.headDim, "attention_head_dim");
    positive(c.numLayers, "num_layers");
    positive(c.numCrossHeads, "num_cross_attention_heads");
    positive(c.crossHeadDim, "cross_attention_head_dim");
    positive(c.captionChannels, "caption_channels");
    for (int p : c.patchSize)
        SV_CHECK(p > 0 && p <= 64, src, ": key \"patch_size\" entries must be in [1, 64]");
    SV_CHECK(c.mlpRatio > 0 && c.mlpRatio <= 64, src, ": key \"mlp_ratio\" must be in (0, 64]");
    // NaN compares false: written as "in range" so that it is refused too.
    SV_CHECK(c.normEps > 0 && c.normEps < 1, src, ": key \"norm_eps\" must be a number in (0, 1), got ",
             c.normEps);
    SV_CHECK(c.numLayers <= 1024, src, ": key \"num_layers\" must be <= 1024, got ", c.numLayers);
    SV_CHECK(c.ropeMaxSeqLen > 0 && c.ropeMaxSeqLen <= (1 << 20), src,
             ": key \"rope_max_seq_len\" must be in [1, 2^20]");
    SV_CHECK(
        int64_t(c.numHeads) * c.headDim <= kMaxDim && int64_t(c.numCrossHeads) * c.crossHeadDim <= kMaxDim,
        src, ": the attention width (heads × head dim) must be <= ", kMaxDim);
    SV_CHECK(c.headDim % 2 == 0 && c.headDim >= 6, src,
             ": key \"attention_head_dim\" must be even and >= 6 (RoPE)");
    SV_CHECK(c.crossAttentionDim == c.innerDim(), src, ": key \"cross_attention_dim\" (", c.crossAttentionDim,
             ") must equal num_attention_heads × attention_head_dim (", c.innerDim(), ")");
    SV_CHECK(c.crossInnerDim() == c.innerDim(), src,
             ": num_cross_attention_heads × cross_attention_head_dim must equal the model width ",
             c.innerDim());
    return c;
}

TransformerConfig TransformerConfig::load(const std::filesystem::path& configJson) {
    return fromJson(readJsonFile(configJson), configJson.string());
}

std::vector<WeightSpec> transformerWeightSpecs(const TransformerConfig& c) {
    const int64_t D = c.innerDim(), X = c.crossInnerDim(), H = c.ffHidden();
    const int64_t P = c.patchVolume() * int64_t(c.outChannels);
    std::vector<WeightSpec> s = {
        {"patch_embedding.weight", {D, c.inChannels, c.patchSize[0], c.patchSize[1], c.patchSize[2]}},
        {"patch_embedding.bias", {D}},
        {"time_embed.emb.timestep_embedder.linear_1.weight", {D, 256}},
        {"time_embed.emb.timestep_embedder.linear_1.bias", {D}},
        {"time_embed.emb.timestep_embedder.linear_2.weight", {D, D}},
        {"time_embed.emb.timestep_embedder.linear_2.bias", {D}},
        {"time_embed.linear.weight", {6 * D, D}},
        {"time_embed.linear.bias", {6 * D}},
        {"caption_projection.linear_1.weight", {D, c.captionChannels}},
        {"caption_projection.linear_1.bias", {D}},
        {"caption_projection.linear_2.weight", {D, D}},
        {"caption_projection.linear_2.bias", {D}},
        {"caption_norm.weight", {D}},
        {"scale_shift_table", {2, D}},
        {"proj_out.weight", {P, D}},
        {"proj_out.bias", {P}},
    };
    for (int i = 0; i < c.numLayers; ++i) {
        const std::string b = concat("transformer_blocks.", i, ".");
        s.push_back({b + "scale_shift_table", {6, D}});
        for (const char* m : {"to_q", "to_k", "to_v"}) {
            s.push_back({b + "attn1." + m + ".weight", {D, D}});
            if (c.attentionBias) s.push_back({b + "attn1." + m + ".bias", {D}});
        }
        s.push_back({b + "attn1.norm_q.weight", {D}});
        s.push_back({b + "attn1.norm_k.weight", {D}});
        s.push_back({b + "attn1.to_out.0.weight", {D, D}});
        s.push_back({b + "attn1.to_out.0.bias", {D}});
        s.push_back({b + "attn2.to_q.weight", {X, D}});
        s.push_back({b + "attn2.to_q.bias", {X}});
        s.push_back({b + "attn2.to_k.weight", {X, c.crossAttentionDim}});
        s.push_back({b + "attn2.to_k.bias", {X}});
        s.push_back({b + "attn2.to_v.weight", {X, c.crossAttentionDim}});
        s.push_back({b + "attn2.to_v.bias", {X}});
        s.push_back({b + "attn2.norm_q.weight", {X}});
        s.push_back({b + "attn2.norm_k.weight", {X}});
        s.push_back({b + "attn2.to_out.0.weight", {D, X}});
        s.push_back({b + "attn2.to_out.0.bias", {D}});
        s.push_back({b + "ff.conv_inverted.weight", {2 * H, D, 1, 1}});
        s.push_back({b + "ff.conv_inverted.bias", {2 * H}});
        s.push_back({b + "ff.conv_depth.weight", {2 * H, 1, 3, 3}});
        s.push_back({b + "ff.conv_depth.bias", {2 * H}});
        s.push_back({b + "ff.conv_point.weight", {D, H, 1, 1}});
        s.push_back({b + "ff.conv_temp.weight", {D, D, 3, 1}});
    }
    return s;
}

}  // namespace sv
