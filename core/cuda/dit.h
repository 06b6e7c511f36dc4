// CUDA twins of the SANA-Video transformer's op families (core/ops/dit_*.h). Activations F32, BF16 or F16 on
// one CUDA device, arithmetic and statistics in float, outputs in the activation dtype. RoPE tables F32.
#pragma once

#include <array>
#include <vector>

#include "base/tensor.h"
#include "ops/dit_rope.h"

namespace sv::cuda {

// dit_norm
Tensor ditRmsNorm(const Tensor& x, const Tensor& weight, float eps);
Tensor ditLayerNormModulate(const Tensor& x, const Tensor& shift, const Tensor& scale, const Tensor& rowIndex,
                            float eps);
Tensor ditGatedResidual(const Tensor& x, const Tensor& branch, const Tensor& gate, const Tensor& rowIndex);
Tensor ditGatherRows(const Tensor& table, const Tensor& index);

// dit_rope
/// [N, headDim] tables from per-axis tables (for axis a: grid[a] × split[a] floats, concatenated over a; the
/// CPU builds them), gathered on the GPU exactly as the CPU expansion does.
ops::dit::RopeTables ditExpandRope(const std::vector<float>& axisCos, const std::vector<float>& axisSin,
                                   std::array<int, 3> split, std::array<int64_t, 3> grid, Device device);
Tensor ditApplyRope(const Tensor& x, const ops::dit::RopeTables& rope);

// dit_attention
/// ReLU linear attention: a prep kernel writes k̃ = RoPE(relu(k)) and fixed-order chunk sums give u = Σ k⁺;
/// a second writes q̃' = RoPE(relu(q)) / (u·q⁺ + 1e-15) (the normaliser folded into the query); the state
/// S = Vᵀ K̃ (fp32 accumulation and output) and out = S q̃' are batched cuBLASLt GEMMs over the heads.
Tensor ditReluLinearAttention(const Tensor& q, const Tensor& k, const Tensor& v, int heads,
                              const ops::dit::RopeTables& rope);
/// Cross-attention over ≤ a few hundred keys. BF16/F16 (head dim a multiple of 8, ≤ 256): one fused
/// flash-style kernel (dit_cross_attention.cu): per (128 query rows, head, sample), keys and values streamed
/// through shared memory in chunks of 64, QKᵀ and PV on tensor cores (fp32 accumulation), online softmax in
/// fp32 with the bias, P rounded to the activation dtype in registers; no scratch. F32 (parity mode) and
/// any shape the fused kernel declines: per sample and block of query rows, batched-over-heads GEMMs (fp32
/// scores [heads, rows, L]), a row softmax with the bias, and a GEMM with V; scratch bounded (≤ 256 MiB).
Tensor ditCrossAttention(const Tensor& q, const Tensor& k, const Tensor& v, int heads, const Tensor& bias);

// dit_conv
Tensor ditDepthwiseConv3x3(const Tensor& x, const Tensor& weight, const Tensor& bias);
Tensor ditGluSilu(const Tensor& x);
/// silu → depthwise 3×3 → SiLU gate in one pass: each block stages SiLU(x) for a band of rows and a chunk of
/// value/gate channels in shared memory (fp32), then writes value · SiLU(gate).
Tensor ditSiluDepthwiseGlu(const Tensor& x, const Tensor& weight, const Tensor& bias);
/// Three accumulating GEMMs on frame-shifted views (one per temporal tap).
Tensor ditTemporalConv3(const Tensor& x, const Tensor& weight);

}  // namespace sv::cuda
