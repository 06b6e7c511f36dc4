#include "schedulers/dpm_solver_multistep.h"

#include <array>
#include <cmath>

#include "io/json_util.h"
#include "ops/lincomb.h"
#include "schedulers/scheduler_util.h"

namespace sv {

using detail::flowLambda;

DpmSolverSettings DpmSolverSettings::fromJson(const nlohmann::json& j, std::string_view source) {
    SV_CHECK(j.is_object(), source, ": scheduler config is not a JSON object");
    DpmSolverSettings s;
    const detail::MultistepBasics basics = detail::readMultistepBasics(j, source);
    s.numTrainTimesteps = basics.numTrainTimesteps;
    s.solverOrder = basics.solverOrder;
    detail::requireOneOf(j, "prediction_type", "epsilon", {"flow_prediction"}, source);
    // diffusers maps the deprecated "deis" to dpmsolver++.
    detail::requireOneOf(j, "algorithm_type", "dpmsolver++", {"dpmsolver++", "deis"}, source);
    // diffusers maps the UniPC/DEIS solver types to midpoint; heun is a different second-order update.
    detail::requireOneOf(j, "solver_type", "midpoint", {"midpoint", "logrho", "bh1", "bh2"}, source);
    detail::requireFlag(j, "use_flow_sigmas", false, true, source);
    s.flowShift = detail::requirePositive(j, "flow_shift", 1.0, source);
    detail::requireOneOf(j, "final_sigmas_type", "zero", {"zero"}, source);
    s.lowerOrderFinal = jsonGet<bool>(j, "lower_order_final", true, source);
    s.eulerAtFinal = jsonGet<bool>(j, "euler_at_final", false, source);
    for (const char* key :
         {"thresholding", "use_karras_sigmas", "use_exponential_sigmas", "use_beta_sigmas", "use_lu_lambdas"})
        detail::requireFlag(j, key, false, false, source);
    detail::requireOneOf(j, "timestep_spacing", "linspace", {"linspace", "leading", "trailing"}, source);
    return s;
}

void DpmSolverMultistepFlow::setTimesteps(int n) {
    checkStepCount(n);
    const double T = settings_.numTrainTimesteps;
    // alphas = linspace(1, 1/T, n+1); s = 1 - alphas; shifted; reversed; the last entry (s = 0) dropped.
    const std::vector<double> alphas = numpyLinspace(1.0, 1.0 / T, n + 1);
    std::vector<float> sigmas(size_t(n) + 1);
    std::vector<double> timesteps(static_cast<size_t>(n));
    for (int i = 0; i < n; ++i) {
        const double s = flowShift(settings_.flowShift, 1.0 - alphas[size_t(n - i)]);
        sigmas[size_t(i)] = float(s);
        timesteps[size_t(i)] = double(int64_t(s * T));  // numpy astype(int64) truncates toward zero
    }
    sigmas[size_t(n)] = 0.0f;
    checkStrictlyDecreasing(sigmas);
    setSchedule(std::move(sigmas), std::move(timesteps));
}

void DpmSolverMultistepFlow::resetState() {
    prevDenoised_ = Tensor();
    lowerOrderNums_ = 0;
}

DpmSolverMultistepFlow::Coefficients DpmSolverMultistepFlow::coefficients(int i) const {
    const auto sig = sigmas();
    const int n = numSteps();
    SV_ASSERT(i >= 0 && i < n);
    // Scalars in float32 with the reference's operation order (0-d float32 tensors in diffusers).
    const float sigmaT = sig[size_t(i) + 1], sigmaS0 = sig[size_t(i)];
    const float alphaT = 1.0f - sigmaT;
    const float lambdaT = flowLambda(sigmaT), lambdaS0 = flowLambda(sigmaS0);
    const float h = lambdaT - lambdaS0;
    const float phi = alphaT * (std::exp(-h) - 1.0f);  // α_t·(e^{−h} − 1); −1 at the final σ = 0
    const float ratio = sigmaT / sigmaS0;

    // diffusers: the last step is first order when euler_at_final, or lower_order_final with fewer than 15
    // steps, or final_sigmas_type "zero" (the only one this port accepts): so always.
    const bool lowerOrderFinal = i == n - 1;
    Coefficients c;
    c.cSample = ratio;
    if (settings_.solverOrder == 1 || lowerOrderNums_ < 1 || lowerOrderFinal) {
        c.order = 1;
        c.cDenoised = -double(phi);
        return c;
    }
    // Second order, midpoint: D0 = m_i, D1 = (1/r0)·(m_i − m_{i−1}), x' = ratio·x − φ·D0 − 0.5·φ·D1.
    const float lambdaS1 = flowLambda(sig[size_t(i) - 1]);
    const float h0 = lambdaS0 - lambdaS1;
    const float r0 = h0 / h;
    const float invR0 = 1.0f / r0;
    const float halfPhi = 0.5f * phi;
    c.order = 2;
    c.cDenoised = -double(phi) - double(halfPhi) * double(invR0);
    c.cPrevDenoised = double(halfPhi) * double(invR0);
    return c;
}

Tensor DpmSolverMultistepFlow::stepAt(int i, const Tensor& v, const Tensor& x) {
    const double sigma = sigmas()[size_t(i)];
    // Data prediction m_i = x − σ_i·v (flow_prediction).
    const std::array<double, 2> cm{1.0, -sigma};
    const std::array<Tensor, 2> in{x, v};
    Tensor denoised = ops::linearCombination(cm, in);

    const Coefficients c = coefficients(i);
    Tensor prev;
    if (c.order == 1) {
        const std::array<double, 2> k{c.cSample, c.cDenoised};
        const std::array<Tensor, 2> t{x, denoised};
        prev = ops::linearCombination(k, t);
    } else {
        const std::array<double, 3> k{c.cSample, c.cDenoised, c.cPrevDenoised};
        const std::array<Tensor, 3> t{x, denoised, prevDenoised_};
        prev = ops::linearCombination(k, t);
    }
    prevDenoised_ = std::move(denoised);
    if (lowerOrderNums_ < settings_.solverOrder) ++lowerOrderNums_;
    return prev;
}

}  // namespace sv
