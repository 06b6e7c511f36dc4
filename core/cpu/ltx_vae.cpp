#include "cpu/ltx_vae.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "base/parallel.h"

namespace sv::cpu::ltx {

using ops::ltx::ChannelNorm;
using ops::ltx::Factors;
using ops::ltx::SpatialPadding;
using ops::ltx::SubpixelOrder;

namespace {

// Channel offset of sub-position (i, j, k) inside a group of V = ft·fh·fw channels.
inline int64_t subIndex(const Factors& f, SubpixelOrder order, int64_t i, int64_t j, int64_t k) {
    return order == SubpixelOrder::THW ? (i * f[1] + j) * f[2] + k : (i * f[2] + k) * f[1] + j;
}

// PyTorch's reflect index for a padded coordinate (|pad| < n).
inline int64_t reflect(int64_t i, int64_t n) {
    if (i < 0) return -i;
    if (i >= n) return 2 * (n - 1) - i;
    return i;
}

}  // namespace

Tensor channelNorm(const Tensor& x, ChannelNorm kind, float eps, const Tensor& weight, const Tensor& bias,
                   bool silu) {
    const int64_t B = x.dim(0), C = x.dim(1), S = x.numel() / std::max<int64_t>(1, B * C);
    Tensor out = Tensor::empty(x.shape(), DType::F32);
    const float* wp = weight.defined() ? weight.data<float>() : nullptr;
    const float* bp = bias.defined() ? bias.data<float>() : nullptr;
    constexpr int64_t kBlock = 256;  // locations per task (channels are strided by S)
    const int64_t blocks = (S + kBlock - 1) / kBlock;
    parallelFor(B * blocks, 1, [&](int64_t begin, int64_t end) {
        std::vector<double> sum(kBlock), sq(kBlock);
        std::vector<float> mean(kBlock), scale(kBlock);
        for (int64_t task = begin; task < end; ++task) {
            const int64_t b = task / blocks, s0 = (task % blocks) * kBlock, n = std::min(kBlock, S - s0);
            const float* xb = x.data<float>() + b * C * S + s0;
            float* ob = out.data<float>() + b * C * S + s0;
            std::fill(sum.begin(), sum.end(), 0.0);
            std::fill(sq.begin(), sq.end(), 0.0);
            for (int64_t c = 0; c < C; ++c)
                for (int64_t i = 0; i < n; ++i) {
                    const double v = xb[c * S + i];
                    sum[size_t(i)] += v;
                    sq[size_t(i)] += v * v;
                }
            for (int64_t i = 0; i < n; ++i) {
                if (kind == ChannelNorm::Rms) {
                    // torch: rms = sqrt(mean(x²) + eps) in float, then x / rms.
                    mean[size_t(i)] = 0.0f;
                    scale[size_t(i)] = std::sqrt(float(sq[size_t(i)] / double(C)) + eps);
                } else {
                    const double mu = sum[size_t(i)] / double(C);
                    const double var = std::max(0.0, sq[size_t(i)] / double(C) - mu * mu);
                    mean[size_t(i)] = float(mu);
                    scale[size_t(i)] = float(std::sqrt(var + double(eps)));
                }
            }
            for (int64_t c = 0; c < C; ++c) {
                const float wc = wp ? wp[c] : 1.0f, bc = bp ? bp[c] : 0.0f;
                for (int64_t i = 0; i < n; ++i) {
                    float y = (xb[c * S + i] - mean[size_t(i)]) / scale[size_t(i)];
                    if (kind == ChannelNorm::Layer) y = y * wc + bc;
                    if (silu) y = y / (1.0f + std::exp(-y));
                    ob[c * S + i] = y;
                }
            }
        }
    });
    return out;
}

Tensor padFrames(const Tensor& x, const Tensor& cache, int back, int ph, int pw, SpatialPadding padding) {
    const int64_t B = x.dim(0), C = x.dim(1), T = x.dim(2), H = x.dim(3), W = x.dim(4);
    const int64_t Tc = cache.defined() ? cache.dim(2) : 0, To = Tc + T + back, Hp = H + 2 * ph,
                  Wp = W + 2 * pw;
    Tensor out = Tensor::zeros({B, C, To, Hp, Wp}, DType::F32);
    const bool refl = padding == SpatialPadding::Reflect;
    parallelFor(B * C * To, 1, [&](int64_t begin, int64_t end) {
        for (int64_t plane = begin; plane < end; ++plane) {
            const int64_t t = plane % To, bc = plane / To;
            const int64_t src = std::min(t, Tc + T - 1);  // back frames repeat the last one
            const float* f = src < Tc ? cache.data<float>() + (bc * Tc + src) * H * W
                                      : x.data<float>() + (bc * T + src - Tc) * H * W;
            float* o = out.data<float>() + plane * Hp * Wp;
            for (int64_t r = 0; r < Hp; ++r) {
                int64_t hi = r - ph;
                if (hi < 0 || hi >= H) {
                    if (!refl) continue;
                    hi = reflect(hi, H);
                }
                const float* row = f + hi * W;
                float* orow = o + r * Wp;
                std::memcpy(orow + pw, row, size_t(W) * sizeof(float));
                if (refl)
                    for (int64_t k = 1; k <= pw; ++k)
                        orow[pw - k] = row[k], orow[pw + W - 1 + k] = row[W - 1 - k];
            }
        }
    });
    return out;
}

Tensor depthToSpace(const Tensor& y, Factors f, SubpixelOrder order, int drop, const Tensor& residual) {
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

Tensor spaceToDepth(const Tensor& x, Factors f, SubpixelOrder order, int groupSize, const Tensor& residual) {
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
                    // r = subIndex(i, j, k): invert for the order.
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

}  // namespace sv::cpu::ltx
