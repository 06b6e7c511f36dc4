#include "plugin/graph/param_override.h"

#include "base/error.h"

namespace sv::plugin {

ParamAssignment parseParamAssignment(std::string_view text, std::string_view option) {
    const size_t eq = text.find('=');
    const size_t dot = text.find('.');
    SV_CHECK(
        eq != std::string_view::npos && dot != std::string_view::npos && dot < eq && dot > 0 && eq > dot + 1,
        option, " expects NODE.PARAM=VALUE, got \"", text, "\"");
    return {std::string(text.substr(0, dot)), std::string(text.substr(dot + 1, eq - dot - 1)),
            std::string(text.substr(eq + 1))};
}

const ParamSpec& findNodeParam(const GraphDocument& doc, const NodeRegistry& registry, std::string_view node,
                               std::string_view param, std::string_view context) {
    const GraphNode* n = doc.findNode(node);
    SV_CHECK(n != nullptr, context, ": no node '", node, "' in the graph");
    const NodeDescriptor* d = registry.find(n->type);
    SV_CHECK(d != nullptr, context, ": node '", node, "' has the unknown type '", n->type, "'");
    const ParamSpec* p = d->findParam(param);
    if (!p) {
        std::string names;
        for (const auto& q : d->params) names += (names.empty() ? "" : ", ") + q.name;
        fail(context, ": node '", node, "' (", n->type, ") has no parameter '", param,
             "' (parameters: ", names.empty() ? "none" : names, ")");
    }
    return *p;
}

nlohmann::json parseParamText(const ParamSpec& param, std::string_view text, std::string_view context) {
    std::string problem;
    auto value = param.tryParseText(text, problem);
    SV_CHECK(value.has_value(), context, ": parameter '", param.name, "': ", problem);
    return std::move(*value);
}

nlohmann::json parseParamValue(const GraphDocument& doc, const NodeRegistry& registry, std::string_view node,
                               std::string_view param, std::string_view text, std::string_view context) {
    const ParamSpec& p = findNodeParam(doc, registry, node, param, context);
    return parseParamText(p, text, concat(context, ": node '", node, "'"));
}

void applyParamText(GraphDocument& doc, const NodeRegistry& registry, std::string_view text,
                    std::string_view option) {
    const ParamAssignment a = parseParamAssignment(text, option);
    const std::string context = concat(option, " ", text);
    doc.setParam(a.node, a.param, parseParamValue(doc, registry, a.node, a.param, a.value, context));
}

}  // namespace sv::plugin
