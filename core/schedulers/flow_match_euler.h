// FlowMatchEulerDiscreteScheduler (SANA-Video's image-to-video default; diffusers
// scheduling_flow_match_euler_discrete.py). Reproduces diffusers'
// double application of the shift to σ_min: the training table is already shifted, and set_timesteps shifts
// the linspace between its ends again (with shift 8 the last nonzero σ is 0.0602, not 0.0079).
#pragma once

#include <string_view>

#include <nlohmann/json.hpp>

#include "schedulers/scheduler.h"

namespace sv {

struct FlowMatchEulerSettings {
    int numTrainTimesteps = 1000;
    double shift = 1.0;

    /// Parses a diffusers scheduler_config.json object (defaults for absent keys). use_dynamic_shifting
    /// (needs mu), invert_sigmas, shift_terminal, karras/exponential/beta sigmas and stochastic_sampling are
    /// not implemented: sv::Error naming the key and `source` when set.
    static FlowMatchEulerSettings fromJson(const nlohmann::json& j, std::string_view source);
};

class FlowMatchEulerDiscrete final : public Scheduler {
  public:
    explicit FlowMatchEulerDiscrete(const FlowMatchEulerSettings& settings);

    std::string_view className() const override { return "FlowMatchEulerDiscreteScheduler"; }
    std::string_view shortName() const override { return "euler"; }
    bool integerTimesteps() const override { return false; }
    const FlowMatchEulerSettings& settings() const { return settings_; }
    /// Ends of the shifted float32 training table, widened to double (diffusers' sigma_min / sigma_max).
    double sigmaMin() const { return sigmaMin_; }
    double sigmaMax() const { return sigmaMax_; }

    /// T_k = linspace(σ_max·T, σ_min·T, n) (float64), σ = shift(T_k / T), sigmas = float32(σ) + [0],
    /// timesteps = sigmas·T in float32.
    void setTimesteps(int numSteps) override;
    /// Custom sigmas: cast to float32 first, then shifted in float32 (numpy's weak-scalar rules).
    void setCustomSigmas(std::span<const double> sigmas) override;
    /// Custom timesteps: cast to float32, σ = t / T and shifted in float32; the model then receives σ·T,
    /// which differs from the given values whenever shift != 1 (as in diffusers).
    void setCustomTimesteps(std::span<const double> timesteps) override;

    /// prev = x + dt·v with dt = σ_{i+1} − σ_i (float32).
    double stepDelta(int i) const;

  private:
    void resetState() override {}
    Tensor stepAt(int i, const Tensor& modelOutput, const Tensor& sample) override;
    void setFromFloatSigmas(std::vector<float> unshifted);

    FlowMatchEulerSettings settings_;
    double sigmaMin_ = 0, sigmaMax_ = 1;
};

}  // namespace sv
