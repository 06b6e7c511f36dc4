#include "models/gemma2.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>
#include <string>
#include <vector>

#include "ops/gemma_embedding.h"
#include "ops/gemma_mlp.h"
#include "ops/gemma_norm.h"
#include "ops/linear.h"

namespace sv {

namespace {

// Validates ids [B, L] I64 within the vocabulary and mask (same shape, I64, values 0/1) before any compute.
void checkInputs(const Tensor& ids, const Tensor& mask, int vocabSize) {
    SV_CHECK(ids.defined(), "Gemma2Encoder::encode: input_ids is empty");
    SV_CHECK(ids.dtype() == DType::I64 && ids.rank() == 2 && ids.dim(0) > 0 && ids.dim(1) > 0,
             "Gemma2Encoder::encode: input_ids must be a non-empty [batch, length] I64 tensor, got ",
             ids.describe());
    SV_CHECK(ids.device().isCpu(), "Gemma2Encoder::encode: input_ids must be on the CPU, got ",
             ids.describe());
    Tensor ic = ids.contiguous();
    const int64_t* ip = ic.data<int64_t>();
    for (int64_t i = 0; i < ic.numel(); ++i)
        SV_CHECK(ip[i] >= 0 && ip[i] < vocabSize, "Gemma2Encoder::encode: input_ids[", i / ids.dim(1), ", ",
                 i % ids.dim(1), "] = ", ip[i], " is outside the vocabulary [0, ", vocabSize, ")");
    if (!mask.defined()) return;
    SV_CHECK(mask.dtype() == DType::I64 && mask.shape() == ids.shape() && mask.device().isCpu(),
             "Gemma2Encoder::encode: attention_mask must be an I64 CPU tensor of input_ids' shape ",
             shapeToString(ids.shape()), ", got ", mask.describe());
    Tensor mc = mask.contiguous();
    const int64_t* mp = mc.data<int64_t>();
    for (int64_t i = 0; i < mc.numel(); ++i)
        SV_CHECK(mp[i] == 0 || mp[i] == 1, "Gemma2Encoder::encode: attention_mask[", i / ids.dim(1), ", ",
                 i % ids.dim(1), "] = ", mp[i], " (expected 0 or 1)");
}

// A fresh copy of w on `device`, 8-bit scales included. Always a copy, also when w is already there: the
// offloaded path then runs the same code on a CPU-only build as on a GPU, and its tests exercise it.
Tensor copyTo(const Tensor& w, Device device) {
    Tensor out = Tensor::empty(w.shape(), w.dtype(), device);
    out.copyFrom(w);
    return w.isQuantized() ? out.withQuantScales(copyTo(w.quantScales(), device)) : out;
}

// The rows of table [V, H] (host, any dtype) that ids [B, L] (CPU, validated) pick, gathered on the host in
// the table's dtype: [B·L, H], row i = table[ids[i]].
Tensor gatherRows(const Tensor& table, const Tensor& ids) {
    const Tensor t = table.contiguous(), ic = ids.contiguous();
    const int64_t n = ic.numel();
    const size_t rowBytes = size_t(t.dim(1)) * dtypeSize(t.dtype());
    Tensor rows = Tensor::empty({n, t.dim(1)}, t.dtype());
    const auto* src = static_cast<const char*>(t.rawData());
    auto* dst = static_cast<char*>(rows.rawData());
    const int64_t* ip = ic.data<int64_t>();
    for (int64_t i = 0; i < n; ++i)
        std::memcpy(dst + size_t(i) * rowBytes, src + size_t(ip[i]) * rowBytes, rowBytes);
    return rows;
}

}  // namespace

Gemma2Encoder Gemma2Encoder::load(const std::filesystem::path& folder, const LoadOptions& options,
                                  const Gemma2EncoderOptions& encoderOptions) {
    SV_CHECK(options.device.isCuda() || options.dtype == DType::F32, folder.string(),
             ": the CPU backend runs the Gemma-2 text encoder in float32; LoadOptions.dtype is ",
             dtypeName(options.dtype));
    SV_CHECK(isFloating(options.dtype) && options.dtype != DType::F64, folder.string(),
             ": unsupported Gemma-2 weight dtype ", dtypeName(options.dtype));
    const std::filesystem::path configPath = folder / "config.json";
    SV_CHECK(std::filesystem::exists(configPath), folder.string(),
             ": not a Gemma-2 text encoder folder (no config.json)");
    Gemma2Config config = Gemma2Config::load(configPath);
    LoadOptions opt = options;
    if (std::find(opt.acceptedPrefixes.begin(), opt.acceptedPrefixes.end(), "model.") ==
        opt.acceptedPrefixes.end())
        opt.acceptedPrefixes.push_back("model.");
    opt.ignored.push_back("lm_head.weight");  // a Gemma2ForCausalLM checkpoint's (tied) LM head
    if (encoderOptions.offload) opt.storageDevice = Device::cpu();
    WeightSet weights =
        loadWeights(WeightArchive::open(folder), gemma2WeightSpecs(config), opt, "Gemma-2 text encoder");
    return Gemma2Encoder(std::move(config), std::move(weights), encoderOptions, options.device);
}

Gemma2Encoder::Gemma2Encoder(Gemma2Config config, WeightSet weights, Gemma2EncoderOptions options,
                             std::optional<Device> computeDevice)
    : config_(std::move(config)), weights_(std::move(weights)), options_(options) {
    const Tensor& ref = weights_.get("embed_tokens.weight");
    for (const auto& spec : gemma2WeightSpecs(config_)) {
        const Tensor t = weights_.find(spec.name);
        const bool dtypeOk =
            t.defined() && (t.dtype() == ref.dtype() ||
                            (t.isQuantized() && eightBitEligible(spec.name, t.dtype())));  // 8-bit weights
        SV_ASSERT_MSG(t.defined() && t.shape() == spec.shape && dtypeOk && t.device() == ref.device(),
                      "Gemma2Encoder: weight ", spec.name, " is ", t.defined() ? t.describe() : "missing",
                      ", expected ", dtypeName(ref.dtype()), shapeToString(spec.shape), " on ",
                      ref.device().toString());
    }
    computeDevice_ = computeDevice.value_or(ref.device());
    SV_ASSERT_MSG(options_.offload ? ref.device().isCpu() : ref.device() == computeDevice_,
                  "Gemma2Encoder: weights on ", ref.device().toString(), " computing on ",
                  computeDevice_.toString(), options_.offload ? " (offloaded weights live on the host)" : "");
    SV_ASSERT_MSG(computeDevice_.isCuda() || ref.dtype() == DType::F32,
                  "Gemma2Encoder: the CPU backend needs F32 weights, got ", ref.describe());
    SV_ASSERT(config_.slidingLayer.size() == size_t(config_.numLayers));
}

void Gemma2Encoder::setOptions(const Gemma2EncoderOptions& options) {
    SV_ASSERT_MSG(options.offload == options_.offload, "Gemma2Encoder: offload is fixed at construction");
    options_ = options;
}

WeightSet Gemma2Encoder::stageLayer(int index) const {
    // The map is ordered by name, so a layer's weights are one run from its prefix on.
    const std::string prefix = concat("layers.", index, ".");
    WeightSet staged;
    for (auto it = weights_.all().lower_bound(prefix);
         it != weights_.all().end() && it->first.compare(0, prefix.size(), prefix) == 0; ++it)
        staged.set(it->first, copyTo(it->second, computeDevice_));
    return staged;
}

Tensor Gemma2Encoder::embed(const Tensor& inputIds) const {
    // transformers: embeddings × tensor(√hidden, dtype = hidden dtype) — √hidden in double, cast to float32.
    const float embedScale = float(std::sqrt(double(config_.hiddenSize)));
    const Tensor& table = weights_.get("embed_tokens.weight");
    if (!options_.offload)
        return ops::gemmaEmbed(table, inputIds.contiguous().to(computeDevice_), embedScale);
    // Offloaded: only the rows the ids pick cross the bus, looked up by the same kernel as positions 0..n−1.
    std::vector<int64_t> positions(size_t(inputIds.numel()));
    std::iota(positions.begin(), positions.end(), int64_t(0));
    const Tensor rows = copyTo(gatherRows(table, inputIds), computeDevice_);
    return ops::gemmaEmbed(rows, Tensor::fromInts(positions, inputIds.shape()).to(computeDevice_),
                           embedScale);
}

Tensor Gemma2Encoder::layer(int index, const WeightSet& weights, const Tensor& hidden, const Tensor& mask,
                            const ops::GemmaRotary& rotary) const {
    const std::string p = concat("layers.", index, ".");
    const auto w = [&](const char* name) -> const Tensor& { return weights.get(p + name); };
    const double eps = config_.rmsNormEps;
    const int64_t B = hidden.dim(0), L = hidden.dim(1);
    const int64_t Hq = config_.numHeads, Hkv = config_.numKvHeads, D = config_.headDim;

    // Attention block: h = h + post_attention_norm(o_proj(attn(input_norm(h)))).
    Tensor attnOut;
    {
        const Tensor x = ops::gemmaRmsNorm(hidden, w("input_layernorm.weight"), eps);
        const Tensor q =
            ops::gemmaApplyRotary(ops::linear(x, w("self_attn.q_proj.weight")).view({B, L, Hq, D}), rotary);
        const Tensor k =
            ops::gemmaApplyRotary(ops::linear(x, w("self_attn.k_proj.weight")).view({B, L, Hkv, D}), rotary);
        const Tensor v = ops::linear(x, w("self_attn.v_proj.weight")).view({B, L, Hkv, D});
        ops::GemmaAttentionParams params;
        // query_pre_attn_scalar^−0.5 in double, as Python computes it, applied as a float.
        params.scale = float(std::pow(config_.queryPreAttnScalar, -0.5));
        if (options_.softcap && config_.attnLogitSoftcapping)
            params.softcap = float(*config_.attnLogitSoftcapping);
        params.slidingWindow = config_.slidingLayer[size_t(index)] ? config_.slidingWindow : 0;
        attnOut = ops::linear(ops::gemmaAttention(q, k, v, mask, params), w("self_attn.o_proj.weight"));
    }
    const Tensor h = ops::gemmaNormResidual(hidden, attnOut, w("post_attention_layernorm.weight"), eps);
    attnOut = Tensor();

    // Feed-forward block: h = h + post_feedforward_norm(mlp(pre_feedforward_norm(h))).
    const Tensor m =
        ops::gemmaMlp(ops::gemmaRmsNorm(h, w("pre_feedforward_layernorm.weight"), eps),
                      w("mlp.gate_proj.weight"), w("mlp.up_proj.weight"), w("mlp.down_proj.weight"));
    return ops::gemmaNormResidual(h, m, w("post_feedforward_layernorm.weight"), eps);
}

Tensor Gemma2Encoder::encode(const Tensor& inputIds, const Tensor& attentionMask,
                             const Observer& observer) const {
    checkInputs(inputIds, attentionMask, config_.vocabSize);
    const int64_t L = inputIds.dim(1);
    const Device device = computeDevice_;
    Tensor hidden = embed(inputIds);
    if (observer) observer("embeds_scaled", hidden);

    ops::GemmaRotary rotary = ops::gemmaRotaryTables(L, config_.headDim, config_.ropeTheta);
    rotary.cos = rotary.cos.to(device);
    rotary.sin = rotary.sin.to(device);
    const Tensor mask = attentionMask.defined() ? attentionMask.contiguous().to(device) : Tensor();
    for (int i = 0; i < config_.numLayers; ++i) {
        // Offloaded: this layer's weights reach the device now and are freed when `hidden` is computed.
        hidden = options_.offload ? layer(i, stageLayer(i), hidden, mask, rotary)
                                  : layer(i, weights_, hidden, mask, rotary);
        if (observer) observer(concat("layer_", i), hidden);
    }
    const Tensor& norm = weights_.get("norm.weight");
    Tensor out = ops::gemmaRmsNorm(hidden, options_.offload ? copyTo(norm, device) : norm, config_.rmsNormEps)
                     .to(DType::F32);
    if (observer) observer("last_hidden_state", out);
    return out;
}

}  // namespace sv
