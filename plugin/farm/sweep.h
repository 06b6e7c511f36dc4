// Sweeps as data: parameter axes ("sampler.seed=1..16", "text_encode.prompt=@prompts.txt",
// "load_image.path=shots/*.png") combined as a product or zipped into variants, each a set of parameter
// values with a file-safe name. `sanavideo sweep` runs the variants in one process; a farm task runs a chunk
// of them.
//
// Axis syntax (the part after '='; files and globs are relative to the base folder: the current folder for
// --set-axis, the spec's folder for a spec file):
//   A..B, A..B:STEP   numbers from A to B inclusive (integers when A, B and STEP are; STEP may be negative)
//   @FILE             the non-empty lines of FILE (one prompt per line; trailing CR dropped)
//   PATTERN           for PATH parameters, when it holds * ? or [: the matching files, sorted
//   V1,V2,...         a list (a value holding a comma: use @FILE, or "values" in a spec file)
// Values are parsed by the parameter's type and checked against its range and choices up front.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "plugin/graph/graph_document.h"
#include "plugin/sdk/node_registry.h"

namespace sv::farm {

namespace fs = std::filesystem;
namespace sp = sv::plugin;

/// How axes combine: every combination (the first axis varies slowest), or the i-th values together.
enum class Combine : uint8_t { Product, Zip };
std::string_view combineName(Combine c);  ///< "product", "zip"
/// Parses "product" / "zip"; throws sv::Error otherwise.
Combine parseCombine(std::string_view text);

/// An axis as written: text ("NODE.PARAM=SPEC") or a JSON list of values.
struct AxisSpec {
    std::string node;
    std::string param;
    std::string text;                      ///< the SPEC part, when written as text
    std::optional<nlohmann::json> values;  ///< a JSON array instead of text (spec files)
    fs::path baseDir;                      ///< where its files and globs are (empty: the spec's folder)

    /// "sampler.seed=1..16" or "sampler.seed=[1,2,3]".
    std::string describe() const;
};

/// Parses "NODE.PARAM=SPEC" (--set-axis); throws sv::Error naming the text when malformed.
AxisSpec parseAxis(std::string_view text);
/// A spec file's axis: "NODE.PARAM=SPEC", or {"param": "NODE.PARAM", "values": [...]}.
AxisSpec axisFromJson(const nlohmann::json& j, std::string_view source);
nlohmann::json axisToJson(const AxisSpec& a);

/// One value of an axis and its label in variant names ("3", "line2", the file stem, a slug of the text).
struct AxisValue {
    nlohmann::json value;
    std::string label;
};

struct Axis {
    std::string node;
    std::string param;
    std::string source;  ///< AxisSpec::describe()
    std::vector<AxisValue> values;
};

/// Resolves an axis against the graph: values read from files and globs under `baseDir`, parsed by the
/// parameter's type and checked against its range and choices; PATH values become absolute (lexically,
/// relative to `baseDir`) so that they name the same file wherever the variant runs. Throws sv::Error naming
/// the axis: unknown node or parameter, unreadable file, no match, an empty axis, a bad value.
Axis resolveAxis(const AxisSpec& spec, const sp::GraphDocument& doc, const sp::NodeRegistry& registry,
                 const fs::path& baseDir);

struct ParamValue {
    std::string node;
    std::string param;
    nlohmann::json value;
};

/// One combination of axis values.
struct Variant {
    int index = 0;     ///< 0-based position in the sweep
    std::string name;  ///< unique in the sweep, isPlainName(): "003_seed-3_prompt-line2"
    std::vector<ParamValue> values;
};

/// Every variant of `axes` combined by `combine`. Zip needs axes of equal length (sv::Error listing the
/// lengths). No axes: one variant without values. Names: the 1-based index zero-padded (3 digits at least),
/// then "_<param>-<label>" per axis (node.param when two axes share a parameter name).
std::vector<Variant> expandVariants(std::span<const Axis> axes, Combine combine);

/// Sets the variant's values in `doc`.
void applyVariant(sp::GraphDocument& doc, const Variant& v);

nlohmann::json variantToJson(const Variant& v);
/// Throws sv::Error naming `source` when the JSON is not a variant.
Variant variantFromJson(const nlohmann::json& j, std::string_view source);

/// `text` reduced to [A-Za-z0-9._-] (other runs become one '-'; no leading '.', no trailing '-' or '.'), at
/// most `maxLength` characters, never empty ("x" for nothing left).
std::string slugify(std::string_view text, size_t maxLength = 24);
/// Whether `name` is a plain file name of [A-Za-z0-9._-] not starting with '.' (variant and job names).
bool isPlainName(std::string_view name);

}  // namespace sv::farm
