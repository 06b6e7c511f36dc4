// decodeLatents (sana_stages.h) in pieces: normalised latents arrive chunk after chunk along time (LongSANA's
// chunks, or one piece for a whole clip) and their frames leave through a sink as the VAE produces them. The
// Wan VAE's causal caches are carried from one push to the next (WanVaeDecodeSession), so the frames are
// exactly those of one decode of all the latents, while memory stays constant in the video's length. Other
// VAEs (LTX-2's non-causal decoder, which needs the clip's end) decode one push per stream.
#pragma once

#include <cstdint>
#include <memory>

#include "base/tensor.h"
#include "models/wan_vae.h"
#include "pipelines/sana_stages.h"

namespace sv {

class LatentDecodeStream {
  public:
    /// options.outputHeight/Width: the size frames are resized and cropped to (0 = as decoded); keepFrames is
    /// ignored (the caller's sink keeps what it wants); options.observer sees "decode.input" for every push.
    LatentDecodeStream(const SanaModels& models, DecodeOptions options = {});

    /// Decodes latents [N, z, n, h, w] (normalised space; batch and size fixed by the first push). `sink`
    /// gets F32 [N, k, H, W, 3] frames in [0, 1] with their index in the whole video.
    void push(const Tensor& latents, const FrameSink& sink);
    int64_t framesDecoded() const { return frames_; }
    /// Frames that n latent frames decode to, as the first push (1 + 4(n − 1)) or a later one (4n).
    int64_t framesFor(int64_t latentFrames, bool first) const;

  private:
    const VideoVae& vae_;
    DecodeOptions options_;
    std::unique_ptr<WanVaeDecodeSession> wan_;  // the Wan VAE's carried caches; null for other VAEs
    int64_t frames_ = 0;
    bool pushed_ = false;
};

}  // namespace sv
