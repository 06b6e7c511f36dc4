// AutoencoderKLWan (the Wan 2.1 VAE) with diffusers' streaming semantics: encode in time chunks of 1, 4, 4, …
// frames and decode one latent frame at a time, every causal 3D conv keeping its last 2 input frames, and the
// first-frame special cases of the temporal down/up-samplers (diffusers autoencoder_kl_wan.py:
// AutoencoderKLWan._encode / _decode with feat_cache, WanCausalConv3d, WanResample). Decoder memory is
// constant in the number of frames; decodeFrames() hands the pixel frames out as they are produced.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string_view>

#include "base/tensor.h"
#include "models/video_vae.h"
#include "models/wan_vae_config.h"
#include "models/weights.h"

namespace sv {

using WanVaePosterior = VaePosterior;
using WanVaeParts = VaeParts;

class WanVae final : public VideoVae {
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

    VaeFamily family() const override { return VaeFamily::Wan; }
    std::string_view className() const override { return "AutoencoderKLWan"; }
    Device device() const override { return device_; }
    DType dtype() const override { return dtype_; }

    const WanVaeConfig& config() const { return config_; }
    bool hasEncoder() const override { return (int(parts_) & int(WanVaeParts::Encoder)) != 0; }
    bool hasDecoder() const override { return (int(parts_) & int(WanVaeParts::Decoder)) != 0; }
    int latentChannels() const override { return config_.zDim; }
    int temporalCompression() const override { return config_.scaleFactorTemporal; }
    int spatialCompression() const override { return config_.scaleFactorSpatial; }

    /// Latent frames for F pixel frames (frames beyond 1 + 4k are dropped by encode): 1 + (F − 1) / 4.
    int64_t latentFrameCount(int64_t pixelFrames) const;
    /// Pixel frames decoded from F' latent frames: 1 + scale_factor_temporal · (F' − 1).
    int64_t pixelFrameCount(int64_t latentFrames) const override;

    /// video [B, in_channels, F, H, W] in [−1, 1] (any float dtype and device; computed on the weights'
    /// device in their dtype). H and W must be at least scale_factor_spatial.
    VaePosterior encode(const Tensor& video, const VaeObserver& observer = {}) const override;

    /// Streaming decode: calls `sink` with each latent frame's pixel frames (1 for the first, then 4 each) as
    /// soon as they are decoded. Nothing but the per-conv caches outlives a step.
    void decodeFrames(const Tensor& latents, const VaeFrameSink& sink,
                      const VaeObserver& observer = {}) const override;

  private:
    friend class WanVaeDecodeSession;
    WanVaeConfig config_;
    WanLayout layout_;
    WeightSet weights_;
    WanVaeParts parts_;
    Device device_;  // the weights' device
    DType dtype_ = DType::F32;
};

/// decodeFrames over latents that arrive in pieces along time (LongSANA hands over one chunk of latent frames
/// at a time): the per-conv caches are kept between push() calls, so pushing [a ; b] in any split gives
/// exactly the frames of one decodeFrames([a ; b]). Memory is constant in the number of frames pushed. The
/// VAE must outlive the session.
class WanVaeDecodeSession {
  public:
    explicit WanVaeDecodeSession(const WanVae& vae);
    ~WanVaeDecodeSession();
    WanVaeDecodeSession(const WanVaeDecodeSession&) = delete;
    WanVaeDecodeSession& operator=(const WanVaeDecodeSession&) = delete;

    /// Decodes latents [B, z, n, h, w] (not normalised; batch and size as in the first push); `sink` gets the
    /// pixel frames with their index in the whole video.
    void push(const Tensor& latents, const VaeFrameSink& sink, const VaeObserver& observer = {});
    int64_t framesDecoded() const { return frames_; }

  private:
    struct State;
    const WanVae& vae_;
    std::unique_ptr<State> state_;
    int64_t frames_ = 0;
    Shape latentShape_;  // of the first push: [B, z, ·, h, w]
};

}  // namespace sv
