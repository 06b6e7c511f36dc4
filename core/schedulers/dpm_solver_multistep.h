// DPMSolverMultistepScheduler with flow sigmas (SANA-Video's text-to-video default): use_flow_sigmas,
// prediction_type "flow_prediction", algorithm "dpmsolver++", solver order 1 or 2 (midpoint),
// lower_order_final, final_sigmas_type "zero". diffusers scheduling_dpmsolver_multistep.py.
#pragma once

#include <string_view>

#include <nlohmann/json.hpp>

#include "schedulers/scheduler.h"

namespace sv {

struct DpmSolverSettings {
    int numTrainTimesteps = 1000;
    int solverOrder = 2;
    double flowShift = 1.0;
    // Parsed for completeness: with final_sigmas_type "zero" the last step is first order whatever they say,
    // and they change nothing else at solver order <= 2.
    bool lowerOrderFinal = true;
    bool eulerAtFinal = false;

    /// Parses a diffusers scheduler_config.json object (diffusers' defaults for absent keys). Settings this
    /// port does not implement (use_flow_sigmas false, another prediction_type or algorithm_type, heun,
    /// solver_order 3, karras/exponential/beta/lu sigmas, thresholding, final_sigmas_type "sigma_min") are an
    /// sv::Error naming the key and `source`.
    static DpmSolverSettings fromJson(const nlohmann::json& j, std::string_view source);
};

class DpmSolverMultistepFlow final : public Scheduler {
  public:
    explicit DpmSolverMultistepFlow(const DpmSolverSettings& settings) : settings_(settings) {}

    std::string_view className() const override { return "DPMSolverMultistepScheduler"; }
    std::string_view shortName() const override { return "dpm"; }
    bool integerTimesteps() const override { return true; }
    const DpmSolverSettings& settings() const { return settings_; }

    /// σ_k = shift(1 − linspace(1, 1/T, n+1)_k) reversed without the final 0 (float64), timesteps =
    /// int64(σ·T) (truncated), sigmas = float32(σ) + [0].
    void setTimesteps(int numSteps) override;
    // Custom timesteps: diffusers' flow-sigma branch needs num_inference_steps and fails on a timestep list,
    // and this scheduler has no sigma list parameter, so both stay the base class's sv::Error.

    /// The step as scalar coefficients: prev = cSample·x + cDenoised·m_i + cPrevDenoised·m_{i−1}, where
    /// m = x − σ_i·v is the data prediction (m_{i−1} from the previous step; its coefficient is 0 for first
    /// order).
    struct Coefficients {
        int order = 1;
        double cSample = 0, cDenoised = 0, cPrevDenoised = 0;
    };
    /// Coefficients of step i given the current history (the next step when i == stepIndex()).
    Coefficients coefficients(int i) const;

  private:
    void resetState() override;
    Tensor stepAt(int i, const Tensor& modelOutput, const Tensor& sample) override;

    DpmSolverSettings settings_;
    Tensor prevDenoised_;  // m_{i-1}
    int lowerOrderNums_ = 0;
};

}  // namespace sv
