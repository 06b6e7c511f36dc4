// JSON reading with Python's dialect (NaN, Infinity, -Infinity outside strings, as diffusers writes them) and
// typed access that names the key and the file on error.
#pragma once

#include <cmath>
#include <filesystem>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/error.h"
#include "io/input_file.h"

namespace sv {

/// Parses JSON text; NaN/Infinity/-Infinity literals become ±1e308-style sentinels: -Infinity → -inf double.
/// `source` names the text in error messages.
nlohmann::json parseJsonLenient(std::string_view text, std::string_view source);
/// Reads (io::readInputFile: regular files only, the kind's size limit) and parses a JSON file leniently;
/// errors name the file.
nlohmann::json readJsonFile(const std::filesystem::path& path, io::InputKind kind = io::InputKind::Config);

/// The object member `key` as T; throws sv::Error naming key and source when missing or of the wrong type.
template <class T>
T jsonRequire(const nlohmann::json& obj, std::string_view key, std::string_view source);

/// The member as T, or `fallback` when missing or null; wrong types still throw.
template <class T>
T jsonGet(const nlohmann::json& obj, std::string_view key, const T& fallback, std::string_view source);

// ---- implementation ----
namespace detail {
template <class T>
struct IsVector : std::false_type {};
template <class E>
struct IsVector<std::vector<E>> : std::true_type {};

// Whether v converts to T without loss of type or range (out-of-range numbers would be undefined behaviour).
template <class T>
bool jsonHolds(const nlohmann::json& v) {
    if constexpr (std::is_same_v<T, bool>) {
        return v.is_boolean();
    } else if constexpr (std::is_integral_v<T>) {
        using L = std::numeric_limits<T>;
        if (v.is_number_unsigned()) return v.get<uint64_t>() <= uint64_t(L::max());
        if (v.is_number_integer()) {
            const int64_t x = v.get<int64_t>();
            return x >= int64_t(L::min()) && (x < 0 || uint64_t(x) <= uint64_t(L::max()));
        }
        if (!v.is_number_float()) return false;
        const double d = v.get<double>();
        return std::isfinite(d) && d == std::trunc(d) && d >= double(L::min()) &&
               d < std::ldexp(1.0, L::digits);
    } else if constexpr (std::is_floating_point_v<T>) {
        if (!v.is_number()) return false;
        const double d = v.get<double>();
        return !std::isfinite(d) || std::fabs(d) <= double(std::numeric_limits<T>::max());
    } else if constexpr (std::is_same_v<T, std::string>) {
        return v.is_string();
    } else if constexpr (IsVector<T>::value) {
        if (!v.is_array()) return false;
        for (const auto& e : v)
            if (!jsonHolds<typename T::value_type>(e)) return false;
        return true;
    } else {
        return true;  // other types: nlohmann checks
    }
}

// The conversion after jsonHolds<T>(v) succeeded.
template <class T>
T jsonConvert(const nlohmann::json& v) {
    if constexpr (std::is_arithmetic_v<T> && !std::is_same_v<T, bool>) {
        if (v.is_number_float()) return T(v.get<double>());
        return v.get<T>();
    } else if constexpr (IsVector<T>::value) {
        T out;
        out.reserve(v.size());
        for (const auto& e : v) out.push_back(jsonConvert<typename T::value_type>(e));
        return out;
    } else {
        return v.get<T>();
    }
}
std::string jsonTypeName(const nlohmann::json& v);
}  // namespace detail

template <class T>
T jsonRequire(const nlohmann::json& obj, std::string_view key, std::string_view source) {
    SV_CHECK(obj.is_object(), source, ": expected a JSON object");
    auto it = obj.find(std::string(key));
    SV_CHECK(it != obj.end() && !it->is_null(), source, ": missing required key \"", key, "\"");
    SV_CHECK(detail::jsonHolds<T>(*it), source, ": key \"", key, "\" has the wrong type (",
             detail::jsonTypeName(*it), ")", it->is_number() || it->is_array() ? " or is out of range" : "");
    try {
        return detail::jsonConvert<T>(*it);
    } catch (const nlohmann::json::exception& e) {
        fail(source, ": key \"", key, "\" has the wrong type (", e.what(), ")");
    }
}

template <class T>
T jsonGet(const nlohmann::json& obj, std::string_view key, const T& fallback, std::string_view source) {
    SV_CHECK(obj.is_object(), source, ": expected a JSON object");
    auto it = obj.find(std::string(key));
    if (it == obj.end() || it->is_null()) return fallback;
    return jsonRequire<T>(obj, key, source);
}

}  // namespace sv
