#include "models/gemma2_config.h"

#include <algorithm>
#include <cmath>

#include "io/json_util.h"

namespace sv {

Gemma2Config Gemma2Config::fromJson(const nlohmann::json& j, std::string_view src) {
    Gemma2Config c;
    c.vocabSize = jsonRequire<int>(j, "vocab_size", src);
    c.hiddenSize = jsonRequire<int>(j, "hidden_size", src);
    c.intermediateSize = jsonRequire<int>(j, "intermediate_size", src);
    c.numLayers = jsonRequire<int>(j, "num_hidden_layers", src);
    c.numHeads = jsonRequire<int>(j, "num_attention_heads", src);
    c.numKvHeads = jsonGet<int>(j, "num_key_value_heads", c.numHeads, src);
    c.headDim = jsonGet<int>(j, "head_dim", c.hiddenSize / std::max(1, c.numHeads), src);
    c.rmsNormEps = jsonGet<double>(j, "rms_norm_eps", 1e-6, src);
    // transformers 5 spells it rope_parameters.rope_theta, 4.x rope_theta.
    c.ropeTheta = jsonGet<double>(j, "rope_theta", 10000.0, src);
    if (j.contains("rope_parameters") && j["rope_parameters"].is_object())
        c.ropeTheta = jsonGet<double>(j["rope_parameters"], "rope_theta", c.ropeTheta,
                                      std::string(src) + " rope_parameters");
    c.queryPreAttnScalar = jsonGet<double>(j, "query_pre_attn_scalar", double(c.headDim), src);
    if (j.contains("attn_logit_softcapping") && j["attn_logit_softcapping"].is_null())
        c.attnLogitSoftcapping.reset();
    else
        c.attnLogitSoftcapping = jsonGet<double>(j, "attn_logit_softcapping", 50.0, src);
    c.slidingWindow = jsonGet<int>(j, "sliding_window", 4096, src);
    c.hiddenActivation = jsonGet<std::string>(j, "hidden_activation", "gelu_pytorch_tanh", src);
    c.padTokenId = jsonGet<int>(j, "pad_token_id", 0, src);
    c.bosTokenId = jsonGet<int>(j, "bos_token_id", 2, src);
    if (j.contains("eos_token_id") && j["eos_token_id"].is_array() && !j["eos_token_id"].empty())
        c.eosTokenId = jsonRequire<std::vector<int>>(j, "eos_token_id", src)[0];
    else
        c.eosTokenId = jsonGet<int>(j, "eos_token_id", 1, src);

    SV_CHECK(c.vocabSize > 0 && c.hiddenSize > 0 && c.intermediateSize > 0 && c.numLayers > 0 &&
                 c.numHeads > 0 && c.numKvHeads > 0 && c.headDim > 0,
             src,
             ": vocab_size, hidden_size, intermediate_size, num_hidden_layers, num_attention_heads, "
             "num_key_value_heads and head_dim must be positive");
    // Upper bounds far above any real model (fuzzer finding: unbounded weight lists).
    SV_CHECK(
        c.vocabSize <= (1 << 22) && c.hiddenSize <= (1 << 16) && c.intermediateSize <= (1 << 18) &&
            c.numLayers <= 1024 && c.numHeads <= 1024 && c.numKvHeads <= 1024 && c.headDim <= 4096,
        src,
        ": a size is implausibly large (limits: vocab_size 2^22, hidden_size 2^16, intermediate_size 2^18, "
        "num_hidden_layers / num_attention_heads / num_key_value_heads 1024, head_dim 4096)");
    SV_CHECK(c.numHeads % c.numKvHeads == 0, src, ": num_attention_heads (", c.numHeads,
             ") must be a multiple of num_key_value_heads (", c.numKvHeads, ")");
    SV_CHECK(c.headDim % 2 == 0, src, ": key \"head_dim\" must be even (rotary embedding)");
    SV_CHECK(c.hiddenActivation == "gelu_pytorch_tanh" || c.hiddenActivation == "gelu_tanh", src,
             ": key \"hidden_activation\" = \"", c.hiddenActivation, "\" is not supported");
    SV_CHECK(c.queryPreAttnScalar > 0 && std::isfinite(c.queryPreAttnScalar), src,
             ": key \"query_pre_attn_scalar\" must be a positive finite number");
    // NaN compares false: written as "in range" so that it is refused too.
    SV_CHECK(c.rmsNormEps > 0 && c.rmsNormEps < 1, src,
             ": key \"rms_norm_eps\" must be a number in (0, 1), got ", c.rmsNormEps);
    SV_CHECK(c.ropeTheta > 0 && std::isfinite(c.ropeTheta), src,
             ": key \"rope_theta\" must be a positive finite number, got ", c.ropeTheta);
    SV_CHECK(
        !c.attnLogitSoftcapping || (*c.attnLogitSoftcapping > 0 && std::isfinite(*c.attnLogitSoftcapping)),
        src, ": key \"attn_logit_softcapping\" must be a positive finite number or null");

    c.slidingLayer.assign(size_t(c.numLayers), false);
    if (j.contains("layer_types") && !j["layer_types"].is_null()) {
        auto types = jsonRequire<std::vector<std::string>>(j, "layer_types", src);
        SV_CHECK(types.size() == size_t(c.numLayers), src, ": key \"layer_types\" has ", types.size(),
                 " entries for ", c.numLayers, " layers");
        for (size_t i = 0; i < types.size(); ++i) {
            SV_CHECK(types[i] == "sliding_attention" || types[i] == "full_attention", src, ": layer_types[",
                     i, "] = \"", types[i], "\" is not supported");
            c.slidingLayer[i] = types[i] == "sliding_attention";
        }
    } else {
        for (int i = 0; i < c.numLayers; ++i)
            c.slidingLayer[size_t(i)] = i % 2 == 0;  // Gemma-2: even layers slide
    }
    return c;
}

Gemma2Config Gemma2Config::load(const std::filesystem::path& configJson) {
    return fromJson(readJsonFile(configJson), configJson.string());
}

std::vector<WeightSpec> gemma2WeightSpecs(const Gemma2Config& c) {
    const int64_t H = c.hiddenSize, Q = int64_t(c.numHeads) * c.headDim,
                  KV = int64_t(c.numKvHeads) * c.headDim;
    const int64_t I = c.intermediateSize;
    std::vector<WeightSpec> s = {{"embed_tokens.weight", {c.vocabSize, H}}};
    for (int i = 0; i < c.numLayers; ++i) {
        const std::string p = concat("layers.", i, ".");
        s.push_back({p + "self_attn.q_proj.weight", {Q, H}});
        s.push_back({p + "self_attn.k_proj.weight", {KV, H}});
        s.push_back({p + "self_attn.v_proj.weight", {KV, H}});
        s.push_back({p + "self_attn.o_proj.weight", {H, Q}});
        s.push_back({p + "mlp.gate_proj.weight", {I, H}});
        s.push_back({p + "mlp.up_proj.weight", {I, H}});
        s.push_back({p + "mlp.down_proj.weight", {H, I}});
        for (const char* n : {"input_layernorm", "post_attention_layernorm", "pre_feedforward_layernorm",
                              "post_feedforward_layernorm"})
            s.push_back({p + n + ".weight", {H}});
    }
    s.push_back({"norm.weight", {H}});
    return s;
}

}  // namespace sv
