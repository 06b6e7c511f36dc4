#include "models/wan_vae.h"

#include <algorithm>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "ops/vae_attention.h"
#include "ops/vae_conv.h"
#include "ops/vae_norm.h"
#include "ops/vae_resample.h"

namespace sv {

namespace fs = std::filesystem;

namespace {

constexpr int kCacheFrames = 2;  // diffusers' CACHE_T: frames each causal conv remembers
constexpr int kEncodeChunk = 4;  // frames per encoder chunk after the first (hard-coded in diffusers)

// The streaming state of one encode or decode: one slot per cached conv / temporal resampler, taken in call
// order during every chunk (diffusers' feat_cache / feat_idx).
struct CacheSlot {
    Tensor frames;         // the last input frames this module saw (≤ kCacheFrames)
    bool started = false;  // temporal resamplers: the first chunk has been seen
};

class StreamState {
  public:
    void beginChunk() { next_ = 0; }
    CacheSlot& take() {
        if (next_ == slots_.size()) slots_.emplace_back();
        return slots_[next_++];
    }

  private:
    std::vector<CacheSlot> slots_;
    size_t next_ = 0;
};

// Walks the network for one chunk; `w` holds the weights, `obs` the optional observer.
class Runner {
  public:
    Runner(const WeightSet& w, const VaeObserver& obs, StreamState& state)
        : w_(w), obs_(obs), state_(state) {}

    void emit(std::string_view name, const Tensor& t) const {
        if (obs_) obs_(name, t);
    }

    // WanCausalConv3d 3×3×3 (padding 1: 2 zero frames in front) over [cache ; x]; the cache becomes the last
    // 2 frames of [cache ; x].
    Tensor cachedConv(const std::string& name, const Tensor& x, const Tensor& residual = {}) {
        CacheSlot& slot = state_.take();
        const Tensor& wt = w_.get(name + ".weight");
        const int tc = slot.frames.defined() ? int(slot.frames.dim(2)) : 0;
        const int pt = int(wt.dim(2) - 1) / 2, ph = int(wt.dim(3) - 1) / 2, pw = int(wt.dim(4) - 1) / 2;
        ops::ConvPad3d pad{std::max(0, 2 * pt - tc), ph, ph, pw, pw};
        Tensor y = ops::causalConv3d(x, slot.frames, wt, w_.get(name + ".bias"), pad, 1, 1, 1, residual);
        slot.frames = ops::lastFrames(slot.frames, x, kCacheFrames);
        return y;
    }

    Tensor pointwise(const std::string& name, const Tensor& x, const Tensor& residual = {}) const {
        return ops::pointwiseConv(x, w_.get(name + ".weight"), w_.get(name + ".bias"), residual);
    }

    Tensor residualBlock(const std::string& p, const WanBlock& b, const Tensor& x) {
        Tensor shortcut = b.inDim != b.outDim ? pointwise(p + "conv_shortcut", x) : x;
        Tensor h = cachedConv(p + "conv1", ops::wanRmsNorm(x, w_.get(p + "norm1.gamma"), true));
        return cachedConv(p + "conv2", ops::wanRmsNorm(h, w_.get(p + "norm2.gamma"), true), shortcut);
    }

    Tensor attentionBlock(const std::string& p, const Tensor& x) const {
        Tensor qkv = pointwise(p + "to_qkv", ops::wanRmsNorm(x, w_.get(p + "norm.gamma"), false));
        return pointwise(p + "proj", ops::vaeFrameAttention(qkv), x);
    }

    Tensor midBlock(const std::string& p, int dim, const Tensor& x) {
        const WanBlock res{WanBlock::Kind::Residual, dim, dim};
        Tensor h = residualBlock(p + "resnets.0.", res, x);
        h = attentionBlock(p + "attentions.0.", h);
        return residualBlock(p + "resnets.1.", res, h);
    }

    // downsample2d/3d: per frame zero pad right/bottom by 1, 3×3 stride-2 conv; 3d then a stride-2 time conv
    // whose first chunk passes through and whose later chunks see the previous chunk's last frame in front.
    Tensor downsample(const std::string& p, bool temporal, const Tensor& x) {
        Tensor y = ops::frameConv2d(x, w_.get(p + "resample.1.weight"), w_.get(p + "resample.1.bias"),
                                    ops::ConvPad3d{0, 0, 1, 0, 1}, 2, 2);
        if (!temporal) return y;
        CacheSlot& slot = state_.take();
        Tensor out = y;
        if (slot.started) {
            out = ops::causalConv3d(y, slot.frames, w_.get(p + "time_conv.weight"),
                                    w_.get(p + "time_conv.bias"), ops::ConvPad3d{}, 2);
        }
        slot.started = true;
        slot.frames = ops::lastFrames(Tensor(), y, 1);
        return out;
    }

