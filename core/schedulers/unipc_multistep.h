// UniPCMultistepScheduler, flow variant (use_flow_sigmas, prediction_type "flow_prediction", predict_x0, bh2
// or bh1, solver order 1 or 2, lower_order_final, final_sigmas_type "zero"). diffusers
// scheduling_unipc_multistep.py. Each step first corrects the incoming sample with the new model output
// (UniC, from step 1 on) and then predicts the next one (UniP).
#pragma once

#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "schedulers/scheduler.h"

namespace sv {

struct UniPcSettings {
    int numTrainTimesteps = 1000;
    int solverOrder = 2;
    double flowShift = 1.0;
    bool bh2 = true;  // solver_type "bh2" (B(h) = e^h − 1) or "bh1" (B(h) = h)
    bool lowerOrderFinal = true;
    std::vector<int> disableCorrector;  // step indices whose following correction is skipped

    /// Parses a diffusers scheduler_config.json object (defaults for absent keys). use_flow_sigmas false,
    /// another prediction_type, predict_x0 false, solver_order 3+, karras/exponential/beta sigmas,
    /// thresholding, use_dynamic_shifting (needs mu), shift_terminal, solver_p and final_sigmas_type
    /// "sigma_min" are not implemented: sv::Error naming the key and `source`. lower_order_final false with
    /// solver_order 2 is refused too: diffusers then divides by zero at the final σ = 0 and returns NaN.
    static UniPcSettings fromJson(const nlohmann::json& j, std::string_view source);
};

class UniPcMultistepFlow final : public Scheduler {
  public:
    explicit UniPcMultistepFlow(const UniPcSettings& settings) : settings_(settings) {}

    std::string_view className() const override { return "UniPCMultistepScheduler"; }
    std::string_view shortName() const override { return "unipc"; }
    bool integerTimesteps() const override { return true; }
    const UniPcSettings& settings() const { return settings_; }

    /// σ = shift(linspace(1, 1/T, n+1)[:n]) (float64; NOT the DPM grid), σ_0 −= 1e-6 when within 1e-6 of 1,
    /// timesteps = int64(σ·T) (truncated), sigmas = float32(σ) + [0].
    void setTimesteps(int numSteps) override;
    /// Custom (unshifted) sigmas, treated like setTimesteps' linspace: shifted, σ_0 nudged, truncated
    /// timesteps. They must lie in (0, 1] and decrease strictly.
    void setCustomSigmas(std::span<const double> sigmas) override;

  private:
    void resetState() override;
    Tensor stepAt(int i, const Tensor& modelOutput, const Tensor& sample) override;
    void setFromSigmas(std::vector<double> sigmas);
    Tensor correct(int i, const Tensor& denoised) const;
    Tensor predict(int i, const Tensor& sample, int order) const;

    UniPcSettings settings_;
    Tensor denoised_[2];  // data predictions m_{i-1}, m_{i-2} (newest first)
    Tensor lastSample_;   // the previous predictor's input (after its correction)
    int lastOrder_ = 0;   // the previous predictor's order
    int lowerOrderNums_ = 0;
};

}  // namespace sv
