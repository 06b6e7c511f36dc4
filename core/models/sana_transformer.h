// SanaVideoTransformer3DModel (diffusers models/transformers/transformer_sana_video.py): the SANA-Video
// linear-attention DiT.
//
// The forward is written once over device-dispatched ops (core/ops/*), so the CUDA backend reuses this
// orchestration. Text conditioning is constant over the denoising loop, so it is prepared once per generation
// (caption projection + norm, every block's cross-attention K/V) and passed to each step's forward.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <string_view>
#include <vector>

#include "base/tensor.h"
#include "io/safetensors.h"
#include "models/lora.h"
#include "models/sana_causal.h"
#include "models/transformer_config.h"
#include "models/weights.h"
#include "ops/dit_rope.h"
#include "parallel/communicator.h"

namespace sv {

/// Receives named intermediates during a forward (names as in the reference fixtures: "patch_embedding",
/// "rope.cos", "block_3.attn1", ...). Tensors may be strided views; they are only valid during the call.
using TensorObserver = std::function<void(std::string_view name, const Tensor& value)>;

/// Text conditioning of one generation, shared by all denoising steps.
struct TransformerTextContext {
    Tensor bias;                      // [B, L] F32 additive cross-attention bias, (1 − mask)·(−10000)
    Tensor captionNorm;               // [B, L, D] caption_norm(caption_projection(text))
    std::vector<Tensor> crossKeys;    // per block [B, L, D]: attn2 norm_k(to_k(captionNorm))
    std::vector<Tensor> crossValues;  // per block [B, L, D]: attn2 to_v(captionNorm)
    int64_t batch() const { return captionNorm.defined() ? captionNorm.dim(0) : 0; }
};

/// One rank's share of a sequence-parallel forward: the ranks of `comm` hold consecutive ranges of the token
/// frames (parallel/frame_split.h) and exchange, per block, the linear-attention sums (all-reduce) and one
/// frame each side for the temporal conv (docs/ARCHITECTURE.md, "Several GPUs").
struct SequenceShard {
    Communicator* comm = nullptr;
    int64_t frameOffset = 0;  // this rank's first token frame in the whole video (its RoPE frame position)
};

class SanaTransformer {
  public:
    /// Takes a validated config and a weight set that holds every tensor of transformerWeightSpecs(config),
    /// plus the unmerged LoRA terms to run beside its projections (models/lora.h: applyLora builds them).
    SanaTransformer(TransformerConfig config, WeightSet weights, std::shared_ptr<const LoraTerms> lora = {});

    /// Loads from a folder: a diffusers pipeline root (uses its `transformer/`), a diffusers transformer
    /// folder (config.json + diffusion_pytorch_model.safetensors or a sharded *.safetensors.index.json) or a
    /// fixture folder. Stored F32/BF16/F16 weights are converted to options.dtype (the CPU backend needs
    /// F32).
    static SanaTransformer load(const std::filesystem::path& folder, const LoadOptions& options = {});
    /// Loads the weights of `config` from an open archive (strict: missing/unexpected/mis-shaped → one
    /// sv::Error).
    static SanaTransformer load(const WeightArchive& archive, const TransformerConfig& config,
                                const LoadOptions& options = {});

    const TransformerConfig& config() const { return config_; }
    const WeightSet& weights() const { return weights_; }
    /// The unmerged LoRA terms (null without adapters).
    const std::shared_ptr<const LoraTerms>& loraTerms() const { return lora_; }

    /// Projects and normalises the caption features and precomputes every block's cross-attention K/V.
    /// encoderHiddenStates: [B, L, caption_channels] (any float dtype); encoderMask: [B, L] 0/1 (I64, I32,
    /// U8, Bool or float), or undefined for "all tokens valid". Observer names: "caption_projection",
    /// "caption_norm".
    TransformerTextContext prepareText(const Tensor& encoderHiddenStates, const Tensor& encoderMask,
                                       const TensorObserver& observer = {}) const;

    /// One denoising step. hiddenStates: [B, in_channels, F, H, W] with F, H, W divisible by the patch size;
    /// timestep: B values (shape [B]; float or integer) or one per token (B·F'·H'·W' values, e.g. [B, 1, F',
    /// H', W'] for image-to-video). Returns F32 [B, out_channels, F, H, W]. Bad shapes throw sv::Error.
    Tensor forward(const Tensor& hiddenStates, const Tensor& timestep, const TransformerTextContext& text,
                   const TensorObserver& observer = {}) const;

