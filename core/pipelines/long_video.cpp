#include "pipelines/long_video.h"

#include <cmath>

#include "io/json_util.h"
#include "ops/elementwise.h"
#include "ops/lincomb.h"
#include "pipelines/cfg_batch.h"
#include "pipelines/latent_decode_stream.h"

namespace sv {

namespace fs = std::filesystem;

namespace {

// The transformer's text context of each chunk, encoded again only when the chunk's prompt differs from the
// previous chunk's (the schedule may change while the video renders).
class ChunkText {
  public:
    ChunkText(const SanaModels& models, const LongVideoRequest& r, bool guidance)
        : models_(models), r_(r), guidance_(guidance) {}

    const TransformerTextContext& forChunk(int64_t chunk) {
        const bool perChunk = !r_.chunkPromptEmbeds.empty();
        const bool given = perChunk || r_.promptEmbeds.defined();
        std::string key;  // what decides whether the text changed: the prompt, or the embeddings' first chunk
        auto entry = r_.chunkPromptEmbeds.begin();
        if (perChunk) {
            auto it = r_.chunkPromptEmbeds.upper_bound(chunk);
            entry = it == r_.chunkPromptEmbeds.begin() ? it : std::prev(it);
            key = std::to_string(entry->first);
        } else if (!given) {
            key = r_.prompts->promptFor(chunk);
        }
        if (ready_ && key == prompt_) return context_;
        PromptRequest p;
        if (perChunk) {
            p.promptEmbeds = entry->second.first, p.promptMask = entry->second.second;
        } else if (given) {
            p.promptEmbeds = r_.promptEmbeds, p.promptMask = r_.promptMask;
            p.negativeEmbeds = r_.negativeEmbeds, p.negativeMask = r_.negativeMask;
        } else {
            p.prompts = {key};
            p.negativePrompts = {r_.negativePrompt};
        }
        p.motionScore = r_.motionScore;
        p.complexHumanInstruction = r_.complexHumanInstruction;
        p.maxSequenceLength = r_.maxSequenceLength;
        p.numVideosPerPrompt = given ? 1 : r_.numVideosPerPrompt;
        p.classifierFreeGuidance = guidance_;
        const PromptEncoding enc = encodePrompts(models_, p);
        const SanaTransformer& t = models_.requireTransformer();
        const Device device = t.weights().get("proj_out.weight").device();
        context_ = t.prepareText(enc.cfgEmbeds(guidance_).to(device), enc.cfgMask(guidance_).to(device));
        batch_ = enc.batch();
        prompt_ = key;
        ready_ = true;
        return context_;
    }
    int64_t batch() const { return batch_; }

  private:
    const SanaModels& models_;
    const LongVideoRequest& r_;
    bool guidance_;
    bool ready_ = false;
    std::string prompt_;
    TransformerTextContext context_;
    int64_t batch_ = 0;
};

class LongRun {
  public:
    LongRun(const SanaModels& models, const LongVideoRequest& r, const LongVideoCallbacks& cb,
            const LongVideoPlan& plan)
        : models_(models),
          transformer_(models.requireTransformer()),
          r_(r),
          cb_(cb),
          plan_(plan),
          guidance_(r.guidanceScale > 1.0),
          text_(models, r, guidance_),
          history_(transformer_.config().numLayers, r.cachedChunks),
          device_(transformer_.weights().get("proj_out.weight").device()) {}

    void run() {
        const TransformerTextContext& first = text_.forChunk(0);
        const int64_t batch = guidance_ ? first.batch() / 2 : first.batch();
        const Shape shape = {batch, transformer_.config().inChannels, plan_.latentFrames,
                             plan_.size.height / models_.vaeSpatialScale(),
                             plan_.size.width / models_.vaeSpatialScale()};
        if (r_.latents.defined())
            SV_CHECK(r_.latents.shape() == shape, "initial latents ", r_.latents.describe(),
                     " do not match the latent shape ", shapeToString(shape), " of this batch and geometry");
        noise_.emplace(r_.seed, shape, !r_.latents.defined());
        std::optional<LatentDecodeStream> decoder;
        if (r_.decode) {
            DecodeOptions d;
            d.outputHeight = plan_.size.outputHeight;
            d.outputWidth = plan_.size.outputWidth;
            d.observer = r_.observer;
            decoder.emplace(models_, d);
        }
        for (int64_t c = 0; c < plan_.chunks(); ++c) {
            if (cb_.onChunkStart) cb_.onChunkStart(c);
            const Tensor latents = chunk(c);
            if (cb_.onChunk) cb_.onChunk(c, latents);
            if (!decoder) continue;
            decoder->push(latents, cb_.onFrames);
            if (cb_.onChunkDecoded) cb_.onChunkDecoded(c, decoder->framesDecoded());
        }
    }

