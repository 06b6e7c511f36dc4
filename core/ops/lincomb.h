// Elementwise linear combination of tensors: out = Σ_k c_k · x_k. This is the whole per-element work of a
// scheduler step (the solver reduces every step to a few scalar coefficients), so a backend that implements
// this one op runs every scheduler. Dispatched on the tensors' device.
#pragma once

#include <span>

#include "base/tensor.h"

namespace sv::ops {

/// out[e] = Σ_k coefs[k] · inputs[k][e], accumulated per element in double (in the order given) and rounded
/// once to F32. All inputs must have the same shape and device and a floating dtype (F32/F64/BF16/F16; any
/// strides). Returns a new contiguous F32 tensor on the inputs' device. coefs.size() == inputs.size() >= 1.
/// CUDA: F32/BF16/F16 inputs, at most 16.
Tensor linearCombination(std::span<const double> coefs, std::span<const Tensor> inputs);

}  // namespace sv::ops