    // upsample3d: the first chunk skips the time conv; later chunks run the causal time conv (C → 2C) over
    // the frames after the first alone and interleave the two channel halves in time. Then (2d and 3d)
    // nearest ×2 and a 3×3 conv.
    Tensor upsample(const std::string& p, bool temporal, const Tensor& x) {
        Tensor y = x;
        if (temporal) {
            CacheSlot& slot = state_.take();
            if (slot.started) {
                // time_conv: kernel (3, 1, 1), padding (1, 0, 0) → 2 zero frames in front of [cache ; x]
                const Tensor& wt = w_.get(p + "time_conv.weight");
                const int tc = slot.frames.defined() ? int(slot.frames.dim(2)) : 0;
                Tensor t =
                    ops::causalConv3d(x, slot.frames, wt, w_.get(p + "time_conv.bias"),
                                      ops::ConvPad3d{std::max(0, int(wt.dim(2)) - 1 - tc), 0, 0, 0, 0});
                slot.frames = ops::lastFrames(slot.frames, x, kCacheFrames);
                y = ops::interleaveTimeHalves(t);
            }
            slot.started = true;
        }
        return ops::frameConv2d(ops::upsampleNearest2x(y), w_.get(p + "resample.1.weight"),
                                w_.get(p + "resample.1.bias"), ops::ConvPad3d{0, 1, 1, 1, 1});
    }

    Tensor block(const std::string& p, const WanBlock& b, const Tensor& x) {
        switch (b.kind) {
            case WanBlock::Kind::Residual:
                return residualBlock(p, b, x);
            case WanBlock::Kind::Downsample2d:
                return downsample(p, false, x);
            case WanBlock::Kind::Downsample3d:
                return downsample(p, true, x);
            case WanBlock::Kind::Upsample2d:
                return upsample(p, false, x);
            case WanBlock::Kind::Upsample3d:
                return upsample(p, true, x);
        }
        SV_ASSERT(false);
    }

    // encoder + quant_conv on one chunk of frames → [B, 2z, t', h, w]
    Tensor encoderChunk(const WanLayout& L, const Tensor& x) {
        Tensor h = cachedConv("encoder.conv_in", x);
        emit("encoder.conv_in", h);
        for (size_t i = 0; i < L.encoderBlocks.size(); ++i) {
            const std::string name = concat("encoder.down_blocks.", i);
            h = block(name + ".", L.encoderBlocks[i], h);
            emit(name, h);
        }
        h = midBlock("encoder.mid_block.", L.encoderMidDim, h);
        emit("encoder.mid_block", h);
        h = cachedConv("encoder.conv_out", ops::wanRmsNorm(h, w_.get("encoder.norm_out.gamma"), true));
        emit("encoder", h);
        h = pointwise("quant_conv", h);
        emit("quant_conv", h);
        return h;
    }

    // post_quant_conv + decoder on one latent frame → pixel frames before the clamp
    Tensor decoderChunk(const WanLayout& L, const Tensor& z) {
        Tensor h = pointwise("post_quant_conv", z);
        emit("post_quant_conv", h);
        h = cachedConv("decoder.conv_in", h);
        emit("decoder.conv_in", h);
        h = midBlock("decoder.mid_block.", L.decoderMidDim, h);
        emit("decoder.mid_block", h);
        for (size_t i = 0; i < L.decoderBlocks.size(); ++i) {
            const auto& ub = L.decoderBlocks[i];
            const std::string name = concat("decoder.up_blocks.", i);
            for (size_t r = 0; r < ub.resnets.size(); ++r)
                h = residualBlock(concat(name, ".resnets.", r, "."), ub.resnets[r], h);
            if (ub.hasUpsampler) h = block(name + ".upsamplers.0.", ub.upsampler, h);
            emit(name, h);
        }
        h = cachedConv("decoder.conv_out", ops::wanRmsNorm(h, w_.get("decoder.norm_out.gamma"), true));
        emit("decoder", h);
        return h;
    }