  private:
    void emit(const std::string& name, const Tensor& t) const {
        if (r_.observer) r_.observer(name, t);
    }

    CausalStep step(int64_t c, CausalCache* save) const {
        CausalStep s;
        s.context = &history_.context();
        s.save = save;
        s.ropeFrameOffset =
            r_.chunkLocalRope ? 0 : plan_.chunkBounds[size_t(c)] / transformer_.config().patchSize[0];
        return s;
    }

    // v (guided) for latents x at model timestep t with the chunk's context (nothing saved).
    Tensor velocity(int64_t c, const Tensor& x, double t, const std::string& prefix) {
        const TransformerTextContext& text = text_.forChunk(c);
        const Tensor input = guidance_ ? duplicateRows(x) : x;
        const Tensor timestep = Tensor::full({input.dim(0)}, float(t), DType::F32).to(device_);
        emit(prefix + "model_input", input);
        emit(prefix + "timestep", timestep);
        const Tensor out = transformer_.forward(input, timestep, text, step(c, nullptr));
        emit(prefix + "model_output", out);
        if (!guidance_) return out;
        const int64_t n = x.dim(0);
        const Tensor uncond = out.slice(0, 0, n), cond = out.slice(0, n, 2 * n);
        return ops::add(uncond, ops::scale(ops::sub(cond, uncond), float(r_.guidanceScale)));
    }

    Tensor chunk(int64_t c) {
        const int64_t f0 = plan_.chunkBounds[size_t(c)], f1 = plan_.chunkBounds[size_t(c) + 1];
        const std::string name = concat("chunk_", c, ".");
        Tensor x = r_.latents.defined() ? r_.latents.slice(2, f0, f1).to(DType::F32).clone()
                                        : noise_->initial(f0, f1);
        x = x.to(device_);
        emit(name + "latents_init", x);
        const LongSamplerSchedule& s = plan_.schedule;
        LongStepInfo info{c, plan_.chunks(), 0, s.steps(), 0, f0, f0 == 0 ? 0 : 1 + 4 * (f0 - 1)};
        for (int i = 0; i < s.steps(); ++i) {
            const std::string prefix = concat(name, "step_", i, ".");
            Tensor x0 = x;  // σ = 0: x0 = x − 0·v = x exactly, so the transformer is not run
            if (s.sigmas[size_t(i)] != 0.0) {
                const double coefs[] = {1.0, -s.sigmas[size_t(i)]};
                const Tensor in[] = {x, velocity(c, x, s.modelTimesteps[size_t(i)], prefix)};
                x0 = ops::linearCombination(coefs, in);  // float64, one rounding: _convert_flow_pred_to_x0
            }
            emit(prefix + "x0", x0);
            if (i + 1 < s.steps()) {
                const Tensor eps = noise_->next(f1 - f0).to(device_);
                emit(prefix + "noise", eps);
                const float sigma = s.renoiseSigmas[size_t(i)];
                x = ops::add(ops::scale(eps, sigma), ops::scale(x0, 1.0f - sigma));  // scale_noise, float32
            } else {
                x = x0;
            }
            emit(prefix + "latents", x);
            info.step = i, info.timestep = s.modelTimesteps[size_t(i)];
            if (cb_.onStep && !cb_.onStep(info, x0))
                throw Cancelled(
                    concat("cancelled in chunk ", c + 1, " of ", plan_.chunks(), ", step ", i + 1));
        }
        emit(name + "latents", x);
        commit(c, x, name);
        return x;
    }

