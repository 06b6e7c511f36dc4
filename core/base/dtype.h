#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace sv {

enum class DType : uint8_t { F32, F64, BF16, F16, I64, I32, U8, Bool };

size_t dtypeSize(DType dt);
/// The safetensors spelling: "F32", "BF16", "I64", ...
std::string_view dtypeName(DType dt);
/// Parses a safetensors dtype string; returns false for unknown ones.
bool parseDType(std::string_view name, DType& out);
inline bool isFloating(DType dt) {
    return dt == DType::F32 || dt == DType::F64 || dt == DType::BF16 || dt == DType::F16;
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

}  // namespace sv
