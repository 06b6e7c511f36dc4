// Minute-long text-to-video with LongSANA: the causal SANA-Video transformer generates the video chunk after
// chunk of latent frames, carrying a constant-size state (models/sana_causal.h) instead of the frames before;
// each finished chunk goes straight to the streaming VAE decoder and out through a frame sink. Host and GPU
// memory do not grow with the video's length: nothing of a finished chunk is kept but the state.
//
// Per chunk (diffusers PR #12723, pipeline_longsana.py, LongSanaVideoPipeline.__call__, step 7; NVlabs/Sana
// LongLiveFlowEuler.sample):
//   x ← the chunk's frames of the initial noise; context ← the state of the previous chunks
//   for each step i of the step list (1000, 960, 889, 727):
//       v ← transformer(x, tᵢ, prompt of the chunk, context)             (the state is read, not written)
//       x0 ← x − σᵢ·v (float64, rounded to float32)
//       x ← σ'ᵢ·ε + (1 − σ'ᵢ)·x0 with fresh noise ε (not after the last step: x ← x0)
//   transformer(x, t = 0, context, save) → the chunk's own state; commit it (the "cache pass")
//   decode x; hand its frames to the sink
//
// Deviations from the reference, each without effect on its default path: a step with σ = 0 (the trailing 0
// of diffusers' documented timesteps=[1000, 960, 889, 727, 0]) skips the transformer, whose output it would
// multiply by 0; with classifier-free guidance (guidance > 1, not used by LongSANA's configuration) the cache
// pass runs on the guidance batch, so each half keeps its own state (the reference mixes the text batch into
// one sequence there); RoPE frame positions are absolute by default (NVlabs/Sana, which trained the weights),
// chunk-local on request (diffusers PR #12723, whose fixtures the tests compare with).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/tensor.h"
#include "pipelines/long_sampler.h"
#include "pipelines/prompt_schedule.h"
#include "pipelines/sana_models.h"
#include "pipelines/sana_stages.h"

namespace sv {

struct LongVideoRequest {
    /// The prompt of every chunk (shared so that an editor can change later chunks while this runs).
    std::shared_ptr<PromptSchedule> prompts;
    std::string negativePrompt;      // with guidance > 1 only
    std::optional<int> motionScore;  // appends " motion score: M." to every prompt
    std::optional<std::vector<std::string>> complexHumanInstruction;  // nullopt = diffusers' default
    int maxSequenceLength = 300;
    int numVideosPerPrompt = 1;
    /// Precomputed embeddings used for every chunk instead of the schedule ([N, L, C] + [N, L] masks).
    Tensor promptEmbeds, promptMask, negativeEmbeds, negativeMask;
    /// Precomputed embeddings per chunk range (first chunk → embeddings, mask), without guidance: a prompt
    /// switch with given embeddings. Takes precedence over promptEmbeds.
    std::map<int64_t, std::pair<Tensor, Tensor>> chunkPromptEmbeds;

    int height = 480;
    int width = 832;
    int frames = 961;  // 1 + 4k; 961 = one minute at 16 fps
    bool useResolutionBinning = true;
    uint64_t seed = 0;
    Tensor latents;  // initial latents [N, 16, F', h, w] instead of noise (diffusers' latents=)

    double guidanceScale = 1.0;  // LongSANA runs without classifier-free guidance
    std::vector<double> steps = {std::begin(kLongSanaSteps), std::end(kLongSanaSteps)};
    double shift = 1.0;  // applied to the step list (diffusers' FlowMatchEulerDiscreteScheduler shift)
    LongSigmaSource sigmaSource = LongSigmaSource::Diffusers;
    int chunkFrames = 10;   // latent frames per chunk (base_chunk_frames); the first takes the remainder
    int cachedChunks = -1;  // chunks whose state the context sums (num_cached_blocks); ≤ 0: all
    bool chunkLocalRope = false;  // diffusers PR #12723's RoPE (every chunk from frame 0)

    bool decode = true;
    /// Named intermediates (tests):
    /// "chunk_{c}.step_{i}.{model_input,timestep,model_output,x0,noise,latents}", "chunk_{c}.latents"
    /// (final), "chunk_{c}.cache.model_output", and decode's "decode.input".
    SampleObserver observer;
};

struct LongStepInfo {
    int64_t chunk = 0;
    int64_t chunks = 0;
    int step = 0;  // 0-based within the chunk
    int steps = 0;
    double timestep = 0;
    int64_t firstLatentFrame = 0;  // of the chunk
    int64_t firstFrame = 0;        // pixel frame of the chunk's first decoded frame
};

struct LongVideoCallbacks {
    /// Before a chunk starts (before its prompt is read): e.g. re-read a prompt file into the schedule.
    std::function<void(int64_t chunk)> onChunkStart;
    /// After every step: the chunk's x0 estimate [N, 16, f, h, w]. Return false to cancel (sv::Cancelled).
    std::function<bool(const LongStepInfo&, const Tensor& x0)> onStep;
    /// A chunk's final latents [N, 16, f, h, w] (normalised space), after its state was committed.
    std::function<void(int64_t chunk, const Tensor& latents)> onChunk;
    /// Decoded frames F32 [N, n, H, W, 3] in [0, 1] with their index in the whole video; may throw
    /// sv::Cancelled.
    FrameSink onFrames;
    /// All frames of a chunk were decoded (and handed to onFrames); `frames` = frames decoded so far.
    std::function<void(int64_t chunk, int64_t frames)> onChunkDecoded;
};

struct LongVideoPlan {
    GenerationSize size;
    int64_t latentFrames = 0;
    int64_t frames = 0;                // pixel frames
    std::vector<int64_t> chunkBounds;  // latent frame boundaries, chunks() + 1 entries
    LongSamplerSchedule schedule;
    int64_t chunks() const { return int64_t(chunkBounds.size()) - 1; }
};

/// Whether a model folder is LongSANA's: model_index.json names LongSanaVideoPipeline or its transformer is
/// the causal class (SanaVideoCausalTransformer3DModel). False for anything unreadable.
bool isLongSanaModel(const std::filesystem::path& folder);

/// Validates a request against the models (sizes, frames, steps, RoPE range) and lays out its chunks.
LongVideoPlan planLongVideo(const SanaModels& models, const LongVideoRequest& request);

/// Runs the whole generation (text encode per distinct prompt, chunks, decode). Returns the plan it ran.
/// sv::Cancelled when a callback asks for it; sv::Error for a bad request or missing component.
LongVideoPlan generateLongVideo(const SanaModels& models, const LongVideoRequest& request,
                                const LongVideoCallbacks& callbacks = {});

}  // namespace sv
