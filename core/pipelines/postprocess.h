// Decoded video → frames (diffusers video_processor.py VideoProcessor.postprocess_video, output_type "np"):
// x·0.5+0.5 clamped to [0,1]; uint8 = round-half-to-even(x·255) like numpy.
#pragma once

#include "base/tensor.h"

namespace sv {

/// video [B,3,F,H,W] in [−1,1] (any float dtype/device) → F32 [B,F,H,W,3] in [0,1] on the CPU (diffusers
/// "np").
Tensor videoToFloatFrames(const Tensor& video);
/// video [B,3,F,H,W] → U8 [B,F,H,W,3] (diffusers "pil").
Tensor videoToUint8Frames(const Tensor& video);
/// frames F32 [..., 3] in [0,1] → U8 with numpy's round-half-to-even of x·255.
Tensor floatFramesToUint8(const Tensor& frames);

}  // namespace sv
