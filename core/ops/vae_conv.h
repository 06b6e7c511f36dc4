// Convolutions of the Wan VAE on video tensors [B, C, T, H, W]: the causal 3D conv (WanCausalConv3d) with its
// frame cache, per-frame 2D convs (incl. the stride-2 downsampler with its asymmetric zero pad) and 1×1
// convs. Dispatched on the tensors' device (CPU: F32 activations; weights in other float dtypes are
// converted).
#pragma once

#include "base/tensor.h"

namespace sv::ops {

/// Zero padding of a 3D conv, in frames / rows / columns.
struct ConvPad3d {
    int front = 0;  // time: zero frames before the first (cached) frame; nothing at the back (causal)
    int top = 0, bottom = 0, left = 0, right = 0;
};

/// Causal 3D convolution over the frames [cache ; x] along time.
///   x      [B, Cin, T, H, W]
///   cache  [B, Cin, Tc, H, W] earlier input frames (Tc ≥ 0), or undefined (= no frames)
///   w      [Cout, Cin, kt, kh, kw], bias [Cout] or undefined
///   pad    zero frames in front of the cache (WanCausalConv3d: 2·pt − Tc) and spatial zero padding
///   stride (st, sh, sw)
///   residual, when defined, [B, Cout, To, Ho, Wo] added after the bias (fused skip connection).
/// Returns [B, Cout, To, Ho, Wo] with To = (pad.front + Tc + T − kt) / st + 1 and the usual spatial sizes.
Tensor causalConv3d(const Tensor& x, const Tensor& cache, const Tensor& w, const Tensor& bias,
                    const ConvPad3d& pad, int strideT = 1, int strideH = 1, int strideW = 1,
                    const Tensor& residual = {});

/// The 2D convolution w [Cout, Cin, kh, kw] applied to every frame of x [B, Cin, T, H, W] independently.
/// `pad.front` must be 0. Returns [B, Cout, T, Ho, Wo].
Tensor frameConv2d(const Tensor& x, const Tensor& w, const Tensor& bias, const ConvPad3d& pad,
                   int strideH = 1, int strideW = 1);

/// 1×1 convolution (any trailing spatial rank): x [B, Cin, ...], w [Cout, Cin, 1, ...] (or [Cout, Cin]),
/// bias [Cout] or undefined; residual as in causalConv3d. Returns [B, Cout, ...].
Tensor pointwiseConv(const Tensor& x, const Tensor& w, const Tensor& bias, const Tensor& residual = {});

/// The frame cache a WanCausalConv3d keeps after seeing x: the last `depth` frames of [cache ; x] (fewer when
/// fewer exist). A new tensor [B, C, min(depth, Tc + T), H, W].
Tensor lastFrames(const Tensor& cache, const Tensor& x, int depth);

}  // namespace sv::ops
