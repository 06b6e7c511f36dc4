#include "pipelines/latent_preview.h"

#include <algorithm>
#include <cmath>

#include "ops/lincomb.h"

namespace sv {

namespace {

// Wan 2.1 latent → RGB factors (ComfyUI's Wan21 latent format), rows = channels, columns R, G, B.
constexpr float kFactors[16][3] = {
    {-0.1299f, -0.1692f, 0.2932f},  {0.0671f, 0.0406f, 0.0442f},  {0.3568f, 0.2548f, 0.1747f},
    {0.0372f, 0.2344f, 0.1420f},    {0.0313f, 0.0189f, -0.0328f}, {0.0296f, -0.0956f, -0.0665f},
    {-0.3477f, -0.4059f, -0.2925f}, {0.0166f, 0.1902f, 0.1975f},  {-0.0412f, 0.0267f, -0.1364f},
    {-0.1293f, 0.0740f, 0.1636f},   {0.0680f, 0.3019f, 0.1128f},  {0.0032f, 0.0581f, 0.0639f},
    {-0.1251f, 0.0927f, 0.1699f},   {0.0060f, -0.0633f, 0.0005f}, {0.3477f, 0.2275f, 0.2950f},
    {0.1984f, 0.0913f, 0.1861f}};
constexpr float kBias[3] = {-0.1835f, -0.0868f, -0.3360f};

}  // namespace

Tensor latentPreviewRgb(const Tensor& x0In) {
    Tensor x0 = x0In.rank() == 5 ? x0In.select(0, 0) : x0In;
    SV_CHECK(x0.rank() == 4 && x0.dim(0) >= 3, "latent preview: expected [C ≥ 3, F, h, w] latents, got ",
             shapeToString(x0In.shape()));
    Tensor z = x0.to(Device::cpu()).to(DType::F32).contiguous();
    const int64_t C = z.dim(0), F = z.dim(1), h = z.dim(2), w = z.dim(3), plane = F * h * w;
    const bool wan = C == 16;
    // Other latent spaces (LTX-2's 128 channels) have no fitted factors here: each of R, G, B is the mean of
    // every third channel, scaled so that unit-variance latents give unit-variance colours (a rough cue
    // only).
    const float groupScale = 0.5f * std::sqrt(float(C) / 3.0f) * 3.0f / float(C);
    Tensor out = Tensor::empty({F, h, w, 3}, DType::U8);
    const float* zp = z.data<float>();
    uint8_t* o = out.data<uint8_t>();
    for (int64_t i = 0; i < plane; ++i) {
        for (int k = 0; k < 3; ++k) {
            float v = 0.0f;
            if (wan) {
                v = kBias[k];
                for (int c = 0; c < 16; ++c) v += zp[c * plane + i] * kFactors[c][k];
            } else {
                for (int64_t c = k; c < C; c += 3) v += zp[c * plane + i];
                v *= groupScale;
            }
            float px = std::clamp((v + 1.0f) * 0.5f, 0.0f, 1.0f) * 255.0f;
            o[i * 3 + k] = uint8_t(std::lround(px));
        }
    }
    return out;
}

Tensor flowX0Estimate(const Tensor& sample, const Tensor& velocity, float sigma) {
    const double coefs[] = {1.0, -double(sigma)};
    const Tensor in[] = {sample, velocity};
    return ops::linearCombination(coefs, in);
}

}  // namespace sv
