// LongSANA's few-step sampler (NVlabs/Sana's "longlive_flow_euler"), the pieces the long-video pipeline
// (long_video.h) runs chunk after chunk:
//
//   - the chunks: latent frames split into chunks of `chunkFrames`, the first chunk taking the remainder
//     (_create_autoregressive_segments);
//   - the schedule: per step the timestep the transformer sees and the σ of x0 = x_t − σ·v; between steps the
//     x0 estimate is re-noised to the next step's σ with fresh noise, x = σ'·ε + (1 − σ')·x0 (scale_noise /
//     add_noise); the last step's x0 is the chunk's result. No classifier-free guidance in the reference
//     configuration (guidance 1), though the pipeline supports it;
//   - the noise: the initial latents of the whole video are one torch.randn on a CPU generator (as diffusers'
//     randn_tensor draws them), then each re-noising draws randn([B, f, C, h, w]) from the same generator.
//
// Ref: diffusers pull request #12723 (head 437cc9d7), pipeline_longsana.py, LongSanaVideoPipeline.__call__
// (steps 4–7) and _create_autoregressive_segments; NVlabs/Sana diffusion/scheduler/
// longlive_flow_euler_sampler.py, LongLiveFlowEuler.sample and FlowMatchScheduler.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "base/tensor.h"
#include "base/torch_randn.h"

namespace sv {

/// The reference's default denoising step list (LongLiveFlowEuler, LongSanaVideoPipeline).
inline constexpr double kLongSanaSteps[] = {1000, 960, 889, 727};

/// Where each step's σ comes from. The two references agree to ≤ 5e-4 in σ (half the spacing of NVlabs'
/// table).
enum class LongSigmaSource {
    /// diffusers PR #12723 as documented (FlowMatchEulerDiscreteScheduler(shift), timesteps = the step list):
    /// σᵢ = shift·sᵢ / (1 + (shift − 1)·sᵢ), sᵢ = tᵢ / 1000, in float32; the transformer sees the integer
    /// part of 1000·σᵢ; x0 uses the σ of the nearest scheduled timestep, re-noising the exact one.
    Diffusers,
    /// NVlabs/Sana: σ is the entry of the 1000-step training table (FlowMatchScheduler with shift, σ_min 0,
    /// extra_one_step) nearest to the step's timestep; the transformer sees the step list's integers.
    NvlabsTable,
};

struct LongSamplerSchedule {
    std::vector<double> modelTimesteps;  // what the transformer sees at each step
    std::vector<double> sigmas;          // σ of each step's x0 estimate (float32 values, held as double)
    std::vector<float> renoiseSigmas;    // σ' of re-noising after step i to step i + 1 (size steps − 1)
    int steps() const { return int(modelTimesteps.size()); }

    /// The schedule of a step list (descending timesteps in (0, numTrain]; a trailing 0 is allowed: its
    /// step has σ = 0, so its x0 is its input exactly). sv::Error for an empty or non-descending list or a
    /// shift ≤ 0.
    static LongSamplerSchedule make(std::span<const double> stepList, double shift, LongSigmaSource source,
                                    int numTrainTimesteps = 1000);
};

/// Chunk boundaries over `latentFrames` latent frames: [0, c₁, c₂, …, latentFrames], chunks of `chunkFrames`
/// with the remainder added to the first one (one chunk when there are fewer frames than chunkFrames).
std::vector<int64_t> longVideoChunks(int64_t latentFrames, int64_t chunkFrames);

/// The noise of one long generation, drawn from torch.Generator("cpu").manual_seed(seed) in the reference's
/// order without holding the whole video: the initial latents [B, C, F', h, w] (one randn, streamed by
/// TorchRandnStream; not drawn when the caller gives the latents, as diffusers' prepare_latents), then one
/// randn([B, f, C, h, w]) per re-noising.
class LongVideoNoise {
  public:
    LongVideoNoise(uint64_t seed, const Shape& latentShape, bool drawInitial = true);
    /// Frames [f0, f1) of the initial latents: F32 [B, C, f1 − f0, h, w] on the CPU.
    Tensor initial(int64_t f0, int64_t f1) const;
    /// The next re-noising draw for a chunk of `frames` latent frames, permuted to [B, C, frames, h, w].
    Tensor next(int64_t frames);

  private:
    Shape shape_;
    TorchCpuGenerator generator_;
    std::optional<TorchRandnStream> initial_;
};

}  // namespace sv
