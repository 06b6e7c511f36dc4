// The streamed LTX2VideoDecoder3d (autoencoder_kl_ltx2.py, LTX2VideoDecoder3d.forward with temb = None).
//
// The decoder is flattened into a chain of stream nodes. A node takes frames and returns the frames it can
// produce so far; temporal convs are the only nodes with a delay: non-causal ones (replicate padding of one
// frame on each side) emit output frame t once input frame t + 1 has arrived and the last one at flush.
// Skip connections are a queue filled where the block starts and drained, frame for frame, where its output
// appears. The driver pushes one latent frame at a time, then flushes node by node, each flush's frame
// continuing down the chain as an ordinary push; a chunk larger than kMaxChunkElements (channels · frames ·
// H · W) is split before it enters a node. So every level holds a few frames (at most 8 at the full
// resolution of LTX-2's three 2× upsamplers, 2 per piece), whatever the video's length, and every output
// frame is computed from exactly the inputs of diffusers' full-length pass.
#include <deque>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "models/ltx2_vae.h"
#include "ops/ltx_vae.h"
#include "ops/vae_conv.h"

namespace sv {

using ops::ltx::ChannelNorm;
using ops::ltx::SpatialPadding;
using ops::ltx::SubpixelOrder;

namespace {

constexpr float kPixelNormEps = 1e-8f;
constexpr int64_t kMaxChunkElements = int64_t(1) << 24;  // per push: 2 frames of 128 × 176 × 320

// Frames waiting for their skip connection (FIFO along time).
class FrameQueue {
  public:
    void append(const Tensor& x) {
        parts_.push_back(x);
        frames_ += x.dim(2);
    }
    // The first n frames, removed from the queue.
    Tensor take(int64_t n) {
        SV_ASSERT_MSG(n <= frames_, "ltx2 decoder: skip queue holds ", frames_, " frames, ", n, " requested");
        std::vector<Tensor> out;
        int64_t need = n;
        while (need > 0) {
            Tensor& front = parts_.front();
            const int64_t k = std::min(need, front.dim(2));
            out.push_back(front.slice(2, 0, k));
            if (k == front.dim(2))
                parts_.pop_front();
            else
                front = front.slice(2, k, front.dim(2));
            need -= k;
        }
        frames_ -= n;
        return out.size() == 1 ? out[0].contiguous() : concatFrames(out);
    }

  private:
    std::deque<Tensor> parts_;
    int64_t frames_ = 0;
};

class StreamNode {
  public:
    virtual ~StreamNode() = default;
    /// x [B, C, n ≥ 1, H, W] → the frames ready now (undefined when none).
    virtual Tensor push(const Tensor& x) = 0;
    /// After the last push: the frames held back (at most the conv's temporal padding).
    virtual Tensor flush() { return {}; }
};

// Appends its input to a skip queue and passes it on.
class TapNode final : public StreamNode {
  public:
    explicit TapNode(std::shared_ptr<FrameQueue> q) : q_(std::move(q)) {}
    Tensor push(const Tensor& x) override {
        q_->append(x);
        return x;
    }

  private:
    std::shared_ptr<FrameQueue> q_;
};

class NormSiluNode final : public StreamNode {
  public:
    Tensor push(const Tensor& x) override {
        return ops::ltx::channelNorm(x, ChannelNorm::Rms, kPixelNormEps, {}, {}, true);
    }
};

class ObserverNode final : public StreamNode {
  public:
    ObserverNode(std::string name, const VaeObserver& obs) : name_(std::move(name)), obs_(obs) {}
    Tensor push(const Tensor& x) override {
        obs_(name_, x);
        return x;
    }

  private:
    std::string name_;
    const VaeObserver& obs_;
};

// The skip path of a resnet: the queued input, through norm3 + conv_shortcut when the channels change.
struct Skip {
    std::shared_ptr<FrameQueue> queue;
    Tensor normWeight, normBias, convWeight, convBias;  // defined for in ≠ out
    float eps = 0.0f;

