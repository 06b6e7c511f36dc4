// Internal helpers of the scheduler ports: reading settings from scheduler_config.json and the fp32 scalar
// arithmetic the reference performs on 0-d float32 tensors.
#pragma once

#include <cmath>
#include <initializer_list>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace sv::detail {

/// A boolean setting this port implements only at `supported`; sv::Error naming key and source otherwise.
void requireFlag(const nlohmann::json& j, std::string_view key, bool fallback, bool supported,
                 std::string_view source);
/// A string setting that must be one of `allowed`; returns it (fallback when absent or null).
std::string requireOneOf(const nlohmann::json& j, std::string_view key, std::string_view fallback,
                         std::initializer_list<std::string_view> allowed, std::string_view source);
/// A key that this port implements only when it is absent or null.
void requireNull(const nlohmann::json& j, std::string_view key, std::string_view source);
/// A positive, finite number (fallback when absent or null).
double requirePositive(const nlohmann::json& j, std::string_view key, double fallback,
                       std::string_view source);
/// The settings the multistep solvers (DPM-Solver++, UniPC) share: "num_train_timesteps" (≥ 1, default 1000)
/// and "solver_order" (1 or 2, default 2).
struct MultistepBasics {
    int numTrainTimesteps = 1000;
    int solverOrder = 2;
};
MultistepBasics readMultistepBasics(const nlohmann::json& j, std::string_view source);

/// λ(σ) = ln(1 − σ) − ln(σ) in float32, as diffusers computes it for flow sigmas (α = 1 − σ). +inf at σ = 0.
inline float flowLambda(float sigma) {
    const float alpha = 1.0f - sigma;
    return std::log(alpha) - std::log(sigma);
}

}  // namespace sv::detail
