// CPU resampling: PIL's fixed-point Lanczos (read from Pillow's src/libImaging/Resample.c, re-implemented)
// and PyTorch's bilinear upsample (aten/src/ATen/native/UpSample.h + cpu/UpSampleKernel.cpp), both bit-exact.
#include <algorithm>
#include <cmath>
#include <numbers>
#include <vector>

#include "base/parallel.h"
#include "cpu/ops.h"

namespace sv::cpu {
namespace {

// ---- PIL Lanczos
// ------------------------------------------------------------------------------------------------

constexpr int kPilPrecisionBits =
    32 - 8 - 2;  // 22: 8 bits of result, 2 bits of headroom for the negative lobes
constexpr double kLanczosSupport = 3.0;

double sinc(double x) {
    if (x == 0.0) return 1.0;
    x *= std::numbers::pi;
    return std::sin(x) / x;
}

double lanczos3(double x) {
    return (-3.0 <= x && x < 3.0) ? sinc(x) * sinc(x / 3.0) : 0.0;
}

/// Fixed-point taps of one 1-D resampling: output i reads inputs [first[i], first[i] + count[i]) with weights
/// taps[i*ksize ...]. Same arithmetic as PIL's precompute_coeffs + normalize_coeffs_8bpc.
struct PilTaps {
    int ksize = 0;
    std::vector<int> first, count;
    std::vector<int32_t> taps;
};

PilTaps pilLanczosTaps(int64_t inSize, int64_t outSize) {
    // PIL passes the box edges as float; for the default box they are 0 and inSize.
    const double scale = double(float(inSize)) / double(outSize);
    const double filterscale = std::max(scale, 1.0);
    const double support = kLanczosSupport * filterscale;
    const double invFilterscale = 1.0 / filterscale;
    PilTaps t;
    t.ksize = int(std::ceil(support)) * 2 + 1;
    t.first.resize(size_t(outSize));
    t.count.resize(size_t(outSize));
    t.taps.assign(size_t(outSize) * size_t(t.ksize), 0);
    std::vector<double> w(size_t(t.ksize));
    for (int64_t o = 0; o < outSize; ++o) {
        const double center = (double(o) + 0.5) * scale;
        int lo = int(center - support + 0.5);  // truncation, as PIL's (int) cast
        int hi = int(center + support + 0.5);
        lo = std::max(lo, 0);
        hi = std::min<int64_t>(hi, inSize);
        const int n = std::max(hi - lo, 0);
        SV_ASSERT(n <= t.ksize);
        double sum = 0.0;
        for (int k = 0; k < n; ++k) {
            w[size_t(k)] = lanczos3((double(k + lo) - center + 0.5) * invFilterscale);
            sum += w[size_t(k)];
        }
        int32_t* dst = &t.taps[size_t(o) * size_t(t.ksize)];
        for (int k = 0; k < n; ++k) {
            const double v = sum != 0.0 ? w[size_t(k)] / sum : w[size_t(k)];
            const double f = v * double(1 << kPilPrecisionBits);
            dst[k] = v < 0 ? int32_t(-0.5 + f) : int32_t(0.5 + f);
        }
        t.first[size_t(o)] = lo;
        t.count[size_t(o)] = n;
    }
    return t;
}

inline uint8_t pilClip8(int64_t acc) {
    const int64_t v = acc >> kPilPrecisionBits;  // arithmetic shift, like PIL's lookup index
    return uint8_t(std::clamp<int64_t>(v, 0, 255));
}

/// One 1-D pass along the axis with `stride` elements between neighbours. `src` rows are indexed by `outer`
/// (lines perpendicular to the pass), `inner` channels/columns are contiguous runs processed together.
void pilPassHorizontal(const uint8_t* src, int64_t srcW, uint8_t* dst, int64_t rows, int64_t dstW, int64_t C,
                       const PilTaps& t) {
    parallelFor(rows, 8, [&](int64_t r0, int64_t r1) {
        for (int64_t r = r0; r < r1; ++r) {
            const uint8_t* in = src + r * srcW * C;
            uint8_t* out = dst + r * dstW * C;
            for (int64_t o = 0; o < dstW; ++o) {
                const int32_t* k = &t.taps[size_t(o) * size_t(t.ksize)];
                const int lo = t.first[size_t(o)], n = t.count[size_t(o)];
                for (int64_t c = 0; c < C; ++c) {
                    int64_t acc = int64_t(1) << (kPilPrecisionBits - 1);
                    for (int j = 0; j < n; ++j) acc += int64_t(in[(lo + j) * C + c]) * k[j];
                    out[o * C + c] = pilClip8(acc);
                }
            }
        }
    });
}

void pilPassVertical(const uint8_t* src, int64_t rowElems, uint8_t* dst, int64_t dstH, const PilTaps& t,
                     int rowOffset) {
    parallelFor(dstH, 4, [&](int64_t y0, int64_t y1) {
        for (int64_t y = y0; y < y1; ++y) {
            const int32_t* k = &t.taps[size_t(y) * size_t(t.ksize)];
            const int lo = t.first[size_t(y)] - rowOffset, n = t.count[size_t(y)];
            uint8_t* out = dst + y * rowElems;
            for (int64_t e = 0; e < rowElems; ++e) {
                int64_t acc = int64_t(1) << (kPilPrecisionBits - 1);
                for (int j = 0; j < n; ++j) acc += int64_t(src[(lo + j) * rowElems + e]) * k[j];
                out[e] = pilClip8(acc);
            }
        }
    });
}

// ---- PyTorch bilinear
// -------------------------------------------------------------------------------------------

struct LinearTaps {
    std::vector<int64_t> i0, i1;
    std::vector<float> w0, w1;
};

LinearTaps torchLinearTaps(int64_t inSize, int64_t outSize) {
    LinearTaps t;
    t.i0.resize(size_t(outSize));
    t.i1.resize(size_t(outSize));
    t.w0.resize(size_t(outSize));
    t.w1.resize(size_t(outSize));
    // area_pixel_compute_scale (align_corners=False, no explicit scale): float(in) / out.
    const float scale = float(inSize) / float(outSize);
    for (int64_t o = 0; o < outSize; ++o) {
        if (inSize == outSize) {  // PyTorch's "scale_factor = 1, simply copy" branch
            t.i0[size_t(o)] = t.i1[size_t(o)] = o;
            t.w0[size_t(o)] = 1.0f;
            t.w1[size_t(o)] = 0.0f;
            continue;
        }
        // area_pixel_compute_source_index: scale·(dst + 0.5) − 0.5, which the compiler fuses into one fma.
        float src = std::fma(scale, float(o) + 0.5f, -0.5f);
        if (src < 0.0f) src = 0.0f;
        // guard_index_and_lambda
        const int64_t i0 = std::min<int64_t>(int64_t(std::floor(src)), inSize - 1);
        const float l1 = std::clamp(src - float(i0), 0.0f, 1.0f);
        t.i0[size_t(o)] = i0;
        t.i1[size_t(o)] = i0 + (i0 < inSize - 1 ? 1 : 0);
        t.w1[size_t(o)] = l1;
        t.w0[size_t(o)] = 1.0f - l1;
    }
    return t;
}

}  // namespace

Tensor resizeLanczos(const Tensor& image, int64_t newW, int64_t newH) {
    const int64_t H = image.dim(0), W = image.dim(1), C = image.dim(2);
    Tensor src = image.contiguous();
    const bool needH = newW != W, needV = newH != H;
    if (!needH && !needV) return src.clone();

    if (!needV) {
        Tensor out = Tensor::empty({H, newW, C}, DType::U8);
        pilPassHorizontal(src.data<uint8_t>(), W, out.data<uint8_t>(), H, newW, C, pilLanczosTaps(W, newW));
        return out;
    }
    const PilTaps vt = pilLanczosTaps(H, newH);
    Tensor mid = src;
    int rowOffset = 0;
    if (needH) {
        // Like PIL, resample horizontally only the source rows the vertical pass reads.
        const int firstRow = vt.first.front();
        const int lastRow = vt.first.back() + vt.count.back();
        mid = Tensor::empty({lastRow - firstRow, newW, C}, DType::U8);
        pilPassHorizontal(src.data<uint8_t>() + firstRow * W * C, W, mid.data<uint8_t>(), lastRow - firstRow,
                          newW, C, pilLanczosTaps(W, newW));
        rowOffset = firstRow;
    }
    Tensor out = Tensor::empty({newH, newW, C}, DType::U8);
    pilPassVertical(mid.data<uint8_t>(), newW * C, out.data<uint8_t>(), newH, vt, rowOffset);
    return out;
}

Tensor resizeBilinear(const Tensor& x, int64_t newH, int64_t newW, ops::TorchBilinearKernel kernel) {
    const int64_t H = x.dim(-2), W = x.dim(-1);
    const int64_t planes = x.numel() / (H * W);
    Tensor src = x.contiguous();
    Shape outShape = x.shape();
    outShape[outShape.size() - 2] = newH;
    outShape[outShape.size() - 1] = newW;
    Tensor out = Tensor::empty(outShape, DType::F32);
    if (out.numel() == 0) return out;
    const LinearTaps th = torchLinearTaps(H, newH), tw = torchLinearTaps(W, newW);
    const bool channelsLast = kernel == ops::TorchBilinearKernel::ChannelsLast ||
                              (kernel == ops::TorchBilinearKernel::Auto && newH + newW <= 128);
    const float* sp = src.data<float>();
    float* dp = out.data<float>();
    parallelFor(planes * newH, 16, [&](int64_t b, int64_t e) {
        for (int64_t r = b; r < e; ++r) {
            const int64_t p = r / newH, oy = r % newH;
            const float* row0 = sp + (p * H + th.i0[size_t(oy)]) * W;
            const float* row1 = sp + (p * H + th.i1[size_t(oy)]) * W;
            const float h0 = th.w0[size_t(oy)], h1 = th.w1[size_t(oy)];
            float* o = dp + r * newW;
            for (int64_t ox = 0; ox < newW; ++ox) {
                const int64_t x0 = tw.i0[size_t(ox)], x1 = tw.i1[size_t(ox)];
                const float w0 = tw.w0[size_t(ox)], w1 = tw.w1[size_t(ox)];
                if (channelsLast) {
                    const float w00 = h0 * w0, w01 = h0 * w1, w10 = h1 * w0, w11 = h1 * w1;
                    float v = std::fma(row0[x0], w00, row0[x1] * w01);
                    v = std::fma(row1[x0], w10, v);
                    o[ox] = std::fma(row1[x1], w11, v);
                } else {
                    const float t0 = std::fma(row0[x0], w0, row0[x1] * w1);
                    const float t1 = std::fma(row1[x0], w0, row1[x1] * w1);
                    o[ox] = std::fma(t0, h0, t1 * h1);
                }
            }
        }
    });
    return out;
}

}  // namespace sv::cpu
