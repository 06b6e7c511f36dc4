#include "pipelines/postprocess.h"

#include <algorithm>
#include <cmath>

namespace sv {

Tensor videoToFloatFrames(const Tensor& video) {
    SV_CHECK(video.rank() == 5 && video.dim(1) == 3, "decoded video must be [B,3,F,H,W], got ",
             shapeToString(video.shape()));
    Tensor v = video.to(Device::cpu()).to(DType::F32).permute({0, 2, 3, 4, 1}).contiguous();
    float* p = v.data<float>();
    const int64_t n = v.numel();
    for (int64_t i = 0; i < n; ++i) p[i] = std::clamp(p[i] * 0.5f + 0.5f, 0.0f, 1.0f);
    return v;
}

Tensor floatFramesToUint8(const Tensor& frames) {
    Tensor f = frames.to(Device::cpu()).to(DType::F32).contiguous();
    Tensor out = Tensor::empty(f.shape(), DType::U8);
    const float* p = f.data<float>();
    uint8_t* o = out.data<uint8_t>();
    for (int64_t i = 0; i < f.numel(); ++i) {
        // numpy: (x * 255).round() in float32, half to even; std::nearbyint uses the current (nearest-even)
        // mode.
        float v = std::nearbyint(p[i] * 255.0f);
        o[i] = uint8_t(std::clamp(v, 0.0f, 255.0f));
    }
    return out;
}

Tensor videoToUint8Frames(const Tensor& video) {
    return floatFramesToUint8(videoToFloatFrames(video));
}

}  // namespace sv