    Tensor take(int64_t n) const {
        Tensor x = queue->take(n);
        if (!convWeight.defined()) return x;
        x = ops::ltx::channelNorm(x, ChannelNorm::Layer, eps, normWeight, normBias);
        return ops::pointwiseConv(x, convWeight, convBias);
    }
};

// LTX2VideoCausalConv3d with its frame cache: causal = kt − 1 copies of frame 0 in front; otherwise
// (kt − 1) / 2 copies of frame 0 in front and of the last frame behind (emitted at flush).
class ConvNode final : public StreamNode {
  public:
    ConvNode(Tensor w, Tensor b, bool causal, SpatialPadding padding, Skip skip = {})
        : w_(std::move(w)), b_(std::move(b)), padding_(padding), skip_(std::move(skip)) {
        const int kt = int(w_.dim(2));
        context_ = kt - 1;
        front_ = causal ? kt - 1 : (kt - 1) / 2;
        back_ = causal ? 0 : (kt - 1) / 2;
    }

    Tensor push(const Tensor& x) override {
        if (!started_) {
            cache_ = front_ > 0 ? repeatFrame(x, 0, front_) : Tensor();
            started_ = true;
        }
        const int64_t tc = cache_.defined() ? cache_.dim(2) : 0, outputs = tc + x.dim(2) - context_;
        Tensor y;
        if (outputs > 0) y = ops::ltx::conv3d(x, cache_, 0, w_, b_, padding_, residual(outputs));
        if (context_ > 0) cache_ = ops::lastFrames(cache_, x, context_);
        return y;
    }

    Tensor flush() override {
        if (!started_ || back_ == 0) return {};
        // [cache ; back × last frame]: the cache's last frame plays x.
        const int64_t tc = cache_.dim(2);
        const int64_t outputs = tc + back_ - context_;
        if (outputs <= 0) return {};
        return ops::ltx::conv3d(cache_.slice(2, tc - 1, tc).contiguous(),
                                tc > 1 ? cache_.slice(2, 0, tc - 1).contiguous() : Tensor(), back_, w_, b_,
                                padding_, residual(outputs));
    }

  private:
    Tensor residual(int64_t n) const { return skip_.queue ? skip_.take(n) : Tensor(); }

    Tensor w_, b_;
    SpatialPadding padding_;
    Skip skip_;
    int context_ = 0, front_ = 0, back_ = 0;
    bool started_ = false;
    Tensor cache_;
};

// The upsampler's depth-to-space (dropping the first stride_t − 1 frames of the video) plus the shuffled,
// channel-tiled input (residual); or the decoder's unpatchify.
class ShuffleNode final : public StreamNode {
  public:
    ShuffleNode(ops::ltx::Factors f, SubpixelOrder order, int drop, std::shared_ptr<FrameQueue> residual)
        : f_(f), order_(order), drop_(drop), residual_(std::move(residual)) {}
    Tensor push(const Tensor& y) override {
        const Tensor r = residual_ ? residual_->take(y.dim(2)) : Tensor();
        const int drop = first_ ? drop_ : 0;
        first_ = false;
        return ops::ltx::depthToSpace(y, f_, order_, drop, r);
    }

  private:
    ops::ltx::Factors f_;
    SubpixelOrder order_;
    int drop_;
    std::shared_ptr<FrameQueue> residual_;
    bool first_ = true;
};

class DecoderChain {
  public:
    DecoderChain(const Ltx2VaeConfig& c, const Ltx2Layout& L, const WeightSet& w, const VaeObserver& obs)
        : c_(c),
          w_(w),
          obs_(obs),
          padding_(c.decoderReflectPadding ? SpatialPadding::Reflect : SpatialPadding::Zeros) {
        conv("decoder.conv_in.conv");
        observe("decoder.conv_in");
        for (int r = 0; r < L.decoderMidResnets; ++r)
            resnet(concat("decoder.mid_block.resnets.", r, "."), {L.decoderConvInOut, L.decoderConvInOut});
        observe("decoder.mid_block");
        for (size_t i = 0; i < L.decoderBlocks.size(); ++i) {
            const auto& b = L.decoderBlocks[i];
            const std::string p = concat("decoder.up_blocks.", i, ".");
            for (const auto& r : b.convIn) resnet(p + "conv_in.", r);
            if (b.upsample) upsampler(p + "upsamplers.0.", b);
            for (int r = 0; r < b.resnets; ++r) resnet(concat(p, "resnets.", r, "."), {b.dim, b.dim});
            observe(concat("decoder.up_blocks.", i));
        }
        nodes_.push_back(std::make_unique<NormSiluNode>());
        conv("decoder.conv_out.conv");
        nodes_.push_back(std::make_unique<ShuffleNode>(ops::ltx::Factors{1, L.patch, L.patch},
                                                       SubpixelOrder::TWH, 0, nullptr));
        observe("decoder");
    }

