// AutoencoderKLWan (the Wan 2.1 VAE) with diffusers' streaming semantics: encode in time chunks of 1, 4, 4, …
// frames and decode one latent frame at a time, every causal 3D conv keeping its last 2 input frames, and the
// first-frame special cases of the temporal down/up-samplers (diffusers autoencoder_kl_wan.py:
// AutoencoderKLWan._encode / _decode with feat_cache, WanCausalConv3d, WanResample). Decoder memory is
// constant in the number of frames; decodeFrames() hands the pixel frames out as they are produced.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string_view>

#include "base/tensor.h"
#include "models/wan_vae_config.h"
#include "models/weights.h"

namespace sv {

/// Receives named module outputs once per streamed chunk, under diffusers' module names ("encoder.conv_in",
/// "encoder.down_blocks.{i}", "encoder.mid_block", "encoder", "quant_conv", "post_quant_conv",
/// "decoder.conv_in", "decoder.mid_block", "decoder.up_blocks.{i}", "decoder" (before the clamp)).
/// Concatenating one module's outputs along time gives its output over the whole video.
using VaeObserver = std::function<void(std::string_view module, const Tensor& output)>;

/// Receives decoded pixel frames [B, C, n, H, W] in [−1, 1]; `firstFrame` is the index of the chunk's first
/// frame.
using VaeFrameSink = std::function<void(int64_t firstFrame, const Tensor& frames)>;

struct WanVaePosterior {
    Tensor moments;  // quant_conv output [B, 2·z, F', h, w] = [mean ; logvar before the clamp]
    Tensor mean;     // [B, z, F', h, w] (the posterior mode, used by image-to-video)
    Tensor logvar;   // [B, z, F', h, w], clamped to [−30, 20]
};

enum class WanVaeParts { Encoder = 1, Decoder = 2, Both = 3 };

class WanVae {
  public:
    /// Loads a diffusers `vae/` folder (config.json + diffusion_pytorch_model.safetensors or a sharded index)
    /// or a fixture folder; a pipeline folder holding `vae/` works too. F32/BF16/F16 weights are converted to
    /// options.dtype on options.device (the CPU backend needs F32; CUDA runs F32, BF16 or F16 activations in
    /// the weights' dtype). Only the requested half is loaded (the other half's tensors may be present or
    /// absent).
    static WanVae load(const std::filesystem::path& folder, WanVaeParts parts = WanVaeParts::Both,
                       const LoadOptions& options = {});

    /// From a config and weights named as in wanVaeWeightSpecs (those of the requested parts), all on one
    /// device. CPU weights are converted to F32; CUDA weights to the dtype of the first one.
    WanVae(WanVaeConfig config, WeightSet weights, WanVaeParts parts = WanVaeParts::Both);

    Device device() const { return device_; }
    DType dtype() const { return dtype_; }

    const WanVaeConfig& config() const { return config_; }
    bool hasEncoder() const { return (int(parts_) & int(WanVaeParts::Encoder)) != 0; }
    bool hasDecoder() const { return (int(parts_) & int(WanVaeParts::Decoder)) != 0; }

    /// Latent frames for F pixel frames (frames beyond 1 + 4k are dropped by encode): 1 + (F − 1) / 4.
    int64_t latentFrameCount(int64_t pixelFrames) const;
    /// Pixel frames decoded from F' latent frames: 1 + scale_factor_temporal · (F' − 1).
    int64_t pixelFrameCount(int64_t latentFrames) const;

    /// video [B, in_channels, F, H, W] in [−1, 1] (any float dtype and device; computed on the weights'
    /// device in their dtype). H and W must be at least scale_factor_spatial.
    WanVaePosterior encode(const Tensor& video, const VaeObserver& observer = {}) const;

    /// latents [B, z, F', h, w] (not normalised) → video [B, out_channels, 1 + 4(F'−1), 8h, 8w] F32 on the
    /// weights' device, clamped to [−1, 1].
    Tensor decode(const Tensor& latents, const VaeObserver& observer = {}) const;

    /// Streaming decode: calls `sink` with each latent frame's pixel frames (1 for the first, then 4 each) as
    /// soon as they are decoded. Nothing but the per-conv caches outlives a step.
    void decodeFrames(const Tensor& latents, const VaeFrameSink& sink,
                      const VaeObserver& observer = {}) const;

    /// (z − latents_mean) · float(1 / latents_std) per channel (the pipeline's image-latent normalisation).
    Tensor normalizeLatents(const Tensor& z) const;
    /// z / float(1 / latents_std) + latents_mean per channel (before decode; diffusers divides by the
    /// reciprocal).
    Tensor denormalizeLatents(const Tensor& z) const;

  private:
    WanVaeConfig config_;
    WanLayout layout_;
    WeightSet weights_;
    WanVaeParts parts_;
    Tensor latentsMean_;    // [z]
    Tensor latentsInvStd_;  // [z] = float(1) / float(std)
    Device device_;         // the weights' device
    DType dtype_ = DType::F32;
};

}  // namespace sv
