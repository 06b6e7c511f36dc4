// The CUDA backend's kernels (host entry points), one file per op family, registered in
// core/cuda/backend.cpp. Activations F32, BF16 or F16 on one CUDA device; arithmetic, statistics and
// accumulation in float (F32 operands run true fp32, no TF32), outputs in the activation dtype. Each entry
// implements the contract of its core/ops/ header; the public entry point has validated the shapes and the
// backend's supports() has admitted the dtypes, devices and sizes before it is called, so an entry asserts
// (SV_ASSERT) only what its launch needs. Every entry queues its work on the device's stream
// (cuda/context.cuh) and returns without waiting. Plain C++: no CUDA headers, so backend.cpp is an ordinary
// translation unit.
#pragma once

#include <cstdint>

#include "backend/kernels.h"

namespace sv::cuda {

/// Every kernel entry of backend/kernels.h except resizeLanczos and resizeBilinear (image resampling stays on
/// the host). The families:
/// * elementwise.cu: binary (mixed dtypes compute and return F32), unary, channelAffine, linearCombination
///   (per element in double, rounded once to F32: bitwise the CPU's; ≤ kMaxCombined inputs, no F64).
/// * glu.cu: geluTanhGate, gluSilu, gatedMlp (two GEMMs, the gate in place over the gate projection, the
///   down GEMM).
/// * linear.cu: linear (one cuBLASLt GEMM through gemm.cuh, the bias fused as its epilogue); linearFp8 (x
///   quantized per row to e4m3 by quantize.cu, then one FP8 GEMM with both scale vectors where it can:
///   BF16/F16 x, compute capability ≥ 8.9, cuBLAS ≥ 12.9, both sizes of w multiples of kFp8Align; else the
///   CPU's steps).
/// * norm.cu: rmsNorm, offsetRmsNorm, channelRmsNorm, ltxChannelNorm, layerNormModulate, gatedResidual,
///   gatherRows.
/// * rope.cu: expandRope (the [N, d] tables gathered on the GPU from the per-axis tables, exactly as the CPU
///   expansion; only those cross the bus), applyRope, halfRotary.
/// * linear_attention.cu: reluLinearAttention (head dim even and ≤ kMaxLinearHeadDim, width ≤
///   kMaxLinearWidth).
/// * attention.cu: crossAttention (BF16/F16 through flash_cross_attention.cu where it applies; else batched
///   GEMMs, a row softmax with the bias, a GEMM with V), causalAttention (head dim ≤ kMaxCausalHeadDim),
///   frameAttention.
/// * conv.cu: depthwiseConv3x3, siluDepthwiseGlu (one pass: depthwise_glu.cuh), temporalConv3 (three
///   accumulating GEMMs on frame-shifted views), causalConv3d (also the LTX-2 conv: BF16/F16, Cin % 8 == 0,
///   more than one tap: the implicit-GEMM kernel of conv_igemm.cuh; otherwise im2col into a bounded scratch
///   and cuBLASLt GEMMs).
/// * resample.cu: upsampleNearest2x, interleaveTimeHalves, depthToSpace, spaceToDepth.
/// * embedding.cu: embed.
/// * quantize.cu: quantize (one block per row: absmax, then the codes), dequantize (per element); bitwise
///   the CPU's (core/cpu/quantize.cpp).
SV_DECLARE_KERNELS()

constexpr int kMaxCombined = 16;
constexpr int kMaxLinearHeadDim = 256;
/// linearFp8: both sizes of the weight are multiples of this (cuBLASLt's FP8 operand alignment).
constexpr int kFp8Align = 16;
/// Whether this build's cuBLAS has FP8 outer-vector scaling (cuda/gemm.cu).
bool haveFp8OuterScaling();
/// x's rows of `width` elements quantized to F8E4M3 with per-row absmax scales (x8 [rows, width] with scales
/// [rows]): bitwise quantize(x.reshape({rows, width}), F8E4M3), by one warp per row with vector loads for the
/// activations of linearFp8 (quantize.cu).
Tensor quantizeRowsFp8(const Tensor& x, int64_t width);
constexpr int kMaxLinearWidth = 4096;
constexpr int kMaxCausalHeadDim = 256;

// ---- random.cu (backend/random_bits.h)
void fillNormal(const Tensor& t, uint64_t seed, float mean, float stddev);
void fillUniformInt(const Tensor& t, uint64_t seed, int64_t lo, int64_t hi);

}  // namespace sv::cuda
