// Gemma-2 text encoder: transformers' Gemma2Model (models/gemma2/modeling_gemma2.py; the decoder of
// gemma-2-2b-it), returning the last hidden state after the final norm — SANA-Video's prompt embeddings. CPU
// backend: float32 weights and activations; CUDA backend: activations in the weights' dtype (F32 for parity,
// BF16 in production).
//
// Attention-logit soft-capping (score ← 50·tanh(score/50)) is a switch, OFF by default. Gemma-2 was trained
// with it and transformers' eager attention applies it, but with transformers 5.x Gemma2Model defaults to the
// "sdpa" attention implementation, which silently drops the cap (Gemma2Attention.forward passes softcap;
// integrations/sdpa_attention.py's sdpa_attention_forward never reads it) — so the diffusers SANA-Video
// pipeline as run today encodes prompts WITHOUT soft-capping. The default matches that, i.e. what diffusers
// produces. Turn it on to reproduce eager transformers (the shipped gemma2_tiny fixture was made eager; the
// parity tests switch it on). On the real model, with scores divided by 16, the cap rarely binds.
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string_view>

#include "base/tensor.h"
#include "models/gemma2_config.h"
#include "models/weights.h"
#include "ops/gemma_attention.h"

namespace sv {

struct Gemma2EncoderOptions {
    /// Attention-logit soft-capping with the config's attn_logit_softcapping (no effect when the config has
    /// none). false (default) = transformers' SDPA path, what diffusers runs; true = eager transformers.
    bool softcap = false;
    /// Host offload, for GPUs too small to keep the encoder resident beside the transformer: the weights stay
    /// in host memory in their storage dtype (the model dtype, or 8-bit codes with their F32 scales), and
    /// encode() copies each decoder layer's weights to the compute device just before the layer runs (freed
    /// after it), so at most one layer's weights are on the device at a time; the embedding rows of the ids
    /// are gathered on the host. Same kernels and dtypes as the resident encoder, so the outputs are
    /// identical; the price is copying the layers' weights (Gemma-2 2B: ~4 GB in bf16, ~2 GB in 8 bits) over
    /// the bus at every encode(). Fixed at construction.
    bool offload = false;
};

class Gemma2Encoder {
  public:
    /// Receives named intermediates: "embeds_scaled" [B, L, H] (input of layer 0), "layer_{i}" (the residual
    /// stream after decoder layer i, before the final norm) and "last_hidden_state" (the returned tensor).
    using Observer = std::function<void(std::string_view name, const Tensor& value)>;

    /// Loads a text_encoder folder: config.json plus model.safetensors or a sharded
    /// model.safetensors.index.json. Accepts Gemma2Model names and a Gemma2ForCausalLM checkpoint's "model."
    /// prefix (an "lm_head.weight" there is ignored). Stored F32/BF16/F16 weights are converted to F32.
    /// Weights go to options.device in options.dtype (the CPU backend needs F32; CUDA takes F32, BF16 or
    /// F16), or with encoderOptions.offload to host memory in that dtype, options.device being where
    /// encode() computes; sv::Error otherwise, and for a missing/broken config or checkpoint (the loader
    /// lists every missing, unexpected or mis-shaped tensor).
    static Gemma2Encoder load(const std::filesystem::path& folder, const LoadOptions& options = {},
                              const Gemma2EncoderOptions& encoderOptions = {});

    /// From an already loaded set (names and shapes as gemma2WeightSpecs(config), one dtype on one device;
    /// F32 when computing on the CPU). computeDevice is where encode() runs: the weights' device when unset;
    /// another device needs options.offload and the weights on the CPU.
    Gemma2Encoder(Gemma2Config config, WeightSet weights, Gemma2EncoderOptions options = {},
                  std::optional<Device> computeDevice = std::nullopt);

    /// inputIds: [B, L] I64, each in [0, vocab); attentionMask: [B, L] I64 of 0/1 (1 = token) or undefined
    /// (all tokens). Positions are 0..L−1 whatever the mask (as transformers without position ids), so use
    /// right padding. Padded positions are computed like the others (their outputs are well defined). ids and
    /// mask are CPU tensors. Returns last_hidden_state [B, L, hidden] F32 on the compute device. Bad
    /// ids/mask → sv::Error naming the argument.
    Tensor encode(const Tensor& inputIds, const Tensor& attentionMask, const Observer& observer = {}) const;

    const Gemma2Config& config() const { return config_; }
    const Gemma2EncoderOptions& options() const { return options_; }
    /// Changes soft-capping; options.offload must stay as constructed (the weights' place depends on it).
    void setOptions(const Gemma2EncoderOptions& options);
    /// The weights, on the compute device, or in host memory when offloaded.
    const WeightSet& weights() const { return weights_; }
    /// Where encode() computes and returns its result.
    Device computeDevice() const { return computeDevice_; }

  private:
    Tensor embed(const Tensor& inputIds) const;
    /// Copies of decoder layer `index`'s weights on the compute device (the offloaded path).
    WeightSet stageLayer(int index) const;
    /// Decoder layer `index` with its weights from `w` (weights_, or stageLayer(index) when offloaded).
    Tensor layer(int index, const WeightSet& w, const Tensor& hidden, const Tensor& mask,
                 const ops::GemmaRotary& rotary) const;

    Gemma2Config config_;
    WeightSet weights_;
    Gemma2EncoderOptions options_;
    Device computeDevice_;
};

}  // namespace sv
