// Decoding and resolution binning (sana_stages.h; diffusers SanaVideoPipeline.__call__ with
// video_processor.py VideoProcessor.classify_height_width_bin and resize_and_crop_tensor).
#include "pipelines/latent_decode_stream.h"
#include "pipelines/memory_budget.h"
#include "pipelines/sana_stages.h"
#include "pipelines/video_geometry.h"

namespace sv {

Tensor decodeLatents(const SanaModels& models, const Tensor& latents, const FrameSink& sink,
                     const DecodeOptions& options) {
    LatentDecodeStream stream(models, options);  // checks the options
    checkDecodingMemory(models, latents.shape(), options.outputHeight, options.outputWidth,
                        options.keepFrames);  // before any frame exists
    Tensor all;
    stream.push(latents, [&](int64_t first, const Tensor& out) {
        if (options.keepFrames && !all.defined()) {
            const int64_t frames = stream.framesFor(latents.dim(2), true);
            all = Tensor::empty({out.dim(0), frames, out.dim(2), out.dim(3), 3}, DType::F32);
        }
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
