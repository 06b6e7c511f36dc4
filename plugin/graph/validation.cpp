#include "plugin/graph/validation.h"

#include <algorithm>
#include <functional>
#include <map>
#include <set>

#include "base/error.h"

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

/// Node index by id (first occurrence wins, as in GraphDocument::findNode).
std::map<std::string, const GraphNode*, std::less<>> indexNodes(const GraphDocument& doc) {
    std::map<std::string, const GraphNode*, std::less<>> index;
    for (const auto& n : doc.nodes()) index.emplace(n.id, &n);
    return index;
}

/// Strongly connected components with more than one node, or with a self-link (Tarjan, iterative over small
/// graphs).
std::vector<std::vector<std::string>> findCycles(const GraphDocument& doc) {
    auto index = indexNodes(doc);
    std::map<std::string, std::vector<std::string>> succ;
    for (const auto& l : doc.links())
        if (index.count(l.from.node) && index.count(l.to.node)) succ[l.from.node].push_back(l.to.node);

    std::map<std::string, int> idx, low;
    std::set<std::string> onStack;
    std::vector<std::string> stack;
    std::vector<std::vector<std::string>> out;
    int counter = 0;
    std::function<void(const std::string&)> strong = [&](const std::string& v) {
        idx[v] = low[v] = counter++;
        stack.push_back(v);
        onStack.insert(v);
        for (const auto& w : succ[v]) {
            if (!idx.count(w)) {
                strong(w);
                low[v] = std::min(low[v], low[w]);
            } else if (onStack.count(w)) {
                low[v] = std::min(low[v], idx[w]);
            }
        }
        if (low[v] == idx[v]) {
            std::vector<std::string> comp;
            std::string w;
            do {
                w = stack.back();
                stack.pop_back();
                onStack.erase(w);
                comp.push_back(w);
            } while (w != v);
            bool selfLoop = std::count(succ[v].begin(), succ[v].end(), v) > 0;
            if (comp.size() > 1 || selfLoop) {
                // Document order for a stable message.
                std::vector<std::string> ordered;
                for (const auto& n : doc.nodes())
                    if (std::find(comp.begin(), comp.end(), n.id) != comp.end() &&
                        std::find(ordered.begin(), ordered.end(), n.id) == ordered.end())
                        ordered.push_back(n.id);
                out.push_back(std::move(ordered));
            }
        }
    };
    for (const auto& n : doc.nodes())
        if (!idx.count(n.id)) strong(n.id);
    return out;
}

void checkParams(const GraphNode& node, const NodeDescriptor& d, std::vector<Issue>& issues) {
    if (!node.params.is_object()) return;
    for (const auto& [name, value] : node.params.items()) {
        const ParamSpec* spec = d.findParam(name);
        if (!spec) {
            issues.push_back(
                {Severity::Warning,
                 Kind::UnknownParam,
                 node.id,
                 node.type,
                 {},
                 name,
                 concat(nodeLabel(node), ": unknown parameter '", excerpt(name, 60), "' (ignored)")});
            continue;
        }
        Value v;
        try {
            v = spec->fromJson(value);
        } catch (const Error& e) {
            issues.push_back({Severity::Error,
                              Kind::ParamTypeMismatch,
                              node.id,
                              node.type,
                              {},
                              name,
                              concat(nodeLabel(node), ": ", e.what())});
            continue;
        }
        std::string why = spec->checkValue(v);
        if (why.empty()) continue;
        Kind k = spec->outputName               ? Kind::BadOutputName
                 : spec->type == PortType::Enum ? Kind::UnknownChoice
                                                : Kind::ParamOutOfRange;
        issues.push_back({Severity::Error,
                          k,
                          node.id,
                          node.type,
                          {},
                          name,
                          concat(nodeLabel(node), ": parameter '", name, "': ", why)});
    }
}

}  // namespace

