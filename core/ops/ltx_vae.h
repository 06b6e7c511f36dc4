// Ops of the LTX-2 video VAE (diffusers autoencoder_kl_ltx2.py) on channels-first video tensors
// [B, C, T, H, W]: the per-location channel norms, the replicate/reflect-padded 3D conv with a frame cache,
// and the space↔depth shuffles of its patchify, down- and up-samplers. Entry points in the families' files
// (ops/norm.cpp, ops/conv.cpp, ops/resample.cpp): each validates once and dispatches on the tensors' device
// (CPU: F32 activations; CUDA: F32, BF16 or F16 activations, arithmetic in float).
#pragma once

#include <array>

#include "base/tensor.h"

namespace sv::ops::ltx {

enum class ChannelNorm {
    Rms,    // PerChannelRMSNorm: x / sqrt(mean_c(x²) + eps)
    Layer,  // nn.LayerNorm over the channels: (x − μ) / sqrt(var + eps) · weight + bias
};

/// The norm over the C channels at every (b, t, h, w), then SiLU when `silu`. weight/bias: C elements (Layer
/// only; undefined for Rms). Returns a new tensor of x's shape and dtype.
Tensor channelNorm(const Tensor& x, ChannelNorm kind, float eps, const Tensor& weight = {},
                   const Tensor& bias = {}, bool silu = false);

enum class SpatialPadding { Zeros, Reflect };

/// LTX2VideoCausalConv3d's convolution (stride 1) over the frame sequence [cache ; x ; back × last frame]
/// along time (the model builds the temporal replicate padding through `cache` and `back`), with spatial
/// padding kh/2, kw/2 of zeros or reflect (reflect needs H, W ≥ 2).
///   x [B, Cin, T, H, W] (T ≥ 0 when the cache holds frames), cache [B, Cin, Tc, H, W] or undefined
///   w [Cout, Cin, kt, kh, kw] (odd kh, kw), bias [Cout] or undefined, residual [B, Cout, To, H, W] or
///   undefined
/// Returns [B, Cout, To, H, W] with To = Tc + T + back − kt + 1 ≥ 1, x's dtype.
Tensor conv3d(const Tensor& x, const Tensor& cache, int back, const Tensor& w, const Tensor& bias,
              SpatialPadding padding, const Tensor& residual = {});

/// Sub-position order inside a channel group: (t, h, w) for the down/up-samplers, (t, w, h) for the
/// encoder's patchify and the decoder's unpatchify ("the weird patching order" of the reference).
enum class SubpixelOrder { THW, TWH };
using Factors = std::array<int, 3>;  // (t, h, w)

/// Depth to space: y [B, C·V, T, H, W] (V = ft·fh·fw) → [B, C, ft·T − dropFrames, fh·H, fw·W], channel
/// c·V + sub(i, j, k) going to (ft·t + i − dropFrames, fh·h + j, fw·w + k); the first `dropFrames` output
/// frames are dropped (the upsampler's `[:, :, stride_t − 1:]`). With `residual` [B, Cr·V, T, H, W] (Cr
/// dividing C), the same shuffle of the residual is added with its channels tiled (`repeat` over channels:
/// output channel c gets residual channel c mod Cr).
Tensor depthToSpace(const Tensor& y, Factors f, SubpixelOrder order, int dropFrames = 0,
                    const Tensor& residual = {});

/// Space to depth: x [B, C, T, H, W] (T, H, W divisible by the factors) → [B, C·V / G, T/ft, H/fh, W/fw],
/// channel c·V + sub(i, j, k) taken from (ft·t + i, fh·h + j, fw·w + k), then the mean of each run of
/// G = groupSize consecutive channels (LTX2VideoDownsampler3d's residual), plus `residual` (the output's
/// shape) when defined.
Tensor spaceToDepth(const Tensor& x, Factors f, SubpixelOrder order, int groupSize = 1,
                    const Tensor& residual = {});

}  // namespace sv::ops::ltx
