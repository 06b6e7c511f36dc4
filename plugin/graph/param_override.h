// Parameter overrides written as text, "NODE.PARAM=VALUE": the one parser of what `sanavideo run --set`,
// `sanavideo sweep --set` and spec files apply, and of the sweep axes (plugin/farm) that vary a parameter.
// VALUE is parsed by the parameter's declared type (ParamSpec::tryParseText).
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "plugin/graph/graph_document.h"
#include "plugin/sdk/node_registry.h"

namespace sv::plugin {

/// "NODE.PARAM=VALUE" split at the first '.' and the first '=' after it.
struct ParamAssignment {
    std::string node;
    std::string param;
    std::string value;
};

/// Splits `text`; throws sv::Error ("<option> expects NODE.PARAM=VALUE, got \"...\"") when a part is missing.
ParamAssignment parseParamAssignment(std::string_view text, std::string_view option = "--set");

/// The declaration of parameter `param` of node `node` in `doc`. Throws sv::Error prefixed by `context` when
/// the node does not exist, its type is unknown, or it has no such parameter (the error lists the node's
/// parameters).
const ParamSpec& findNodeParam(const GraphDocument& doc, const NodeRegistry& registry, std::string_view node,
                               std::string_view param, std::string_view context);

/// Parses `text` as a value of `param` (ParamSpec::tryParseText); sv::Error prefixed by `context`:
/// "<context>: parameter 'steps': \"abc\" is not an integer". Range and choices are not checked here.
nlohmann::json parseParamText(const ParamSpec& param, std::string_view text, std::string_view context);

/// Parses `text` as a value of node.param (ParamSpec::tryParseText); sv::Error prefixed by `context`:
/// "<context>: node 'sampler': parameter 'steps': \"abc\" is not an integer".
nlohmann::json parseParamValue(const GraphDocument& doc, const NodeRegistry& registry, std::string_view node,
                               std::string_view param, std::string_view text, std::string_view context);

/// Applies "NODE.PARAM=VALUE" to `doc`, VALUE parsed by the parameter's type. Errors name `option` and the
/// text: "--set c.nope=1: node 'c' (acme.const) has no parameter 'nope' (parameters: value)".
void applyParamText(GraphDocument& doc, const NodeRegistry& registry, std::string_view text,
                    std::string_view option = "--set");

}  // namespace sv::plugin
