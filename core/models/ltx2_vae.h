// AutoencoderKLLTX2Video (diffusers models/autoencoders/autoencoder_kl_ltx2.py), the LTX-2 video VAE of
// SANA-Video 720p: 32× spatial / 8× temporal compression to 128 latent channels, patchify 4×4, causal
// replicate-padded 3D convs in the encoder, and a decoder of depth-to-space upsamplers whose convs are
// non-causal (one frame of context on each side, replicate-padded in time, reflect-padded in space) in the
// released config.
//
// Encode is one pass over all frames (image-to-video encodes a single frame). Decode streams: every temporal
// conv keeps its last input frames and, when non-causal, emits each output frame once the next input frame
// has arrived (flushing the last one with the replicate pad at the end); skip connections hold their input
// frames until the matching output frames exist. The result equals diffusers' single full-length pass (the
// module outputs are identical frame by frame) while memory stays bounded by a few frames at each level,
// so a 704×1280×81 decode needs a fraction of a full pass's activations.
#pragma once

#include <filesystem>

#include "models/ltx2_vae_config.h"
#include "models/video_vae.h"
#include "models/weights.h"

namespace sv {

class Ltx2Vae final : public VideoVae {
  public:
    /// Loads a diffusers `vae/` folder (config.json + weights, or a pipeline folder holding vae/). Only the
    /// requested half is loaded (latents_mean / latents_std always). The CPU backend needs F32.
    static Ltx2Vae load(const std::filesystem::path& folder, VaeParts parts = VaeParts::Both,
                        const LoadOptions& options = {});

    /// From a config and weights named as in ltx2VaeWeightSpecs (those of the requested parts), all on one
    /// device. CPU weights are converted to F32; CUDA weights to the dtype of the first one.
    Ltx2Vae(Ltx2VaeConfig config, WeightSet weights, VaeParts parts = VaeParts::Both);

    VaeFamily family() const override { return VaeFamily::Ltx2; }
    std::string_view className() const override { return "AutoencoderKLLTX2Video"; }
    Device device() const override { return device_; }
    DType dtype() const override { return dtype_; }
    bool hasEncoder() const override { return (int(parts_) & int(VaeParts::Encoder)) != 0; }
    bool hasDecoder() const override { return (int(parts_) & int(VaeParts::Decoder)) != 0; }
    int latentChannels() const override { return config_.latentChannels; }
    int temporalCompression() const override { return config_.temporalCompression; }
    int spatialCompression() const override { return config_.spatialCompression; }
    int64_t pixelFrameCount(int64_t latentFrames) const override;

    const Ltx2VaeConfig& config() const { return config_; }
    const Ltx2Layout& layout() const { return layout_; }
    const WeightSet& weights() const { return weights_; }

    /// video [B, in_channels, F, H, W] with F = 1 + 8k and H, W multiples of the spatial compression (the
    /// encoder's temporal downsamplers need it). Observer names: "encoder.conv_in",
    /// "encoder.down_blocks.{i}", "encoder.mid_block", "encoder" (the output with the repeated log-variance
    /// channel).
    VaePosterior encode(const Tensor& video, const VaeObserver& observer = {}) const override;

    /// latents [B, latent_channels, F', h, w] → frames [B, out_channels, ·, 32h, 32w] (not clamped, as
    /// diffusers). Observer names: "decoder.conv_in", "decoder.mid_block", "decoder.up_blocks.{i}",
    /// "decoder".
    void decodeFrames(const Tensor& latents, const VaeFrameSink& sink,
                      const VaeObserver& observer = {}) const override;

  private:
    Ltx2VaeConfig config_;
    Ltx2Layout layout_;
    WeightSet weights_;
    VaeParts parts_;
    Device device_;
    DType dtype_ = DType::F32;
};

/// The streamed decoder (ltx2_vae_decoder.cpp), on validated latents on the weights' device and dtype.
void ltx2DecodeStream(const Ltx2VaeConfig& config, const Ltx2Layout& layout, const WeightSet& weights,
                      const Tensor& latents, const VaeFrameSink& sink, const VaeObserver& observer);

}  // namespace sv
