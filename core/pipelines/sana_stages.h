// The stages of the SANA-Video pipelines (diffusers pipelines/sana_video/: SanaVideoPipeline.__call__ and
// SanaImageToVideoPipeline.__call__), shared by the CLI's TextToVideoPipeline /
// ImageToVideoPipeline (sana_pipeline.h) and the node editor's nodes:
//
//   encodePrompts        prompts → CFG-ready text embeddings and masks          (Text Encode node)
//   encodeImageLatents   image → normalised first-frame latent (image-to-video)  (Image Encode node)
//   sampleLatents        embeddings (+ image latent) → denoised latents         (Sampler node)
//   decodeLatents        latents → frames in [0, 1]                             (VAE Decode node)
//
// Stages own no UI and no files. They are exact ports of diffusers' SanaVideoPipeline and
// SanaImageToVideoPipeline; the deviations (all documented where they apply) are: sizes need multiples of 16
// instead of diffusers' 32 after binning (diffusers rejects seven of its own 480p bins), and
// num_videos_per_prompt repeats masks prompt-major like the embeddings (diffusers repeats the masks
// copy-major, mismatching rows for several prompts; with one prompt both agree).
//
// Noise: by default the initial noise is drawn on the CPU by sv::TorchCpuGenerator, which reproduces
// torch.randn on a CPU torch.Generator bit for bit. So a seed gives exactly the noise diffusers draws with
// `generator=torch.Generator("cpu").manual_seed(seed)` — on every backend (the noise is made on the CPU and
// then moved to the device, as diffusers does for a CPU generator), for every batch size (one randn call over
// the whole [B·n, 16, F', H/8, W/8] latent, as randn_tensor does with a single generator). With
// NoiseGenerator::Cuda it is torch.Generator(device="cuda").manual_seed(seed) instead (what diffusers'
// SANA-Video examples pass): drawn with cuRAND on the transformer's GPU (torch's bits), or emulated on the
// CPU (pipelines/torch_cuda_generator.h); that noise depends on the GPU's SM count and threads per SM.
//
// Cancelling: a StepCallback that returns false makes sampleLatents throw sv::Cancelled (base/cancelled.h)
// right after that step. Callbacks and frame sinks may also throw sv::Cancelled themselves (e.g. to stop a
// decode); it propagates unchanged.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/cancelled.h"
#include "base/tensor.h"
#include "pipelines/sana_models.h"
#include "pipelines/torch_cuda_generator.h"
#include "pipelines/video_geometry.h"

namespace sv {

// ---- prompts
// -------------------------------------------------------------------------------------------------

struct PromptRequest {
    /// Positive prompts (the batch). Leave empty when promptEmbeds are given.
    std::vector<std::string> prompts;
    /// Negative prompts: empty = "" for every prompt (diffusers' default), one = used for every prompt, or
    /// one per prompt. Ignored without classifier-free guidance or when negativeEmbeds are given.
    std::vector<std::string> negativePrompts;
    /// Appends " motion score: {M}." to every positive prompt (as the SANA-Video examples do; M = 30 there).
    std::optional<int> motionScore;
    /// The complex human instruction put in front of each positive prompt: nullopt = diffusers' default list
    /// (text/prompt_tokens.h), an empty list = none.
    std::optional<std::vector<std::string>> complexHumanInstruction;
    int maxSequenceLength = 300;
    int numVideosPerPrompt = 1;
    /// Whether negative embeddings are needed (guidance scale > 1).
    bool classifierFreeGuidance = true;

    // Precomputed embeddings (diffusers' prompt_embeds & co.): [B, L, C] float and [B, L] 0/1 masks (any
    // integer or float dtype). Used as given (no select-index, as diffusers). A mask is required with its
    // embeddings; positive and negative shapes must agree.
    Tensor promptEmbeds, promptMask;
    Tensor negativeEmbeds, negativeMask;
};

/// Embeddings are F32 on the text encoder's device (given embeddings: on theirs); masks are CPU I64.
struct PromptEncoding {
    Tensor embeds;          // [N, L, C] F32, N = prompts · numVideosPerPrompt (prompt-major)
    Tensor mask;            // [N, L] I64 0/1
    Tensor negativeEmbeds;  // [N, L, C] F32, undefined without classifier-free guidance
    Tensor negativeMask;    // [N, L] I64

