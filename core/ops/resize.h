// Image resampling used around the model: PIL's Lanczos for the image-to-video input image (diffusers
// SanaImageToVideoPipeline.__call__ → video_processor.preprocess → image_processor.py
// VaeImageProcessor.resize) and PyTorch's bilinear interpolation for the un-binning resize of decoded frames
// (diffusers video_processor.py VideoProcessor.resize_and_crop_tensor, called by SanaVideoPipeline.__call__).
// Both reproduce their reference bit for bit on the CPU; neither depends on an image library.
#pragma once

#include <cstdint>

#include "base/tensor.h"

namespace sv::ops {

/// PIL `Image.resize((newW, newH), Image.LANCZOS)` (reducing_gap None, default box) on a uint8 image [H, W,
/// C] (C = 1 for mode "L", 3 for "RGB"; channels are resampled independently, as PIL does for those modes;
/// RGBA, which PIL premultiplies, is not supported). Separable Lanczos-3 with the support widened by the
/// downscale factor, PIL's 22-bit fixed-point coefficients, rounding and clamping to uint8 after each 1-D
/// pass, horizontal pass first. A dimension whose size does not change is not resampled; the same size
/// returns a copy. Returns a new contiguous U8 [newH, newW, C]. Throws sv::Error for a wrong dtype/shape or
/// sizes < 1.
Tensor resizeLanczosPil(const Tensor& image, int64_t newW, int64_t newH);

/// PyTorch's CPU float kernels for bilinear interpolation. They share the source positions and weights and
/// differ only in rounding (outputs agree to ~1e-7), but exactness is the bar, so both are reproduced:
/// - NonSeparable (`upsample_non_separable_Nd_kernel_impl`): per output, each source row is interpolated
/// along W,
///   then the two rows are blended along H: fma(t0, λh0, t1·λh1) with t = fma(x0, λw0, x1·λw1).
/// - ChannelsLast (`upsample_linear_channels_last`): four corner weights w_ij = λh_i·λw_j, summed in the
/// order
///   00, 01, 10, 11 with fused multiply-adds.
/// PyTorch picks ChannelsLast when out_H + out_W <= 128, or in a single-threaded run when C == 3 (how the
/// reference fixtures were generated), and NonSeparable otherwise (a multi-threaded run, larger outputs).
enum class TorchBilinearKernel {
    Auto,          ///< what a multi-threaded PyTorch run picks: ChannelsLast iff newH + newW <= 128
    NonSeparable,  ///< forced NonSeparable
    ChannelsLast,  ///< forced ChannelsLast (= any single-threaded PyTorch run on 3-channel frames)
};

/// torch `F.interpolate(x, size=(newH, newW), mode="bilinear", align_corners=False, antialias=False)` on the
/// last two dimensions of an F32 tensor [C, H, W] or [N, C, H, W] (any strides; [C, H, W] behaves as N = 1),
/// as PyTorch's x86-64 CPU kernels compute it (AVX2/AVX-512 builds, where the compiler fuses multiply-adds):
/// scale = float(in)/out, source = fma(scale, dst + 0.5, −0.5) clamped at 0, lower index floor(source)
/// clamped to in−1, upper neighbour clamped at the edge, λ1 = source − index, λ0 = 1 − λ1; an unchanged
/// dimension copies. Bit-exact against torch 2.11 for both kernels (tests/data/resize). Returns a new
/// contiguous F32 tensor. Throws sv::Error for a wrong dtype/rank or sizes < 1.
Tensor resizeBilinear(const Tensor& x, int64_t newH, int64_t newW,
                      TorchBilinearKernel kernel = TorchBilinearKernel::Auto);

}  // namespace sv::ops
