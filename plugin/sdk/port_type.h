// Port and parameter types of the node SDK: open type ids, as QtNodes' NodeDataType. The SDK defines the
// value kinds (INT, FLOAT, STRING, BOOL, PATH, ENUM: plain values, also the parameter types; IMAGE and VIDEO:
// the SDK's own payloads); a node pack registers the types of its opaque values (the SANA-Video pack: MODEL,
// CONDITIONING, LATENT) in the NodeRegistry with a display name, a colour and the object tag their values
// carry. Links are checked by id (plus the few conversions canConvert() allows).
//
// Include convention for all of plugin/: the include root is the repository root, so headers are included as
// "plugin/sdk/value.h", "plugin/graph/graph_document.h", "plugin/exec/executor.h".
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace sv::plugin {

/// A port type: an id such as "INT" or "LATENT" (upper case by convention; [A-Za-z0-9_.-]). Compared by id.
/// The default-constructed type has an empty id and is invalid.
class PortType {
  public:
    PortType() = default;
    explicit PortType(std::string_view id) : id_(id) {}

    const std::string& id() const { return id_; }
    bool empty() const { return id_.empty(); }
    friend bool operator==(const PortType& a, const PortType& b) = default;

    // The SDK's value kinds (registered in every NodeRegistry).
    static const PortType Int;     ///< int64
    static const PortType Float;   ///< double
    static const PortType String;  ///< UTF-8 text
    static const PortType Bool;    ///< true/false
    static const PortType Path;    ///< a file or folder path (UTF-8 string)
    static const PortType Enum;    ///< one of a parameter's `choices` (string)
    static const PortType Image;   ///< sv::plugin::Image (float RGB/RGBA pixels), object tag "sv.image"
    static const PortType Video;   ///< sv::plugin::Video (uint8 RGB frames + fps), object tag "sv.video"

  private:
    std::string id_;
};

inline const PortType PortType::Int{"INT"};
inline const PortType PortType::Float{"FLOAT"};
inline const PortType PortType::String{"STRING"};
inline const PortType PortType::Bool{"BOOL"};
inline const PortType PortType::Path{"PATH"};
inline const PortType PortType::Enum{"ENUM"};
inline const PortType PortType::Image{"IMAGE"};
inline const PortType PortType::Video{"VIDEO"};

/// What a registered port type looks like to users and to the executor.
struct PortTypeInfo {
    PortType type;
    std::string displayName;  ///< "Latent" (UI labels, palette hints)
    uint32_t colour = 0;      ///< 0xRRGGBB: the port and link colour in the editor
    /// The Value::typeTag() every value of this type carries ("sana.latent"); the executor refuses an output
    /// of another tag. Empty for the plain kinds (checked by value kind) and for types that accept any
    /// object.
    std::string objectTag;
};

/// The id ("LATENT"); kept for printing.
inline std::string_view portTypeName(const PortType& t) {
    return t.id();
}
/// Whether `id` is a well-formed type id: non-empty, [A-Za-z0-9_.-].
bool isValidPortTypeId(std::string_view id);
/// True for INT, FLOAT, STRING, BOOL, PATH, ENUM (the types a parameter may have).
bool isPlainType(const PortType& t);
/// Whether an output of type `from` may feed an input of type `to`: equal ids, plus INT→FLOAT, STRING→PATH,
/// PATH→STRING and ENUM→STRING.
bool canConvert(const PortType& from, const PortType& to);
/// The SDK's value kinds with their names, colours and tags (what every NodeRegistry starts with).
std::span<const PortTypeInfo> builtinPortTypes();

}  // namespace sv::plugin
