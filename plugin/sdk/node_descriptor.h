// What a node type declares: ports, parameters, identity and behaviour flags.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "plugin/sdk/port_type.h"
#include "plugin/sdk/value.h"

namespace sv::plugin {

/// How a PATH parameter is chosen in the UI.
enum class PathMode : uint8_t { OpenFile, SaveFile, Folder };

/// A parameter: a plain-typed setting edited in the inspector and stored in the graph document.
/// Build with the fluent helpers: ParamSpec::integer("steps", 50).range(1, 1000).withHelp("Sampling steps").
struct ParamSpec {
    std::string
        name;  ///< identifier, [A-Za-z_][A-Za-z0-9_]*; the key in the document and in --set NODE.PARAM
    std::string caption;            ///< UI label (empty: derived from name)
    PortType type = PortType::Int;  ///< INT, FLOAT, STRING, BOOL, PATH or ENUM
    Value defaultValue;             ///< of the matching kind (ENUM/PATH/STRING: string)
    std::optional<double> min;      ///< INT/FLOAT inclusive bounds
    std::optional<double> max;
    std::optional<double> step;              ///< UI increment (INT/FLOAT)
    bool onGrid = false;                     ///< values must be min + k·step (checkValue refuses others)
    std::vector<std::string> choices;        ///< ENUM only: the allowed strings
    std::string help;                        ///< tooltip / CLI help text
    bool multiline = false;                  ///< STRING: edited in a multi-line box (prompts)
    std::string fileFilter;                  ///< PATH: Qt-style filter, e.g. "Images (*.png *.jpg *.exr)"
    PathMode pathMode = PathMode::OpenFile;  ///< PATH only
    /// UI hint: whether the editor shows this parameter's widget on the node by default (unset: by type —
    /// numbers, booleans, choices, strings and paths are shown). Users can change it per node.
    std::optional<bool> onNode;
    /// UI hint: the name of an input that, when connected, supplies this value instead (the Sampler's size
    /// comes from a connected latent): the editor shows the parameter as unused while the input is connected.
    std::string takenFromInput;
    /// STRING: an output file name pattern, relative to the run's output folder (output_path.h); checkValue
    /// refuses absolute paths, "..", control characters and bad {counter} fields, so validateGraph reports
    /// them before anything runs.
    bool outputName = false;

    static ParamSpec integer(std::string name, int64_t def);
    static ParamSpec real(std::string name, double def);
    static ParamSpec text(std::string name, std::string def = {});
    static ParamSpec boolean(std::string name, bool def);
    static ParamSpec path(std::string name, std::string def = {}, PathMode mode = PathMode::OpenFile);
    static ParamSpec choice(std::string name, std::vector<std::string> choices, std::string def);
    /// A STRING naming an output file inside the output folder ("sana_{counter:05}"; see outputName).
    static ParamSpec outputFile(std::string name, std::string def);

    ParamSpec& range(double lo, double hi);
    ParamSpec& withStep(double s);
    /// Sets the step and makes it a constraint: valid values are min + k·step (e.g. sizes that are multiples
    /// of 16: range(16, 4096).onStepGrid(16); frame counts 4k+1: range(1, 1001).onStepGrid(4)).
    ParamSpec& onStepGrid(double s);
    ParamSpec& withHelp(std::string h);
    ParamSpec& withCaption(std::string c);
    ParamSpec& withFilter(std::string f);
    ParamSpec& asMultiline(bool on = true);
    /// Shown on the node by default (`on`), or only in the inspector; see onNode.
    ParamSpec& showOnNode(bool on = true);
    /// The value comes from input `input` while it is connected; see takenFromInput.
    ParamSpec& fromInput(std::string input);
    /// The rule of a step grid, as messages and editors show it ("multiple of 16", "1 + 4·k"); "" without
    /// a grid. Thread safety: pure.
    std::string gridRule() const;
    /// The valid value closest to `x` (onGrid: min + k·step within the range; else `x` clamped to the range):
    /// what editors snap a typed value to. Thread safety: pure.
    double nearestValid(double x) const;

    /// Converts a document value (JSON) to a Value of this parameter's type; null → default. Throws sv::Error
    /// ("parameter 'steps' expects INT, got string") on a kind mismatch. Range/choice are NOT checked here.
    Value fromJson(const nlohmann::json& j) const;
    /// Converts a value of this parameter's type to JSON.
    static nlohmann::json toJson(const Value& v);
    /// Parses command-line text ("50", "0.5", "true", any string) to JSON of this parameter's type; throws
    /// sv::Error "parameter 'steps': \"abc\" is not an integer". Range/choice are NOT checked here.
    nlohmann::json parseText(std::string_view text) const;
    /// parseText() without the throw: nullopt and `problem` set to what is wrong, without naming the
    /// parameter
    /// ("\"abc\" is not an integer", "18446744073709551616 is above the maximum 9007199254740991").
    std::optional<nlohmann::json> tryParseText(std::string_view text, std::string& problem) const;
    /// Checks range / choices / the step grid / output file name patterns; returns an empty string when
    /// valid, else the problem ("7 is above the maximum 5", "33 is not a multiple of 16 (nearest: 32)").
    std::string checkValue(const Value& v) const;
};

/// An input or output port.
struct PortSpec {
    std::string name;       ///< identifier, unique among the node's inputs (or outputs)
    PortType type;          ///< a type registered in the NodeRegistry (the SDK's value kinds always are)
    std::string caption;    ///< UI label (empty: derived from name)
    bool optional = false;  ///< inputs only: may stay unconnected (the node then sees no entry for it)
    std::string help;

    static PortSpec required(std::string name, PortType t, std::string help = {});
    static PortSpec optionalInput(std::string name, PortType t, std::string help = {});
};

/// A node type. typeId is stable and namespaced ("sana.sampler"); bump `version` when params/ports change
/// meaning.
struct NodeDescriptor {
    std::string typeId;    ///< [a-z0-9_.-]+, e.g. "sana.sampler"
    int version = 1;       ///< >= 1
    std::string caption;   ///< "Sampler"
    std::string category;  ///< "Sana/Sampling" ("/" separates palette levels)
    std::string help;      ///< one paragraph for the palette / CLI
    std::vector<PortSpec> inputs;
    std::vector<PortSpec> outputs;
    std::vector<ParamSpec> params;
    /// An output node (Save Video, Preview): run by default when no explicit targets are given.
    bool isOutput = false;
    /// Never served from the cache (e.g. nodes with side effects that must happen on every run).
    bool alwaysRun = false;

    const PortSpec* findInput(std::string_view name) const;
    const PortSpec* findOutput(std::string_view name) const;
    const ParamSpec* findParam(std::string_view name) const;

    /// Checks the descriptor itself (ids, unique names, param defaults of the right kind and within range,
    /// ENUM defaults among the choices); returns every problem, empty when valid.
    std::vector<std::string> check() const;
};

}  // namespace sv::plugin
