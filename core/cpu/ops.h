// The CPU backend's kernels: one function per kernel entry of backend/kernels.h (the same names in sv::cpu),
// one file per op family, registered in core/cpu/backend.cpp:
//   elementwise.cpp  binary, unary, linearCombination, channelAffine
//   glu.cpp          geluTanhGate, gluSilu, gatedMlp
//   linear.cpp       linear (the fp32 GEMM itself: cpu/gemm.h), linearFp8
//   norm.cpp         rmsNorm, offsetRmsNorm, channelRmsNorm, ltxChannelNorm, layerNormModulate,
//                    gatedResidual, gatherRows
//   rope.cpp         expandRope, applyRope, halfRotary (and the tables, built here for every backend)
//   attention.cpp    crossAttention, causalAttention, frameAttention
//   linear_attention.cpp  reluLinearAttention
//   conv.cpp         depthwiseConv3x3, siluDepthwiseGlu, temporalConv3, causalConv3d
//   resample.cpp     upsampleNearest2x, interleaveTimeHalves, depthToSpace, spaceToDepth
//   resize.cpp       resizeLanczos, resizeBilinear
//   embedding.cpp    embed (and the timestep embedding)
//   quantize.cpp     quantize, dequantize (8-bit weights)
// The reference backend: plain loops over F32 (weights in other float dtypes converted on the fly), float32
// or double accumulation as the reference computes, threads from base/parallel.h. Each kernel implements the
// contract of its core/ops/ header; the public entry point has validated shapes, and the backend's supports()
// has admitted the dtypes and devices, before it is called. No CUDA here.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "backend/kernels.h"
#include "ops/timestep_embedding.h"

namespace sv::cpu {

SV_DECLARE_KERNELS()

// ---- host computations that every backend's ops use (core/ops/ calls them for any target device)
/// rope.cpp: the per-axis DiT tables, concatenated over the axes: axis a holds grid[a] × split[a] floats
/// (angle p·ω_k in double, cos/sin rounded to float, entries 2k and 2k+1 both for pair k); frame positions
/// p start at frameOffset.
struct RopeAxisTables {
    std::vector<float> cos, sin;
};
RopeAxisTables ropeAxisTables(std::array<int, 3> split, double theta, std::array<int64_t, 3> grid,
                              int64_t frameOffset = 0);
/// rope.cpp: Gemma's half-split cos/sin tables [length, headDim] in float, as transformers computes them.
ops::GemmaRotary gemmaRotaryTables(int64_t length, int64_t headDim, double theta);
/// attention.cpp: (1 − mask)·(−10000) of a 0/1 mask (any dtype, on the CPU) as F32; sv::Error for other
/// values.
Tensor attentionBias(const Tensor& mask);
/// embedding.cpp: the sinusoidal embedding of t (CPU F32 [M]) → F32 [M, dim].
Tensor timestepEmbedding(const Tensor& t, const ops::TimestepEmbeddingOptions& options);

// ---- random.cpp: the backend's random fill (backend/random_bits.h)
void fillNormal(const Tensor& t, uint64_t seed, float mean, float stddev);
void fillUniformInt(const Tensor& t, uint64_t seed, int64_t lo, int64_t hi);

}  // namespace sv::cpu
