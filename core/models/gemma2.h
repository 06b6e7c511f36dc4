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
    /// F16); sv::Error otherwise, and for a missing/broken config or checkpoint (the loader lists every
    /// missing, unexpected or mis-shaped tensor).
    static Gemma2Encoder load(const std::filesystem::path& folder, const LoadOptions& options = {},
                              const Gemma2EncoderOptions& encoderOptions = {});

    /// From an already loaded set (names and shapes as gemma2WeightSpecs(config), one dtype on one device;
    /// F32 on the CPU).
    Gemma2Encoder(Gemma2Config config, WeightSet weights, Gemma2EncoderOptions options = {});

    /// inputIds: [B, L] I64, each in [0, vocab); attentionMask: [B, L] I64 of 0/1 (1 = token) or undefined
    /// (all tokens). Positions are 0..L−1 whatever the mask (as transformers without position ids), so use
    /// right padding. Padded positions are computed like the others (their outputs are well defined). ids and
    /// mask are CPU tensors. Returns last_hidden_state [B, L, hidden] F32 on the weights' device. Bad
    /// ids/mask → sv::Error naming the argument.
    Tensor encode(const Tensor& inputIds, const Tensor& attentionMask, const Observer& observer = {}) const;

    const Gemma2Config& config() const { return config_; }
    const Gemma2EncoderOptions& options() const { return options_; }
    void setOptions(const Gemma2EncoderOptions& options) { options_ = options; }
    const WeightSet& weights() const { return weights_; }

  private:
    Tensor layer(int index, const Tensor& hidden, const Tensor& mask, const ops::GemmaRotary& rotary) const;

    Gemma2Config config_;
    WeightSet weights_;
    Gemma2EncoderOptions options_;
};

}  // namespace sv
