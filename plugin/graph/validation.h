// Validation of a GraphDocument against a NodeRegistry: every problem found, each naming node id, type, port
// or parameter precisely.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "plugin/graph/graph_document.h"
#include "plugin/sdk/node_registry.h"

namespace sv::plugin {

struct GraphIssue {
    enum class Severity : uint8_t { Error, Warning };
    enum class Kind : uint8_t {
        NewerFormat,          ///< document format version newer than supported (error)
        DuplicateNodeId,      ///< two nodes share an id (error)
        InvalidNodeId,        ///< empty id or characters outside [A-Za-z0-9_-] (error)
        UnknownNodeType,      ///< type not in the registry (error)
        NewerNodeVersion,     ///< saved with a newer descriptor version than installed (error)
        UnknownParam,         ///< a parameter the descriptor does not declare (warning)
        ParamTypeMismatch,    ///< JSON kind does not fit the parameter type (error)
        ParamOutOfRange,      ///< below min / above max (error)
        UnknownChoice,        ///< ENUM value not among the choices (error)
        DanglingLink,         ///< link to/from a missing node or port (error)
        DuplicateInputLink,   ///< two links feed one input (error)
        TypeMismatch,         ///< output type cannot feed the input type (error)
        MissingInput,         ///< required input not connected (error)
        Cycle,                ///< the links form a cycle (error; message lists the nodes)
        BypassNoPassthrough,  ///< bypassed node has an output with no input of a matching type (warning)
        UnknownTarget,        ///< a run target that is not in the document (error; Executor::issuesForRun)
        BadOutputName,  ///< an output file name that would leave the output folder or is malformed (error)
    };
    Severity severity = Severity::Error;
    Kind kind = Kind::UnknownNodeType;
    std::string nodeId;    ///< "" for document-level issues
    std::string nodeType;  ///< "" when unknown / document-level
    std::string port;      ///< input or output port concerned, if any
    std::string param;     ///< parameter concerned, if any
    std::string message;   ///< full sentence, naming node id/type/port/param: what the CLI and UI print

    bool isError() const { return severity == Severity::Error; }
};

/// Checks the whole document; returns every issue (errors and warnings) in a stable order: document-level,
/// then per node in document order, then links, then cycles.
std::vector<GraphIssue> validateGraph(const GraphDocument& doc, const NodeRegistry& registry);
/// True when no issue is an error.
bool hasErrors(const std::vector<GraphIssue>& issues);
/// One issue per line, "error: ..." / "warning: ...".
std::string formatIssues(const std::vector<GraphIssue>& issues);
/// The errors only, one per line ("error: ..."), without a final newline: the message of a refused run
/// (RunResult::message).
std::string formatErrors(const std::vector<GraphIssue>& issues);

/// Whether linking output `from` to input `to` would be accepted (for the editor's drag feedback): both nodes
/// and ports exist, types are compatible (canConvert), no self-link, no cycle. Returns the reason when
/// refused
/// ("IMAGE output cannot feed LATENT input 'latent'"), nullopt when fine. An existing link on `to` is not a
/// reason (connect replaces it).
std::optional<std::string> checkConnection(const GraphDocument& doc, const NodeRegistry& registry,
                                           const PortRef& from, const PortRef& to);

}  // namespace sv::plugin
