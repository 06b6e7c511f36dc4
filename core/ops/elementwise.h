// Generic elementwise ops: binary arithmetic with NumPy/PyTorch broadcasting and the activations used by the
// models (SiLU, GELU with the tanh approximation, ReLU). Inputs may be any strided views; outputs are new
// contiguous tensors. Dispatched on the tensors' device (CPU: F32 only).
#pragma once

#include "base/tensor.h"

namespace sv::ops {

/// Shape that a and b broadcast to (trailing dimensions aligned; a size-1 dimension stretches). Throws
/// sv::Error naming both shapes when they do not broadcast.
Shape broadcastShape(const Shape& a, const Shape& b);

/// a + b, broadcast.
Tensor add(const Tensor& a, const Tensor& b);
/// a − b, broadcast.
Tensor sub(const Tensor& a, const Tensor& b);
/// a · b, broadcast.
Tensor mul(const Tensor& a, const Tensor& b);
/// a · s (a scalar factor).
Tensor scale(const Tensor& a, float s);

/// x · sigmoid(x), computed as x / (1 + exp(−x)) like PyTorch.
Tensor silu(const Tensor& x);
/// 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))) (PyTorch's gelu(approximate="tanh")).
Tensor geluTanh(const Tensor& x);
/// max(x, 0).
Tensor relu(const Tensor& x);

}  // namespace sv::ops
