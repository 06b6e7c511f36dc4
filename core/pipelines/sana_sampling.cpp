// The denoising loop of SanaVideoPipeline / SanaImageToVideoPipeline (sana_stages.h; diffusers
// pipeline_sana_video.py and pipeline_sana_video_i2v.py: prepare_latents and the loop of __call__).
#include <cmath>

#include "backend/device.h"
#include "base/torch_randn.h"
#include "ops/elementwise.h"
#include "pipelines/cfg_batch.h"
#include "pipelines/latent_preview.h"
#include "pipelines/memory_budget.h"
#include "pipelines/sana_parallel.h"
#include "pipelines/sana_stages.h"
#include "pipelines/video_geometry.h"
#include "schedulers/scheduler.h"

namespace sv {

namespace {

std::unique_ptr<Scheduler> buildScheduler(const SanaModels& models, const SampleRequest& r) {
    std::unique_ptr<Scheduler> s;
    if (models.scheduler) {
        s = models.scheduler->make(r.scheduler, r.flowShift);
    } else {
        SV_CHECK(!r.scheduler.empty(), models.root.string(),
                 ": the model has no scheduler; name one (dpm, euler or unipc)");
        s = makeSchedulerByShortName(r.scheduler, r.flowShift);
    }
    SV_CHECK(r.timesteps.empty() || r.sigmas.empty(),
             "give custom timesteps or custom sigmas, not both (diffusers refuses both too)");
    if (!r.timesteps.empty()) {
        s->setCustomTimesteps(r.timesteps);
    } else if (!r.sigmas.empty()) {
        s->setCustomSigmas(r.sigmas);
    } else {
        SV_CHECK(r.steps >= 1, "steps = ", r.steps, " is invalid: at least 1 denoising step is needed");
        s->setTimesteps(r.steps);
    }
    return s;
}

// The initial noise: randn_tensor(shape, generator, device, float32) with one generator.
Tensor initialNoise(const SampleRequest& r, const Shape& shape, Device device) {
    if (r.generator == NoiseGenerator::Cpu)
        return TorchCpuGenerator(r.seed).randn(shape, DType::F32).to(device);
    const CudaGeneratorGrid grid = resolveCudaGeneratorGrid(r.cudaGrid, device, "CUDA generator");
    // cuRAND on a GPU draws torch's bits for any grid, so a GPU draws even for a CPU run; without one the
    // draw is emulated on the CPU.
    const Device drawOn = device.isCuda()                         ? device
                          : device::count(Device::Kind::Cuda) > 0 ? Device::cuda(0)
                                                                  : Device::cpu();
    return TorchCudaGenerator(r.seed, grid).randn(shape, DType::F32, drawOn).to(device);
}

}  // namespace

std::string_view noiseGeneratorName(NoiseGenerator g) {
    return g == NoiseGenerator::Cuda ? "cuda" : "cpu";
}

NoiseGenerator parseNoiseGenerator(std::string_view name, std::string_view what) {
    if (name == "cpu") return NoiseGenerator::Cpu;
    if (name == "cuda") return NoiseGenerator::Cuda;
    fail(what, ": \"", name, "\" is not a generator (cpu or cuda)");
}

VideoGeometry generationGeometry(const SanaModels& models, int height, int width, int frames) {
    VideoGeometry g;
    g.height = height;
    g.width = width;
    g.frames = frames;
    g.vaeTemporal = models.vaeTemporalScale();
    g.vaeSpatial = models.vaeSpatialScale();
    if (models.transformer) {
        const TransformerConfig& tc = models.transformer->config();
        g.patchH = tc.patchSize[1];
        g.patchW = tc.patchSize[2];
        validateGeometry(g);
        checkRopeGrid(tc, {g.latentFrames(), g.latentHeight(), g.latentWidth()});
        SV_CHECK(g.latentFrames() % tc.patchSize[0] == 0, "frames = ", frames, " gives ", g.latentFrames(),
                 " latent frames, not a multiple of the transformer's temporal patch ", tc.patchSize[0]);
    } else {
        validateGeometry(g);
    }
    return g;
}

namespace {

// Initial latents: the user's, or torch.randn on a CPU generator (randn_tensor with one generator).
Tensor initialLatents(const SampleRequest& r, const Shape& shape, Device device) {
    if (!r.latents.defined()) return initialNoise(r, shape, device);
    SV_CHECK(r.latents.shape() == shape, "initial latents ", r.latents.describe(), " do not match the ",
             "latent shape ", shapeToString(shape), " of this batch and geometry");
    SV_CHECK(isFloating(r.latents.dtype()), "initial latents must be floating point");
    return r.latents.to(DType::F32).to(device).clone();
}

// Image-to-video: frame 0 of every sample becomes the image latent for the whole loop. Returns the
// conditioning mask [rows, 1, F'/pt, H'/ph, W'/pw] F32, 1 on frame 0 (its tokens get timestep 0).
Tensor conditionOnImage(const SampleRequest& r, const TransformerConfig& tc, int64_t rows, Tensor& latents) {
    const Shape& shape = latents.shape();
    const int64_t batch = shape[0];
    const Tensor& im = r.imageLatents;
    SV_CHECK(im.rank() == 5 && (im.dim(0) == 1 || im.dim(0) == batch) && im.dim(1) == shape[1] &&
                 im.dim(2) == 1 && im.dim(3) == shape[3] && im.dim(4) == shape[4],
             "image latents ", im.describe(), " do not match [1 or ", batch, ", ", shape[1], ", 1, ",
             shape[3], ", ", shape[4], "] (encode the image at the generation size)");
    const Tensor imF = im.to(DType::F32).to(latents.device());
    for (int64_t b = 0; b < batch; ++b)
        latents.select(0, b).slice(1, 0, 1).copyFrom(imF.select(0, im.dim(0) == 1 ? 0 : b));
    const int64_t ft = shape[2] / tc.patchSize[0], ht = shape[3] / tc.patchSize[1],
                  wt = shape[4] / tc.patchSize[2];
    Tensor conditioning = Tensor::zeros({rows, 1, ft, ht, wt}, DType::F32);
    for (int64_t b = 0; b < rows; ++b) {
        float* p = conditioning.select(0, b).data<float>();
        for (int64_t i = 0; i < ht * wt; ++i) p[i] = 1.0f;  // frame 0 of each row (contiguous)
    }
    return conditioning;
}

// The transformer's timesteps at t: one per row, or per token t · (1 − mask) for image-to-video (frame-0
// tokens 0, the others t, in float32).
Tensor stepTimesteps(double t, const Tensor& conditioning, int64_t rows, Device device) {
    if (!conditioning.defined()) return Tensor::full({rows}, float(t), DType::F32).to(device);
    Tensor timestep = Tensor::empty(conditioning.shape(), DType::F32);
    const float* m = conditioning.data<float>();
    float* p = timestep.data<float>();
    for (int64_t k = 0; k < timestep.numel(); ++k) p[k] = float(t) * (1.0f - m[k]);
    return timestep.to(device);
}

// One scheduler step. Image-to-video keeps frame 0 (the image) and steps the others; a single latent frame is
// the image itself, with nothing to step.
Tensor advance(Scheduler& scheduler, const Tensor& velocity, const Tensor& latents, bool i2v) {
    if (!i2v) return scheduler.step(velocity, latents);
    const int64_t f = latents.dim(2);
    if (f == 1) return latents;
    const Tensor stepped = scheduler.step(velocity.slice(2, 1, f), latents.slice(2, 1, f));
    Tensor next = Tensor::empty(latents.shape(), DType::F32, latents.device());
    next.slice(2, 0, 1).copyFrom(latents.slice(2, 0, 1));
    next.slice(2, 1, f).copyFrom(stepped);
    return next;
}

// The loop of sampleLatents; `ranks` (may be null: one device) splits the model call over several.
Tensor sampleLoop(const SanaModels& models, const PromptEncoding& prompts, const SampleRequest& r,
                  const StepCallback& callback, const SamplingRanks* ranks) {
    const SanaTransformer& transformer = models.requireTransformer();
    const TransformerConfig& tc = transformer.config();
    const Device device = transformer.weights().all().empty()
                              ? Device::cpu()
                              : transformer.weights().all().begin()->second.device();

    const VideoGeometry g = generationGeometry(models, r.height, r.width, r.frames);
    SV_CHECK(std::isfinite(r.guidanceScale), "guidance scale must be a finite number");
    const bool guidance = r.guidanceScale > 1.0;
    const int64_t batch = prompts.batch();
    SV_CHECK(batch >= 1, "sampling needs prompt embeddings (encodePrompts)");
    SV_CHECK(prompts.embeds.dim(2) == tc.captionChannels, "prompt embeddings have ", prompts.embeds.dim(2),
             " channels but the transformer expects caption_channels = ", tc.captionChannels);

    std::unique_ptr<Scheduler> scheduler = buildScheduler(models, r);
    const int total = scheduler->numSteps();
    checkSamplingMemory(models, g, batch, guidance);  // before the noise, the tables and the activations
    const int64_t rows = guidance ? 2 * batch : batch;
    Tensor latents = initialLatents(r, g.latentShape(batch, tc.inChannels), device);
    const bool i2v = r.imageLatents.defined();
    const Tensor conditioning = i2v ? conditionOnImage(r, tc, rows, latents) : Tensor();
    if (r.observer && i2v) r.observer("conditioning_mask", conditioning);
    if (r.observer) r.observer("latents_prepared", latents);

    const TransformerTextContext text =
        transformer.prepareText(prompts.cfgEmbeds(guidance).to(device), prompts.cfgMask(guidance).to(device));
    const auto gscale = float(r.guidanceScale);  // torch casts the Python scalar to the tensor's float32
    const ModelCall model = ranks != nullptr ? parallelModelCall(transformer, text, rows, *ranks)
                                             : ModelCall([&](const Tensor& input, const Tensor& timestep) {
                                                   return transformer.forward(input, timestep, text);
                                               });

    for (int i = 0; i < total; ++i) {
        const double t = scheduler->timesteps()[size_t(i)];
        const float sigma = scheduler->sigmas()[size_t(i)];
        const std::string prefix = concat("step_", i, ".");
        const Tensor input = guidance ? duplicateRows(latents) : latents;
        const Tensor timestep = stepTimesteps(t, conditioning, rows, device);
        if (r.observer) {
            r.observer(prefix + "model_input", input);
            r.observer(prefix + "timestep", timestep);
        }
        const Tensor output = model(input, timestep);  // F32
        if (r.observer) r.observer(prefix + "model_output", output);

        // Guidance in fp32, one rounding per operation: uncond + g·(text − uncond).
        Tensor velocity = output;
        if (guidance) {
            const Tensor uncond = output.slice(0, 0, batch), cond = output.slice(0, batch, rows);
            velocity = ops::add(uncond, ops::scale(ops::sub(cond, uncond), gscale));
        }
        Tensor x0;
        if (callback) {
            x0 = flowX0Estimate(latents, velocity, sigma);
            if (i2v) x0.slice(2, 0, 1).copyFrom(latents.slice(2, 0, 1));
        }
        latents = advance(*scheduler, velocity, latents, i2v);
        if (r.observer) r.observer(prefix + "latents", latents);
        bool goOn = !callback || callback(i, total, t, latents, x0);
        if (ranks != nullptr) goOn = allRanksContinue(*ranks, goOn, device);
        if (!goOn) throw Cancelled(concat("cancelled after step ", i + 1, " of ", total));
    }
    return latents;
}

}  // namespace

Tensor sampleLatents(const SanaModels& models, const PromptEncoding& prompts, const SampleRequest& r,
                     const StepCallback& callback) {
    return sampleLoop(models, prompts, r, callback, nullptr);
}

Tensor sampleLatents(const SanaModels& models, const PromptEncoding& prompts, const SampleRequest& r,
                     const StepCallback& callback, const SamplingRanks& ranks) {
    return sampleLoop(models, prompts, r, callback, &ranks);
}

}  // namespace sv