  private:
    const WeightSet& w_;
    const VaeObserver& obs_;
    StreamState& state_;
};

}  // namespace

WanVae WanVae::load(const fs::path& folderIn, WanVaeParts parts, const LoadOptions& loadOptions) {
    const fs::path folder = vaeFolder(folderIn, "AutoencoderKLWan");
    WanVaeConfig config = WanVaeConfig::load(folder / "config.json");
    WeightSet weights = loadVaeWeights(folder, VideoVaeConfig{config}, parts, loadOptions);
    return WanVae(std::move(config), std::move(weights), parts);
}

WanVae::WanVae(WanVaeConfig config, WeightSet weights, WanVaeParts parts)
    : config_(std::move(config)),
      layout_(wanVaeLayout(config_)),
      weights_(std::move(weights)),
      parts_(parts) {
    SV_CHECK(kEncodeChunk % config_.scaleFactorTemporal == 0, "WanVae: scale_factor_temporal ",
             config_.scaleFactorTemporal, " is not supported (the streaming encoder needs it to divide ",
             kEncodeChunk, ")");
    std::tie(device_, dtype_) =
        bindVaeWeights(weights_, VideoVaeConfig{config_}.weightSpecs(parts_), "WanVae");
    setLatentStatistics(config_.latentsMean, config_.latentsStd);
}

int64_t WanVae::latentFrameCount(int64_t pixelFrames) const {
    return pixelFrames < 1 ? 0 : 1 + (pixelFrames - 1) / kEncodeChunk;
}

int64_t WanVae::pixelFrameCount(int64_t latentFrames) const {
    return latentFrames < 1 ? 0 : 1 + config_.scaleFactorTemporal * (latentFrames - 1);
}

VaePosterior WanVae::encode(const Tensor& videoIn, const VaeObserver& observer) const {
    SV_CHECK(hasEncoder(), "WanVae::encode: the encoder was not loaded");
    SV_CHECK(videoIn.rank() == 5 && videoIn.dim(1) == config_.inChannels && videoIn.dim(2) >= 1,
             "WanVae::encode: ", "video must be [B, ", config_.inChannels, ", F ≥ 1, H, W], got ",
             videoIn.describe());
    SV_CHECK(videoIn.dim(3) >= config_.scaleFactorSpatial && videoIn.dim(4) >= config_.scaleFactorSpatial,
             "WanVae::encode: video frames must be at least ", config_.scaleFactorSpatial, "×",
             config_.scaleFactorSpatial, " pixels, got ", videoIn.describe());
    const int64_t used = 1 + kEncodeChunk * (latentFrameCount(videoIn.dim(2)) - 1);  // the rest is dropped
    StreamState state;
    Runner run(weights_, observer, state);
    std::vector<Tensor> chunks;
    for (int64_t f0 = 0; f0 < used; f0 = f0 == 0 ? 1 : f0 + kEncodeChunk) {
        const int64_t f1 = f0 == 0 ? 1 : f0 + kEncodeChunk;
        state.beginChunk();
        chunks.push_back(run.encoderChunk(layout_, computeInput(videoIn.slice(2, f0, f1), "video")));
    }
    VaePosterior post;
    post.moments = concatFrames(chunks);
    chunks.clear();
    post.mean = post.moments.slice(1, 0, config_.zDim).contiguous();
    post.logvar = ops::clampValues(post.moments.slice(1, config_.zDim, 2 * config_.zDim), -30.0f, 20.0f);
    return post;
}

void WanVae::decodeFrames(const Tensor& latents, const VaeFrameSink& sink,
                          const VaeObserver& observer) const {
    WanVaeDecodeSession session(*this);
    session.push(latents, sink, observer);
}

struct WanVaeDecodeSession::State {
    StreamState stream;
};

WanVaeDecodeSession::WanVaeDecodeSession(const WanVae& vae) : vae_(vae), state_(std::make_unique<State>()) {
    SV_CHECK(vae.hasDecoder(), "WanVae::decode: the decoder was not loaded");
}

WanVaeDecodeSession::~WanVaeDecodeSession() = default;

void WanVaeDecodeSession::push(const Tensor& latents, const VaeFrameSink& sink, const VaeObserver& observer) {
    const WanVaeConfig& c = vae_.config_;
    SV_CHECK(latents.rank() == 5 && latents.dim(1) == c.zDim && latents.dim(2) >= 1 && latents.dim(3) >= 1 &&
                 latents.dim(4) >= 1,
             "WanVae::decode: latents must be [B, ", c.zDim, ", F' ≥ 1, h, w], got ", latents.describe());
    if (latentShape_.empty()) latentShape_ = latents.shape();
    SV_CHECK(latents.dim(0) == latentShape_[0] && latents.dim(3) == latentShape_[3] &&
                 latents.dim(4) == latentShape_[4],
             "WanVae::decode: latents ", latents.describe(), " continue a stream of ",
             shapeToString(latentShape_), " (batch and size must not change)");
    Runner run(vae_.weights_, observer, state_->stream);
    for (int64_t i = 0; i < latents.dim(2); ++i) {
        state_->stream.beginChunk();
        Tensor out = run.decoderChunk(vae_.layout_, vae_.computeInput(latents.slice(2, i, i + 1), "latents"));
        out = ops::clampValues(out, -1.0f, 1.0f);
        const int64_t n = out.dim(2);
        sink(frames_, out);
        frames_ += n;
    }
}

}  // namespace sv
