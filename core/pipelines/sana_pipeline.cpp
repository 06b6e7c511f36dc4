#include "pipelines/sana_pipeline.h"

#include <algorithm>

#include "pipelines/memory_budget.h"

namespace sv {

namespace {

PromptRequest promptRequest(const TextToVideoRequest& r) {
    PromptRequest p;
    p.prompts = r.prompts;
    p.negativePrompts = r.negativePrompts;
    p.motionScore = r.motionScore;
    p.complexHumanInstruction = r.complexHumanInstruction;
    p.maxSequenceLength = r.maxSequenceLength;
    p.numVideosPerPrompt = r.numVideosPerPrompt;
    p.classifierFreeGuidance = r.guidanceScale > 1.0;
    p.promptEmbeds = r.promptEmbeds;
    p.promptMask = r.promptMask;
    p.negativeEmbeds = r.negativeEmbeds;
    p.negativeMask = r.negativeMask;
    return p;
}

SampleRequest sampleRequest(const TextToVideoRequest& r, const GenerationSize& size) {
    SampleRequest s;
    s.height = size.height;
    s.width = size.width;
    s.frames = r.frames;
    s.steps = r.steps;
    s.timesteps = r.timesteps;
    s.sigmas = r.sigmas;
    s.guidanceScale = r.guidanceScale;
    s.seed = r.seed;
    s.generator = r.generator;
    s.cudaGrid = r.cudaGrid;
    s.latents = r.latents;
    s.scheduler = r.scheduler;
    s.flowShift = r.flowShift;
    s.observer = r.observer;
    return s;
}

VideoResult finish(const SanaModels& models, const TextToVideoRequest& r, const GenerationSize& size,
                   Tensor latents) {
    VideoResult out;
    out.size = size;
    out.latents = std::move(latents);
    if (!r.decode) return out;
    DecodeOptions d;
    d.outputHeight = size.outputHeight;
    d.outputWidth = size.outputWidth;
    d.keepFrames = r.keepFrames;
    d.observer = r.observer;
    out.frames = decodeLatents(models, out.latents, r.frameSink, d);
    return out;
}

// Checks everything cheap before the slow stages run.
GenerationSize prepare(const SanaModels& models, const TextToVideoRequest& r) {
    const SanaTransformer& transformer = models.requireTransformer();
    if (r.decode) (void)models.requireVaeDecoder();
    const GenerationSize size =
        resolveGenerationSize(transformer.config(), r.height, r.width, r.useResolutionBinning);
    const VideoGeometry g = generationGeometry(models, size.height, size.width, r.frames);
    // The request's memory, before the text encoder runs: refused now rather than after minutes of work.
    const int64_t batch =
        int64_t(r.promptEmbeds.defined() ? r.promptEmbeds.dim(0) : int64_t(r.prompts.size())) *
        std::max(r.numVideosPerPrompt, 1);
    const bool guidance = r.guidanceScale > 1.0;
    checkSamplingMemory(models, g, std::max<int64_t>(batch, 1), guidance);
    if (r.decode) {
        const Shape latents = g.latentShape(std::max<int64_t>(batch, 1), transformer.config().outChannels);
        checkDecodingMemory(models, latents, size.outputHeight, size.outputWidth, r.keepFrames);
    }
    return size;
}

}  // namespace

TextToVideoPipeline::TextToVideoPipeline(std::shared_ptr<const SanaModels> models)
    : models_(std::move(models)) {
    SV_ASSERT(models_);
}

VideoResult TextToVideoPipeline::run(const TextToVideoRequest& r, const StepCallback& callback) const {
    const GenerationSize size = prepare(*models_, r);
    const PromptEncoding prompts = encodePrompts(*models_, promptRequest(r));
    Tensor latents = sampleLatents(*models_, prompts, sampleRequest(r, size), callback);
    return finish(*models_, r, size, std::move(latents));
}

ImageToVideoPipeline::ImageToVideoPipeline(std::shared_ptr<const SanaModels> models)
    : models_(std::move(models)) {
    SV_ASSERT(models_);
}

VideoResult ImageToVideoPipeline::run(const ImageToVideoRequest& r, const StepCallback& callback) const {
    SV_CHECK(r.image.defined(), "image-to-video needs an input image");
    const GenerationSize size = prepare(*models_, r);
    (void)models_->requireVaeEncoder();
    const Tensor imageLatents = encodeImageLatents(*models_, r.image, size.height, size.width);
    const PromptEncoding prompts = encodePrompts(*models_, promptRequest(r));
    SampleRequest s = sampleRequest(r, size);
    s.imageLatents = imageLatents;
    Tensor latents = sampleLatents(*models_, prompts, s, callback);
    return finish(*models_, r, size, std::move(latents));
}

}  // namespace sv
