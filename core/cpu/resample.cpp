// CPU data movement of the Wan VAE's resamplers (diffusers WanResample): nearest ×2 upsampling and the
// upsample3d time interleave; the LTX-2 VAE's space ↔ depth shuffles (patchify, LTX2VideoDownsampler3d /
// LTX2VideoUpsampler3d) with their fused residuals. F32.
#include <cstring>

#include "base/parallel.h"
#include "cpu/ops.h"

namespace sv::cpu {

using ops::ltx::Factors;
using ops::ltx::SubpixelOrder;

namespace {

// Channel offset of sub-position (i, j, k) inside a group of V = ft·fh·fw channels.
inline int64_t subIndex(const Factors& f, SubpixelOrder order, int64_t i, int64_t j, int64_t k) {
    return order == SubpixelOrder::THW ? (i * f[1] + j) * f[2] + k : (i * f[2] + k) * f[1] + j;
}

}  // namespace

Tensor upsampleNearest2x(const Tensor& xIn) {
    const Tensor x = xIn.contiguous();
    const int64_t planes = x.dim(0) * x.dim(1) * x.dim(2), H = x.dim(3), W = x.dim(4);
    Tensor out = Tensor::empty({x.dim(0), x.dim(1), x.dim(2), 2 * H, 2 * W}, DType::F32);
    const float* xp = x.data<float>();
    float* op = out.data<float>();
    parallelFor(planes * H, 64, [&](int64_t b, int64_t e) {
        for (int64_t r = b; r < e; ++r) {
            const int64_t p = r / H, h = r % H;
            const float* src = xp + r * W;
            float* d0 = op + (p * 2 * H + 2 * h) * 2 * W;
            for (int64_t w = 0; w < W; ++w) d0[2 * w] = d0[2 * w + 1] = src[w];
            std::memcpy(d0 + 2 * W, d0, size_t(2 * W) * sizeof(float));
        }
    });
    return out;
}

Tensor interleaveTimeHalves(const Tensor& xIn) {
    const Tensor x = xIn.contiguous();
    const int64_t B = x.dim(0), C = x.dim(1) / 2, T = x.dim(2), HW = x.dim(3) * x.dim(4);
    Tensor out = Tensor::empty({B, C, 2 * T, x.dim(3), x.dim(4)}, DType::F32);
    // in[b, half·C + c, t] → out[b, c, 2t + half]
    const float* xp = x.data<float>();
    float* op = out.data<float>();
    for (int64_t b = 0; b < B; ++b)
        for (int64_t half = 0; half < 2; ++half)
            for (int64_t c = 0; c < C; ++c)
                for (int64_t t = 0; t < T; ++t)
                    std::memcpy(op + ((b * C + c) * 2 * T + 2 * t + half) * HW,
                                xp + ((b * 2 * C + half * C + c) * T + t) * HW, size_t(HW) * sizeof(float));
    return out;
}

Tensor depthToSpace(const Tensor& yIn, const Tensor& residualIn, Factors f, SubpixelOrder order, int drop) {
    const Tensor y = yIn.contiguous();
    const Tensor residual = residualIn.defined() ? residualIn.contiguous() : Tensor();
    const int64_t V = int64_t(f[0]) * f[1] * f[2];
    const int64_t B = y.dim(0), C = y.dim(1) / V, T = y.dim(2), H = y.dim(3), W = y.dim(4);
    const int64_t To = f[0] * T - drop, Ho = f[1] * H, Wo = f[2] * W;
    const int64_t Cr = residual.defined() ? residual.dim(1) / V : 0;
    Tensor out = Tensor::empty({B, C, To, Ho, Wo}, DType::F32);
    const float* yp = y.data<float>();
    const float* rp = residual.defined() ? residual.data<float>() : nullptr;
    parallelFor(B * C * To * Ho, 16, [&](int64_t begin, int64_t end) {
        for (int64_t row = begin; row < end; ++row) {
            const int64_t ho = row % Ho, to = (row / Ho) % To, c = (row / (Ho * To)) % C,
                          b = row / (Ho * To * C);
            const int64_t tf = to + drop, t = tf / f[0], i = tf % f[0], h = ho / f[1], j = ho % f[1];
            float* o = out.data<float>() + row * Wo;
            for (int64_t wo = 0; wo < Wo; ++wo) {
                const int64_t w = wo / f[2], k = wo % f[2], sub = subIndex(f, order, i, j, k);
                float v = yp[(((b * C + c) * V + sub) * T + t) * H * W + h * W + w];
                if (rp) v += rp[(((b * Cr + c % Cr) * V + sub) * T + t) * H * W + h * W + w];
                o[wo] = v;
            }
        }
    });
    return out;
}

Tensor spaceToDepth(const Tensor& xIn, const Tensor& residualIn, Factors f, SubpixelOrder order,
                    int groupSize) {
    const Tensor x = xIn.contiguous();
    const Tensor residual = residualIn.defined() ? residualIn.contiguous() : Tensor();
    const int64_t V = int64_t(f[0]) * f[1] * f[2], G = groupSize;
    const int64_t B = x.dim(0), C = x.dim(1), T = x.dim(2) / f[0], H = x.dim(3) / f[1], W = x.dim(4) / f[2];
    const int64_t Co = C * V / G, Ti = x.dim(2), Hi = x.dim(3), Wi = x.dim(4);
    Tensor out = Tensor::empty({B, Co, T, H, W}, DType::F32);
    const float* xp = x.data<float>();
    const float* rp = residual.defined() ? residual.data<float>() : nullptr;
    parallelFor(B * Co * T * H, 16, [&](int64_t begin, int64_t end) {
        for (int64_t row = begin; row < end; ++row) {
            const int64_t h = row % H, t = (row / H) % T, co = (row / (H * T)) % Co, b = row / (H * T * Co);
            float* o = out.data<float>() + row * W;
            for (int64_t w = 0; w < W; ++w) {
                float acc = 0.0f;
                for (int64_t g = 0; g < G; ++g) {
                    const int64_t ch = co * G + g, c = ch / V, r = ch % V;
                    // r = subIndex(i, j, k): inverted for the order.
                    int64_t i, j, k;
                    if (order == SubpixelOrder::THW) {
                        k = r % f[2], j = (r / f[2]) % f[1], i = r / (f[1] * f[2]);
                    } else {
                        j = r % f[1], k = (r / f[1]) % f[2], i = r / (f[1] * f[2]);
                    }
                    acc +=
                        xp[((b * C + c) * Ti + t * f[0] + i) * Hi * Wi + (h * f[1] + j) * Wi + w * f[2] + k];
                }
                float v = G == 1 ? acc : acc / float(G);
                if (rp) v += rp[row * W + w];
                o[w] = v;
            }
        }
    });
    return out;
}

}  // namespace sv::cpu
