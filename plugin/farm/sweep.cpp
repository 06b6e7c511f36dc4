#include "plugin/farm/sweep.h"

#include <glob.h>

#include <charconv>
#include <cmath>
#include <fstream>
#include <memory>
#include <set>

#include "base/error.h"
#include "plugin/graph/param_override.h"

namespace sv::farm {

namespace {

std::string trim(std::string_view s) {
    const size_t b = s.find_first_not_of(" \t");
    if (b == std::string_view::npos) return {};
    const size_t e = s.find_last_not_of(" \t");
    return std::string(s.substr(b, e - b + 1));
}

std::optional<double> parseNumber(std::string_view s) {
    const std::string t = trim(s);
    double v = 0;
    auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
    if (t.empty() || ec != std::errc() || end != t.data() + t.size() || !std::isfinite(v))
        return std::nullopt;
    return v;
}

bool isInteger(double v) {
    return std::fabs(v - std::round(v)) < 1e-9 && std::fabs(v) < 9.0e15;
}

std::string numberText(double v) {
    if (isInteger(v)) return std::to_string(int64_t(std::llround(v)));
    std::string s = std::to_string(v);  // "0.500000": drop the trailing zeros
    while (!s.empty() && s.back() == '0') s.pop_back();
    if (!s.empty() && s.back() == '.') s.pop_back();
    return s;
}

/// "A..B" or "A..B:STEP" as the texts of the numbers; nullopt when `spec` is not a range.
std::optional<std::vector<std::string>> rangeValues(std::string_view spec, std::string_view axis) {
    const size_t dots = spec.find("..");
    if (dots == std::string_view::npos) return std::nullopt;
    const std::string_view rest = spec.substr(dots + 2);
    const size_t colon = rest.find(':');
    const auto a = parseNumber(spec.substr(0, dots));
    const auto b = parseNumber(rest.substr(0, colon));
    if (!a || !b) return std::nullopt;
    double step = *b >= *a ? 1.0 : -1.0;
    if (colon != std::string_view::npos) {
        const auto s = parseNumber(rest.substr(colon + 1));
        SV_CHECK(s && *s != 0.0, "axis ", axis, ": the step of a range A..B:STEP must be a non-zero number");
        step = *s;
    }
    SV_CHECK((*b - *a) * step >= 0, "axis ", axis, ": the step ", numberText(step), " never reaches ",
             numberText(*b), " from ", numberText(*a));
    const double n = std::floor((*b - *a) / step + 1e-9) + 1;
    SV_CHECK(n <= 100000, "axis ", axis, ": ", numberText(n), " values is too many (at most 100000)");
    std::vector<std::string> out;
    for (int64_t i = 0; i < int64_t(n); ++i) out.push_back(numberText(*a + double(i) * step));
    return out;
}

std::vector<std::string> fileLines(const fs::path& file, std::string_view axis) {
    std::ifstream in(file, std::ios::binary);
    SV_CHECK(bool(in), "axis ", axis, ": cannot read ", file.string());
    std::vector<std::string> lines;
    std::string line;
    while (std::getline(in, line)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (trim(line).empty()) continue;
        lines.push_back(line);
    }
    SV_CHECK(!lines.empty(), "axis ", axis, ": ", file.string(), " has no non-empty line");
    return lines;
}

struct GlobDeleter {
    void operator()(glob_t* g) const {
        globfree(g);
        delete g;
    }
};

std::vector<fs::path> globFiles(const fs::path& pattern, std::string_view axis) {
    std::unique_ptr<glob_t, GlobDeleter> g(new glob_t{});
    const int rc = ::glob(pattern.c_str(), 0, nullptr, g.get());
    SV_CHECK(rc != GLOB_NOSPACE && rc != GLOB_ABORTED, "axis ", axis, ": cannot list ", pattern.string());
    SV_CHECK(rc == 0 && g->gl_pathc > 0, "axis ", axis, ": no file matches ", pattern.string());
    std::vector<fs::path> files;
    for (size_t i = 0; i < g->gl_pathc; ++i) files.emplace_back(g->gl_pathv[i]);  // glob sorts them
    return files;
}

bool isNameChar(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '-' || c == '_';
}

fs::path absoluteUnder(const fs::path& p, const fs::path& baseDir) {
    if (p.empty() || p.is_absolute()) return p.lexically_normal();
    return (fs::absolute(baseDir) / p).lexically_normal();
}

/// The texts of an axis with their labels, before type parsing.
std::vector<std::pair<std::string, std::string>> axisTexts(const AxisSpec& spec, const sp::ParamSpec& param,
                                                           const fs::path& baseDir) {
    const std::string axis = spec.describe();
    std::vector<std::pair<std::string, std::string>> out;
    const std::string_view text = spec.text;
    if (text.starts_with('@')) {
        const fs::path file = absoluteUnder(fs::path(std::string(text.substr(1))), baseDir);
        int k = 0;
        for (auto& line : fileLines(file, axis)) out.emplace_back(line, "line" + std::to_string(++k));
    } else if (auto range = rangeValues(text, axis)) {
        for (auto& v : *range) out.emplace_back(v, v);
    } else if (param.type == sp::PortType::Path && text.find_first_of("*?[") != std::string_view::npos) {
        for (const fs::path& f : globFiles(absoluteUnder(fs::path(spec.text), baseDir), axis))
            out.emplace_back(f.string(), f.stem().string());
    } else {
        size_t start = 0;
        while (start <= text.size()) {
            size_t comma = text.find(',', start);
            if (comma == std::string_view::npos) comma = text.size();
            std::string v(text.substr(start, comma - start));
            if (param.type != sp::PortType::String) v = trim(v);
            out.emplace_back(v, v);
            start = comma + 1;
        }
    }
    return out;
}

}  // namespace

std::string_view combineName(Combine c) {
    return c == Combine::Zip ? "zip" : "product";
}

Combine parseCombine(std::string_view text) {
    if (text == "product") return Combine::Product;
    if (text == "zip") return Combine::Zip;
    fail("unknown axis combination \"", text, "\" (use product or zip)");
}

std::string AxisSpec::describe() const {
    return concat(node, ".", param, "=", values ? values->dump() : text);
}

AxisSpec parseAxis(std::string_view text) {
    const sp::ParamAssignment a = sp::parseParamAssignment(text, "--set-axis");
    SV_CHECK(!a.value.empty(), "--set-axis ", text, ": no values after '='");
    return AxisSpec{a.node, a.param, a.value, std::nullopt, {}};
}

AxisSpec axisFromJson(const nlohmann::json& j, std::string_view source) {
    if (j.is_string()) return parseAxis(j.get<std::string>());
    SV_CHECK(j.is_object() && j.contains("param") && j["param"].is_string() && j.contains("values") &&
                 j["values"].is_array(),
             source,
             ": an axis is \"NODE.PARAM=SPEC\" or {\"param\": \"NODE.PARAM\", \"values\": [...]}, got ",
             j.dump());
    const sp::ParamAssignment a = sp::parseParamAssignment(j["param"].get<std::string>() + "=x", source);
    SV_CHECK(!j["values"].empty(), source, ": axis ", a.node, ".", a.param, " has no values");
    return AxisSpec{a.node, a.param, {}, j["values"], {}};
}

nlohmann::json axisToJson(const AxisSpec& a) {
    if (!a.values) return a.describe();
    return {{"param", a.node + "." + a.param}, {"values", *a.values}};
}

Axis resolveAxis(const AxisSpec& spec, const sp::GraphDocument& doc, const sp::NodeRegistry& registry,
                 const fs::path& baseDir) {
    const std::string axis = spec.describe();
    const sp::ParamSpec& param = sp::findNodeParam(doc, registry, spec.node, spec.param, "axis " + axis);
    Axis out{spec.node, spec.param, axis, {}};
    const bool isPath = param.type == sp::PortType::Path;
    auto add = [&](nlohmann::json value, std::string label) {
        if (isPath && value.is_string()) {
            label = fs::path(value.get<std::string>()).stem().string();  // names say which file, not where
            if (param.pathMode != sp::PathMode::SaveFile)
                value = absoluteUnder(fs::path(value.get<std::string>()), baseDir).string();
        }
        std::string why;
        try {
            why = param.checkValue(param.fromJson(value));
        } catch (const Error& e) {
            why = e.what();
        }
        SV_CHECK(why.empty(), "axis ", axis, ": ", why);
        out.values.push_back({std::move(value), slugify(label)});
    };
    if (spec.values) {
        for (const auto& v : *spec.values) add(v, v.is_string() ? v.get<std::string>() : v.dump());
    } else {
        for (auto& [text, label] : axisTexts(spec, param, baseDir)) {
            add(sp::parseParamText(param, text, "axis " + axis), label);
        }
    }
    SV_CHECK(!out.values.empty(), "axis ", axis, ": no values");
    return out;
}

std::vector<Variant> expandVariants(std::span<const Axis> axes, Combine combine) {
    size_t count = 1;
    if (combine == Combine::Zip && !axes.empty()) {
        count = axes[0].values.size();
        for (const Axis& a : axes) {
            if (a.values.size() == count) continue;
            std::string lengths;
            for (const Axis& b : axes)
                lengths +=
                    concat(lengths.empty() ? "" : ", ", b.node, ".", b.param, " has ", b.values.size());
            fail("zip needs axes of equal length: ", lengths);
        }
    } else {
        for (const Axis& a : axes) {
            count *= a.values.size();
            SV_CHECK(count <= 1000000, "the sweep has more than 1000000 variants");
        }
    }
    std::multiset<std::string> paramNames;
    for (const Axis& a : axes) paramNames.insert(a.param);
    const size_t width = std::max<size_t>(3, std::to_string(count).size());
    std::vector<Variant> variants(count);
    for (size_t i = 0; i < count; ++i) {
        Variant& v = variants[i];
        v.index = int(i);
        v.name = std::to_string(i + 1);
        v.name.insert(0, width - v.name.size(), '0');
        size_t rest = i;  // product: mixed-radix digits, the last axis varying fastest
        std::vector<size_t> pick(axes.size());
        for (size_t k = axes.size(); k-- > 0;) {
            const size_t n = axes[k].values.size();
            pick[k] = combine == Combine::Zip ? i : rest % n;
            rest /= n;
        }
        for (size_t k = 0; k < axes.size(); ++k) {
            const Axis& a = axes[k];
            const AxisValue& av = a.values[pick[k]];
            const std::string key = paramNames.count(a.param) > 1 ? a.node + "-" + a.param : a.param;
            v.name += concat("_", slugify(key, 32), "-", av.label);
            v.values.push_back({a.node, a.param, av.value});
        }
        if (v.name.size() > 120) v.name.resize(120);
    }
    return variants;
}

void applyVariant(sp::GraphDocument& doc, const Variant& v) {
    for (const ParamValue& p : v.values) doc.setParam(p.node, p.param, p.value);
}

nlohmann::json variantToJson(const Variant& v) {
    nlohmann::json values = nlohmann::json::array();
    for (const ParamValue& p : v.values)
        values.push_back({{"node", p.node}, {"param", p.param}, {"value", p.value}});
    return {{"index", v.index}, {"name", v.name}, {"values", values}};
}

Variant variantFromJson(const nlohmann::json& j, std::string_view source) {
    auto bad = [&]() -> Variant { fail(source, ": not a variant: ", j.dump()); };
    if (!j.is_object() || !j.contains("index") || !j["index"].is_number_integer() || !j.contains("name") ||
        !j["name"].is_string() || !j.contains("values") || !j["values"].is_array())
        return bad();
    Variant v{j["index"].get<int>(), j["name"].get<std::string>(), {}};
    for (const auto& p : j["values"]) {
        if (!p.is_object() || !p.contains("node") || !p["node"].is_string() || !p.contains("param") ||
            !p["param"].is_string() || !p.contains("value"))
            return bad();
        v.values.push_back({p["node"].get<std::string>(), p["param"].get<std::string>(), p["value"]});
    }
    SV_CHECK(v.index >= 0 && isPlainName(v.name), source, ": variant name \"", v.name,
             "\" is not a plain file name");
    return v;
}

bool isPlainName(std::string_view name) {
    if (name.empty() || name.front() == '.') return false;
    for (char c : name)
        if (!isNameChar(c)) return false;
    return true;
}

std::string slugify(std::string_view text, size_t maxLength) {
    std::string out;
    for (char c : text) {
        if (isNameChar(c)) {
            out.push_back(c);
        } else if (!out.empty() && out.back() != '-') {
            out.push_back('-');
        }
        if (out.size() >= maxLength) break;
    }
    while (!out.empty() && (out.back() == '-' || out.back() == '.')) out.pop_back();
    while (!out.empty() && out.front() == '.') out.erase(0, 1);  // no hidden files
    return out.empty() ? "x" : out;
}

}  // namespace sv::farm
