// SanaVideoPipeline and SanaImageToVideoPipeline as one call each: the stages of sana_stages.h chained the
// way diffusers' __call__ chains them. Every diffusers argument has a field (defaults as diffusers'
// SanaVideoPipeline.__call__), except eta (unused by these schedulers), clean_caption (only False, the
// default) and return_dict. output_type: `frames` is diffusers' "np" (F32 [N, F, H, W, 3] in [0, 1]);
// floatFramesToUint8(frames) gives the "pil" bytes (round half to even); decode = false is "latent".
//
// Noise: same seed → the same initial noise as diffusers with
// generator=torch.Generator("cpu").manual_seed(seed), on every backend (sana_stages.h). Cancelling: the step
// callback returns false → sv::Cancelled.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "pipelines/sana_stages.h"

namespace sv {

struct TextToVideoRequest {
    std::vector<std::string> prompts;          // prompt (one per video of the batch)
    std::vector<std::string> negativePrompts;  // negative_prompt: empty = "", one, or one per prompt
    std::optional<int> motionScore;            // appends " motion score: M." (the examples use 30)
    int steps = 50;                            // num_inference_steps
    std::vector<double> timesteps;             // custom timesteps (diffusers' timesteps=)
    std::vector<double> sigmas;                // custom sigmas (diffusers' sigmas=)
    double guidanceScale = 6.0;
    int numVideosPerPrompt = 1;
    int height = 480;
    int width = 832;
    int frames = 81;
    uint64_t seed = 0;                               // generator = torch.Generator("cpu").manual_seed(seed)
    NoiseGenerator generator = NoiseGenerator::Cpu;  // or torch.Generator(device="cuda") (sana_stages.h)
    std::optional<CudaGeneratorGrid> cudaGrid;  // the CUDA generator's GPU grid; nullopt = the GPU in use
    Tensor latents;  // initial latents [N, 16, F', h, w] at the generation (binned) size
    Tensor promptEmbeds, promptMask, negativeEmbeds, negativeMask;
    int maxSequenceLength = 300;
    std::optional<std::vector<std::string>> complexHumanInstruction;  // nullopt = default, {} = off
    bool useResolutionBinning = true;
    std::string scheduler;            // "" = the model's; dpm | euler | unipc
    std::optional<double> flowShift;  // scheduler shift override
    bool decode = true;               // false = output_type "latent" (no frames)
    FrameSink frameSink;              // sees the frames as the VAE produces them
    bool keepFrames = true;           // false: frames only go to frameSink (VideoResult::frames undefined)
    SampleObserver observer;          // named intermediates (tests)
};

struct ImageToVideoRequest : TextToVideoRequest {
    /// The conditioning image: U8 [H, W, 3] (what a PIL RGB image holds) or F32 [H, W, 3] in [0, 1]. It is
    /// resized to the generation size with PIL's Lanczos.
    Tensor image;
};

struct VideoResult {
    Tensor frames;   // F32 [N, F, H, W, 3] in [0, 1] at the requested size (undefined without decode)
    Tensor latents;  // final latents [N, 16, F', h, w] (normalised space)
    GenerationSize size;
};

class TextToVideoPipeline {
  public:
    explicit TextToVideoPipeline(std::shared_ptr<const SanaModels> models);
    const SanaModels& models() const { return *models_; }
    VideoResult run(const TextToVideoRequest& request, const StepCallback& callback = {}) const;

  private:
    std::shared_ptr<const SanaModels> models_;
};

class ImageToVideoPipeline {
  public:
    explicit ImageToVideoPipeline(std::shared_ptr<const SanaModels> models);
    const SanaModels& models() const { return *models_; }
    VideoResult run(const ImageToVideoRequest& request, const StepCallback& callback = {}) const;

  private:
    std::shared_ptr<const SanaModels> models_;
};

}  // namespace sv
