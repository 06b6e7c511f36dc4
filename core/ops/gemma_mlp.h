// The Gemma-2 feed-forward block: down(gelu_tanh(gate(x)) ⊙ up(x)), no biases.
#pragma once

#include "base/tensor.h"

namespace sv::ops {

/// gelu_tanh(g) · u elementwise, gelu_tanh(g) = 0.5·g·(1 + tanh(√(2/π)·(g + 0.044715·g³))) (PyTorch's
/// gelu(approximate="tanh"), Gemma's "gelu_pytorch_tanh"), in float. gate, up: same shape. Returns a new
/// contiguous tensor. CPU: F32.
Tensor geluTanhGate(const Tensor& gate, const Tensor& up);

/// x: [..., H]; gateW, upW: [I, H]; downW: [H, I]. Returns [..., H] F32. The [..., I] intermediates are the
/// only extra memory (the gated activation is written over the gate projection). 8-bit weights
/// (ops/quantize.h) run as linear → geluTanhGate → linear, each weight dequantized in its own call.
Tensor gemmaMlp(const Tensor& x, const Tensor& gateW, const Tensor& upW, const Tensor& downW);

}  // namespace sv::ops
