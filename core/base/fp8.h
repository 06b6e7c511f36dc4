// FP8 E4M3 ("e4m3fn": 1 sign bit, 4 exponent bits with bias 7, 3 mantissa bits; no infinities; S.1111.111 is
// NaN, so the largest finite value is 1.75 · 2^8 = 448; exponent field 0 holds the subnormals m · 2^-9) to
// and from f32. Encoding follows NVIDIA's cuda_fp8.hpp __nv_cvt_float_to_fp8(x, __NV_SATFINITE, __NV_E4M3),
// which is what the CUDA kernels use: round to nearest, ties to even; magnitudes at or beyond 448 (infinities
// included) saturate to ±448; NaN stays NaN. The host reference the CUDA kernels are tested against.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace sv {

inline constexpr float kE4m3Max = 448.0f;

inline float e4m3ToFloat(uint8_t code) {
    const float sign = (code & 0x80u) ? -1.0f : 1.0f;
    const int e = (code >> 3) & 0xf, m = code & 0x7;
    if (e == 0xf && m == 0x7) return std::nanf("");
    if (e == 0) return sign * std::ldexp(float(m), -9);  // subnormal: m · 2^-9
    return sign * std::ldexp(float(8 + m), e - 7 - 3);   // (1 + m/8) · 2^(e-7)
}

inline uint8_t floatToE4m3(float f) {
    const auto sign = uint8_t(std::signbit(f) ? 0x80u : 0x00u);
    if (std::isnan(f)) return uint8_t(sign | 0x7fu);
    const float a = std::fabs(f);
    if (a >= kE4m3Max) return uint8_t(sign | 0x7eu);  // 448 itself, and everything that rounds past it
    int e = 0;
    (void)std::frexp(a, &e);  // a = frac · 2^e with frac in [0.5, 1): a's binade is 2^(e-1)
    // The spacing of e4m3 values in a's binade is 2^(exponent-3); the subnormals share the spacing of the
    // lowest normal binade (2^-6). Scaling by a power of two is exact, so one nearbyint (the default rounding
    // mode: to nearest, ties to even) is the only rounding.
    const int exponent = std::max(e - 1, -6);
    const int q = int(std::nearbyint(std::ldexp(a, 3 - exponent)));  // 0..16
    if (q < 8) return uint8_t(sign | q);                             // zero or subnormal (exponent −6)
    int biased = exponent + 7, m = q - 8;
    if (m == 8) {  // rounded up into the next binade
        m = 0;
        ++biased;
    }
    return uint8_t(sign | (biased << 3) | m);  // a < 448 keeps this below the NaN code
}

}  // namespace sv
