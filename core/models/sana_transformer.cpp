#include "models/sana_transformer.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "ops/dit_attention.h"
#include "ops/dit_causal_attention.h"
#include "ops/dit_conv.h"
#include "ops/dit_norm.h"
#include "ops/elementwise.h"
#include "ops/linear.h"
#include "ops/timestep_embedding.h"
#include "parallel/frame_split.h"

namespace sv {

namespace fs = std::filesystem;

namespace {

constexpr float kQkNormEps = 1e-5f;       // Attention(qk_norm="rms_norm_across_heads") RMSNorm eps
constexpr float kCaptionNormEps = 1e-5f;  // caption_norm
constexpr float kNormOutEps = 1e-6f;      // SanaModulatedNorm (fixed in the reference, not norm_eps)
constexpr double kRopeTheta = 10000.0;
constexpr int kTimestepChannels = 256;

void emit(const TensorObserver& observer, std::string_view name, const Tensor& t) {
    if (observer) observer(name, t);
}

}  // namespace

SanaTransformer::SanaTransformer(TransformerConfig config, WeightSet weights,
                                 std::shared_ptr<const LoraTerms> lora)
    : config_(std::move(config)), weights_(std::move(weights)), lora_(std::move(lora)) {
    for (const WeightSpec& s : transformerWeightSpecs(config_)) {
        SV_ASSERT_MSG(weights_.contains(s.name), "SanaTransformer: weight \"", s.name, "\" missing");
        SV_ASSERT_MSG(weights_.get(s.name).shape() == s.shape, "SanaTransformer: weight \"", s.name, "\" is ",
                      weights_.get(s.name).describe(), ", expected ", shapeToString(s.shape));
    }
}

SanaTransformer SanaTransformer::load(const fs::path& folder, const LoadOptions& options) {
    fs::path dir = folder;
    std::error_code ec;
    if (!fs::exists(dir / "config.json", ec) && fs::exists(dir / "transformer" / "config.json", ec))
        dir = dir / "transformer";
    SV_CHECK(
        fs::exists(dir / "config.json", ec), folder.string(),
        ": no transformer config.json (expected a diffusers transformer folder, or a pipeline folder with "
        "transformer/)");
    const TransformerConfig config = TransformerConfig::load(dir / "config.json");
    return load(WeightArchive::open(dir), config, options);
}

SanaTransformer SanaTransformer::load(const WeightArchive& archive, const TransformerConfig& config,
                                      const LoadOptions& options) {
    SV_CHECK(!options.device.isCpu() || options.dtype == DType::F32, archive.source().string(),
             ": the CPU backend runs the transformer in float32; load with LoadOptions.dtype F32 (asked for ",
             dtypeName(options.dtype), ")");
    WeightSet weights = loadWeights(archive, transformerWeightSpecs(config), options, "transformer");
    return SanaTransformer(config, std::move(weights));
}

Device SanaTransformer::device() const {
    return w("proj_out.weight").device();
}

DType SanaTransformer::computeDtype() const {
    return w("proj_out.weight").dtype();
}

Tensor SanaTransformer::project(std::string_view m, const Tensor& x) const {
    const std::string name(m);
    const Tensor& weight = w(name + ".weight");
    const Tensor w2 = weight.rank() == 2 ? weight : weight.view({weight.dim(0), -1});
    // FP8 weights run as FP8 compute (activations quantized per token, ops/linear.h); int8 ones weight-only.
    Tensor y = w2.dtype() == DType::F8E4M3 ? ops::linearFp8(x, w2, weights_.find(name + ".bias"))
                                           : ops::linear(x, w2, weights_.find(name + ".bias"));
    if (!lora_) return y;
    const auto it = lora_->find(m);
    if (it == lora_->end()) return y;
    // PEFT: result = result + lora_B(lora_A(x)) * scaling, one adapter after the other.
    for (const LoraTerm& t : it->second)
        y = ops::add(y, ops::scale(ops::linear(ops::linear(x, t.down), t.up), t.scale));
    return y;
}

TransformerTextContext SanaTransformer::prepareText(const Tensor& encoderHiddenStates,
                                                    const Tensor& encoderMask,
                                                    const TensorObserver& observer) const {
    const TransformerConfig& c = config_;
    SV_CHECK(encoderHiddenStates.defined() && encoderHiddenStates.rank() == 3 &&
                 encoderHiddenStates.dim(2) == c.captionChannels,
             "transformer: encoder hidden states must be [batch, tokens, ", c.captionChannels, "], got ",
             encoderHiddenStates.defined() ? encoderHiddenStates.describe() : std::string("nothing"));
    const int64_t B = encoderHiddenStates.dim(0), L = encoderHiddenStates.dim(1);
    SV_CHECK(B > 0 && L > 0, "transformer: empty encoder hidden states ", encoderHiddenStates.describe());
    TransformerTextContext ctx;
    if (encoderMask.defined()) {
        SV_CHECK(encoderMask.shape() == (Shape{B, L}), "transformer: encoder attention mask must be [", B,
                 ", ", L, "] to match the encoder hidden states, got ", encoderMask.describe());
        ctx.bias = ops::dit::attentionBiasFromMask(encoderMask).to(device());
    }
    const Tensor text = encoderHiddenStates.to(device()).to(computeDtype());
    Tensor h = project("caption_projection.linear_1", text);
    h = project("caption_projection.linear_2", ops::geluTanh(h));
    emit(observer, "caption_projection", h);
    ctx.captionNorm = ops::dit::rmsNorm(h, w("caption_norm.weight"), kCaptionNormEps);
    emit(observer, "caption_norm", ctx.captionNorm);
    for (int i = 0; i < c.numLayers; ++i) {
        const std::string p = concat("transformer_blocks.", i, ".attn2.");
        Tensor k = project(p + "to_k", ctx.captionNorm);
        ctx.crossKeys.push_back(ops::dit::rmsNorm(k, w(p + "norm_k.weight"), kQkNormEps));
        ctx.crossValues.push_back(project(p + "to_v", ctx.captionNorm));
    }
    return ctx;
}

SanaTransformer::Modulation SanaTransformer::embedTimestep(const Tensor& timestep, int64_t B, int64_t N,
                                                           const TensorObserver& observer) const {
    SV_CHECK(timestep.defined(), "transformer: no timestep given");
    const int64_t count = timestep.numel();
    SV_CHECK(count == B || count == B * N, "transformer: timestep ", timestep.describe(), " must hold ", B,
             " values (one per sample) or ", B * N, " (one per token)");
    const std::vector<float> values = timestep.toFloatVector();
    // Embed each distinct value once (image-to-video has only two: 0 on the first frame and t).
    std::map<float, int32_t> rowOf;
    std::vector<float> distinct;
    std::vector<int32_t> index(static_cast<size_t>(count));
    for (int64_t i = 0; i < count; ++i) {
        const float v = values[size_t(i)];
        SV_CHECK(std::isfinite(v), "transformer: timestep value ", v, " at index ", i, " is not finite");
        auto [it, inserted] = rowOf.try_emplace(v, int32_t(distinct.size()));
        if (inserted) distinct.push_back(v);
        index[size_t(i)] = it->second;
    }
    const int64_t R = int64_t(distinct.size());
    Modulation m;
    Tensor e =
        ops::timestepEmbedding(Tensor::fromFloats(distinct, {R}).to(device()),
                               {.dim = kTimestepChannels, .flipSinToCos = true, .downscaleFreqShift = 0.0f})
            .to(computeDtype());
    const std::string te = "time_embed.emb.timestep_embedder.";
    Tensor h = ops::silu(project(te + "linear_1", e));
    m.temb = project(te + "linear_2", h);
    m.mod = project("time_embed.linear", ops::silu(m.temb));

    bool identity = count == B && R == B;
    for (int64_t i = 0; identity && i < count; ++i) identity = index[size_t(i)] == i;
    Tensor fullIndex = Tensor::empty({count}, DType::I32);
    std::copy(index.begin(), index.end(), fullIndex.data<int32_t>());
    fullIndex = fullIndex.to(device());
    if (!identity) m.rowIndex = fullIndex;
    if (observer) {
        observer("time_embed.timestep", ops::dit::gatherRows(m.mod, fullIndex));
        observer("time_embed.embedded_timestep", ops::dit::gatherRows(m.temb, fullIndex));
    }
    return m;
}

Tensor SanaTransformer::forward(const Tensor& hiddenStates, const Tensor& encoderHiddenStates,
                                const Tensor& encoderMask, const Tensor& timestep,
                                const TensorObserver& observer) const {
    return forward(hiddenStates, timestep, prepareText(encoderHiddenStates, encoderMask, observer), observer);
}

Tensor SanaTransformer::forward(const Tensor& hiddenStates, const Tensor& timestep,
                                const TransformerTextContext& text, const TensorObserver& observer) const {
    return forwardImpl(hiddenStates, timestep, text, {}, observer);
}

Tensor SanaTransformer::forward(const Tensor& hiddenStates, const Tensor& timestep,
                                const TransformerTextContext& text, const SequenceShard& shard,
                                const TensorObserver& observer) const {
    SV_ASSERT_MSG(shard.comm != nullptr && shard.frameOffset >= 0, "SanaTransformer::forward: shard with ",
                  shard.comm ? "" : "no communicator, ", "frame offset ", shard.frameOffset);
    return forwardImpl(hiddenStates, timestep, text, {.shard = &shard}, observer);
}

Tensor SanaTransformer::forward(const Tensor& hiddenStates, const Tensor& timestep,
                                const TransformerTextContext& text, const CausalStep& step,
                                const TensorObserver& observer) const {
    const auto n = size_t(config_.numLayers);
    SV_CHECK(step.context == nullptr || step.context->empty() || step.context->size() == n,
             "transformer: the causal context holds ", step.context ? step.context->size() : 0,
             " block states for a model of ", n, " blocks");
    SV_CHECK(step.ropeFrameOffset >= 0, "transformer: negative RoPE frame offset ", step.ropeFrameOffset);
    if (step.save != nullptr) step.save->assign(n, CausalBlockCache{});
    CausalStep s = step;
    if (s.context != nullptr && s.context->empty()) s.context = nullptr;
    return forwardImpl(hiddenStates, timestep, text, {.causal = &s}, observer);
}

Tensor SanaTransformer::forwardImpl(const Tensor& hiddenStates, const Tensor& timestep,
                                    const TransformerTextContext& text, Mode mode,
                                    const TensorObserver& observer) const {
    const TransformerConfig& c = config_;
    const auto [pt, ph, pw] = c.patchSize;
    SV_CHECK(hiddenStates.defined() && hiddenStates.rank() == 5 && hiddenStates.dim(1) == c.inChannels,
             "transformer: hidden states must be [batch, ", c.inChannels, ", frames, height, width], got ",
             hiddenStates.defined() ? hiddenStates.describe() : std::string("nothing"));
    const int64_t B = hiddenStates.dim(0), F = hiddenStates.dim(2), H = hiddenStates.dim(3),
                  W = hiddenStates.dim(4);
    SV_CHECK(B > 0 && F > 0 && H > 0 && W > 0 && F % pt == 0 && H % ph == 0 && W % pw == 0,
             "transformer: latent size ", F, "×", H, "×", W,
             " (frames×height×width) must be a positive multiple of "
             "the patch size ",
             pt, "×", ph, "×", pw);
    SV_CHECK(text.batch() == B && int(text.crossKeys.size()) == c.numLayers,
             "transformer: the text context was prepared for batch ", text.batch(),
             " but the latents have batch ", B);
    const std::array<int64_t, 3> grid = {F / pt, H / ph, W / pw};
    const int64_t N = grid[0] * grid[1] * grid[2], D = c.innerDim(), C = c.inChannels;

    const int64_t ropeOffset = mode.causal  ? mode.causal->ropeFrameOffset
                               : mode.shard ? mode.shard->frameOffset
                                            : 0;
    const ops::dit::RopeTables rope =
        ops::dit::ropeTables(c.ropeSplit(), c.ropeMaxSeqLen, kRopeTheta, grid, device(), ropeOffset);
    emit(observer, "rope.cos", rope.cos.view({1, N, 1, c.headDim}));
    emit(observer, "rope.sin", rope.sin.view({1, N, 1, c.headDim}));

    // Patch embedding: Conv3d with kernel = stride = patch, as a linear over (c, kt, kh, kw) patch vectors.
    const Tensor x = hiddenStates.to(device()).to(computeDtype()).contiguous();
    const int64_t patchLen = C * pt * ph * pw;
    const Tensor patches = x.view({B, C, grid[0], pt, grid[1], ph, grid[2], pw})
                               .permute({0, 2, 4, 6, 1, 3, 5, 7})
                               .contiguous()
                               .view({B, N, patchLen});
    Tensor tokens = project("patch_embedding", patches);  // the kernel viewed as [D, patchLen]
    emit(observer, "patch_embedding",
         tokens.view({B, grid[0], grid[1], grid[2], D}).permute({0, 4, 1, 2, 3}));

    const Modulation mod = embedTimestep(timestep, B, N, observer);
    for (int i = 0; i < c.numLayers; ++i) tokens = block(i, tokens, mod, text, rope, grid, mode, observer);

    // Output: modulated norm with scale_shift_table + embedded timestep, projection, unpatchify.
    const int64_t R = mod.temb.dim(0);
    const Tensor shiftScale = ops::add(mod.temb.view({R, 1, D}), w("scale_shift_table").view({1, 2, D}));
    Tensor y = ops::dit::layerNormModulate(tokens, shiftScale.select(1, 0), shiftScale.select(1, 1),
                                           mod.rowIndex, kNormOutEps);
    emit(observer, "norm_out", y);
    y = project("proj_out", y);
    emit(observer, "proj_out", y);
    // Channels of a token are ordered (p_t, p_h, p_w, c_out).
    const int64_t Co = c.outChannels;
    Tensor out = y.view({B, grid[0], grid[1], grid[2], pt, ph, pw, Co})
                     .permute({0, 7, 1, 4, 2, 5, 3, 6})
                     .contiguous()
                     .view({B, Co, F, H, W});
    emit(observer, "output", out);
    return out.to(DType::F32);
}

Tensor SanaTransformer::block(int index, const Tensor& xIn, const Modulation& mod,
                              const TransformerTextContext& text, const ops::dit::RopeTables& rope,
                              std::array<int64_t, 3> grid, Mode mode, const TensorObserver& observer) const {
    const TransformerConfig& c = config_;
    const std::string p = concat("transformer_blocks.", index, ".");
    const std::string name = concat("block_", index);
    const int64_t B = xIn.dim(0), N = xIn.dim(1), D = xIn.dim(2), R = mod.mod.dim(0), Hd = c.ffHidden();
    const float eps = float(c.normEps);

    // Rows (shift_msa, scale_msa, gate_msa, shift_mlp, scale_mlp, gate_mlp) = table + modulation.
    const Tensor rows = ops::add(mod.mod.view({R, 6, D}), w(p + "scale_shift_table").view({1, 6, D}));
    auto chunk = [&](int r) { return rows.select(1, r); };

    // (a) Self-attention: ReLU linear attention with RoPE, gated residual.
    Tensor y = ops::dit::layerNormModulate(xIn, chunk(0), chunk(1), mod.rowIndex, eps);
    const std::string a1 = p + "attn1.";
    Tensor q = project(a1 + "to_q", y);
    Tensor k = project(a1 + "to_k", y);
    Tensor v = project(a1 + "to_v", y);
    q = ops::dit::rmsNorm(q, w(a1 + "norm_q.weight"), kQkNormEps);
    k = ops::dit::rmsNorm(k, w(a1 + "norm_k.weight"), kQkNormEps);
    Tensor a = project(a1 + "to_out.0", selfAttention(index, q, k, v, rope, mode));
    emit(observer, name + ".attn1", a);
    Tensor x = ops::dit::gatedResidual(xIn, a, chunk(2), mod.rowIndex);

    // (b) Cross-attention to the prepared text K/V: no norm, no modulation, ungated.
    const std::string a2 = p + "attn2.";
    q = ops::dit::rmsNorm(project(a2 + "to_q", x), w(a2 + "norm_q.weight"), kQkNormEps);
    a = ops::dit::crossAttention(q, text.crossKeys[size_t(index)], text.crossValues[size_t(index)],
                                 c.numCrossHeads, text.bias);
    a = project(a2 + "to_out.0", a);
    emit(observer, name + ".attn2", a);
    x = ops::add(x, a);

    // (c) GLUMBTempConv feed-forward on the token grid, gated residual.
    y = ops::dit::layerNormModulate(x, chunk(3), chunk(4), mod.rowIndex, eps);
    const std::string f = p + "ff.";
    Tensor h = project(f + "conv_inverted", y);  // 1×1 conv as a linear
    // SiLU → depthwise 3×3 → SiLU gate (one fused op; on the CPU the three ops in turn).
    h = ops::dit::siluDepthwiseGlu(h.view({B * grid[0], grid[1], grid[2], 2 * Hd}),
                                   w(f + "conv_depth.weight"), w(f + "conv_depth.bias"));
    h = project(f + "conv_point", h);
    h = temporalMix(index, h.view({B, grid[0], grid[1] * grid[2], D}), mode);
    emit(observer, name + ".ff", h.view({B, grid[0], grid[1], grid[2], D}));
    x = ops::dit::gatedResidual(x, h.view({B, N, D}), chunk(5), mod.rowIndex);
    emit(observer, name, x);
    return x;
}

Tensor SanaTransformer::selfAttention(int index, const Tensor& q, const Tensor& k, const Tensor& v,
                                      const ops::dit::RopeTables& rope, Mode mode) const {
    const int heads = config_.numHeads;
    if (const CausalStep* causal = mode.causal) {
        const auto* past = causal->context ? &(*causal->context)[size_t(index)].attention : nullptr;
        auto* own = causal->save ? &(*causal->save)[size_t(index)].attention : nullptr;
        return ops::dit::reluLinearAttentionCached(q, k, v, heads, rope, past, own);
    }
    if (mode.shard == nullptr) return ops::dit::reluLinearAttention(q, k, v, heads, rope);
    // Sequence-parallel: every token attends to the whole video only through Σ v·k̃ᵀ (heads × d × d) and
    // Σ relu(k) (heads × d), so the ranks add their own sums and each applies the total to its queries.
    ops::dit::LinearAttentionState sums;
    ops::dit::reluLinearAttentionCached(q, k, v, heads, rope, nullptr, &sums);  // this rank's sums
    mode.shard->comm->allReduceSum(sums.vk);
    mode.shard->comm->allReduceSum(sums.kSum);
    // The total applied as the "past" of a call whose own keys are zero: relu(0) = 0 adds exact zeros, so
    // o_n = (S q̃_n) / (u · q⁺_n + ε) with the all-reduced S and u. (Costs a second key pass; a state-only
    // and an apply-only kernel would avoid it.)
    return ops::dit::reluLinearAttentionCached(q, Tensor::zeros(k.shape(), k.dtype(), k.device()), v, heads,
                                               rope, &sums, nullptr);
}

Tensor SanaTransformer::temporalMix(int index, const Tensor& h, Mode mode) const {
    const Tensor& weight = w(concat("transformer_blocks.", index, ".ff.conv_temp.weight"));
    const int64_t F = h.dim(1);
    if (mode.shard != nullptr) {
        // conv_temp over [rank − 1's last frame ; h ; rank + 1's first frame]; at the video's ends the conv's
        // own zero padding stands in, as in the unsplit forward.
        const Halo halo = exchangeHalo(*mode.shard->comm, h);
        const int64_t before = halo.prev.defined() ? 1 : 0, after = halo.next.defined() ? 1 : 0;
        Tensor in = Tensor::empty({h.dim(0), before + F + after, h.dim(2), h.dim(3)}, h.dtype(), h.device());
        if (before) in.slice(1, 0, 1).copyFrom(halo.prev);
        in.slice(1, before, before + F).copyFrom(h);
        if (after) in.slice(1, before + F, before + F + 1).copyFrom(halo.next);
        return ops::add(h, ops::dit::temporalConv3(in, weight).slice(1, before, before + F));
    }
    const CausalStep* causal = mode.causal;
    const Tensor* prev = nullptr;
    if (causal != nullptr && causal->context != nullptr) {
        const Tensor& t = (*causal->context)[size_t(index)].temporal;
        if (t.defined()) prev = &t;
    }
    if (causal != nullptr && causal->save != nullptr)
        (*causal->save)[size_t(index)].temporal = h.slice(1, F - 1, F).clone();  // a copy, not a view of h
    if (prev == nullptr) return ops::add(h, ops::dit::temporalConv3(h, weight));
    // CachedGLUMBConvTemp: conv_temp over [cached frame ; chunk] (zero padding only at the end), outputs of
    // the chunk's frames kept.
    SV_CHECK(prev->rank() == 4 && prev->dim(0) == h.dim(0) && prev->dim(1) == 1 && prev->dim(2) == h.dim(2) &&
                 prev->dim(3) == h.dim(3),
             "transformer: the causal context's temporal frame ", prev->describe(),
             " does not fit the chunk ", h.describe(), " (another batch or size than the previous chunk?)");
    Tensor in = Tensor::empty({h.dim(0), F + 1, h.dim(2), h.dim(3)}, h.dtype(), h.device());
    in.slice(1, 0, 1).copyFrom(prev->to(h.device()).to(h.dtype()));
    in.slice(1, 1, F + 1).copyFrom(h);
    return ops::add(h, ops::dit::temporalConv3(in, weight).slice(1, 1, F + 1));
}

}  // namespace sv
