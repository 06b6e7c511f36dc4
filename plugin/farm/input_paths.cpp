#include "plugin/farm/input_paths.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "base/error.h"

namespace sv::farm {

namespace {

/// Calls fn(node, spec, path) for each non-empty input PATH parameter of a non-bypassed known node.
template <class Fn>
void forEachInputPath(const sp::GraphDocument& doc, const sp::NodeRegistry& registry, Fn&& fn) {
    for (const sp::GraphNode& node : doc.nodes()) {
        const sp::NodeDescriptor* d = registry.find(node.type);
        if (!d || node.bypass) continue;
        for (const sp::ParamSpec& p : d->params) {
            if (p.type != sp::PortType::Path || p.pathMode == sp::PathMode::SaveFile) continue;
            const auto it = node.params.find(p.name);
            const nlohmann::json value =
                it != node.params.end() ? *it : sp::ParamSpec::toJson(p.defaultValue);
            if (!value.is_string() || value.get<std::string>().empty()) continue;
            fn(node, p, fs::path(value.get<std::string>()));
        }
    }
}

/// Why `path` cannot be read as `mode` wants, or "" when it can.
std::string unreadableReason(const fs::path& path, sp::PathMode mode) {
    std::error_code ec;
    const fs::file_status st = fs::status(path, ec);
    if (ec) return ec.message();
    const bool folder = mode == sp::PathMode::Folder;
    if (folder && !fs::is_directory(st)) return "not a folder";
    if (!folder && fs::is_directory(st)) return "a folder, not a file";
    if (::access(path.c_str(), folder ? (R_OK | X_OK) : R_OK) != 0) return std::strerror(errno);
    return {};
}

}  // namespace

std::string InputProblem::describe() const {
    return concat("node '", node, "' parameter '", param, "': ", path.string(), " is not readable (", reason,
                  ")");
}

std::vector<InputProblem> unreadableInputs(const sp::GraphDocument& doc, const sp::NodeRegistry& registry,
                                           const std::set<std::string>& skip) {
    std::vector<InputProblem> problems;
    forEachInputPath(doc, registry,
                     [&](const sp::GraphNode& node, const sp::ParamSpec& p, const fs::path& path) {
                         if (skip.count(node.id + "." + p.name)) return;
                         std::string why = unreadableReason(path, p.pathMode);
                         if (!why.empty()) problems.push_back({node.id, p.name, path, std::move(why)});
                     });
    return problems;
}

void absolutizeInputPaths(sp::GraphDocument& doc, const sp::NodeRegistry& registry, const fs::path& baseDir) {
    std::vector<std::tuple<std::string, std::string, fs::path>> changes;
    forEachInputPath(
        doc, registry, [&](const sp::GraphNode& node, const sp::ParamSpec& p, const fs::path& path) {
            if (path.is_relative())
                changes.emplace_back(node.id, p.name, (fs::absolute(baseDir) / path).lexically_normal());
        });
    for (const auto& [node, param, path] : changes) doc.setParam(node, param, path.string());
}

}  // namespace sv::farm