    int64_t batch() const { return embeds.defined() ? embeds.dim(0) : 0; }
    bool hasNegative() const { return negativeEmbeds.defined(); }
    /// The transformer's text input: cat([negative; positive]) with guidance, else the positive ones.
    Tensor cfgEmbeds(bool guidance) const;
    Tensor cfgMask(bool guidance) const;
};

/// Tokenizes and encodes the prompts (SanaVideoPipeline.encode_prompt): lower-case/strip, CHI prefix and
/// select-index for positive prompts, negative prompts without CHI at max_sequence_length, repeated
/// numVideosPerPrompt times. sv::Error for an empty batch, mismatched counts or shapes, or a missing
/// tokenizer/text encoder.
PromptEncoding encodePrompts(const SanaModels& models, const PromptRequest& request);

// ---- image-to-video input
// ------------------------------------------------------------------------------------

/// diffusers' VideoProcessor.preprocess for a PIL image: resize to exactly width×height with PIL's LANCZOS,
/// /255 then ·2−1. image: U8 [H, W, 3] (exact), or F32 [H, W, 3] in [0, 1] (quantised to uint8 first, half to
/// even, as a PIL image would be). Returns F32 [1, 3, height, width] on the CPU.
Tensor preprocessImage(const Tensor& image, int height, int width);

/// The normalised first-frame latent of image-to-video (SanaImageToVideoPipeline.prepare_latents):
/// preprocessImage at the generation (binned) size, VAE encode as a 1-frame video, posterior mode, (z −
/// mean)·(1/std). Returns F32 [1, z, 1, height/8, width/8].
Tensor encodeImageLatents(const SanaModels& models, const Tensor& image, int height, int width);

// ---- sampling
// ------------------------------------------------------------------------------------------------

/// Called after every denoising step: step index (0-based), number of steps, the step's timestep, the
/// latents after the step [N, 16, F', h, w] and the x0 estimate x − σ·v of the step's input (for previews;
/// in image-to-video its frame 0 is the image latent). Return false to cancel (sampleLatents then throws
/// sv::Cancelled). Tensors are valid during the call only.
using StepCallback =
    std::function<bool(int step, int total, double timestep, const Tensor& latents, const Tensor& x0)>;

/// Receives named tensors during sampling (tests, debugging), with the fixture names: "latents_prepared",
/// "conditioning_mask" (image-to-video, CFG-duplicated), and per step "step_{i}.model_input",
/// "step_{i}.timestep", "step_{i}.model_output", "step_{i}.latents".
using SampleObserver = std::function<void(std::string_view name, const Tensor& value)>;

/// Which torch.Generator a seed seeds (diffusers' generator=).
enum class NoiseGenerator {
    Cpu,   // torch.Generator("cpu"): the same noise on every machine (the default)
    Cuda,  // torch.Generator(device="cuda"): the SANA-Video examples' generator; depends on the GPU's grid
};

/// "cpu" / "cuda", and back (sv::Error naming `what` for another name).
std::string_view noiseGeneratorName(NoiseGenerator g);
NoiseGenerator parseNoiseGenerator(std::string_view name, std::string_view what);

struct SampleRequest {
    /// Generation size (already binned; see resolveGenerationSize). frames = 1 + 4k, sizes multiples of 16.
    int height = 480;
    int width = 832;
    int frames = 81;
    int steps = 50;
    /// Custom schedules (diffusers' timesteps= / sigmas=; at most one; the step count follows them). Only
    /// the schedulers that accept them in diffusers do.
    std::vector<double> timesteps;
    std::vector<double> sigmas;
    double guidanceScale = 6.0;  // classifier-free guidance when > 1
    uint64_t seed = 0;           // the torch.Generator seed of the initial noise
    NoiseGenerator generator = NoiseGenerator::Cpu;
    /// CUDA generator: the grid (SMs × threads per SM) of the GPU whose noise to reproduce; nullopt = the
    /// transformer's GPU (or the first GPU when it runs on the CPU; sv::Error on a machine without one).
    std::optional<CudaGeneratorGrid> cudaGrid;
    /// Initial latents [N, 16, F', h, w] instead of noise (diffusers' latents=).
    Tensor latents;
    /// Scheduler: "" = the model's, or dpm | euler | unipc; flow shift override.
    std::string scheduler;
    std::optional<double> flowShift;
    /// Image-to-video: the normalised image latent [1 or N, 16, 1, h, w] (encodeImageLatents). Frame 0 of the
    /// latents is replaced by it and kept for the whole loop; its tokens get timestep 0 and only frames 1..
    /// are stepped.
    Tensor imageLatents;
    SampleObserver observer;
};

/// The generation geometry (VideoGeometry with the model's VAE scale factors and patch size), validated:
/// frames = 1 + 4k, height and width positive multiples of 16 (Wan 2.1, 2×2 patches). sv::Error naming the
/// parameter otherwise.
VideoGeometry generationGeometry(const SanaModels& models, int height, int width, int frames);

/// The denoising loop (the `for i, t in enumerate(timesteps)` loop of SanaVideoPipeline.__call__ and
/// SanaImageToVideoPipeline.__call__). Returns the final latents F32 [N, 16, F', h, w] (normalised space).
/// Throws sv::Cancelled when the callback asks for it, sv::Error for bad geometry, a missing component, a
/// missing negative embedding with guidance, or shape mismatches.
Tensor sampleLatents(const SanaModels& models, const PromptEncoding& prompts, const SampleRequest& request,
                     const StepCallback& callback = {});

// ---- decoding
// ------------------------------------------------------------------------------------------------

/// Receives decoded frames as they are produced: F32 [N, n, H, W, 3] in [0, 1] (already resized to the output
/// size), starting at frame `firstFrame`. May throw sv::Cancelled to stop.
using FrameSink = std::function<void(int64_t firstFrame, const Tensor& frames)>;

struct DecodeOptions {
    /// Output size after decoding; 0 = as decoded. When it differs (resolution binning) each frame is resized
    /// with torch's bilinear interpolation to cover it and center-cropped (diffusers'
    /// resize_and_crop_tensor).
    int outputHeight = 0;
    int outputWidth = 0;
    /// Whether decodeLatents returns all frames (false: only the sink sees them; returns an undefined
    /// tensor).
    bool keepFrames = true;
    /// Receives "decode.input" (the denormalised latents given to the VAE).
    SampleObserver observer;
};

/// Denormalises (z / (1/std) + mean), decodes with the streaming VAE decoder, un-bins, and post-processes to
/// F32 [N, F, H, W, 3] in [0, 1] (diffusers' output_type "np"; floatFramesToUint8 gives the "pil" bytes).
Tensor decodeLatents(const SanaModels& models, const Tensor& latents, const FrameSink& sink = {},
                     const DecodeOptions& options = {});

// ---- resolution binning
// --------------------------------------------------------------------------------------

struct GenerationSize {
    int height = 0;  // generation size (the bin when binning)
    int width = 0;
    int outputHeight = 0;  // requested size
    int outputWidth = 0;
    bool resized() const { return height != outputHeight || width != outputWidth; }
};

/// The size to generate at for a requested size (VideoProcessor.classify_height_width_bin): with binning, the
/// closest bin of the table chosen by the transformer's sample_size (sv::Error when it has none); otherwise
/// the requested size.
GenerationSize resolveGenerationSize(const TransformerConfig& transformer, int height, int width,
                                     bool useResolutionBinning);

}  // namespace sv
