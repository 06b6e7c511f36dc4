// CPU 8-bit weights (ops/quantize.h): per-row absmax quantization to I8 / F8E4M3 and dequantization, the
// host reference of core/cuda/quantize.cu (the same fp32 operations in the same order, so both give the same
// bits).
#include <algorithm>
#include <cmath>

#include "base/fp8.h"
#include "base/half.h"
#include "base/parallel.h"
#include "cpu/ops.h"
#include "ops/quantize.h"

namespace sv::cpu {

namespace {

// One row: the scale, and the codes written to `out`.
float quantizeRow(const float* w, int64_t n, DType format, uint8_t* out) {
    const float Q = ops::eightBitMax(format);
    float m = 0.0f;
    bool finite = true;
    for (int64_t i = 0; i < n; ++i) {
        finite = finite && std::isfinite(w[i]);
        m = std::max(m, std::fabs(w[i]));
    }
    if (!finite || m == 0.0f) {
        std::fill(out, out + n, uint8_t(0));
        return finite ? 0.0f : std::nanf("");
    }
    const float f = Q / m;
    for (int64_t i = 0; i < n; ++i) {
        const float v = w[i] * f;
        out[i] = format == DType::I8 ? uint8_t(int8_t(std::clamp(std::nearbyint(v), -127.0f, 127.0f)))
                                     : floatToE4m3(v);
    }
    return m / Q;
}

}  // namespace

Tensor quantize(const Tensor& w, DType format) {
    const Tensor wf = w.to(DType::F32).contiguous();
    const int64_t rows = w.dim(0), n = rows > 0 ? w.numel() / rows : 0;
    Tensor q = Tensor::empty(w.shape(), format);
    Tensor s = Tensor::empty({rows}, DType::F32);
    const float* wp = wf.data<float>();
    auto* qp = static_cast<uint8_t*>(q.rawData());
    float* sp = s.data<float>();
    parallelFor(rows, std::max<int64_t>(1, 65536 / std::max<int64_t>(1, n)), [&](int64_t r0, int64_t r1) {
        for (int64_t r = r0; r < r1; ++r) sp[r] = quantizeRow(wp + r * n, n, format, qp + r * n);
    });
    return q.withQuantScales(std::move(s));
}

Tensor dequantize(const Tensor& w, DType dtype) {
    const Tensor q = w.contiguous();
    const Tensor s = w.quantScales().contiguous();
    const int64_t rows = w.dim(0), n = rows > 0 ? w.numel() / rows : 0;
    Tensor y = Tensor::empty(w.shape(), dtype);
    const auto* qp = static_cast<const uint8_t*>(q.rawData());
    const float* sp = s.data<float>();
    const bool fp8 = w.dtype() == DType::F8E4M3;
    parallelFor(rows, std::max<int64_t>(1, 65536 / std::max<int64_t>(1, n)), [&](int64_t r0, int64_t r1) {
        for (int64_t r = r0; r < r1; ++r) {
            for (int64_t i = r * n; i < (r + 1) * n; ++i) {
                const float v = (fp8 ? e4m3ToFloat(qp[i]) : float(int8_t(qp[i]))) * sp[r];
                if (dtype == DType::F32)
                    static_cast<float*>(y.rawData())[i] = v;
                else
                    static_cast<uint16_t*>(y.rawData())[i] =
                        dtype == DType::BF16 ? floatToBf16(v) : floatToF16(v);
            }
        }
    });
    return y;
}

}  // namespace sv::cpu
