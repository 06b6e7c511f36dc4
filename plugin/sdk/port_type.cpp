#include "plugin/sdk/port_type.h"

#include <array>
#include <cctype>

namespace sv::plugin {

namespace {
constexpr std::array<std::string_view, 11> kNames = {
    "MODEL", "CONDITIONING", "IMAGE", "LATENT", "VIDEO", "INT", "FLOAT", "STRING", "BOOL", "PATH", "ENUM"};

bool equalsNoCase(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i)
        if (std::toupper(static_cast<unsigned char>(a[i])) != static_cast<unsigned char>(b[i])) return false;
    return true;
}
}  // namespace

std::string_view portTypeName(PortType t) {
    auto i = size_t(t);
    return i < kNames.size() ? kNames[i] : std::string_view("?");
}

std::optional<PortType> parsePortType(std::string_view name) {
    for (size_t i = 0; i < kNames.size(); ++i)
        if (equalsNoCase(name, kNames[i])) return PortType(i);
    return std::nullopt;
}

bool isPlainType(PortType t) {
    switch (t) {
        case PortType::Int:
        case PortType::Float:
        case PortType::String:
        case PortType::Bool:
        case PortType::Path:
        case PortType::Enum:
            return true;
        default:
            return false;
    }
}

bool canConvert(PortType from, PortType to) {
    if (from == to) return true;
    if (from == PortType::Int && to == PortType::Float) return true;
    if (from == PortType::String && to == PortType::Path) return true;
    if (from == PortType::Path && to == PortType::String) return true;
    if (from == PortType::Enum && to == PortType::String) return true;
    return false;
}

}  // namespace sv::plugin
