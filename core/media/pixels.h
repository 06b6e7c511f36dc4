// Pixel conversions shared by the image and video writers: float [0, 1] <-> uint8 and the sRGB transfer
// curve.
#pragma once

#include <string>

#include "base/tensor.h"

namespace sv::media {

/// F32 values in [0, 1] (any shape) -> U8: clamp to [0, 1], ×255, round half to even (numpy's rounding, as
/// diffusers' `numpy_to_pil` does). U8 input is returned as a contiguous copy. Throws sv::Error for other
/// dtypes.
Tensor toUint8(const Tensor& x);

/// U8 -> F32 x/255 (exact division), any shape.
Tensor toFloat01(const Tensor& x);

/// The sRGB curve (IEC 61966-2-1), per value: encoded [0, 1] -> linear and back. Values outside [0, 1] are
/// clamped by linearToSrgb (it is used to bring linear HDR images into the model's [0, 1] range).
float srgbToLinear(float v);
float linearToSrgb(float v);

/// Validates a frame or image tensor: rank 3 [H, W, 3] (or rank 4 [F, H, W, 3] when allowBatch), U8 or F32,
/// non-empty. Throws sv::Error naming `what` and the shape.
void checkRgbTensor(const Tensor& t, const std::string& what, bool allowBatch);

}  // namespace sv::media
