// Scalar activations shared by the CPU kernels, with PyTorch's CPU arithmetic (float throughout).
#pragma once

#include <cmath>
#include <numbers>

namespace sv::cpu {

/// x · sigmoid(x) computed as x / (1 + exp(−x)), as PyTorch's silu.
inline float silu(float x) {
    return x / (1.0f + std::exp(-x));
}

/// PyTorch's gelu(approximate="tanh") (Gemma's "gelu_pytorch_tanh"): 0.5·x·(1 + tanh(β·(x + κ·x³))) with
/// β = √2·(2/√π)·0.5 = √(2/π) and κ = 0.044715, every step in float.
inline float geluTanh(float x) {
    constexpr float kBeta = float(std::numbers::sqrt2 * (2.0 * std::numbers::inv_sqrtpi) * 0.5);
    constexpr float kKappa = 0.044715f;
    const float inner = kBeta * (x + kKappa * (x * x * x));
    return 0.5f * x * (1.0f + std::tanh(inner));
}

}  // namespace sv::cpu
