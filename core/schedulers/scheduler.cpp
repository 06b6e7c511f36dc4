#include "schedulers/scheduler.h"

#include <cmath>

#include "io/json_util.h"
#include "schedulers/dpm_solver_multistep.h"
#include "schedulers/flow_match_euler.h"
#include "schedulers/scheduler_util.h"
#include "schedulers/unipc_multistep.h"

namespace sv {

// ---- Scheduler
// ---------------------------------------------------------------------------------------------------

void Scheduler::setCustomSigmas(std::span<const double>) {
    fail(className(),
         ": a custom sigma list is not accepted by this scheduler (diffusers does not accept one either)");
}

void Scheduler::setCustomTimesteps(std::span<const double>) {
    fail(className(),
         ": a custom timestep list is not accepted by this scheduler configuration (diffusers fails "
         "on it too)");
}

void Scheduler::checkStepCount(int n) const {
    SV_CHECK(n >= 1 && n <= kMaxSteps, className(), ": the number of steps must be in [1, ", kMaxSteps,
             "], got ", n);
}

void Scheduler::checkStrictlyDecreasing(std::span<const float> sigmas) const {
    for (size_t i = 1; i + 1 < sigmas.size(); ++i)
        SV_CHECK(sigmas[i] < sigmas[i - 1], className(), ": float32 sigmas ", i - 1, " and ", i, " (",
                 sigmas[i - 1], ", ", sigmas[i], ") do not decrease: too many steps or a bad sigma list");
}

void Scheduler::setSchedule(std::vector<float> sigmas, std::vector<double> timesteps) {
    SV_ASSERT(sigmas.size() == timesteps.size() + 1);
    sigmas_ = std::move(sigmas);
    timesteps_ = std::move(timesteps);
    stepIndex_ = 0;
    resetState();
}

Tensor Scheduler::step(const Tensor& modelOutput, const Tensor& sample) {
    SV_CHECK(numSteps() > 0, className(), ": step() before setTimesteps()");
    SV_CHECK(stepIndex_ < numSteps(), className(), ": step ", stepIndex_ + 1,
             " requested but the schedule has only ", numSteps(), " steps");
    SV_CHECK(modelOutput.defined() && sample.defined(), className(), ": step() with an undefined tensor");
    SV_CHECK(modelOutput.shape() == sample.shape(), className(), ": model output ", modelOutput.describe(),
             " and sample ", sample.describe(), " differ in shape");
    SV_CHECK(isFloating(modelOutput.dtype()) && isFloating(sample.dtype()), className(),
             ": model output and sample must be floating point (got ", modelOutput.describe(), ", ",
             sample.describe(), ")");
    SV_CHECK(modelOutput.device() == sample.device(), className(),
             ": model output and sample on different devices");
    Tensor prev = stepAt(stepIndex_, modelOutput, sample);
    ++stepIndex_;
    return prev;
}

// ---- factory
// -----------------------------------------------------------------------------------------------------

namespace {

struct Known {
    std::string_view shortName, className;
};
constexpr Known kKnown[] = {
    {"dpm", "DPMSolverMultistepScheduler"},
    {"euler", "FlowMatchEulerDiscreteScheduler"},
    {"unipc", "UniPCMultistepScheduler"},
};

}  // namespace

std::string_view schedulerClassName(std::string_view shortName) {
    for (const auto& k : kKnown)
        if (k.shortName == shortName) return k.className;
    fail("unknown scheduler \"", shortName, "\" (dpm, euler or unipc)");
}

std::string_view schedulerShortName(std::string_view className) {
    for (const auto& k : kKnown)
        if (k.className == className) return k.shortName;
    fail("unsupported scheduler class \"", className,
         "\" (DPMSolverMultistepScheduler, FlowMatchEulerDiscreteScheduler or UniPCMultistepScheduler)");
}

std::unique_ptr<Scheduler> makeScheduler(std::string_view className, const nlohmann::json& config,
                                         std::string_view source) {
    if (className == "DPMSolverMultistepScheduler")
        return std::make_unique<DpmSolverMultistepFlow>(DpmSolverSettings::fromJson(config, source));
    if (className == "FlowMatchEulerDiscreteScheduler")
        return std::make_unique<FlowMatchEulerDiscrete>(FlowMatchEulerSettings::fromJson(config, source));
    if (className == "UniPCMultistepScheduler")
        return std::make_unique<UniPcMultistepFlow>(UniPcSettings::fromJson(config, source));
    fail(source, ": unsupported scheduler class \"", className,
         "\" (DPMSolverMultistepScheduler, FlowMatchEulerDiscreteScheduler or UniPCMultistepScheduler)");
}

std::unique_ptr<Scheduler> loadScheduler(const std::filesystem::path& path) {
    const std::string source = path.string();
    const nlohmann::json j = readJsonFile(path);
    SV_CHECK(j.is_object(), source, ": scheduler config is not a JSON object");
    const std::string cls = jsonRequire<std::string>(j, "_class_name", source);
    return makeScheduler(cls, j, source);
}

std::unique_ptr<Scheduler> makeSchedulerByShortName(std::string_view shortName, std::optional<double> shift) {
    const std::string_view cls = schedulerClassName(shortName);
    const double s = shift.value_or(8.0);
    nlohmann::json j;
    if (shortName == "dpm") {
        j = {{"prediction_type", "flow_prediction"}, {"use_flow_sigmas", true}, {"flow_shift", s}};
    } else if (shortName == "euler") {
        j = {{"shift", s}};
    } else {
        j = {{"prediction_type", "flow_prediction"}, {"use_flow_sigmas", true}, {"flow_shift", s}};
    }
    return makeScheduler(cls, j, concat("--scheduler ", shortName));
}

// ---- schedule arithmetic
// -----------------------------------------------------------------------------------------

std::vector<double> numpyLinspace(double start, double stop, int n) {
    SV_ASSERT(n >= 1);
    std::vector<double> y(static_cast<size_t>(n));
    if (n == 1) {
        y[0] = start;
        return y;
    }
    const double step = (stop - start) / double(n - 1);
    for (int k = 0; k < n; ++k) y[size_t(k)] = double(k) * step + start;
    y.back() = stop;
    return y;
}

double flowShift(double shift, double sigma) {
    const double num = shift * sigma;
    const double den = 1.0 + (shift - 1.0) * sigma;
    return num / den;
}

// ---- detail
// ------------------------------------------------------------------------------------------------------

namespace detail {

void requireFlag(const nlohmann::json& j, std::string_view key, bool fallback, bool supported,
                 std::string_view source) {
    const bool v = jsonGet<bool>(j, key, fallback, source);
    SV_CHECK(v == supported, source, ": \"", key, "\" = ", v ? "true" : "false",
             " is not supported by this port (only ", supported ? "true" : "false", ")");
}

std::string requireOneOf(const nlohmann::json& j, std::string_view key, std::string_view fallback,
                         std::initializer_list<std::string_view> allowed, std::string_view source) {
    std::string v = jsonGet<std::string>(j, key, std::string(fallback), source);
    for (std::string_view a : allowed)
        if (a == v) return v;
    std::string list;
    for (std::string_view a : allowed) list += concat(list.empty() ? "" : ", ", "\"", a, "\"");
    fail(source, ": \"", key, "\" = \"", excerpt(v), "\" is not supported by this port (supported: ", list,
         ")");
}

void requireNull(const nlohmann::json& j, std::string_view key, std::string_view source) {
    auto it = j.find(std::string(key));
    SV_CHECK(it == j.end() || it->is_null(), source, ": \"", key,
             "\" = ", it->is_structured() ? detail::jsonTypeName(*it) : excerpt(it->dump()),
             " is not supported by this port (only null)");
}

double requirePositive(const nlohmann::json& j, std::string_view key, double fallback,
                       std::string_view source) {
    const double v = jsonGet<double>(j, key, fallback, source);
    SV_CHECK(std::isfinite(v) && v > 0.0, source, ": \"", key, "\" must be a positive finite number, got ",
             v);
    return v;
}

MultistepBasics readMultistepBasics(const nlohmann::json& j, std::string_view source) {
    MultistepBasics b;
    b.numTrainTimesteps = jsonGet<int>(j, "num_train_timesteps", 1000, source);
    // One training timestep gives a schedule of equal sigmas, which no sampler can step: refused here rather
    // than when a video is generated.
    SV_CHECK(b.numTrainTimesteps >= 2 && b.numTrainTimesteps <= (1 << 24), source,
             ": \"num_train_timesteps\" must be in [2, 2^24], got ", b.numTrainTimesteps);
    b.solverOrder = jsonGet<int>(j, "solver_order", 2, source);
    SV_CHECK(b.solverOrder == 1 || b.solverOrder == 2, source, ": \"solver_order\" ", b.solverOrder,
             " is not supported (1 or 2)");
    return b;
}

}  // namespace detail

}  // namespace sv
