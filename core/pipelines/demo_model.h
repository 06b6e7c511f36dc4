// A tiny random-weight SANA-Video model in the exact diffusers layout (what `sanavideo make-demo-model`
// writes), so every path of the product runs without downloading anything:
//
//   model_index.json                      SanaVideoPipeline
//   transformer/  config.json + diffusion_pytorch_model.safetensors   (SanaVideoTransformer3DModel, 2 layers,
//                 width 64, sample_size 30 like the real 480p model)
//   vae/          config.json + diffusion_pytorch_model.safetensors   (AutoencoderKLWan, base_dim 16, Wan 2.1
//                 latent statistics and scale factors 4 / 8)
//   text_encoder/ config.json + model.safetensors                     (Gemma2Model, 2 layers, hidden 64,
//                 vocabulary 512 = the tokenizer's)
//   tokenizer/    tokenizer.model + tokenizer_config.json + special_tokens_map.json (the project's tiny
//                 sentencepiece model, resources/demo/tokenizer.model)
//   scheduler/    scheduler_config.json   (DPMSolverMultistepScheduler, flow sigmas, flow_shift 8, with
//                 "lambda_min_clipped": -Infinity as diffusers writes it)
//
// DemoFamily::Ltx720p writes the 720p layout instead: the transformer with 1×1×1 patches and sample_size 22
// (the 720p resolution bins), in/out channels = the VAE's latent channels (16 here), and vae/ an
// AutoencoderKLLTX2Video with LTX-2's structure (patch 4, 32× spatial / 8× temporal, non-causal
// reflect-padded decoder, latents_mean/std buffers) at widths 16–64.
//
// Weights are drawn from sv::TorchCpuGenerator (portable: the same bytes on every platform for a seed).
// Matrices and convolutions N(0, 1/fan_in), biases N(0, 0.02²), norm scales near 1 (Gemma's (1 + w) norms
// near 0), modulation tables N(0, 0.1²). The output is noise-like video — it only exercises the code paths.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>

namespace sv {

/// Which model the demo folder imitates: the 480p SANA-Video layout (Wan 2.1 VAE), the 720p layout (LTX-2
/// VAE), or LongSANA (LongSanaVideoPipeline with a SanaVideoCausalTransformer3DModel, diffusers PR #12723:
/// the 480p weights with the causal class, so the long-video path runs on a CPU).
enum class DemoFamily { Wan480p, Ltx720p, LongSana };

/// Writes the demo model into `dir` (created when missing). The folder must be empty or hold an earlier
/// demo/diffusers model (a model_index.json), which is overwritten. `tokenizerModel` holds the bytes of the
/// sentencepiece model. Deterministic in `seed`. Throws sv::Error naming the file that cannot be written.
void writeDemoModel(const std::filesystem::path& dir, std::span<const uint8_t> tokenizerModel,
                    uint64_t seed = 0, DemoFamily family = DemoFamily::Wan480p);

}  // namespace sv