    // Pushes the latent frames one by one, then flushes node by node.
    void run(const Tensor& latents, const VaeFrameSink& sink) {
        sink_ = &sink;
        for (int64_t t = 0; t < latents.dim(2); ++t) feed(0, latents.slice(2, t, t + 1).contiguous());
        for (size_t i = 0; i < nodes_.size(); ++i)
            if (Tensor y = nodes_[i]->flush(); y.defined()) feed(i + 1, y);
    }

  private:
    static int64_t piece(const Tensor& x) {
        return std::max<int64_t>(1, kMaxChunkElements / std::max<int64_t>(1, x.numel() / x.dim(2)));
    }

    // Runs x through nodes [from, end), in pieces of at most kMaxChunkElements.
    void feed(size_t from, const Tensor& x) {
        const int64_t step = piece(x);
        for (int64_t t0 = 0; t0 < x.dim(2); t0 += step) {
            Tensor chunk = x.dim(2) <= step ? x : x.slice(2, t0, std::min(x.dim(2), t0 + step)).contiguous();
            size_t i = from;
            for (; i < nodes_.size() && chunk.defined(); ++i) {
                chunk = nodes_[i]->push(chunk);
                if (chunk.defined() && i + 1 < nodes_.size() && chunk.dim(2) > piece(chunk)) {
                    feed(i + 1, chunk);  // grew past the budget (depth-to-space): continue in pieces
                    chunk = Tensor();
                }
            }
            if (chunk.defined()) {
                (*sink_)(frame_, chunk);
                frame_ += chunk.dim(2);
            }
        }
    }

    void conv(const std::string& name, Skip skip = {}) {
        nodes_.push_back(std::make_unique<ConvNode>(w_.get(name + ".weight"), w_.get(name + ".bias"),
                                                    c_.decoderCausal, padding_, std::move(skip)));
    }
    void observe(std::string name) {
        if (obs_) nodes_.push_back(std::make_unique<ObserverNode>(std::move(name), obs_));
    }
    void resnet(const std::string& p, const Ltx2Resnet& r) {
        Skip skip;
        skip.queue = std::make_shared<FrameQueue>();
        if (r.inDim != r.outDim) {
            skip.normWeight = w_.get(p + "norm3.weight");
            skip.normBias = w_.get(p + "norm3.bias");
            skip.convWeight = w_.get(p + "conv_shortcut.weight");
            skip.convBias = w_.get(p + "conv_shortcut.bias");
            skip.eps = float(c_.resnetNormEps);
        }
        nodes_.push_back(std::make_unique<TapNode>(skip.queue));
        nodes_.push_back(std::make_unique<NormSiluNode>());
        conv(p + "conv1.conv");
        nodes_.push_back(std::make_unique<NormSiluNode>());
        conv(p + "conv2.conv", std::move(skip));
    }
    void upsampler(const std::string& p, const Ltx2DecoderBlock& b) {
        std::shared_ptr<FrameQueue> q;
        if (b.residual) {
            q = std::make_shared<FrameQueue>();
            nodes_.push_back(std::make_unique<TapNode>(q));
        }
        conv(p + "conv.conv");
        nodes_.push_back(std::make_unique<ShuffleNode>(b.stride, SubpixelOrder::THW, b.stride[0] - 1, q));
    }

    const Ltx2VaeConfig& c_;
    const WeightSet& w_;
    const VaeObserver& obs_;
    SpatialPadding padding_;
    std::vector<std::unique_ptr<StreamNode>> nodes_;
    const VaeFrameSink* sink_ = nullptr;
    int64_t frame_ = 0;
};

}  // namespace

void ltx2DecodeStream(const Ltx2VaeConfig& config, const Ltx2Layout& layout, const WeightSet& weights,
                      const Tensor& latents, const VaeFrameSink& sink, const VaeObserver& observer) {
    DecoderChain(config, layout, weights, observer).run(latents, sink);
}

}  // namespace sv
