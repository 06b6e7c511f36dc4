#include "plugin/farm/sweep_spec.h"

#include "base/error.h"
#include "plugin/farm/farm_records.h"
#include "plugin/graph/param_override.h"

namespace sv::farm {

namespace {

int intField(const nlohmann::json& j, const char* key, int def, int lo, int hi, std::string_view source) {
    if (!j.contains(key)) return def;
    SV_CHECK(j[key].is_number_integer(), source, ": \"", key, "\" must be an integer, got ", j[key].dump());
    const int64_t v = j[key].get<int64_t>();
    SV_CHECK(v >= lo && v <= hi, source, ": \"", key, "\" must be between ", lo, " and ", hi, ", got ", v);
    return int(v);
}

std::string stringField(const nlohmann::json& j, const char* key, std::string_view source) {
    if (!j.contains(key)) return {};
    SV_CHECK(j[key].is_string(), source, ": \"", key, "\" must be a string, got ", j[key].dump());
    return j[key].get<std::string>();
}

std::vector<std::string> stringList(const nlohmann::json& j, const char* key, std::string_view source) {
    std::vector<std::string> out;
    if (!j.contains(key)) return out;
    SV_CHECK(j[key].is_array(), source, ": \"", key, "\" must be a list of strings");
    for (const auto& s : j[key]) {
        SV_CHECK(s.is_string(), source, ": \"", key, "\" must be a list of strings, got ", s.dump());
        out.push_back(s.get<std::string>());
    }
    return out;
}

}  // namespace

nlohmann::json FarmSettings::toJson() const {
    nlohmann::json j = {{"manager", manager}, {"chunk", chunk}, {"gpus", gpus}, {"cpus", cpus}};
    if (!memory.empty()) j["memory"] = memory;
    if (!partition.empty()) j["partition"] = partition;
    if (!timeLimit.empty()) j["time"] = timeLimit;
    if (!extraArgs.empty()) j["extra"] = extraArgs;
    return j;
}

FarmSettings FarmSettings::fromJson(const nlohmann::json& j, std::string_view source) {
    SV_CHECK(j.is_object(), source, ": \"farm\" must be an object");
    FarmSettings f;
    if (j.contains("manager")) f.manager = stringField(j, "manager", source);
    f.chunk = intField(j, "chunk", 1, 1, 100000, source);
    f.gpus = intField(j, "gpus", 0, 0, 64, source);
    f.cpus = intField(j, "cpus", 0, 0, 4096, source);
    f.memory = stringField(j, "memory", source);
    f.partition = stringField(j, "partition", source);
    f.timeLimit = stringField(j, "time", source);
    f.extraArgs = stringList(j, "extra", source);
    return f;
}

SweepSpec SweepSpec::load(const fs::path& file) {
    const std::string source = file.string();
    const nlohmann::json j = readJsonFile(file);
    SV_CHECK(j.is_object() && j.value("format", "") == kFormatName, source,
             ": not a sweep spec (\"format\": \"", kFormatName, "\" missing)");
    SV_CHECK(j.value("version", 0) >= 1 && j.value("version", 0) <= kFormatVersion, source,
             ": sweep spec version ", j.value("version", 0), " is not supported (this build reads ",
             kFormatVersion, ")");
    SweepSpec spec;
    spec.baseDir = fs::absolute(file).parent_path();
    const std::string graph = stringField(j, "graph", source);
    SV_CHECK(!graph.empty(), source, ": \"graph\" is missing (the graph file, relative to the spec)");
    spec.graph = (spec.baseDir / graph).lexically_normal();
    spec.sets = stringList(j, "set", source);
    if (j.contains("axes")) {
        SV_CHECK(j["axes"].is_array(), source, ": \"axes\" must be a list");
        for (const auto& a : j["axes"]) spec.axes.push_back(axisFromJson(a, source));
    }
    if (j.contains("combine")) spec.combine = parseCombine(stringField(j, "combine", source));
    if (j.contains("farm")) spec.farm = FarmSettings::fromJson(j["farm"], source);
    return spec;
}

bool SweepSpec::isSpecFile(const fs::path& file) {
    try {
        const nlohmann::json j = readJsonFile(file);
        return j.is_object() && j.value("format", "") == kFormatName;
    } catch (const Error&) {
        return false;
    }
}

nlohmann::json SweepSpec::toJson(const fs::path& dir) const {
    const fs::path rel = graph.lexically_relative(dir);
    const bool under = !rel.empty() && *rel.begin() != "..";
    nlohmann::json axesJson = nlohmann::json::array();
    for (const AxisSpec& a : axes) axesJson.push_back(axisToJson(a));
    return {{"format", kFormatName},
            {"version", kFormatVersion},
            {"graph", under ? rel.generic_string() : graph.string()},
            {"set", sets},
            {"axes", axesJson},
            {"combine", combineName(combine)},
            {"farm", farm.toJson()}};
}

Sweep prepareSweep(const SweepSpec& spec, const sp::NodeRegistry& registry) {
    Sweep sweep;
    sweep.graph = sp::GraphDocument::load(spec.graph);
    for (const std::string& s : spec.sets) sp::applyParamText(sweep.graph, registry, s);
    for (const AxisSpec& a : spec.axes)
        sweep.axes.push_back(
            resolveAxis(a, sweep.graph, registry, a.baseDir.empty() ? spec.baseDir : a.baseDir));
    sweep.combine = spec.combine;
    sweep.variants = expandVariants(sweep.axes, sweep.combine);
    return sweep;
}

}  // namespace sv::farm
