// `sanavideo nodes`: every node type of the installed node packs with its ports and parameters. Built only
// with SV_CLI_WITH_PLUGIN.
#ifdef SV_CLI_WITH_PLUGIN
#include <cmath>
#include <cstdio>
#include <memory>
#include <string>

#include <CLI/CLI.hpp>

#include "base/error.h"
#include "commands.h"
#include "node_packs.h"
#include "terminal_text.h"

namespace fs = std::filesystem;
using namespace sv::plugin;

namespace sv::cli {

namespace {

std::string paramLine(const ParamSpec& p) {
    std::string s = concat(p.name, ": ", p.type.id(), " = ", p.defaultValue.describe());
    auto num = [](double v) {
        if (std::floor(v) == v && std::fabs(v) < 1e15) return std::to_string(int64_t(v));
        return Value::fromFloat(v).describe();
    };
    if (p.min || p.max)
        s += concat(" [", p.min ? num(*p.min) : std::string("-inf"), ", ",
                    p.max ? num(*p.max) : std::string("inf"), "]");
    if (p.step) s += concat(p.onGrid ? " multiples of step " : " step ", num(*p.step));
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

nlohmann::json paramJson(const ParamSpec& p) {
    nlohmann::json j = {{"name", p.name},
                        {"type", p.type.id()},
                        {"default", ParamSpec::toJson(p.defaultValue)},
                        {"help", p.help}};
    if (p.min) j["min"] = *p.min;
    if (p.max) j["max"] = *p.max;
    if (p.step) j["step"] = *p.step;
    if (p.onGrid) j["onStepGrid"] = true;
    if (!p.choices.empty()) j["choices"] = p.choices;
    if (p.multiline) j["multiline"] = true;
    if (!p.fileFilter.empty()) j["fileFilter"] = p.fileFilter;
    return j;
}

nlohmann::json descriptorJson(const NodeRegistry::Entry& e) {
    const NodeDescriptor& d = e.descriptor;
    auto ports = [](const std::vector<PortSpec>& v) {
        nlohmann::json a = nlohmann::json::array();
        for (const auto& p : v)
            a.push_back(
                {{"name", p.name}, {"type", p.type.id()}, {"optional", p.optional}, {"help", p.help}});
        return a;
    };
    nlohmann::json params = nlohmann::json::array();
    for (const auto& p : d.params) params.push_back(paramJson(p));
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

void printDescriptor(const NodeRegistry::Entry& e) {
    const NodeDescriptor& d = e.descriptor;
    printLine(stdout, concat(d.typeId, " (v", d.version, ") — ", d.caption, " [", d.category, "]",
                             d.isOutput ? " output" : "", e.pack.empty() ? "" : concat("  pack: ", e.pack)));
    if (!d.help.empty()) printLine(stdout, "  " + d.help);
    auto ports = [](const char* title, const std::vector<PortSpec>& v) {
        if (v.empty()) return;
        printLine(stdout, concat("  ", title, ":"));
        for (const auto& p : v)
            printLine(stdout, concat("    ", p.name, ": ", p.type.id(), p.optional ? " (optional)" : "",
                                     p.help.empty() ? "" : " — ", p.help));
    };
    ports("inputs", d.inputs);
    ports("outputs", d.outputs);
    if (!d.params.empty()) {
        printLine(stdout, "  params:");
        for (const auto& p : d.params) printLine(stdout, "    " + paramLine(p));
    }
    std::printf("\n");
}

struct NodesOptions {
    std::vector<std::string> pluginDirs;
    bool json = false;
};

int runNodes(const NodesOptions& o) {
    NodeRegistry registry;
    loadNodePacks(registry, {o.pluginDirs.begin(), o.pluginDirs.end()}, "nodes");
    if (o.json) {
        nlohmann::json all = nlohmann::json::array();
        for (const auto* e : registry.entries()) all.push_back(descriptorJson(*e));
        std::printf("%s\n", terminalSafeJson(all).c_str());
        return 0;
    }
    for (const auto* e : registry.entries()) printDescriptor(*e);
    std::printf("%zu node type(s)\n", registry.size());
    return 0;
}

}  // namespace

CommandRun setupNodes(CLI::App& cmd) {
    cmd.footer(
        "Lists every node type of the installed node packs with its ports and parameters (types, defaults, "
        "ranges, choices, help).");
    auto o = std::make_shared<NodesOptions>();
    cmd.add_option("--plugin-dir", o->pluginDirs, "also load node packs from DIR (repeatable)")
        ->allow_extra_args(false);
    cmd.add_flag("--json", o->json, "print the same as a JSON array");
    return [o] { return runNodes(*o); };
}

}  // namespace sv::cli
#endif  // SV_CLI_WITH_PLUGIN
