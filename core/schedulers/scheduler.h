// Flow-matching schedulers (diffusers ports): the common interface, the factory and the schedule arithmetic
// they share. Conventions (the flow_prediction branches of the diffusers schedulers): x_σ = (1 − σ)·x0 + σ·ε,
// the model predicts v = ε − x0, the model is called with timesteps()[i] and the update goes from sigmas()[i]
// to sigmas()[i + 1] (the table ends with 0).
//
// Exactness: sigma and timestep tables are computed in double with numpy's operation order and cast where
// diffusers casts, so they are bit-identical to diffusers. step() reduces every update to a few scalar
// coefficients (computed in fp32 with the reference's operation order) and one ops::linearCombination per
// output tensor, so the same code runs on any backend that implements that op.
//
// Step index: the i-th call of step() after setTimesteps() performs step i. diffusers instead locates the
// first step by searching the timestep in its table and takes the SECOND match when the value occurs twice.
// With shift 8 the truncated integer timesteps of DPM/UniPC start with 999, 999 from 144 steps on, so
// diffusers starts one index late and crashes with an IndexError on its last step. Counting calls (diffusers'
// set_begin_index(0)) is identical whenever the first timestep is unique and makes every schedule run to
// completion.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/tensor.h"

namespace sv {

class Scheduler {
  public:
    virtual ~Scheduler() = default;

    /// The diffusers class name ("DPMSolverMultistepScheduler", ...).
    virtual std::string_view className() const = 0;
    /// The short name used by the CLI and the nodes ("dpm", "euler", "unipc").
    virtual std::string_view shortName() const = 0;

    /// The standard schedule of numSteps steps (diffusers' set_timesteps(num_inference_steps)). Resets the
    /// state.
    virtual void setTimesteps(int numSteps) = 0;
    /// A custom sigma list (diffusers' set_timesteps(sigmas=...)); sv::Error where diffusers does not accept
    /// one.
    virtual void setCustomSigmas(std::span<const double> sigmas);
    /// A custom timestep list (diffusers' set_timesteps(timesteps=...)); sv::Error where diffusers does not
    /// accept one.
    virtual void setCustomTimesteps(std::span<const double> timesteps);

    /// Number of steps of the current schedule (0 before setTimesteps).
    int numSteps() const { return int(timesteps_.size()); }
    /// numSteps() + 1 float32 sigmas, the last one 0.
    std::span<const float> sigmas() const { return sigmas_; }
    /// numSteps() timesteps: the exact values the model receives (integers when integerTimesteps()).
    std::span<const double> timesteps() const { return timesteps_; }
    /// True when the model receives int64 timesteps (DPM, UniPC), false for fractional float32 ones
    /// (FlowMatch).
    virtual bool integerTimesteps() const = 0;
    /// The number of step() calls since the schedule was set (the index of the next step).
    int stepIndex() const { return stepIndex_; }
    bool finished() const { return stepIndex_ >= numSteps(); }

    /// One solver step: modelOutput is the velocity predicted at timesteps()[stepIndex()] for `sample`;
    /// returns the sample at sigmas()[stepIndex() + 1] as a new F32 tensor. Inputs may be any float dtype
    /// (computed in fp32). Throws sv::Error when no schedule is set, the schedule is finished, or the shapes
    /// differ.
    Tensor step(const Tensor& modelOutput, const Tensor& sample);

    /// The largest step count setTimesteps() accepts (guards against absurd requests).
    static constexpr int kMaxSteps = 100000;

  protected:
    Scheduler() = default;
    /// sv::Error unless 1 <= n <= kMaxSteps.
    void checkStepCount(int n) const;
    /// sv::Error unless sigmas[0..n-1] decrease strictly (multistep solvers divide by λ differences).
    void checkStrictlyDecreasing(std::span<const float> sigmas) const;
    /// Installs a new schedule and resets the step counter and the solver state.
    void setSchedule(std::vector<float> sigmas, std::vector<double> timesteps);
    /// Clears the multistep history.
    virtual void resetState() = 0;
    /// Step i of numSteps() (the base class has validated the inputs).
    virtual Tensor stepAt(int i, const Tensor& modelOutput, const Tensor& sample) = 0;

  private:
    std::vector<float> sigmas_;
    std::vector<double> timesteps_;
    int stepIndex_ = 0;
};

// ---- factory
// ----------------------------------------------------------------------------------------------------

/// Builds a scheduler from its diffusers class name and scheduler_config.json contents. Unknown keys are
/// ignored; a wrongly typed key or a setting this port does not implement is an sv::Error naming the key and
/// `source`.
std::unique_ptr<Scheduler> makeScheduler(std::string_view className, const nlohmann::json& config,
                                         std::string_view source);
/// Reads a scheduler_config.json (lenient JSON: diffusers writes -Infinity) and builds the class it names.
std::unique_ptr<Scheduler> loadScheduler(const std::filesystem::path& schedulerConfigJson);
/// The SANA-Video configuration of a scheduler by short name (dpm | euler | unipc), optionally with another
/// shift (flow_shift / shift). SANA-Video uses shift 8 for all three.
std::unique_ptr<Scheduler> makeSchedulerByShortName(std::string_view shortName,
                                                    std::optional<double> shift = std::nullopt);
/// The diffusers class name for a short name, or the short name for a class name; sv::Error when unknown.
std::string_view schedulerClassName(std::string_view shortName);
std::string_view schedulerShortName(std::string_view className);

// ---- schedule arithmetic shared by the schedulers (double, numpy semantics)
// ---------------------------------------

/// numpy.linspace(start, stop, n) in float64: element k = k·((stop − start)/(n − 1)) + start, the last
/// element is exactly stop; n == 1 gives {start}.
std::vector<double> numpyLinspace(double start, double stop, int n);
/// The flow shift σ' = shift·σ / (1 + (shift − 1)·σ) in float64 with numpy's operation order.
double flowShift(double shift, double sigma);

}  // namespace sv