    /// One chunk of LongSANA's causal forward (SanaVideoCausalTransformer3DModel.forward with kv_cache,
    /// diffusers PR #12723): as forward() above, but the self-attention adds the carried state of the
    /// previous chunks (step.context), the feed-forward's temporal conv sees the previous chunk's last frame
    /// instead of zero padding, RoPE frame positions start at step.ropeFrameOffset, and step.save (when set)
    /// receives the chunk's own state. Works for any weights (the causal class only differs in its forward).
    /// Observer names as forward() above.
    Tensor forward(const Tensor& hiddenStates, const Tensor& timestep, const TransformerTextContext& text,
                   const CausalStep& step, const TensorObserver& observer = {}) const;

    /// One rank of a sequence-parallel denoising step: hiddenStates holds this rank's latent frames
    /// [B, in_channels, F_r, H, W] (F_r = its token frames × the temporal patch) and timestep one value per
    /// sample or one per token of this rank's frames; every rank of shard.comm calls together with the same
    /// text context. Returns this rank's frames of the output, equal to the same frames of the unsplit
    /// forward up to float rounding of the summed attention state. Observer names as forward() above (the
    /// rank's tokens only).
    Tensor forward(const Tensor& hiddenStates, const Tensor& timestep, const TransformerTextContext& text,
                   const SequenceShard& shard, const TensorObserver& observer = {}) const;

    /// prepareText + forward in one call (all the reference's intermediates go to the observer).
    Tensor forward(const Tensor& hiddenStates, const Tensor& encoderHiddenStates, const Tensor& encoderMask,
                   const Tensor& timestep, const TensorObserver& observer = {}) const;

  private:
    /// AdaLN-single output for the distinct timestep values: rows + which row each sample/token uses.
    struct Modulation {
        Tensor mod;       // [R, 6·D] time_embed.linear(SiLU(temb))
        Tensor temb;      // [R, D] embedded timestep
        Tensor rowIndex;  // I32 [B] or [B·N], or undefined (row b for sample b); see ops/dit_norm.h
    };
    Modulation embedTimestep(const Tensor& timestep, int64_t batch, int64_t tokens,
                             const TensorObserver& observer) const;
    /// How a forward differs from the plain one (at most one of the two is set).
    struct Mode {
        const CausalStep* causal = nullptr;
        const SequenceShard* shard = nullptr;
    };
    Tensor forwardImpl(const Tensor& hiddenStates, const Tensor& timestep, const TransformerTextContext& text,
                       Mode mode, const TensorObserver& observer) const;
    Tensor block(int index, const Tensor& x, const Modulation& mod, const TransformerTextContext& text,
                 const ops::dit::RopeTables& rope, std::array<int64_t, 3> grid, Mode mode,
                 const TensorObserver& observer) const;
    /// The self-attention of one block: plain, with the causal state, or over the sums of all ranks.
    Tensor selfAttention(int index, const Tensor& q, const Tensor& k, const Tensor& v,
                         const ops::dit::RopeTables& rope, Mode mode) const;
    /// The feed-forward's temporal mixing: h + conv_temp(h) over [B, F', P, D], with the causal cache's
    /// previous frame in front (and this chunk's last frame saved) when `mode.causal` is given, or the
    /// neighbouring ranks' boundary frames around h when `mode.shard` is.
    Tensor temporalMix(int index, const Tensor& h, Mode mode) const;
    const Tensor& w(std::string_view name) const { return weights_.get(name); }
    /// Module `m` as a linear map: "<m>.weight" (a kernel viewed as [out, in]) and "<m>.bias" when present,
    /// plus its unmerged LoRA terms, y += scale·up(down(x)) in adapter order (PEFT's lora.Linear.forward).
    Tensor project(std::string_view m, const Tensor& x) const;
    Device device() const;
    /// Activations run in the weights' dtype (F32 on the CPU backend).
    DType computeDtype() const;

    TransformerConfig config_;
    WeightSet weights_;
    std::shared_ptr<const LoraTerms> lora_;
};

}  // namespace sv
