// Sampler and VAE Decode.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "base/error.h"
#include "latent_value.h"
#include "model_values.h"
#include "models/video_vae.h"
#include "pack.h"
#include "pipelines/latent_preview.h"
#include "pipelines/postprocess.h"
#include "pipelines/video_geometry.h"
#include "plugin/sdk/node.h"

namespace sv::nodes {

using namespace plugin;

// pack.h. The preview is 1/8 of the output size; the editor scales it up and plays the frames.
PreviewImage latentPreview(const Tensor& x0, int64_t step, int64_t total) {
    const Tensor first = x0.select(0, 0);  // [C, F', h, w]
    PreviewImage p;
    p.frameCount = int(first.dim(1));
    p.height = int(first.dim(2));
    p.width = int(first.dim(3));
    p.step = step;
    p.totalSteps = total;
    p.rgb.resize(size_t(p.frameCount) * p.frameBytes());
    if (first.dim(0) == 16) {  // the Wan 2.1 latent space the projection was fitted for
        const Tensor rgb = latentPreviewRgb(first).contiguous();  // U8 [F', h, w, 3]
        std::memcpy(p.rgb.data(), rgb.data<uint8_t>(), p.rgb.size());
        return p;
    }
    // Another latent space (e.g. a demo model with fewer channels): the channel mean as grey. Each channel of
    // [C, F', h, w] holds F'·h·w values in the order of the frame-major output pixels.
    const std::vector<float> v = first.toFloatVector();  // row-major [C, F', h, w]
    const size_t pixels = size_t(p.frameCount) * size_t(p.width) * size_t(p.height);
    const size_t channels = size_t(first.dim(0));
    for (size_t i = 0; i < pixels; ++i) {
        float s = 0;
        for (size_t c = 0; c < channels; ++c) s += v[c * pixels + i];
        const float g = std::clamp((s / float(channels) + 1.0f) * 0.5f, 0.0f, 1.0f);
        p.rgb[i * 3] = p.rgb[i * 3 + 1] = p.rgb[i * 3 + 2] = uint8_t(std::lround(g * 255.0f));
    }
    return p;
}

namespace {

/// The largest seed that survives a round trip through JSON in any editor (2^53 − 1).
constexpr double kMaxSeed = 9007199254740991.0;

/// "seed 0 (cuda generator, grid 132x2048), 3 custom sigmas": what the noise and the schedule are, for the
/// run log (a schedule given as a list says so; the step count then follows the list).
std::string describeNoiseAndSchedule(const SampleRequest& req, const std::string& generator) {
    std::string grid;
    if (req.generator == NoiseGenerator::Cuda)
        grid = req.cudaGrid ? concat(", grid ", req.cudaGrid->toString()) : ", grid of the GPU in use";
    const std::string schedule = !req.sigmas.empty()      ? concat(req.sigmas.size(), " custom sigmas")
                                 : !req.timesteps.empty() ? concat(req.timesteps.size(), " custom timesteps")
                                                          : concat(req.steps, " steps");
    return concat("seed ", req.seed, " (", generator, " generator", grid, "), ", schedule);
}

/// The Sampler's scheduler choice meaning "the model folder's scheduler" (diffusers' behaviour).
constexpr const char* kModelScheduler = "model";

// ---- Sampler
// ---------------------------------------------------------------------------------------------------

/// The size a connected latent fixes: its grid (a binned size when it was made with binning) and the size its
/// frames are resized back to after decoding.
GenerationSize latentSize(const SanaModels& m, const Latent& latent) {
    const Shape& s = latent.latents.shape();
    SV_CHECK(s.size() == 5, "input 'latent': ", latent.describe(), " is not a video latent");
    const int scale = m.vaeSpatialScale();
    return {int(s[3]) * scale, int(s[4]) * scale, latent.height, latent.width};
}

class SamplerNode : public Node {
  public:
    ValueMap evaluate(const ValueMap& inputs, const ValueMap& params, NodeContext& ctx) override {
        const auto& model = inputs.getObject<ModelHandle>("model", kModelTag);
        const auto& cond = inputs.getObject<Conditioning>("conditioning", kConditioningTag);
        const SanaModels& m = *model.models;
        requireComponent(m.transformer != nullptr, "transformer", "transformer");

        const int frames = int(params.getInt("frames"));
        const Latent* from = nullptr;
        if (const Value* v = inputs.find("latent"); v && !v->isNone()) from = &v->get<Latent>(kLatentTag);
        // A connected latent sets the size (width/height are not used; the editor greys them out).
        const GenerationSize size = from ? latentSize(m, *from) : resolveSize(m, params, ctx, "generating");
        const int width = size.outputWidth, height = size.outputHeight;
        const VideoGeometry g = checkedGeometry(m, size, frames);  // the model's rules

        SampleRequest req;
        req.height = size.height;
        req.width = size.width;
        req.frames = frames;
        req.steps = int(params.getInt("steps"));
        req.guidanceScale = params.getFloat("guidance");
        req.seed = uint64_t(params.getInt("seed"));
        if (const std::string& name = params.getString("scheduler"); name != kModelScheduler)
            req.scheduler = name;
        if (const double shift = params.getFloat("flow_shift"); shift > 0) req.flowShift = shift;
        req.sigmas = parseNumberList(params.getString("sigmas"), "sigmas");
        req.timesteps = parseNumberList(params.getString("timesteps"), "timesteps");
        SV_CHECK(
            req.sigmas.empty() || req.timesteps.empty(),
            "parameters 'sigmas' and 'timesteps': give one of them, not both (diffusers refuses both too)");
        req.generator = parseNoiseGenerator(params.getString("generator"), "parameter 'generator'");
        if (const std::string& grid = params.getString("cuda_grid"); !grid.empty())
            req.cudaGrid = CudaGeneratorGrid::parse(grid, "parameter 'cuda_grid'");
        ctx.log(LogLevel::Info, describeNoiseAndSchedule(req, params.getString("generator")));

        if (from) {
            ctx.log(LogLevel::Info, concat("size ", width, "x", height, " from the connected latent"));
            if (from->kind == LatentKind::Image) {
                req.imageLatents = from->latents;
            } else {
                SV_CHECK(from->latents.dim(2) == g.latentFrames(), "input 'latent': ", from->describe(),
                         " does not match the parameter 'frames' (", frames, ")");
                req.latents = from->latents;
            }
        }

        const StepCallback onStep = [&](int step, int total, double, const Tensor&, const Tensor& x0) {
            ctx.progress(step + 1, total);
            ctx.preview(latentPreview(x0, step + 1, total));
            return !ctx.isCancelled();
        };
        ctx.throwIfCancelled();
        auto latent = std::make_shared<Latent>();
        latent->latents = sampleLatents(m, cond.encoding, req, onStep);  // sv::Cancelled when stopped
        latent->kind = LatentKind::Video;
        latent->width = width;  // decoded frames are resized back to the requested size
        latent->height = height;
        latent->frames = g.outputFrames();
        ValueMap out;
        out.set("latent", makeLatentValue(std::move(latent)));
        return out;
    }
};

// ---- VAE Decode
// ----------------------------------------------------------------------------------------------

/// The latents must be the model's: its VAE's channel count, and the frame count its temporal compression
/// decodes the latent frames to (a Load Latent file holds latents of any model; checked before decoding).
void checkLatentForVae(const Latent& latent, const VideoVae& vae) {
    const int64_t channels = latent.latents.dim(1), latentFrames = latent.latents.dim(2);
    SV_CHECK(channels == vae.latentChannels(), "input 'latent': ", latent.describe(), " has ", channels,
             " latent channels, but the model's VAE (", vae.className(), ") takes ", vae.latentChannels(),
             ": the latents were made with another model family");
    SV_CHECK(latent.frames == vae.pixelFrameCount(latentFrames), "input 'latent': ", latent.describe(),
             " claims ", latent.frames, " frames, but the model's VAE (", vae.className(), ") decodes ",
             latentFrames, " latent frames to ", vae.pixelFrameCount(latentFrames),
             ": the latents were made with another model family");
}

class VaeDecodeNode : public Node {
  public:
    ValueMap evaluate(const ValueMap& inputs, const ValueMap& params, NodeContext& ctx) override {
        const auto& model = inputs.getObject<ModelHandle>("model", kModelTag);
        const auto& latent = inputs.getObject<Latent>("latent", kLatentTag);
        requireComponent(model.models->vae && model.models->vae->hasDecoder(), "VAE decoder", "vae_decoder");
        checkLatentForVae(latent, *model.models->vae);
        const int64_t videos = latent.latents.dim(0), index = params.getInt("video");
        SV_CHECK(index < videos, "parameter 'video': ", index, " is beyond the batch of ", videos, " video",
                 videos == 1 ? "" : "s", " (0 .. ", videos - 1, ")");
        auto video = std::make_shared<Video>();
        video->fps = params.getFloat("fps");
        const int total = latent.frames;
        const FrameSink sink = [&](int64_t first, const Tensor& frames) {
            // frames: F32 [N, n, H, W, 3] in [0, 1]; the first video of the batch is kept.
            const Tensor u8 = floatFramesToUint8(frames.select(0, 0)).contiguous();  // [n, H, W, 3]
            if (video->rgb.empty()) {
                video->height = int(u8.dim(1));
                video->width = int(u8.dim(2));
                video->rgb.resize(size_t(total) * video->frameBytes());
            }
            const int64_t n = u8.dim(0);
            SV_CHECK(first + n <= total && u8.dim(1) == video->height && u8.dim(2) == video->width,
                     "the VAE decoder returned frames ", first, "..", first + n, " of ", u8.describe(),
                     ", expected ", total, " frames of ", video->width, "x", video->height);
            std::memcpy(video->rgb.data() + size_t(first) * video->frameBytes(), u8.data<uint8_t>(),
                        size_t(n) * video->frameBytes());
            video->frameCount = int(first + n);
            ctx.progress(first + n, total);
            ctx.throwIfCancelled();
        };
        DecodeOptions opt;
        opt.outputHeight = latent.height;
        opt.outputWidth = latent.width;
        opt.keepFrames = false;
        ctx.throwIfCancelled();
        decodeLatents(*model.models, latent.latents.slice(0, index, index + 1), sink, opt);
        SV_CHECK(video->frameCount == total, "the VAE decoder produced ", video->frameCount,
                 " frames, expected ", total);
        ValueMap out;
        out.set("video", Value::video(std::move(video)));
        return out;
    }
};

// The Sampler's parameters in three groups: what to make, which noise, which schedule.
std::vector<ParamSpec> samplerShapeParams() {
    return {
        sizeParam("width", 832,
                  "Video width in pixels: a multiple of 16 for 480p models (832), of 32 for 720p ones. Not "
                  "used while a latent is connected: the size is the latent's (Image Encode's for "
                  "image-to-video).")
            .fromInput("latent"),
        sizeParam("height", 480,
                  "Video height in pixels: a multiple of 16 for 480p models (480), of 32 for 720p ones. Not "
                  "used while a latent is connected: the size is the latent's.")
            .fromInput("latent"),
        ParamSpec::integer("frames", 81)
            .range(1, 1001)
            .onStepGrid(4)
            .withHelp(
                "Number of frames: 1 + 4·k for 480p models (81 = 5 s at 16 fps), 1 + 8·k for 720p ones."),
        ParamSpec::integer("steps", 50).range(1, 1000).withHelp("Denoising steps."),
        ParamSpec::real("guidance", 6.0)
            .range(0.0, 30.0)
            .withStep(0.5)
            .withHelp(
                "Classifier-free guidance scale; 1 or less turns guidance off (one transformer pass per "
                "step instead of two)."),
    };
}

std::vector<ParamSpec> samplerNoiseParams() {
    return {
        ParamSpec::integer("seed", 42)
            .range(0, kMaxSeed)
            .withHelp("Seed of the initial noise (a torch.Generator seed: the same noise as diffusers)."),
        ParamSpec::choice("generator", {"cpu", "cuda"}, "cpu")
            .withHelp("Which torch.Generator the seed seeds: cpu (the same noise on every machine) or cuda, "
                      "torch.Generator(device=\"cuda\") as in diffusers' SANA-Video examples (torch's bits "
                      "on an NVIDIA GPU; emulated on the CPU to a few ulps)."),
        ParamSpec::text("cuda_grid", "")
            .withHelp("CUDA generator only: the GPU whose noise to reproduce, as SMSxTHREADS (its SM count "
                      "and threads per SM, e.g. 132x2048 for an H100 SXM or H200). Empty: the GPU in use."),
    };
}

std::vector<ParamSpec> samplerScheduleParams() {
    return {
        ParamSpec::text("sigmas", "")
            .withHelp("Custom sigmas, e.g. \"1.0, 0.75, 0.5, 0.25\" (diffusers' sigmas=; the step count "
                      "follows them; FlowMatch Euler takes them). Empty: the schedule from 'steps'."),
        ParamSpec::text("timesteps", "")
            .withHelp("Custom timesteps, e.g. \"999, 750, 500, 250\" (diffusers' timesteps=; not with "
                      "'sigmas'). Empty: the schedule from 'steps'."),
        ParamSpec::choice("scheduler", {kModelScheduler, "dpm", "euler", "unipc"}, kModelScheduler)
            .withHelp(
                "model: the model folder's scheduler, as diffusers (DPM-Solver++ in the text-to-video "
                "folder, FlowMatch Euler in an image-to-video one); dpm: DPM-Solver++; euler: FlowMatch "
                "Euler; unipc: UniPC."),
        ParamSpec::real("flow_shift", 0.0)
            .range(0.0, 100.0)
            .withStep(0.5)
            .withHelp("Flow-matching timestep shift; 0 keeps the model folder's (SANA-Video: 8)."),
        ParamSpec::boolean("resolution_binning", true)
            .showOnNode(false)
            .fromInput("latent")
            .withHelp(
                "Generate at the closest of the model's trained sizes and resize the decoded frames back "
                "(diffusers' use_resolution_binning, its default). Off: generate at exactly "
                "width×height. Not used while a latent is connected (Image Encode bins its own size)."),
    };
}

NodeDescriptor samplerDescriptor() {
    NodeDescriptor d{type::kSampler, 1, "Sampler", kCategorySampling};
    d.help =
        "Denoises video latents with the SANA-Video transformer and classifier-free guidance, showing a "
        "preview of the current estimate after every step. Text-to-video starts from seeded noise (the "
        "same noise as diffusers with a CPU generator); connect an image latent (Image Encode) for "
        "image-to-video, or latents (Load Latent) to start from them: a connected latent sets the size.";
    d.inputs = {PortSpec::required("model", port::kModel, "a model with its transformer loaded"),
                PortSpec::required("conditioning", port::kConditioning, "from Text Encode"),
                PortSpec::optionalInput("latent", port::kLatent,
                                        "an image latent (image-to-video) or initial latents")};
    d.outputs = {PortSpec::required("latent", port::kLatent, "the denoised latents")};
    for (auto group : {samplerShapeParams(), samplerNoiseParams(), samplerScheduleParams()})
        d.params.insert(d.params.end(), group.begin(), group.end());
    return d;
}

NodeDescriptor vaeDecodeDescriptor() {
    NodeDescriptor d{type::kVaeDecode, 1, "VAE Decode", kCategorySampling};
    d.help =
        "Decodes latents into frames with the model's VAE (Wan 2.1 or LTX-2), streaming over time "
        "(progress as frames come out; cancellable between them).";
    d.inputs = {PortSpec::required("model", port::kModel, "a model with its VAE decoder loaded"),
                PortSpec::required("latent", port::kLatent, "latents from the Sampler or Load Latent")};
    d.outputs = {PortSpec::required("video", PortType::Video, "the frames (8-bit RGB) and frame rate")};
    d.params = {ParamSpec::real("fps", 16.0)
                    .range(1.0, 240.0)
                    .withStep(1.0)
                    .withHelp("Frame rate of the video (SANA-Video is trained for 16 fps)."),
                ParamSpec::integer("video", 0)
                    .range(0, 1023)
                    .withHelp("Which video of the batch to decode (several prompts or videos per prompt: "
                              "prompt-major, 0 first).")};
    return d;
}

}  // namespace

void registerSamplingNodes(NodeRegistry& r) {
    r.add<SamplerNode>(samplerDescriptor());
    r.add<VaeDecodeNode>(vaeDecodeDescriptor());
}

}  // namespace sv::nodes
