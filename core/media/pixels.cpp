#include "media/pixels.h"

#include <algorithm>
#include <cmath>

namespace sv::media {

Tensor toUint8(const Tensor& x) {
    SV_ASSERT_MSG(x.device().isCpu(), "toUint8: CPU tensors only, got ", x.describe());
    if (x.dtype() == DType::U8) return x.contiguous().clone();
    SV_CHECK(x.dtype() == DType::F32, "pixels must be U8 or F32 in [0, 1], got ", x.describe());
    Tensor src = x.contiguous();
    Tensor out = Tensor::empty(x.shape(), DType::U8);
    const float* s = src.data<float>();
    uint8_t* d = out.data<uint8_t>();
    for (int64_t i = 0; i < x.numel(); ++i) {
        float v = s[i];
        v = std::isnan(v) ? 0.0f : std::clamp(v, 0.0f, 1.0f);
        d[i] = uint8_t(std::nearbyint(v * 255.0f));  // default rounding mode: half to even
    }
    return out;
}

Tensor toFloat01(const Tensor& x) {
    SV_CHECK(x.dtype() == DType::U8, "toFloat01: expected U8 pixels, got ", x.describe());
    Tensor src = x.contiguous();
    Tensor out = Tensor::empty(x.shape(), DType::F32);
    const uint8_t* s = src.data<uint8_t>();
    float* d = out.data<float>();
    for (int64_t i = 0; i < x.numel(); ++i) d[i] = float(s[i]) / 255.0f;
    return out;
}

float srgbToLinear(float v) {
    return v <= 0.04045f ? v / 12.92f : std::pow((v + 0.055f) / 1.055f, 2.4f);
}

float linearToSrgb(float v) {
    if (!(v > 0.0f)) return 0.0f;  // also maps NaN to 0
    if (v >= 1.0f) return 1.0f;
    return v <= 0.0031308f ? v * 12.92f : 1.055f * std::pow(v, 1.0f / 2.4f) - 0.055f;
}

void checkRgbTensor(const Tensor& t, const std::string& what, bool allowBatch) {
    SV_CHECK(t.defined(), what, ": no pixels given");
    const bool rankOk = t.rank() == 3 || (allowBatch && t.rank() == 4);
    SV_CHECK(rankOk && t.dim(-1) == 3, what, ": expected RGB pixels ", allowBatch ? "[F, H, W, 3] or " : "",
             "[H, W, 3], got ", t.describe());
    SV_CHECK(t.dtype() == DType::U8 || t.dtype() == DType::F32, what, ": expected U8 or F32 pixels, got ",
             t.describe());
    SV_CHECK(t.numel() > 0, what, ": empty image ", t.describe());
    SV_CHECK(t.device().isCpu(), what, ": pixels must be on the CPU, got ", t.describe());
}

}  // namespace sv::media
