// JSON reading with Python's dialect (NaN, Infinity, -Infinity outside strings, as diffusers writes them) and
// typed access that names the key and the file on error.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "base/error.h"

namespace sv {

/// Parses JSON text; NaN/Infinity/-Infinity literals become ±1e308-style sentinels: -Infinity → -inf double.
/// `source` names the text in error messages.
nlohmann::json parseJsonLenient(std::string_view text, std::string_view source);
/// Reads and parses a JSON file leniently; errors name the file.
nlohmann::json readJsonFile(const std::filesystem::path& path);

/// The object member `key` as T; throws sv::Error naming key and source when missing or of the wrong type.
template <class T>
T jsonRequire(const nlohmann::json& obj, std::string_view key, std::string_view source);

/// The member as T, or `fallback` when missing or null; wrong types still throw.
template <class T>
T jsonGet(const nlohmann::json& obj, std::string_view key, const T& fallback, std::string_view source);

// ---- implementation ----
namespace detail {
template <class T>
bool jsonHolds(const nlohmann::json& v) {
    if constexpr (std::is_same_v<T, bool>) {
        return v.is_boolean();
    } else if constexpr (std::is_integral_v<T>) {
        return v.is_number_integer() || (v.is_number_float() && v.get<double>() == double(int64_t(v.get<double>())));
    } else if constexpr (std::is_floating_point_v<T>) {
        return v.is_number();
    } else if constexpr (std::is_same_v<T, std::string>) {
        return v.is_string();
    } else {
        return true;  // containers: let nlohmann check element types
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
             detail::jsonTypeName(*it), ")");
    try {
        if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
            if (it->is_number_float()) return T(it->template get<double>());
        }
        return it->template get<T>();
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
