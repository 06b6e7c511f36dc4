#include "pipelines/latent_decode_stream.h"

#include <algorithm>

#include "ops/elementwise.h"
#include "ops/resize.h"
#include "ops/vae_resample.h"
#include "pipelines/postprocess.h"

namespace sv {

namespace {

// diffusers' VideoProcessor.resize_and_crop_tensor on a chunk [B, C, n, H, W] (CPU F32): per frame, bilinear
// resize (align_corners False, no antialias) to cover (outH, outW), then center crop.
Tensor resizeAndCrop(const Tensor& video, int outH, int outW) {
    const int64_t b = video.dim(0), c = video.dim(1), n = video.dim(2), h = video.dim(3), w = video.dim(4);
    if (h == outH && w == outW) return video;
    const double ratio = std::max(double(outH) / double(h), double(outW) / double(w));
    const auto resizedW = int64_t(double(w) * ratio), resizedH = int64_t(double(h) * ratio);
    const Tensor frames = video.permute({0, 2, 1, 3, 4}).contiguous().view({b * n, c, h, w});
    const Tensor resized = ops::resizeBilinear(frames, resizedH, resizedW);
    const int64_t y0 = (resizedH - outH) / 2, x0 = (resizedW - outW) / 2;
    const Tensor cropped = resized.slice(2, y0, y0 + outH).slice(3, x0, x0 + outW);
    return cropped.contiguous().view({b, n, c, outH, outW}).permute({0, 2, 1, 3, 4});
}

// videoToFloatFrames on the GPU, for a decode that runs there: x·0.5 + 0.5 (two roundings, as the CPU loop),
// clamped to [0, 1], permuted to [B, n, H, W, 3], then one copy to the host. Keeps the per-frame host work
// off the GPU thread (it would otherwise wait on a single-threaded loop after every latent frame).
Tensor floatFramesOnDevice(const Tensor& video) {
    const Tensor half = Tensor::full({1}, 0.5f, DType::F32, video.device());
    const Tensor x = ops::clampValues(ops::add(ops::scale(video.to(DType::F32), 0.5f), half), 0.0f, 1.0f);
    return x.permute({0, 2, 3, 4, 1}).contiguous().to(Device::cpu());
}

}  // namespace

LatentDecodeStream::LatentDecodeStream(const SanaModels& models, DecodeOptions options)
    : vae_(models.requireVaeDecoder()), options_(std::move(options)) {
    SV_CHECK(options_.outputHeight >= 0 && options_.outputWidth >= 0, "output size must not be negative");
    if (const auto* wan = dynamic_cast<const WanVae*>(&vae_))
        wan_ = std::make_unique<WanVaeDecodeSession>(*wan);
}

int64_t LatentDecodeStream::framesFor(int64_t latentFrames, bool first) const {
    return first ? vae_.pixelFrameCount(latentFrames) : latentFrames * vae_.temporalCompression();
}

void LatentDecodeStream::push(const Tensor& latents, const FrameSink& sink) {
    SV_CHECK(latents.defined() && latents.rank() == 5 && latents.dim(1) == vae_.latentChannels(),
             "latents to decode must be [N, ", vae_.latentChannels(), ", F', h, w], got ",
             latents.defined() ? latents.describe() : "nothing");
    SV_CHECK(wan_ || !pushed_, "the ", vae_.className(),
             " decoder is not causal: it decodes a clip in one piece, not chunk after chunk");
    pushed_ = true;
    const Tensor z = vae_.denormalizeLatents(latents.to(DType::F32).to(vae_.device()));
    if (options_.observer) options_.observer("decode.input", z);
    const int64_t decodedH = latents.dim(3) * vae_.spatialCompression();
    const int64_t decodedW = latents.dim(4) * vae_.spatialCompression();
    const int outH = options_.outputHeight > 0 ? options_.outputHeight : int(decodedH);
    const int outW = options_.outputWidth > 0 ? options_.outputWidth : int(decodedW);
    const VaeFrameSink frameSink = [&](int64_t first, const Tensor& chunk) {
        frames_ = std::max(frames_, first + chunk.dim(2));
        Tensor video = chunk;
        if (!sink) return;
        if (video.dim(3) != outH || video.dim(4) != outW) {
            video = resizeAndCrop(video.to(Device::cpu()).to(DType::F32), outH, outW);
        } else if (video.device().isCuda()) {
            sink(first, floatFramesOnDevice(video));
            return;
        }
        sink(first, videoToFloatFrames(video));  // [B, n, H, W, 3] in [0, 1]
    };
    if (wan_)
        wan_->push(z, frameSink);
    else
        vae_.decodeFrames(z, frameSink);
}

}  // namespace sv
