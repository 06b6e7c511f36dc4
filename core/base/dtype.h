#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace sv {

/// I8 and F8E4M3 hold 8-bit weights (per-channel quantized tensors: Tensor::quantScales(), ops/quantize.h).
/// They are not floating dtypes for the ops (isFloating() is false): only the ops that document them take
/// them.
enum class DType : uint8_t { F32, F64, BF16, F16, I64, I32, U8, Bool, I8, F8E4M3 };

size_t dtypeSize(DType dt);
/// The safetensors spelling: "F32", "BF16", "I64", "I8", "F8_E4M3", ...
std::string_view dtypeName(DType dt);
/// Parses a safetensors dtype string; returns false for unknown ones.
bool parseDType(std::string_view name, DType& out);
inline bool isFloating(DType dt) {
    return dt == DType::F32 || dt == DType::F64 || dt == DType::BF16 || dt == DType::F16;
}
/// The 8-bit weight storage dtypes (I8, F8E4M3).
inline bool isEightBit(DType dt) {
    return dt == DType::I8 || dt == DType::F8E4M3;
}

template <class T>
constexpr DType dtypeOf();
template <>
constexpr DType dtypeOf<float>() {
    return DType::F32;
}
template <>
constexpr DType dtypeOf<double>() {
    return DType::F64;
}
template <>
constexpr DType dtypeOf<int64_t>() {
    return DType::I64;
}
template <>
constexpr DType dtypeOf<int32_t>() {
    return DType::I32;
}
template <>
constexpr DType dtypeOf<uint8_t>() {
    return DType::U8;
}
template <>
constexpr DType dtypeOf<int8_t>() {
    return DType::I8;
}

}  // namespace sv
