// Decoding and resolution binning (sana_stages.h; diffusers SanaVideoPipeline.__call__ with
// video_processor.py VideoProcessor.classify_height_width_bin and resize_and_crop_tensor).
#include <algorithm>

#include "ops/resize.h"
#include "pipelines/postprocess.h"
#include "pipelines/sana_stages.h"
#include "pipelines/video_geometry.h"

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

}  // namespace

Tensor decodeLatents(const SanaModels& models, const Tensor& latents, const FrameSink& sink,
                     const DecodeOptions& options) {
    const WanVae& vae = models.requireVaeDecoder();
    SV_CHECK(latents.defined() && latents.rank() == 5 && latents.dim(1) == vae.config().zDim,
             "latents to decode must be [N, ", vae.config().zDim, ", F', h, w], got ",
             latents.defined() ? latents.describe() : "nothing");
    SV_CHECK(options.outputHeight >= 0 && options.outputWidth >= 0, "output size must not be negative");
    const Tensor z = vae.denormalizeLatents(latents.to(DType::F32).to(vae.device()));
    if (options.observer) options.observer("decode.input", z);

    const int64_t batch = latents.dim(0);
    const int64_t frames = vae.pixelFrameCount(latents.dim(2));
    const int64_t decodedH = latents.dim(3) * vae.config().scaleFactorSpatial;
    const int64_t decodedW = latents.dim(4) * vae.config().scaleFactorSpatial;
    const int outH = options.outputHeight > 0 ? options.outputHeight : int(decodedH);
    const int outW = options.outputWidth > 0 ? options.outputWidth : int(decodedW);

    Tensor all;
    if (options.keepFrames) all = Tensor::empty({batch, frames, outH, outW, 3}, DType::F32);
    vae.decodeFrames(z, [&](int64_t first, const Tensor& chunk) {
        Tensor video = chunk;
        if (video.dim(3) != outH || video.dim(4) != outW)
            video = resizeAndCrop(video.to(Device::cpu()).to(DType::F32), outH, outW);
        const Tensor out = videoToFloatFrames(video);  // [B, n, H, W, 3] in [0, 1]
        if (all.defined()) all.slice(1, first, first + out.dim(1)).copyFrom(out);
        if (sink) sink(first, out);
    });
    return all;
}

GenerationSize resolveGenerationSize(const TransformerConfig& transformer, int height, int width,
                                     bool useResolutionBinning) {
    SV_CHECK(height >= 1 && width >= 1, "video size ", width, "x", height, " is invalid");
    GenerationSize s{height, width, height, width};
    if (useResolutionBinning) {
        const ResolutionBin bin = closestBin(transformer.sampleSize, height, width);
        s.height = bin.height;
        s.width = bin.width;
    }
    return s;
}

}  // namespace sv
