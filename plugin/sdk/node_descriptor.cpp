#include "plugin/sdk/node_descriptor.h"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <set>

#include "plugin/sdk/output_path.h"

namespace sv::plugin {

namespace {

bool isIdentifier(std::string_view s) {
    if (s.empty()) return false;
    auto ok = [](char c, bool first) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' ||
               (!first && c >= '0' && c <= '9');
    };
    for (size_t i = 0; i < s.size(); ++i)
        if (!ok(s[i], i == 0)) return false;
    return true;
}

bool isTypeId(std::string_view s) {
    if (s.empty()) return false;
    return std::all_of(s.begin(), s.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
    });
}

std::string jsonKind(const nlohmann::json& j) {
    if (j.is_boolean()) return "bool";
    if (j.is_number_integer()) return "integer";
    if (j.is_number()) return "number";
    if (j.is_string()) return "string";
    if (j.is_array()) return "array";
    if (j.is_object()) return "object";
    return "null";
}

std::string fmtNum(double v) {
    if (std::floor(v) == v && std::fabs(v) < 1e15) return std::to_string(int64_t(v));
    return Value::fromFloat(v).describe();
}

/// Why `x` is off the parameter's step grid (min + k·step), naming the nearest valid value, or "".
std::string gridProblem(const ParamSpec& p, double x) {
    if (!p.onGrid || !p.step || *p.step <= 0) return {};
    const double k = (x - p.min.value_or(0.0)) / *p.step;
    if (std::fabs(k - std::round(k)) < 1e-9) return {};
    const std::string rule = p.gridRule();
    return concat(fmtNum(x), " is not ", rule.starts_with("multiple") ? "a " : "", rule,
                  " (nearest: ", fmtNum(p.nearestValid(x)), ")");
}

}  // namespace

// ---- ParamSpec
// ---------------------------------------------------------------------------------------------------

ParamSpec ParamSpec::integer(std::string name, int64_t def) {
    ParamSpec p;
    p.name = std::move(name);
    p.type = PortType::Int;
    p.defaultValue = Value::fromInt(def);
    return p;
}

ParamSpec ParamSpec::real(std::string name, double def) {
    ParamSpec p;
    p.name = std::move(name);
    p.type = PortType::Float;
    p.defaultValue = Value::fromFloat(def);
    return p;
}

ParamSpec ParamSpec::text(std::string name, std::string def) {
    ParamSpec p;
    p.name = std::move(name);
    p.type = PortType::String;
    p.defaultValue = Value::fromString(std::move(def));
    return p;
}

ParamSpec ParamSpec::boolean(std::string name, bool def) {
    ParamSpec p;
    p.name = std::move(name);
    p.type = PortType::Bool;
    p.defaultValue = Value::fromBool(def);
    return p;
}

ParamSpec ParamSpec::path(std::string name, std::string def, PathMode mode) {
    ParamSpec p;
    p.name = std::move(name);
    p.type = PortType::Path;
    p.defaultValue = Value::fromString(std::move(def));
    p.pathMode = mode;
    return p;
}

ParamSpec ParamSpec::choice(std::string name, std::vector<std::string> choices, std::string def) {
    ParamSpec p;
    p.name = std::move(name);
    p.type = PortType::Enum;
    p.choices = std::move(choices);
    p.defaultValue = Value::fromString(std::move(def));
    return p;
}

ParamSpec ParamSpec::outputFile(std::string name, std::string def) {
    ParamSpec p = text(std::move(name), std::move(def));
    p.outputName = true;
    return p;
}

ParamSpec& ParamSpec::range(double lo, double hi) {
    min = lo;
    max = hi;
    return *this;
}
ParamSpec& ParamSpec::withStep(double s) {
    step = s;
    return *this;
}
ParamSpec& ParamSpec::onStepGrid(double s) {
    step = s;
    onGrid = true;
    return *this;
}
ParamSpec& ParamSpec::withHelp(std::string h) {
    help = std::move(h);
    return *this;
}
ParamSpec& ParamSpec::withCaption(std::string c) {
    caption = std::move(c);
    return *this;
}
ParamSpec& ParamSpec::withFilter(std::string f) {
    fileFilter = std::move(f);
    return *this;
}
ParamSpec& ParamSpec::asMultiline(bool on) {
    multiline = on;
    return *this;
}
ParamSpec& ParamSpec::showOnNode(bool on) {
    onNode = on;
    return *this;
}
ParamSpec& ParamSpec::fromInput(std::string input) {
    takenFromInput = std::move(input);
    return *this;
}

std::string ParamSpec::gridRule() const {
    if (!onGrid || !step || *step <= 0) return {};
    const double origin = min.value_or(0.0);
    if (std::fmod(origin, *step) == 0.0) return concat("multiple of ", fmtNum(*step));
    return concat(fmtNum(origin), " + ", fmtNum(*step), "·k");
}