std::string_view issueKindName(GraphIssue::Kind k) {
    switch (k) {
        case Kind::NewerFormat:
            return "newer-format";
        case Kind::DuplicateNodeId:
            return "duplicate-node-id";
        case Kind::InvalidNodeId:
            return "invalid-node-id";
        case Kind::UnknownNodeType:
            return "unknown-node-type";
        case Kind::NewerNodeVersion:
            return "newer-node-version";
        case Kind::UnknownParam:
            return "unknown-param";
        case Kind::ParamTypeMismatch:
            return "param-type-mismatch";
        case Kind::ParamOutOfRange:
            return "param-out-of-range";
        case Kind::UnknownChoice:
            return "unknown-choice";
        case Kind::DanglingLink:
            return "dangling-link";
        case Kind::DuplicateInputLink:
            return "duplicate-input-link";
        case Kind::TypeMismatch:
            return "type-mismatch";
        case Kind::MissingInput:
            return "missing-input";
        case Kind::Cycle:
            return "cycle";
        case Kind::BypassNoPassthrough:
            return "bypass-no-passthrough";
        case Kind::BadOutputName:
            return "bad-output-name";
    }
    return "?";
}

std::vector<GraphIssue> validateGraph(const GraphDocument& doc, const NodeRegistry& registry) {
    std::vector<Issue> issues;
    if (doc.formatVersion() > GraphDocument::kFormatVersion) {
        issues.push_back(
            {Severity::Error,
             Kind::NewerFormat,
             {},
             {},
             {},
             {},
             concat("graph format version ", doc.formatVersion(), " is newer than this build supports (",
                    GraphDocument::kFormatVersion, "); open it with a newer Sana Video Studio")});
    }

    // ---- nodes ----
    std::map<std::string, size_t> firstIndex;
    for (size_t i = 0; i < doc.nodes().size(); ++i) {
        const GraphNode& node = doc.nodes()[i];
        if (!GraphDocument::isValidNodeId(node.id)) {
            issues.push_back({Severity::Error,
                              Kind::InvalidNodeId,
                              node.id,
                              node.type,
                              {},
                              {},
                              concat("node ", i, " has an invalid id '", excerpt(node.id, 60),
                                     "' (use letters, digits, '_' and '-')")});
        }
        auto [it, fresh] = firstIndex.emplace(node.id, i);
        if (!fresh) {
            issues.push_back(
                {Severity::Error,
                 Kind::DuplicateNodeId,
                 node.id,
                 node.type,
                 {},
                 {},
                 concat("duplicate node id '", node.id, "' (nodes ", it->second, " and ", i, ")")});
        }
        const NodeDescriptor* d = registry.find(node.type);
        if (!d) {
            issues.push_back({Severity::Error,
                              Kind::UnknownNodeType,
                              node.id,
                              node.type,
                              {},
                              {},
                              concat("node '", excerpt(node.id, 60), "': unknown node type '",
                                     excerpt(node.type, 60), "' (is its node pack installed?)")});
            continue;
        }
        if (node.typeVersion > d->version) {
            issues.push_back({Severity::Error,
                              Kind::NewerNodeVersion,
                              node.id,
                              node.type,
                              {},
                              {},
                              concat(nodeLabel(node), " was saved with version ", node.typeVersion,
                                     " of the node type; the installed one is version ", d->version)});
        }
        checkParams(node, *d, issues);
        if (!fresh) continue;  // links of a duplicate id are ambiguous; reported once above
        if (node.bypass) {
            for (const auto& out : d->outputs) {
                bool any = std::any_of(d->inputs.begin(), d->inputs.end(),
                                       [&](const PortSpec& in) { return canConvert(in.type, out.type); });
                if (!any)
                    issues.push_back({Severity::Warning,
                                      Kind::BypassNoPassthrough,
                                      node.id,
                                      node.type,
                                      out.name,
                                      {},
                                      concat(nodeLabel(node),
                                             " is bypassed but has no input of a type that can "
                                             "pass through to output '",
                                             out.name, "' (", portTypeName(out.type), ")")});
            }
            continue;  // a bypassed node does not run: its required inputs may stay empty
        }
        for (const auto& in : d->inputs) {
            if (in.optional || doc.inputLink(node.id, in.name)) continue;
            issues.push_back({Severity::Error,
                              Kind::MissingInput,
                              node.id,
                              node.type,
                              in.name,
                              {},
                              concat(nodeLabel(node), ": required input '", in.name, "' (",
                                     portTypeName(in.type), ") is not connected")});
        }
    }

    // ---- links ----
    std::set<std::pair<std::string, std::string>> fedInputs;
    for (const auto& l : doc.links()) {
        const GraphNode* from = doc.findNode(l.from.node);
        const GraphNode* to = doc.findNode(l.to.node);
        const std::string label = linkLabel(l);
        auto dangling = [&](const std::string& nodeId, const std::string& type, const std::string& port,
                            std::string why) {
            issues.push_back(
                {Severity::Error, Kind::DanglingLink, nodeId, type, port, {}, concat(label, ": ", why)});
        };
        if (!to) {
            dangling(l.to.node, {}, l.to.port, concat("target node '", l.to.node, "' does not exist"));
            continue;
        }
        if (!from) {
            dangling(to->id, to->type, l.to.port, concat("source node '", l.from.node, "' does not exist"));
            continue;
        }
        const NodeDescriptor* fd = registry.find(from->type);
        const NodeDescriptor* td = registry.find(to->type);
        const PortSpec* out = fd ? fd->findOutput(l.from.port) : nullptr;
        const PortSpec* in = td ? td->findInput(l.to.port) : nullptr;
        bool bad = false;
        if (fd && !out) {
            dangling(to->id, to->type, l.to.port,
                     concat(nodeLabel(*from), " has no output '", l.from.port, "'"));
            bad = true;
        }
        if (td && !in) {
            dangling(to->id, to->type, l.to.port, concat(nodeLabel(*to), " has no input '", l.to.port, "'"));
            bad = true;
        }
        if (!fedInputs.emplace(l.to.node, l.to.port).second) {
            issues.push_back({Severity::Error,
                              Kind::DuplicateInputLink,
                              to->id,
                              to->type,
                              l.to.port,
                              {},
                              concat(label, ": input '", l.to.port, "' of ", nodeLabel(*to),
                                     " already has a link (an input takes one link)")});
        }
        if (bad || !out || !in) continue;
        if (!canConvert(out->type, in->type)) {
            issues.push_back({Severity::Error,
                              Kind::TypeMismatch,
                              to->id,
                              to->type,
                              l.to.port,
                              {},
                              concat(label, ": ", portTypeName(out->type), " output '", out->name, "' of ",
                                     nodeLabel(*from), " cannot feed ", portTypeName(in->type), " input '",
                                     in->name, "' of ", nodeLabel(*to))});
        }
    }

    // ---- cycles ----
    for (const auto& cycle : findCycles(doc)) {
        std::string path;
        for (const auto& id : cycle) path += id + " -> ";
        path += cycle.front();
        const GraphNode* first = doc.findNode(cycle.front());
        issues.push_back({Severity::Error,
                          Kind::Cycle,
                          cycle.front(),
                          first ? first->type : std::string(),
                          {},
                          {},
                          concat("cycle in the graph through nodes ", path)});
    }
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

std::optional<std::string> checkConnection(const GraphDocument& doc, const NodeRegistry& registry,
                                           const PortRef& from, const PortRef& to) {
    const GraphNode* fn = doc.findNode(from.node);
    const GraphNode* tn = doc.findNode(to.node);
    if (!fn) return concat("no node '", from.node, "'");
    if (!tn) return concat("no node '", to.node, "'");
    if (fn->id == tn->id) return std::string("a node cannot feed itself");
    const NodeDescriptor* fd = registry.find(fn->type);
    const NodeDescriptor* td = registry.find(tn->type);
    if (!fd) return concat("unknown node type '", fn->type, "'");
    if (!td) return concat("unknown node type '", tn->type, "'");
    const PortSpec* out = fd->findOutput(from.port);
    const PortSpec* in = td->findInput(to.port);
    if (!out) return concat(nodeLabel(*fn), " has no output '", from.port, "'");
    if (!in) return concat(nodeLabel(*tn), " has no input '", to.port, "'");
    if (!canConvert(out->type, in->type))
        return concat(portTypeName(out->type), " output cannot feed ", portTypeName(in->type), " input '",
                      in->name, "'");
    // A cycle would appear when `from.node` is reachable from `to.node`.
    std::vector<std::string> todo{tn->id};
    std::set<std::string> seen{tn->id};
    while (!todo.empty()) {
        std::string cur = todo.back();
        todo.pop_back();
        for (const auto& l : doc.links()) {
            if (l.from.node != cur) continue;
            if (l.to.node == fn->id)
                return concat("linking would create a cycle (", tn->id, " already feeds ", fn->id, ")");
            if (seen.insert(l.to.node).second) todo.push_back(l.to.node);
        }
    }
    return std::nullopt;
}

}  // namespace sv::plugin
