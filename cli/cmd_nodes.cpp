// `sanavideo nodes`: every node type of the installed node packs with its ports and parameters. Also home of
// the node-pack loading shared with `sanavideo run`. Built only with SV_CLI_WITH_PLUGIN.
#ifdef SV_CLI_WITH_PLUGIN
#include <cmath>
#include <cstdio>
#include <string>

#include "base/error.h"
#include "commands.h"
#include "node_packs.h"
#include "plugin/sdk/plugin_loader.h"

namespace fs = std::filesystem;
using namespace sv::plugin;

namespace sv::cli {

void loadNodePacks(NodeRegistry& registry, const std::vector<fs::path>& extraFolders, const char* cmd) {
    PluginLoader loader;
    loader.loadDefault(registry, extraFolders);
    for (const auto& p : loader.problems())
        std::fprintf(stderr, "sanavideo %s: warning: plugin %s\n", cmd, p.c_str());
    if (registry.size() == 0) {
        std::string searched;
        auto add = [&](const fs::path& f) {
            searched.push_back(' ');
            searched.append(f.string());
        };
        for (const auto& f : extraFolders) add(f);
        for (const auto& f : PluginLoader::defaultSearchPaths()) add(f);
        std::fprintf(stderr, "sanavideo %s: warning: no node packs found (searched:%s)\n", cmd,
                     searched.empty() ? " nothing" : searched.c_str());
    }
}

namespace {

std::string paramLine(const ParamSpec& p) {
    std::string s = concat(p.name, ": ", portTypeName(p.type), " = ", p.defaultValue.describe());
    auto num = [](double v) {
        if (std::floor(v) == v && std::fabs(v) < 1e15) return std::to_string(int64_t(v));
        return Value::fromFloat(v).describe();
    };
    if (p.min || p.max)
        s += concat(" [", p.min ? num(*p.min) : std::string("-inf"), ", ",
                    p.max ? num(*p.max) : std::string("inf"), "]");
    if (p.step) s += concat(" step ", num(*p.step));
    if (!p.choices.empty()) {
        std::string c;
        for (const auto& x : p.choices) c += (c.empty() ? "" : ", ") + x;
        s += " {" + c + "}";
    }
    if (p.multiline) s += " (multi-line)";
    if (!p.fileFilter.empty()) s += " (" + p.fileFilter + ")";
    if (!p.help.empty()) s += " — " + p.help;
    return s;
}

nlohmann::json descriptorJson(const NodeRegistry::Entry& e) {
    const NodeDescriptor& d = e.descriptor;
    auto ports = [](const std::vector<PortSpec>& v) {
        nlohmann::json a = nlohmann::json::array();
        for (const auto& p : v)
            a.push_back({{"name", p.name},
                         {"type", portTypeName(p.type)},
                         {"optional", p.optional},
                         {"help", p.help}});
        return a;
    };
    nlohmann::json params = nlohmann::json::array();
    for (const auto& p : d.params) {
        nlohmann::json j = {{"name", p.name},
                            {"type", portTypeName(p.type)},
                            {"default", ParamSpec::toJson(p.defaultValue)},
                            {"help", p.help}};
        if (p.min) j["min"] = *p.min;
        if (p.max) j["max"] = *p.max;
        if (p.step) j["step"] = *p.step;
        if (!p.choices.empty()) j["choices"] = p.choices;
        if (p.multiline) j["multiline"] = true;
        if (!p.fileFilter.empty()) j["fileFilter"] = p.fileFilter;
        params.push_back(std::move(j));
    }
    return {{"type", d.typeId},
            {"version", d.version},
            {"caption", d.caption},
            {"category", d.category},
            {"help", d.help},
            {"pack", e.pack},
            {"output", d.isOutput},
            {"inputs", ports(d.inputs)},
            {"outputs", ports(d.outputs)},
            {"params", params}};
}

}  // namespace

int runNodes(Args args) {
    std::vector<fs::path> pluginDirs;
    bool json = false;
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (a == "--help" || a == "-h") {
            std::printf(
                "usage: sanavideo nodes [--plugin-dir DIR ...] [--json]\n\n"
                "Lists every node type of the installed node packs with its ports and parameters (types, "
                "defaults,\n"
                "ranges, choices, help). --json prints the same as a JSON array.\n");
            return 0;
        } else if (a == "--plugin-dir") {
            SV_CHECK(i + 1 < args.size(), "--plugin-dir needs a value");
            pluginDirs.emplace_back(args[++i]);
        } else if (a == "--json") {
            json = true;
        } else {
            std::fprintf(stderr, "sanavideo nodes: unknown argument %s\n", a.c_str());
            return 2;
        }
    }
    NodeRegistry registry;
    loadNodePacks(registry, pluginDirs, "nodes");
    if (json) {
        nlohmann::json all = nlohmann::json::array();
        for (const auto* e : registry.entries()) all.push_back(descriptorJson(*e));
        std::printf("%s\n", all.dump(2).c_str());
        return 0;
    }
    for (const auto* e : registry.entries()) {
        const NodeDescriptor& d = e->descriptor;
        std::printf("%s (v%d) — %s [%s]%s%s\n", d.typeId.c_str(), d.version, d.caption.c_str(),
                    d.category.c_str(), d.isOutput ? " output" : "",
                    e->pack.empty() ? "" : concat("  pack: ", e->pack).c_str());
        if (!d.help.empty()) std::printf("  %s\n", d.help.c_str());
        auto ports = [](const char* title, const std::vector<PortSpec>& v) {
            if (v.empty()) return;
            std::printf("  %s:\n", title);
            for (const auto& p : v)
                std::printf("    %s: %s%s%s%s\n", p.name.c_str(), std::string(portTypeName(p.type)).c_str(),
                            p.optional ? " (optional)" : "", p.help.empty() ? "" : " — ", p.help.c_str());
        };
        ports("inputs", d.inputs);
        ports("outputs", d.outputs);
        if (!d.params.empty()) {
            std::printf("  params:\n");
            for (const auto& p : d.params) std::printf("    %s\n", paramLine(p).c_str());
        }
        std::printf("\n");
    }
    std::printf("%zu node type(s)\n", registry.size());
    return 0;
}

}  // namespace sv::cli
#endif  // SV_CLI_WITH_PLUGIN
