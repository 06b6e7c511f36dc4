#include "schedulers/flow_match_euler.h"

#include <algorithm>
#include <array>
#include <cmath>

#include "io/json_util.h"
#include "ops/lincomb.h"
#include "schedulers/scheduler_util.h"

namespace sv {

namespace {

// The shift on float32 values with float32 arithmetic (torch tensors and numpy float32 arrays with
// Python-float scalars): shift and shift − 1 are rounded to float32 first.
float flowShiftF32(double shift, float s) {
    const float a = float(shift), b = float(shift - 1.0);
    return a * s / (1.0f + b * s);
}

}  // namespace

FlowMatchEulerSettings FlowMatchEulerSettings::fromJson(const nlohmann::json& j, std::string_view source) {
    SV_CHECK(j.is_object(), source, ": scheduler config is not a JSON object");
    FlowMatchEulerSettings s;
    s.numTrainTimesteps = jsonGet<int>(j, "num_train_timesteps", 1000, source);
    // One training timestep gives equal sigmas, which no sampler can step (refused here, not at generate
    // time).
    SV_CHECK(s.numTrainTimesteps >= 2 && s.numTrainTimesteps <= (1 << 24), source,
             ": \"num_train_timesteps\" must be in [2, 2^24], got ", s.numTrainTimesteps);
    s.shift = detail::requirePositive(j, "shift", 1.0, source);
    for (const char* key : {"use_dynamic_shifting", "invert_sigmas", "use_karras_sigmas",
                            "use_exponential_sigmas", "use_beta_sigmas", "stochastic_sampling"})
        detail::requireFlag(j, key, false, false, source);
    detail::requireNull(j, "shift_terminal", source);
    detail::requireOneOf(j, "time_shift_type", "exponential", {"exponential", "linear"}, source);
    return s;
}

FlowMatchEulerDiscrete::FlowMatchEulerDiscrete(const FlowMatchEulerSettings& settings) : settings_(settings) {
    // The training table: t = T..1 (float32), s = t / T, shifted, all in float32. Only its ends are used.
    const float T = float(settings_.numTrainTimesteps);
    sigmaMax_ = flowShiftF32(settings_.shift, T / T);
    sigmaMin_ = flowShiftF32(settings_.shift, 1.0f / T);
}

void FlowMatchEulerDiscrete::setTimesteps(int n) {
    checkStepCount(n);
    const double T = settings_.numTrainTimesteps;
    const std::vector<double> ts = numpyLinspace(sigmaMax_ * T, sigmaMin_ * T, n);
    std::vector<float> sigmas(size_t(n) + 1);
    std::vector<double> timesteps(static_cast<size_t>(n));
    for (int i = 0; i < n; ++i) {
        sigmas[size_t(i)] =
            float(flowShift(settings_.shift, ts[size_t(i)] / T));  // the second shift of σ_min
        timesteps[size_t(i)] = double(sigmas[size_t(i)] * float(T));
    }
    sigmas[size_t(n)] = 0.0f;
    setSchedule(std::move(sigmas), std::move(timesteps));
}

void FlowMatchEulerDiscrete::setFromFloatSigmas(std::vector<float> s) {
    const float T = float(settings_.numTrainTimesteps);
    std::vector<double> timesteps(s.size());
    for (size_t i = 0; i < s.size(); ++i) {
        s[i] = flowShiftF32(settings_.shift, s[i]);
        SV_CHECK(std::isfinite(s[i]), "FlowMatchEulerDiscreteScheduler: custom schedule entry ", i,
                 " gives a non-finite sigma");
        timesteps[i] = double(s[i] * T);
    }
    s.push_back(0.0f);
    setSchedule(std::move(s), std::move(timesteps));
}

void FlowMatchEulerDiscrete::setCustomSigmas(std::span<const double> sigmas) {
    SV_CHECK(!sigmas.empty(), "FlowMatchEulerDiscreteScheduler: the custom sigma list is empty");
    checkStepCount(int(std::min<size_t>(sigmas.size(), kMaxSteps + 1)));
    std::vector<float> s(sigmas.size());
    for (size_t i = 0; i < sigmas.size(); ++i) {
        SV_CHECK(std::isfinite(sigmas[i]), "FlowMatchEulerDiscreteScheduler: custom sigma ", i,
                 " is not finite");
        s[i] = float(sigmas[i]);
    }
    setFromFloatSigmas(std::move(s));
}

void FlowMatchEulerDiscrete::setCustomTimesteps(std::span<const double> timesteps) {
    SV_CHECK(!timesteps.empty(), "FlowMatchEulerDiscreteScheduler: the custom timestep list is empty");
    checkStepCount(int(std::min<size_t>(timesteps.size(), kMaxSteps + 1)));
    const float T = float(settings_.numTrainTimesteps);
    std::vector<float> s(timesteps.size());
    for (size_t i = 0; i < timesteps.size(); ++i) {
        SV_CHECK(std::isfinite(timesteps[i]), "FlowMatchEulerDiscreteScheduler: custom timestep ", i,
                 " is not finite");
        s[i] = float(timesteps[i]) / T;
    }
    setFromFloatSigmas(std::move(s));
}

double FlowMatchEulerDiscrete::stepDelta(int i) const {
    const auto sig = sigmas();
    SV_ASSERT(i >= 0 && i < numSteps());
    return double(sig[size_t(i) + 1] - sig[size_t(i)]);
}

Tensor FlowMatchEulerDiscrete::stepAt(int i, const Tensor& v, const Tensor& x) {
    const std::array<double, 2> k{1.0, stepDelta(i)};
    const std::array<Tensor, 2> t{x, v};
    return ops::linearCombination(k, t);
}

}  // namespace sv
