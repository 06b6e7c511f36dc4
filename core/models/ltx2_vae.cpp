#include "models/ltx2_vae.h"

#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "ops/ltx_vae.h"
#include "ops/vae_conv.h"
#include "ops/vae_resample.h"

namespace sv {

namespace fs = std::filesystem;
using ops::ltx::ChannelNorm;
using ops::ltx::SpatialPadding;
using ops::ltx::SubpixelOrder;

namespace {

constexpr float kPixelNormEps = 1e-8f;  // PerChannelRMSNorm's default eps

// The encoder's full-length pass (LTX2VideoEncoder3d.forward).
class EncoderPass {
  public:
    EncoderPass(const Ltx2VaeConfig& c, const WeightSet& w, const VaeObserver& obs)
        : c_(c),
          w_(w),
          obs_(obs),
          padding_(c.encoderReflectPadding ? SpatialPadding::Reflect : SpatialPadding::Zeros) {}

    void emit(std::string_view name, const Tensor& t) const {
        if (obs_) obs_(name, t);
    }

    // LTX2VideoCausalConv3d over all frames: replicate frame 0 (kt − 1 times when causal, (kt − 1) / 2 on
    // each side otherwise).
    Tensor conv(const std::string& name, const Tensor& x, const Tensor& residual = {}) const {
        const Tensor& wt = w_.get(name + ".weight");
        const int kt = int(wt.dim(2));
        const int front = c_.encoderCausal ? kt - 1 : (kt - 1) / 2,
                  back = c_.encoderCausal ? 0 : (kt - 1) / 2;
        return ops::ltx::conv3d(x, front > 0 ? repeatFrame(x, 0, front) : Tensor(), back, wt,
                                w_.get(name + ".bias"), padding_, residual);
    }

    // LTX2VideoResnetBlock3d without timestep conditioning or noise.
    Tensor resnet(const std::string& p, const Ltx2Resnet& r, const Tensor& x) const {
        Tensor h =
            conv(p + "conv1.conv", ops::ltx::channelNorm(x, ChannelNorm::Rms, kPixelNormEps, {}, {}, true));
        h = ops::ltx::channelNorm(h, ChannelNorm::Rms, kPixelNormEps, {}, {}, true);
        Tensor skip = x;
        if (r.inDim != r.outDim) {
            skip = ops::ltx::channelNorm(x, ChannelNorm::Layer, float(c_.resnetNormEps),
                                         w_.get(p + "norm3.weight"), w_.get(p + "norm3.bias"));
            skip = ops::pointwiseConv(skip, w_.get(p + "conv_shortcut.weight"),
                                      w_.get(p + "conv_shortcut.bias"));
        }
        return conv(p + "conv2.conv", h, skip);
    }

    // LTX2VideoDownsampler3d: prepend stride_t − 1 copies of the first frames, space-to-depth of the conv
    // output plus the group mean of the input's space-to-depth.
    Tensor downsample(const std::string& p, const Ltx2EncoderBlock& b, const Tensor& x) const {
        Tensor xp = x;
        if (b.stride[0] > 1) xp = concatFrames(std::vector<Tensor>{x.slice(2, 0, b.stride[0] - 1), x});
        const Tensor residual = ops::ltx::spaceToDepth(xp, b.stride, SubpixelOrder::THW, b.groupSize);
        return ops::ltx::spaceToDepth(conv(p + "conv.conv", xp), b.stride, SubpixelOrder::THW, 1, residual);
    }

    Tensor run(const Ltx2Layout& L, const Tensor& video) const {
        Tensor h = ops::ltx::spaceToDepth(video, {1, L.patch, L.patch}, SubpixelOrder::TWH);  // patchify
        h = conv("encoder.conv_in.conv", h);
        emit("encoder.conv_in", h);
        for (size_t i = 0; i < L.encoderBlocks.size(); ++i) {
            const auto& b = L.encoderBlocks[i];
            const std::string p = concat("encoder.down_blocks.", i, ".");
            for (int r = 0; r < b.resnets; ++r) h = resnet(concat(p, "resnets.", r, "."), {b.dim, b.dim}, h);
            if (b.downsample) h = downsample(p + "downsamplers.0.", b, h);
            emit(concat("encoder.down_blocks.", i), h);
        }
        for (int r = 0; r < L.encoderMidResnets; ++r)
            h = resnet(concat("encoder.mid_block.resnets.", r, "."), {L.encoderMidDim, L.encoderMidDim}, h);
        emit("encoder.mid_block", h);
        h = ops::ltx::channelNorm(h, ChannelNorm::Rms, kPixelNormEps, {}, {}, true);
        return conv("encoder.conv_out.conv", h);  // [B, latent + 1, ...]
    }

