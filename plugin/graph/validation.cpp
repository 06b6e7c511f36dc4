#include "plugin/graph/validation.h"

#include <algorithm>
#include <map>
#include <set>

#include "base/error.h"
#include "plugin/graph/topology.h"

namespace sv::plugin {

namespace {

using Issue = GraphIssue;
using Kind = GraphIssue::Kind;
using Severity = GraphIssue::Severity;

// Ids, types and ports come from the document: quoted through excerpt() (cut, control characters escaped).
std::string nodeLabel(const GraphNode& n) {
    return concat("node '", excerpt(n.id, 60), "' (", excerpt(n.type, 60), ")");
}

std::string linkLabel(const GraphLink& l) {
    return concat("link ", excerpt(l.from.node, 60), ".", excerpt(l.from.port, 60), " -> ",
                  excerpt(l.to.node, 60), ".", excerpt(l.to.port, 60));
}

/// An issue of a node (or of the document, with empty node fields).
Issue nodeIssue(Severity severity, Kind kind, const GraphNode* node, std::string port, std::string param,
                std::string message) {
    return {severity,
            kind,
            node ? node->id : std::string(),
            node ? node->type : std::string(),
            std::move(port),
            std::move(param),
            std::move(message)};
}

void checkParams(const GraphNode& node, const NodeDescriptor& d, std::vector<Issue>& issues) {
    if (!node.params.is_object()) return;
    for (const auto& [name, value] : node.params.items()) {
        const ParamSpec* spec = d.findParam(name);
        if (!spec) {
            issues.push_back(nodeIssue(
                Severity::Warning, Kind::UnknownParam, &node, {}, name,
                concat(nodeLabel(node), ": unknown parameter '", excerpt(name, 60), "' (ignored)")));
            continue;
        }
        Value v;
        try {
            v = spec->fromJson(value);
        } catch (const Error& e) {
            issues.push_back(nodeIssue(Severity::Error, Kind::ParamTypeMismatch, &node, {}, name,
                                       concat(nodeLabel(node), ": ", e.what())));
            continue;
        }
        std::string why = spec->checkValue(v);
        if (why.empty()) continue;
        Kind k = spec->outputName               ? Kind::BadOutputName
                 : spec->type == PortType::Enum ? Kind::UnknownChoice
                                                : Kind::ParamOutOfRange;
        issues.push_back(nodeIssue(Severity::Error, k, &node, {}, name,
                                   concat(nodeLabel(node), ": parameter '", name, "': ", why)));
    }
}

/// A bypassed node's outputs that no input can pass through (warnings).
void checkBypass(const GraphNode& node, const NodeDescriptor& d, std::vector<Issue>& issues) {
    for (const auto& out : d.outputs) {
        bool any = std::any_of(d.inputs.begin(), d.inputs.end(),
                               [&](const PortSpec& in) { return canConvert(in.type, out.type); });
        if (!any)
            issues.push_back(
                nodeIssue(Severity::Warning, Kind::BypassNoPassthrough, &node, out.name, {},
                          concat(nodeLabel(node),
                                 " is bypassed but has no input of a type that can pass through to output '",
                                 out.name, "' (", portTypeName(out.type), ")")));
    }
}

/// The node's own problems: id, type, version, parameters, required inputs.
void checkNode(const GraphDocument& doc, const NodeRegistry& registry, size_t i,
               std::map<std::string, size_t>& firstIndex, std::vector<Issue>& issues) {
    const GraphNode& node = doc.nodes()[i];
    if (!GraphDocument::isValidNodeId(node.id))
        issues.push_back(nodeIssue(Severity::Error, Kind::InvalidNodeId, &node, {}, {},
                                   concat("node ", i, " has an invalid id '", excerpt(node.id, 60),
                                          "' (use letters, digits, '_' and '-')")));
    auto [it, fresh] = firstIndex.emplace(node.id, i);
    if (!fresh)
        issues.push_back(nodeIssue(
            Severity::Error, Kind::DuplicateNodeId, &node, {}, {},
            concat("duplicate node id '", excerpt(node.id, 60), "' (nodes ", it->second, " and ", i, ")")));
    const NodeDescriptor* d = registry.find(node.type);
    if (!d) {
        issues.push_back(nodeIssue(Severity::Error, Kind::UnknownNodeType, &node, {}, {},
                                   concat("node '", excerpt(node.id, 60), "': unknown node type '",
                                          excerpt(node.type, 60), "' (is its node pack installed?)")));
        return;
    }
    if (node.typeVersion > d->version)
        issues.push_back(nodeIssue(Severity::Error, Kind::NewerNodeVersion, &node, {}, {},
                                   concat(nodeLabel(node), " was saved with version ", node.typeVersion,
                                          " of the node type; the installed one is version ", d->version)));
    checkParams(node, *d, issues);
    if (!fresh) return;  // links of a duplicate id are ambiguous; reported once above
    if (node.bypass) {
        checkBypass(node, *d, issues);
        return;  // a bypassed node does not run: its required inputs may stay empty
    }
    for (const auto& in : d->inputs) {
        if (in.optional || doc.inputLink(node.id, in.name)) continue;
        issues.push_back(nodeIssue(Severity::Error, Kind::MissingInput, &node, in.name, {},
                                   concat(nodeLabel(node), ": required input '", in.name, "' (",
                                          portTypeName(in.type), ") is not connected")));
    }
}

/// A link's problems: missing nodes or ports, a second link into one input, incompatible types.
void checkLink(const GraphDocument& doc, const NodeRegistry& registry, const GraphLink& l,
               std::set<std::pair<std::string, std::string>>& fedInputs, std::vector<Issue>& issues) {
    const GraphNode* from = doc.findNode(l.from.node);
    const GraphNode* to = doc.findNode(l.to.node);
    const std::string label = linkLabel(l);
    auto dangling = [&](const GraphNode* node, const std::string& nodeId, std::string why) {
        Issue i =
            nodeIssue(Severity::Error, Kind::DanglingLink, node, l.to.port, {}, concat(label, ": ", why));
        if (!node) i.nodeId = nodeId;
        issues.push_back(std::move(i));
    };
    if (!to)
        return dangling(nullptr, l.to.node,
                        concat("target node '", excerpt(l.to.node, 60), "' does not exist"));
    if (!from) return dangling(to, {}, concat("source node '", excerpt(l.from.node, 60), "' does not exist"));
    const NodeDescriptor* fd = registry.find(from->type);
    const NodeDescriptor* td = registry.find(to->type);
    const PortSpec* out = fd ? fd->findOutput(l.from.port) : nullptr;
    const PortSpec* in = td ? td->findInput(l.to.port) : nullptr;
    if (fd && !out)
        dangling(to, {}, concat(nodeLabel(*from), " has no output '", excerpt(l.from.port, 60), "'"));
    if (td && !in) dangling(to, {}, concat(nodeLabel(*to), " has no input '", excerpt(l.to.port, 60), "'"));
    if (!fedInputs.emplace(l.to.node, l.to.port).second)
        issues.push_back(nodeIssue(Severity::Error, Kind::DuplicateInputLink, to, l.to.port, {},
                                   concat(label, ": input '", excerpt(l.to.port, 60), "' of ", nodeLabel(*to),
                                          " already has a link (an input takes one link)")));
    if (!out || !in || canConvert(out->type, in->type)) return;
    issues.push_back(nodeIssue(
        Severity::Error, Kind::TypeMismatch, to, l.to.port, {},
        concat(label, ": ", portTypeName(out->type), " output '", out->name, "' of ", nodeLabel(*from),
               " cannot feed ", portTypeName(in->type), " input '", in->name, "' of ", nodeLabel(*to))));
}

}  // namespace

std::vector<GraphIssue> validateGraph(const GraphDocument& doc, const NodeRegistry& registry) {
    std::vector<Issue> issues;
    if (doc.formatVersion() > GraphDocument::kFormatVersion)
        issues.push_back(nodeIssue(
            Severity::Error, Kind::NewerFormat, nullptr, {}, {},
            concat("graph format version ", doc.formatVersion(), " is newer than this build supports (",
                   GraphDocument::kFormatVersion, "); open it with a newer Sana Video Studio")));
    std::map<std::string, size_t> firstIndex;
    for (size_t i = 0; i < doc.nodes().size(); ++i) checkNode(doc, registry, i, firstIndex, issues);
    std::set<std::pair<std::string, std::string>> fedInputs;
    for (const auto& l : doc.links()) checkLink(doc, registry, l, fedInputs, issues);
    for (const auto& cycle : findCycles(doc))
        issues.push_back(nodeIssue(Severity::Error, Kind::Cycle, doc.findNode(cycle.front()), {}, {},
                                   concat("cycle in the graph through nodes ", describeCycle(cycle))));
    return issues;
}

bool hasErrors(const std::vector<GraphIssue>& issues) {
    return std::any_of(issues.begin(), issues.end(), [](const GraphIssue& i) { return i.isError(); });
}

std::string formatIssues(const std::vector<GraphIssue>& issues) {
    std::string out;
    for (const auto& i : issues) out += concat(i.isError() ? "error: " : "warning: ", i.message, "\n");
    return out;
}

std::string formatErrors(const std::vector<GraphIssue>& issues) {
    std::string out;
    for (const auto& i : issues)
        if (i.isError()) out += concat(out.empty() ? "" : "\n", "error: ", i.message);
    return out;
}

std::optional<std::string> checkConnection(const GraphDocument& doc, const NodeRegistry& registry,
                                           const PortRef& from, const PortRef& to) {
    const GraphNode* fn = doc.findNode(from.node);
    const GraphNode* tn = doc.findNode(to.node);
    if (!fn) return concat("no node '", excerpt(from.node, 60), "'");
    if (!tn) return concat("no node '", excerpt(to.node, 60), "'");
    if (fn->id == tn->id) return std::string("a node cannot feed itself");
    const NodeDescriptor* fd = registry.find(fn->type);
    const NodeDescriptor* td = registry.find(tn->type);
    if (!fd) return concat("unknown node type '", excerpt(fn->type, 60), "'");
    if (!td) return concat("unknown node type '", excerpt(tn->type, 60), "'");
    const PortSpec* out = fd->findOutput(from.port);
    const PortSpec* in = td->findInput(to.port);
    if (!out) return concat(nodeLabel(*fn), " has no output '", excerpt(from.port, 60), "'");
    if (!in) return concat(nodeLabel(*tn), " has no input '", excerpt(to.port, 60), "'");
    if (!canConvert(out->type, in->type))
        return concat(portTypeName(out->type), " output cannot feed ", portTypeName(in->type), " input '",
                      in->name, "'");
    // A cycle would appear when `from.node` is reachable from `to.node`.
    if (reaches(doc, tn->id, fn->id))
        return concat("linking would create a cycle (", excerpt(tn->id, 60), " already feeds ",
                      excerpt(fn->id, 60), ")");
    return std::nullopt;
}

}  // namespace sv::plugin
