// bf16 and f16 <-> f32 conversions with round-to-nearest-even (NaN stays NaN, overflow goes to inf).
#pragma once

#include <bit>
#include <cstdint>

namespace sv {

inline float bf16ToFloat(uint16_t h) {
    return std::bit_cast<float>(uint32_t(h) << 16);
}

inline uint16_t floatToBf16(float f) {
    uint32_t u = std::bit_cast<uint32_t>(f);
    if ((u & 0x7fffffffu) > 0x7f800000u) return uint16_t((u >> 16) | 0x40);  // quiet NaN
    uint32_t lsb = (u >> 16) & 1u;
    u += 0x7fffu + lsb;
    return uint16_t(u >> 16);
}

/// Rounds a float to the nearest bf16 value and returns it as float.
inline float roundBf16(float f) {
    return bf16ToFloat(floatToBf16(f));
}

inline float f16ToFloat(uint16_t h) {
    uint32_t sign = uint32_t(h & 0x8000u) << 16;
    uint32_t exp = (h >> 10) & 0x1fu;
    uint32_t man = h & 0x3ffu;
    uint32_t out;
    if (exp == 0) {
        if (man == 0) {
            out = sign;
        } else {  // subnormal: renormalise
            int e = -1;
            do {
                man <<= 1;
                ++e;
            } while ((man & 0x400u) == 0);
            man &= 0x3ffu;
            out = sign | uint32_t(127 - 15 - e) << 23 | man << 13;
        }
    } else if (exp == 0x1f) {
        out = sign | 0x7f800000u | man << 13;
    } else {
        out = sign | (exp + 127 - 15) << 23 | man << 13;
    }
    return std::bit_cast<float>(out);
}

inline uint16_t floatToF16(float f) {
    uint32_t u = std::bit_cast<uint32_t>(f);
    uint32_t sign = (u >> 16) & 0x8000u;
    uint32_t absu = u & 0x7fffffffu;
    if (absu > 0x7f800000u) return uint16_t(sign | 0x7e00u);   // NaN
    if (absu >= 0x477ff000u) return uint16_t(sign | 0x7c00u);  // rounds to inf (>= 65520)
    if (absu < 0x38800000u) {                                  // below the smallest normal: subnormal or zero
        if (absu < 0x33000000u) return uint16_t(sign);         // < 2^-25 rounds to zero
        uint32_t exp = absu >> 23;
        uint32_t man = (absu & 0x7fffffu) | 0x800000u;
        uint32_t shift = 126 - exp;  // 14..24 ; value = man * 2^(exp-150), target unit 2^-24
        uint32_t res = man >> shift;
        uint32_t rem = man & ((1u << shift) - 1);
        uint32_t half = 1u << (shift - 1);
        if (rem > half || (rem == half && (res & 1u))) ++res;
        return uint16_t(sign | res);
    }
    uint32_t res = absu - 0x38000000u;  // rebias exponent 127 -> 15
    uint32_t rem = res & 0x1fffu;
    res >>= 13;
    if (rem > 0x1000u || (rem == 0x1000u && (res & 1u))) ++res;
    return uint16_t(sign | res);
}

}  // namespace sv
