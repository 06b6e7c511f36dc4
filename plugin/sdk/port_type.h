// Port and parameter types of the node SDK. Heavy types (MODEL, CONDITIONING, IMAGE, LATENT, VIDEO) travel
// between nodes as shared immutable values; plain types (INT, FLOAT, STRING, BOOL, PATH, ENUM) are both port
// types and parameter types.
//
// Include convention for all of plugin/: the include root is the repository root, so headers are included as
// "plugin/sdk/value.h", "plugin/graph/graph_document.h", "plugin/exec/executor.h".
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace sv::plugin {

enum class PortType : uint8_t {
    Model,         ///< a loaded model (opaque handle owned by a node pack)
    Conditioning,  ///< text/image conditioning (opaque handle)
    Image,         ///< sv::plugin::Image (float RGB/RGBA pixels)
    Latent,        ///< latent tensor (opaque handle)
    Video,         ///< sv::plugin::Video (uint8 RGB frames + fps)
    Int,           ///< int64
    Float,         ///< double
    String,        ///< UTF-8 text
    Bool,          ///< true/false
    Path,          ///< a file or folder path (UTF-8 string)
    Enum,          ///< one of a parameter's `choices` (string)
};

/// Upper-case name as used in JSON, the CLI and the UI: "MODEL", "CONDITIONING", "IMAGE", "LATENT", "VIDEO",
/// "INT", "FLOAT", "STRING", "BOOL", "PATH", "ENUM".
std::string_view portTypeName(PortType t);
/// Parses an upper-case name (case-insensitive); nullopt when unknown.
std::optional<PortType> parsePortType(std::string_view name);
/// True for INT, FLOAT, STRING, BOOL, PATH, ENUM (the types a parameter may have).
bool isPlainType(PortType t);
/// Whether an output of type `from` may feed an input of type `to`: equal types, plus INT→FLOAT, STRING→PATH,
/// PATH→STRING and ENUM→STRING.
bool canConvert(PortType from, PortType to);

}  // namespace sv::plugin