  private:
    const Ltx2VaeConfig& c_;
    const WeightSet& w_;
    const VaeObserver& obs_;
    SpatialPadding padding_;
};

}  // namespace

Ltx2Vae Ltx2Vae::load(const fs::path& folderIn, VaeParts parts, const LoadOptions& loadOptions) {
    const fs::path folder = vaeFolder(folderIn, "AutoencoderKLLTX2Video");
    Ltx2VaeConfig config = Ltx2VaeConfig::load(folder / "config.json");
    WeightSet weights = loadVaeWeights(folder, VideoVaeConfig{config}, parts, loadOptions);
    return Ltx2Vae(std::move(config), std::move(weights), parts);
}

Ltx2Vae::Ltx2Vae(Ltx2VaeConfig config, WeightSet weights, VaeParts parts)
    : config_(std::move(config)),
      layout_(ltx2VaeLayout(config_)),
      weights_(std::move(weights)),
      parts_(parts) {
    std::tie(device_, dtype_) =
        bindVaeWeights(weights_, VideoVaeConfig{config_}.weightSpecs(parts_), "Ltx2Vae");
    // diffusers' pipelines read the statistics from the buffers (not the config, as for Wan).
    std::vector<float> stdv = weights_.get("latents_std").toFloatVector();
    for (float s : stdv)
        SV_CHECK(s > 0.0f, "Ltx2Vae: latents_std holds ", s, " (the statistics must be positive)");
    setLatentStatistics(weights_.get("latents_mean").toFloatVector(), stdv);
}

int64_t Ltx2Vae::pixelFrameCount(int64_t latentFrames) const {
    return latentFrames < 1 ? 0 : layout_.decodedFrames(latentFrames);
}

VaePosterior Ltx2Vae::encode(const Tensor& videoIn, const VaeObserver& observer) const {
    SV_CHECK(hasEncoder(), "Ltx2Vae::encode: the encoder was not loaded");
    const int scale = layout_.encoderSpatialScale();
    SV_CHECK(videoIn.defined() && videoIn.rank() == 5 && videoIn.dim(1) == config_.inChannels &&
                 videoIn.dim(2) >= 1 && videoIn.dim(3) >= scale && videoIn.dim(4) >= scale &&
                 videoIn.dim(3) % scale == 0 && videoIn.dim(4) % scale == 0,
             "Ltx2Vae::encode: video must be [B, ", config_.inChannels,
             ", F, H, W] with H and W multiples of ", scale, ", got ",
             videoIn.defined() ? videoIn.describe() : std::string("nothing"));
    SV_CHECK(!config_.encoderReflectPadding || (videoIn.dim(3) >= 2 * scale && videoIn.dim(4) >= 2 * scale),
             "Ltx2Vae::encode: reflect padding needs frames of at least ", 2 * scale, "×", 2 * scale,
             ", got ", videoIn.describe());
    SV_CHECK(layout_.encodedFrames(videoIn.dim(2)) > 0, "Ltx2Vae::encode: ", videoIn.dim(2),
             " frames cannot be encoded (1 + ", config_.temporalCompression, "k frames can)");
    const Tensor h = EncoderPass(config_, weights_, observer).run(layout_, computeInput(videoIn, "video"));
    // The log-variance channel repeated for every latent channel (LTX2VideoEncoder3d.forward), then
    // DiagonalGaussianDistribution's chunk and clamp.
    const int z = config_.latentChannels;
    VaePosterior post;
    Shape shape = h.shape();
    shape[1] = 2 * z;
    post.moments = Tensor::empty(shape, h.dtype(), h.device());
    post.moments.slice(1, 0, z + 1).copyFrom(h);
    for (int c = z + 1; c < 2 * z; ++c) post.moments.slice(1, c, c + 1).copyFrom(h.slice(1, z, z + 1));
    if (observer) observer("encoder", post.moments);
    post.mean = post.moments.slice(1, 0, z).contiguous();
    post.logvar = ops::clampValues(post.moments.slice(1, z, 2 * z), -30.0f, 20.0f);
    return post;
}

void Ltx2Vae::decodeFrames(const Tensor& latents, const VaeFrameSink& sink,
                           const VaeObserver& observer) const {
    SV_CHECK(hasDecoder(), "Ltx2Vae::decode: the decoder was not loaded");
    SV_CHECK(latents.defined() && latents.rank() == 5 && latents.dim(1) == config_.latentChannels &&
                 latents.dim(2) >= 1 && latents.dim(3) >= 1 && latents.dim(4) >= 1,
             "Ltx2Vae::decode: latents must be [B, ", config_.latentChannels, ", F' ≥ 1, h, w], got ",
             latents.defined() ? latents.describe() : std::string("nothing"));
    SV_CHECK(!config_.decoderReflectPadding || (latents.dim(3) >= 2 && latents.dim(4) >= 2),
             "Ltx2Vae::decode: reflect padding needs latents of at least 2×2, got ", latents.describe());
    ltx2DecodeStream(config_, layout_, weights_, computeInput(latents, "latents"), sink, observer);
}

}  // namespace sv
