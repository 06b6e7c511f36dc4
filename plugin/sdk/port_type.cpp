#include "plugin/sdk/port_type.h"

#include <algorithm>
#include <array>

#include "plugin/sdk/value.h"

namespace sv::plugin {

bool isValidPortTypeId(std::string_view id) {
    return !id.empty() && std::all_of(id.begin(), id.end(), [](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
               c == '.' || c == '-';
    });
}

bool isPlainType(const PortType& t) {
    return t == PortType::Int || t == PortType::Float || t == PortType::String || t == PortType::Bool ||
           t == PortType::Path || t == PortType::Enum;
}

bool canConvert(const PortType& from, const PortType& to) {
    if (from == to) return true;
    if (from == PortType::Int && to == PortType::Float) return true;
    if (from == PortType::String && to == PortType::Path) return true;
    if (from == PortType::Path && to == PortType::String) return true;
    if (from == PortType::Enum && to == PortType::String) return true;
    return false;
}

std::span<const PortTypeInfo> builtinPortTypes() {
    static const std::array<PortTypeInfo, 8> kBuiltins = {{
        {PortType::Int, "Integer", 0x9ccc65, {}},                      // green
        {PortType::Float, "Number", 0xc5e169, {}},                     // lime
        {PortType::String, "Text", 0xefefef, {}},                      // white
        {PortType::Bool, "Boolean", 0xe57373, {}},                     // red
        {PortType::Path, "Path", 0xbcaaa4, {}},                        // brown
        {PortType::Enum, "Choice", 0x90a4ae, {}},                      // grey-blue
        {PortType::Image, "Image", 0x64b5f6, std::string(kImageTag)},  // blue
        {PortType::Video, "Video", 0x4dd0e1, std::string(kVideoTag)},  // cyan
    }};
    return kBuiltins;
}

}  // namespace sv::plugin
