// DiT normalisations and AdaLN modulation (SANA-Video transformer): RMSNorm with a weight, parameter-free
// LayerNorm followed by the (1 + scale)·x + shift modulation, and the gated residual add.
//
// Modulation rows: shift/scale/gate are given as a [R, D] table of rows (any row stride, unit stride inside a
// row) and a row index that says which row every token uses:
//   - undefined index: sample b uses row b (R == B, the usual scalar timestep per sample);
//   - I32 index of B entries: sample b uses row index[b] (e.g. both CFG halves sharing one embedding);
//   - I32 index of B·N entries: token n of sample b uses row index[b·N + n] (per-token timesteps,
//   image-to-video).
// All of them compute exactly what the reference computes on the broadcast/gathered [B, N, D] tensors.
#pragma once

#include "base/tensor.h"

namespace sv::ops::dit {

/// y = x · rsqrt(mean(x²) + eps) · weight over the last dimension (diffusers RMSNorm, elementwise_affine).
/// x: [..., D], weight: [D]. Statistics in double, result F32.
Tensor rmsNorm(const Tensor& x, const Tensor& weight, float eps);

/// y = LayerNorm(x) · (1 + scale[row]) + shift[row] with a parameter-free LayerNorm over D (biased variance).
/// x: [B, N, D]; shift, scale: [R, D] rows (see the header comment for rowIndex).
Tensor layerNormModulate(const Tensor& x, const Tensor& shift, const Tensor& scale, const Tensor& rowIndex,
                         float eps);

/// y = x + gate[row] · branch. x, branch: [B, N, D]; gate: [R, D] rows.
Tensor gatedResidual(const Tensor& x, const Tensor& branch, const Tensor& gate, const Tensor& rowIndex);

/// Rows of table [R, D] picked by index (I32 [M]) → [M, D] (materialises per-token modulation for
/// inspection).
Tensor gatherRows(const Tensor& table, const Tensor& index);

}  // namespace sv::ops::dit