double ParamSpec::nearestValid(double x) const {
    if (onGrid && step && *step > 0) {
        const double base = min.value_or(0.0);
        x = base + std::round((x - base) / *step) * *step;
        if (max && x > *max) x -= std::ceil((x - *max) / *step) * *step;
        if (x < base) x = base;
        return x;
    }
    if (min && x < *min) x = *min;
    if (max && x > *max) x = *max;
    return x;
}

Value ParamSpec::fromJson(const nlohmann::json& j) const {
    if (j.is_null()) {
        if (type == PortType::Float && defaultValue.kind() == Value::Kind::Int)
            return Value::fromFloat(defaultValue.toFloat());
        return defaultValue;
    }
    auto mismatch = [&]() -> Value {
        fail("parameter '", name, "' expects ", portTypeName(type), ", got ", jsonKind(j), " ",
             excerpt(j.dump(), 80));
    };
    if (type == PortType::Int) {
        if (j.is_number_integer()) return Value::fromInt(j.get<int64_t>());
        if (j.is_number_float()) {
            double d = j.get<double>();
            if (std::isfinite(d) && std::floor(d) == d && std::fabs(d) < 9.2e18)
                return Value::fromInt(int64_t(d));
        }
        return mismatch();
    }
    if (type == PortType::Float) return j.is_number() ? Value::fromFloat(j.get<double>()) : mismatch();
    if (type == PortType::Bool) return j.is_boolean() ? Value::fromBool(j.get<bool>()) : mismatch();
    if (type == PortType::String || type == PortType::Path || type == PortType::Enum)
        return j.is_string() ? Value::fromString(j.get<std::string>()) : mismatch();
    fail("parameter '", name, "' has non-parameter type ", portTypeName(type));
}

nlohmann::json ParamSpec::toJson(const Value& v) {
    switch (v.kind()) {
        case Value::Kind::None:
            return nullptr;
        case Value::Kind::Int:
            return v.toInt();
        case Value::Kind::Float:
            return v.toFloat();
        case Value::Kind::Bool:
            return v.toBool();
        case Value::Kind::String:
            return v.toString();
        case Value::Kind::Object:
            fail("an object value (", v.describe(), ") cannot be a parameter");
    }
    return nullptr;
}

std::optional<nlohmann::json> ParamSpec::tryParseText(std::string_view text, std::string& problem) const {
    const std::string quoted = concat("\"", excerpt(text, 80), "\"");  // text from the command line
    if (type == PortType::Int) {
        int64_t v = 0;
        auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
        if (ec == std::errc::result_out_of_range && ptr == text.data() + text.size()) {
            const bool negative = text.starts_with('-');
            problem = negative ? concat(excerpt(text, 80), " is below the minimum ",
                                        min ? fmtNum(*min) : "of a 64-bit integer")
                               : concat(excerpt(text, 80), " is above the maximum ",
                                        max ? fmtNum(*max) : "of a 64-bit integer");
            return std::nullopt;
        }
        if (ec != std::errc() || ptr != text.data() + text.size() || text.empty()) {
            problem = concat(quoted, " is not an integer");
            return std::nullopt;
        }
        return v;
    }
    if (type == PortType::Float) {
        const std::string s(text);
        char* end = nullptr;
        errno = 0;
        const double v = s.empty() ? 0.0 : std::strtod(s.c_str(), &end);
        if (s.empty() || end != s.c_str() + s.size()) {
            problem = concat(quoted, " is not a number");
            return std::nullopt;
        }
        if (errno == ERANGE || !std::isfinite(v)) {
            problem = concat(quoted, " is not a finite number in range");
            return std::nullopt;
        }
        return v;
    }
    if (type == PortType::Bool) {
        std::string s;
        for (char c : text) s.push_back(char(std::tolower(static_cast<unsigned char>(c))));
        if (s == "true" || s == "1" || s == "yes" || s == "on") return true;
        if (s == "false" || s == "0" || s == "no" || s == "off") return false;
        problem = concat(quoted, " is not true or false");
        return std::nullopt;
    }
    if (type == PortType::String || type == PortType::Path || type == PortType::Enum)
        return std::string(text);
    problem = concat("has the non-parameter type ", portTypeName(type));
    return std::nullopt;
}

nlohmann::json ParamSpec::parseText(std::string_view text) const {
    std::string problem;
    auto j = tryParseText(text, problem);
    if (!j) fail("parameter '", name, "': ", problem);
    return std::move(*j);
}

