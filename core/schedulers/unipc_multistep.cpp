#include "schedulers/unipc_multistep.h"

#include <algorithm>
#include <array>
#include <cmath>

#include "io/json_util.h"
#include "ops/lincomb.h"
#include "schedulers/scheduler_util.h"

namespace sv {

using detail::flowLambda;

UniPcSettings UniPcSettings::fromJson(const nlohmann::json& j, std::string_view source) {
    SV_CHECK(j.is_object(), source, ": scheduler config is not a JSON object");
    UniPcSettings s;
    const detail::MultistepBasics basics = detail::readMultistepBasics(j, source);
    s.numTrainTimesteps = basics.numTrainTimesteps;
    s.solverOrder = basics.solverOrder;
    detail::requireOneOf(j, "prediction_type", "epsilon", {"flow_prediction"}, source);
    detail::requireFlag(j, "predict_x0", true, true, source);
    // diffusers maps the DPM solver types to bh2.
    const std::string solverType =
        detail::requireOneOf(j, "solver_type", "bh2", {"bh1", "bh2", "midpoint", "heun", "logrho"}, source);
    s.bh2 = solverType != "bh1";
    s.lowerOrderFinal = jsonGet<bool>(j, "lower_order_final", true, source);
    SV_CHECK(
        s.lowerOrderFinal || s.solverOrder == 1, source,
        ": \"lower_order_final\" false with solver_order 2 is not supported: the second-order step onto the "
        "final sigma 0 divides by zero (diffusers returns NaN)");
    s.disableCorrector = jsonGet<std::vector<int>>(j, "disable_corrector", {}, source);
    detail::requireFlag(j, "use_flow_sigmas", false, true, source);
    s.flowShift = detail::requirePositive(j, "flow_shift", 1.0, source);
    detail::requireOneOf(j, "final_sigmas_type", "zero", {"zero"}, source);
    for (const char* key : {"thresholding", "use_karras_sigmas", "use_exponential_sigmas", "use_beta_sigmas",
                            "use_dynamic_shifting"})
        detail::requireFlag(j, key, false, false, source);
    detail::requireNull(j, "shift_terminal", source);
    detail::requireNull(j, "solver_p", source);
    detail::requireOneOf(j, "timestep_spacing", "linspace", {"linspace", "leading", "trailing"}, source);
    return s;
}

void UniPcMultistepFlow::setTimesteps(int n) {
    checkStepCount(n);
    std::vector<double> s = numpyLinspace(1.0, 1.0 / settings_.numTrainTimesteps, n + 1);
    s.pop_back();
    setFromSigmas(std::move(s));
}

void UniPcMultistepFlow::setCustomSigmas(std::span<const double> sigmas) {
    SV_CHECK(!sigmas.empty(), "UniPCMultistepScheduler: the custom sigma list is empty");
    checkStepCount(int(std::min<size_t>(sigmas.size(), kMaxSteps + 1)));
    for (size_t i = 0; i < sigmas.size(); ++i) {
        SV_CHECK(std::isfinite(sigmas[i]) && sigmas[i] > 0.0 && sigmas[i] <= 1.0,
                 "UniPCMultistepScheduler: custom "
                 "sigma ",
                 i, " = ", sigmas[i], " is outside (0, 1]");
        SV_CHECK(i == 0 || sigmas[i] < sigmas[i - 1],
                 "UniPCMultistepScheduler: custom sigmas must decrease "
                 "strictly (entry ",
                 i, " = ", sigmas[i], " follows ", sigmas[i - 1], ")");
    }
    setFromSigmas(std::vector<double>(sigmas.begin(), sigmas.end()));
}

void UniPcMultistepFlow::setFromSigmas(std::vector<double> s) {
    const double T = settings_.numTrainTimesteps;
    for (double& v : s) v = flowShift(settings_.flowShift, v);
    // diffusers keeps log(1 − σ_0) finite by nudging σ_0 = 1.
    constexpr double kEps = 1e-6;
    if (std::fabs(s[0] - 1.0) < kEps) s[0] -= kEps;
    std::vector<float> sigmas(s.size() + 1);
    std::vector<double> timesteps(s.size());
    for (size_t i = 0; i < s.size(); ++i) {
        sigmas[i] = float(s[i]);
        timesteps[i] = double(int64_t(s[i] * T));  // truncation toward zero
    }
    sigmas.back() = 0.0f;
    checkStrictlyDecreasing(sigmas);
    setSchedule(std::move(sigmas), std::move(timesteps));
}

void UniPcMultistepFlow::resetState() {
    denoised_[0] = denoised_[1] = lastSample_ = Tensor();
    lastOrder_ = 0;
    lowerOrderNums_ = 0;
}

namespace {

// The float32 scalars of one UniPC update from σ_s0 to σ_t (diffusers' predict_x0 branch, hh = −h).
struct UpdateScalars {
    float ratio;     // σ_t / σ_s0
    float alphaPhi;  // α_t · φ1, φ1 = expm1(hh)
    float alphaB;    // α_t · B(h)
    float h, hh, phi1, b;
};

UpdateScalars updateScalars(float sigmaT, float sigmaS0, bool bh2) {
    UpdateScalars u{};
    const float alphaT = 1.0f - sigmaT;
    u.h = flowLambda(sigmaT) - flowLambda(sigmaS0);
    u.hh = -u.h;
    u.phi1 = std::expm1(u.hh);
    u.b = bh2 ? std::expm1(u.hh) : u.hh;
    u.ratio = sigmaT / sigmaS0;
    u.alphaPhi = alphaT * u.phi1;
    u.alphaB = alphaT * u.b;
    return u;
}

}  // namespace

Tensor UniPcMultistepFlow::correct(int i, const Tensor& denoised) const {
    // x_c = ratio·x_last − αφ1·m_{i−1} − αB·(ρ0·(m_{i−2} − m_{i−1})/r + ρL·(m_i − m_{i−1}))
    const auto sig = sigmas();
    const UpdateScalars u = updateScalars(sig[size_t(i)], sig[size_t(i) - 1], settings_.bh2);
    float rho0 = 0.0f, rhoLast = 0.5f, rk = 1.0f;
    if (lastOrder_ == 2) {
        const float lambdaS0 = flowLambda(sig[size_t(i) - 1]);
        rk = (flowLambda(sig[size_t(i) - 2]) - lambdaS0) / u.h;
        // b_k from h·φ_k(h) (float32 as in diffusers), then R·ρ = b with R = [[1, 1], [r, 1]].
        float hPhiK = u.phi1 / u.hh - 1.0f;
        const float b1 = hPhiK * 1.0f / u.b;
        hPhiK = hPhiK / u.hh - 0.5f;
        const float b2 = hPhiK * 2.0f / u.b;
        const double det = 1.0 - double(rk);
        rho0 = float((double(b1) - double(b2)) / det);
        rhoLast = float((double(b2) - double(rk) * double(b1)) / det);
    }
    const double k = u.alphaB;
    const double cOlder = lastOrder_ == 2 ? -k * double(rho0) / double(rk) : 0.0;
    const double cThis = -k * double(rhoLast);
    const double cPrev = -double(u.alphaPhi) - cOlder - cThis;
    if (lastOrder_ == 2) {
        const std::array<double, 4> c{u.ratio, cPrev, cOlder, cThis};
        const std::array<Tensor, 4> t{lastSample_, denoised_[0], denoised_[1], denoised};
        return ops::linearCombination(c, t);
    }
    const std::array<double, 3> c{u.ratio, cPrev, cThis};
    const std::array<Tensor, 3> t{lastSample_, denoised_[0], denoised};
    return ops::linearCombination(c, t);
}

Tensor UniPcMultistepFlow::predict(int i, const Tensor& x, int order) const {
    // x' = ratio·x − αφ1·m_i − αB·0.5·(m_{i−1} − m_i)/r  (the last term for order 2 only)
    const auto sig = sigmas();
    const UpdateScalars u = updateScalars(sig[size_t(i) + 1], sig[size_t(i)], settings_.bh2);
    if (order == 2) {
        const float lambdaS0 = flowLambda(sig[size_t(i)]);
        const float rk = (flowLambda(sig[size_t(i) - 1]) - lambdaS0) / u.h;
        const double cOlder = -double(u.alphaB) * 0.5 / double(rk);
        const std::array<double, 3> c{u.ratio, -double(u.alphaPhi) - cOlder, cOlder};
        const std::array<Tensor, 3> t{x, denoised_[0], denoised_[1]};
        return ops::linearCombination(c, t);
    }
    const std::array<double, 2> c{u.ratio, -double(u.alphaPhi)};
    const std::array<Tensor, 2> t{x, denoised_[0]};
    return ops::linearCombination(c, t);
}

Tensor UniPcMultistepFlow::stepAt(int i, const Tensor& v, const Tensor& sample) {
    const int n = numSteps();
    const std::array<double, 2> cm{1.0, -double(sigmas()[size_t(i)])};
    const std::array<Tensor, 2> in{sample, v};
    Tensor denoised = ops::linearCombination(cm, in);  // m_i = x − σ_i·v, from the uncorrected sample

    const bool useCorrector = i > 0 && lastSample_.defined() &&
                              std::find(settings_.disableCorrector.begin(), settings_.disableCorrector.end(),
                                        i - 1) == settings_.disableCorrector.end();
    Tensor x = useCorrector ? correct(i, denoised) : sample;

    denoised_[1] = std::move(denoised_[0]);
    denoised_[0] = std::move(denoised);
    int order = settings_.lowerOrderFinal ? std::min(settings_.solverOrder, n - i) : settings_.solverOrder;
    order = std::min(order, lowerOrderNums_ + 1);
    lastOrder_ = order;
    // Keep our own copy of a caller's tensor: the caller may reuse its buffer before the next step.
    lastSample_ = useCorrector ? x : sample.clone();
    Tensor prev = predict(i, x, order);
    if (lowerOrderNums_ < settings_.solverOrder) ++lowerOrderNums_;
    return prev;
}

}  // namespace sv