    // The cache pass: the chunk's final latents at timestep 0, saving its own state.
    void commit(int64_t c, const Tensor& x, const std::string& name) {
        const TransformerTextContext& text = text_.forChunk(c);
        const Tensor input = guidance_ ? duplicateRows(x) : x;
        const Tensor zero = Tensor::full({input.dim(0)}, 0.0f, DType::F32).to(device_);
        CausalCache own;
        const Tensor out = transformer_.forward(input, zero, text, step(c, &own));
        emit(name + "cache.model_output", out);
        history_.commit(std::move(own));
    }

    const SanaModels& models_;
    const SanaTransformer& transformer_;
    const LongVideoRequest& r_;
    const LongVideoCallbacks& cb_;
    const LongVideoPlan& plan_;
    bool guidance_;
    ChunkText text_;
    CausalChunkHistory history_;
    Device device_;
    std::optional<LongVideoNoise> noise_;
};

}  // namespace

bool isLongSanaModel(const std::filesystem::path& folder) {
    try {
        std::error_code ec;
        if (fs::exists(folder / "model_index.json", ec) &&
            jsonGet<std::string>(readJsonFile(folder / "model_index.json"), "_class_name", "", "") ==
                "LongSanaVideoPipeline")
            return true;
        const fs::path config = folder / "transformer" / "config.json";
        return fs::exists(config, ec) && jsonGet<std::string>(readJsonFile(config), "_class_name", "", "") ==
                                             TransformerConfig::kCausalClassName;
    } catch (const Error&) {
        return false;
    }
}

LongVideoPlan planLongVideo(const SanaModels& models, const LongVideoRequest& r) {
    const SanaTransformer& transformer = models.requireTransformer();
    const TransformerConfig& tc = transformer.config();
    if (r.decode) {
        const VideoVae& vae = models.requireVaeDecoder();
        SV_CHECK(vae.family() == VaeFamily::Wan,
                 "a long video is decoded chunk after chunk by the causal Wan VAE; this model's VAE is ",
                 vae.className());
    }
    SV_CHECK(r.promptEmbeds.defined() || !r.chunkPromptEmbeds.empty() || (r.prompts && !r.prompts->empty()),
             "a long video needs a prompt (or prompt embeddings)");
    SV_CHECK(std::isfinite(r.guidanceScale), "guidance scale must be a finite number");
    SV_CHECK(r.chunkFrames >= 1, "chunk size ", r.chunkFrames, " latent frames is invalid (at least 1)");
    SV_CHECK(r.numVideosPerPrompt >= 1, "videos per prompt must be at least 1");
    LongVideoPlan plan;
    plan.size = resolveGenerationSize(tc, r.height, r.width, r.useResolutionBinning);
    const VideoGeometry g = generationGeometry(models, plan.size.height, plan.size.width, r.frames);
    plan.latentFrames = g.latentFrames();
    plan.frames = r.frames;
    SV_CHECK(r.chunkFrames % tc.patchSize[0] == 0, "chunks of ", r.chunkFrames,
             " latent frames are not a multiple of the transformer's temporal patch ", tc.patchSize[0]);
    if (!r.chunkLocalRope)
        SV_CHECK(plan.latentFrames / tc.patchSize[0] <= tc.ropeMaxSeqLen, r.frames, " frames give ",
                 plan.latentFrames, " latent frames; the model's RoPE covers ", tc.ropeMaxSeqLen,
                 " (at most ", 1 + 4 * (int64_t(tc.ropeMaxSeqLen) * tc.patchSize[0] - 1), " frames)");
    plan.chunkBounds = longVideoChunks(plan.latentFrames, r.chunkFrames);
    plan.schedule = LongSamplerSchedule::make(r.steps, r.shift, r.sigmaSource);
    return plan;
}

LongVideoPlan generateLongVideo(const SanaModels& models, const LongVideoRequest& r,
                                const LongVideoCallbacks& callbacks) {
    const LongVideoPlan plan = planLongVideo(models, r);
    LongRun(models, r, callbacks, plan).run();
    return plan;
}

}  // namespace sv