std::string ParamSpec::checkValue(const Value& v) const {
    if (type == PortType::Int || type == PortType::Float) {
        double x = 0;
        if (v.kind() == Value::Kind::Int)
            x = double(v.toInt());
        else if (v.kind() == Value::Kind::Float)
            x = v.toFloat();
        else
            return concat("expects ", portTypeName(type), ", got ", v.describe());
        if (type == PortType::Float && !std::isfinite(x))
            return concat(v.describe(), " is not a finite number");
        if (min && x < *min) return concat(v.describe(), " is below the minimum ", fmtNum(*min));
        if (max && x > *max) return concat(v.describe(), " is above the maximum ", fmtNum(*max));
        return gridProblem(*this, x);
    }
    if (outputName) {
        if (v.kind() != Value::Kind::String) return concat("expects a file name, got ", v.describe());
        return checkOutputPattern(v.toString());
    }
    if (type == PortType::Enum) {
        if (v.kind() != Value::Kind::String) return concat("expects ENUM, got ", v.describe());
        if (std::find(choices.begin(), choices.end(), v.toString()) == choices.end()) {
            std::string list;
            for (const auto& c : choices) list += (list.empty() ? "" : ", ") + c;
            return concat("\"", excerpt(v.toString(), 80), "\" is not one of: ", list);
        }
    }
    return {};
}

// ---- PortSpec
// ----------------------------------------------------------------------------------------------------

PortSpec PortSpec::required(std::string name, PortType t, std::string help) {
    return PortSpec{std::move(name), t, {}, false, std::move(help)};
}

PortSpec PortSpec::optionalInput(std::string name, PortType t, std::string help) {
    return PortSpec{std::move(name), t, {}, true, std::move(help)};
}

// ---- NodeDescriptor
// ----------------------------------------------------------------------------------------------

const PortSpec* NodeDescriptor::findInput(std::string_view n) const {
    for (const auto& p : inputs)
        if (p.name == n) return &p;
    return nullptr;
}

const PortSpec* NodeDescriptor::findOutput(std::string_view n) const {
    for (const auto& p : outputs)
        if (p.name == n) return &p;
    return nullptr;
}

const ParamSpec* NodeDescriptor::findParam(std::string_view n) const {
    for (const auto& p : params)
        if (p.name == n) return &p;
    return nullptr;
}

std::vector<std::string> NodeDescriptor::check() const {
    std::vector<std::string> problems;
    const std::string who = concat("node type '", typeId, "'");
    if (!isTypeId(typeId)) problems.push_back(concat(who, ": type id must be non-empty [a-z0-9_.-]"));
    if (version < 1) problems.push_back(concat(who, ": version ", version, " must be >= 1"));
    auto checkPorts = [&](const std::vector<PortSpec>& ports, std::string_view side) {
        std::set<std::string> seen;
        for (const auto& p : ports) {
            if (!isValidPortTypeId(p.type.id()))
                problems.push_back(concat(who, ": ", side, " port '", p.name, "' has no valid type"));
            if (!isIdentifier(p.name))
                problems.push_back(concat(who, ": ", side, " port name '", p.name, "' is not an identifier"));
            if (!seen.insert(p.name).second)
                problems.push_back(concat(who, ": duplicate ", side, " port '", p.name, "'"));
            if (side == "output" && p.optional)
                problems.push_back(concat(who, ": output port '", p.name, "' cannot be optional"));
        }
    };
    checkPorts(inputs, "input");
    checkPorts(outputs, "output");
    std::set<std::string> seen;
    for (const auto& p : params) {
        const std::string pw = concat(who, ": parameter '", p.name, "'");
        if (!isIdentifier(p.name)) problems.push_back(concat(pw, " is not an identifier"));
        if (!seen.insert(p.name).second)
            problems.push_back(concat(who, ": duplicate parameter '", p.name, "'"));
        if (!isPlainType(p.type)) {
            problems.push_back(concat(pw, " has type ", portTypeName(p.type), ", not a parameter type"));
            continue;
        }
        if (p.min && p.max && *p.min > *p.max) problems.push_back(concat(pw, ": minimum above maximum"));
        if (p.outputName && p.type != PortType::String)
            problems.push_back(concat(pw, ": an output file name must be a STRING parameter"));
        if (p.type == PortType::Enum && p.choices.empty())
            problems.push_back(concat(pw, ": ENUM without choices"));
        if (p.onGrid && (!p.step || *p.step <= 0 || (p.type != PortType::Int && p.type != PortType::Float)))
            problems.push_back(concat(pw, ": a step grid needs a positive step on an INT or FLOAT"));
        if (!p.takenFromInput.empty() && !findInput(p.takenFromInput))
            problems.push_back(
                concat(pw, ": taken from input '", p.takenFromInput, "', which is not an input"));
        try {
            Value def = p.fromJson(ParamSpec::toJson(p.defaultValue));
            if (p.defaultValue.isNone()) {
                problems.push_back(concat(pw, ": no default value"));
            } else if (auto why = p.checkValue(def); !why.empty()) {
                problems.push_back(concat(pw, ": default ", why));
            }
        } catch (const Error& e) {
            problems.push_back(concat(pw, ": default value: ", e.what()));
        }
    }
    return problems;
}

}  // namespace sv::plugin
