#include "io/json_util.h"

#include <limits>

namespace sv {

namespace {

// Python's json module writes NaN, Infinity and -Infinity. nlohmann rejects them, so they are replaced
// outside strings by placeholder numbers that cannot occur in real configs, then restored after parsing.
constexpr double kPosInf = 1.7976931348623157e308;  // DBL_MAX stands for +inf
constexpr double kNegInf = -1.7976931348623157e308;
constexpr const char* kPosInfText = "1.7976931348623157e308";
constexpr const char* kNegInfText = "-1.7976931348623157e308";
constexpr const char* kNanText = "1.7976931348623155e308";
constexpr double kNan = 1.7976931348623155e308;

constexpr int kMaxDepth = 512;  // configs nest a few levels; deeper input is refused, not recursed into

bool isDelimiter(char c) {
    return c == ',' || c == ':' || c == '[' || c == ']' || c == '{' || c == '}' || c == ' ' || c == '\t' ||
           c == '\n' || c == '\r';
}

// A Python literal counts only as a whole token (so "1Infinity" or "-NaN" stay invalid JSON).
bool literalAt(std::string_view text, size_t i, std::string_view literal) {
    if (text.substr(i, literal.size()) != literal) return false;
    const bool startOk = i == 0 || isDelimiter(text[i - 1]);
    const size_t after = i + literal.size();
    return startOk && (after == text.size() || isDelimiter(text[after]));
}

std::string replacePythonLiterals(std::string_view text, std::string_view source, bool& replaced) {
    std::string out;
    out.reserve(text.size());
    bool inString = false;
    int depth = 0;
    for (size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (inString) {
            out += c;
            if (c == '\\' && i + 1 < text.size()) {
                out += text[++i];
            } else if (c == '"') {
                inString = false;
            }
            continue;
        }
        if (c == '"') {
            inString = true;
            out += c;
        } else if (literalAt(text, i, "-Infinity")) {
            out += kNegInfText;
            i += 8;
            replaced = true;
        } else if (literalAt(text, i, "Infinity")) {
            out += kPosInfText;
            i += 7;
            replaced = true;
        } else if (literalAt(text, i, "NaN")) {
            out += kNanText;
            i += 2;
            replaced = true;
        } else {
            if (c == '[' || c == '{') {
                SV_CHECK(++depth <= kMaxDepth, source, ": invalid JSON: nested deeper than ", kMaxDepth,
                         " levels");
            } else if (c == ']' || c == '}') {
                --depth;
            }
            out += c;
        }
    }
    return out;
}

void restoreSpecials(nlohmann::json& j) {
    if (j.is_number_float()) {
        double v = j.get<double>();
        if (v == kPosInf)
            j = std::numeric_limits<double>::infinity();
        else if (v == kNegInf)
            j = -std::numeric_limits<double>::infinity();
        else if (v == kNan)
            j = std::numeric_limits<double>::quiet_NaN();
    } else if (j.is_structured()) {
        for (auto& e : j) restoreSpecials(e);
    }
}

}  // namespace

namespace detail {
std::string jsonTypeName(const nlohmann::json& v) {
    return v.type_name();
}
}  // namespace detail

nlohmann::json parseJsonLenient(std::string_view text, std::string_view source) {
    bool replaced = false;
    const std::string strict = replacePythonLiterals(text, source, replaced);
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(strict);
    } catch (const nlohmann::json::exception& e) {  // parse_error, or out_of_range for numbers like 1e999
        fail(source, ": invalid JSON: ", excerpt(e.what(), 300));
    }
    if (replaced) restoreSpecials(j);  // recursion is bounded by kMaxDepth
    return j;
}

nlohmann::json readJsonFile(const std::filesystem::path& path, io::InputKind kind) {
    return parseJsonLenient(io::readInputFile(path, kind), path.string());
}

}  // namespace sv
