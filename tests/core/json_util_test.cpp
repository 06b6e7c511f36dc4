// Lenient JSON (Python's NaN/Infinity literals, as diffusers writes them) and typed key access.
#include <cmath>
#include <string>

#include <gtest/gtest.h>

#include "io/json_util.h"

namespace sv {
namespace {

void expectInvalid(const std::string& text, const std::string& fragment) {
    try {
        parseJsonLenient(text, "cfg.json");
        ADD_FAILURE() << "accepted: " << text;
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("cfg.json"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
    }
}

TEST(JsonUtil, PythonLiterals) {
    auto j = parseJsonLenient(R"({"a": -Infinity, "b": [Infinity, NaN], "s": "NaN -Infinity", "c":1})",
                              "cfg.json");
    EXPECT_TRUE(std::isinf(j["a"].get<double>()) && j["a"].get<double>() < 0);
    EXPECT_TRUE(std::isinf(j["b"][0].get<double>()) && j["b"][0].get<double>() > 0);
    EXPECT_TRUE(std::isnan(j["b"][1].get<double>()));
    EXPECT_EQ(j["s"], "NaN -Infinity");  // untouched inside strings
    EXPECT_EQ(j["c"], 1);
}

TEST(JsonUtil, LiteralsOnlyAsWholeTokens) {
    expectInvalid(R"({"a": 1Infinity})", "invalid JSON");
    expectInvalid(R"({"a": -NaN})", "invalid JSON");
    expectInvalid(R"({"a": Infinityx})", "invalid JSON");
    expectInvalid(R"({"a": 1e999})", "invalid JSON");  // out of double range
}

TEST(JsonUtil, DeepNestingIsRefused) {
    std::string deep(100000, '[');
    deep += std::string(100000, ']');
    expectInvalid(deep, "nested deeper");
    std::string ok(100, '[');
    ok += std::string(100, ']');
    EXPECT_NO_THROW(parseJsonLenient(ok, "cfg.json"));
}

TEST(JsonUtil, TypedAccessChecksTypeAndRange) {
    const auto j = parseJsonLenient(
        R"({"i": 7, "f": 7.0, "frac": 7.5, "big": 1e300, "huge": 9223372036854775807, "neg": -3,
            "s": "x", "v": [1, 2.0, 3], "vbad": [1, 1e40], "flt": 1e300})",
        "cfg.json");
    EXPECT_EQ(jsonRequire<int>(j, "i", "cfg.json"), 7);
    EXPECT_EQ(jsonRequire<int>(j, "f", "cfg.json"), 7);
    EXPECT_EQ(jsonRequire<int64_t>(j, "huge", "cfg.json"), 9223372036854775807);
    EXPECT_EQ(jsonRequire<std::vector<int>>(j, "v", "cfg.json"), (std::vector<int>{1, 2, 3}));
    EXPECT_DOUBLE_EQ(jsonRequire<double>(j, "big", "cfg.json"), 1e300);
    for (const char* key : {"frac", "big", "huge", "s"}) {
        try {
            jsonRequire<int>(j, key, "cfg.json");
            ADD_FAILURE() << key;
        } catch (const Error& e) {
            EXPECT_NE(std::string(e.what()).find(std::string("\"") + key + "\""), std::string::npos)
                << e.what();
            EXPECT_NE(std::string(e.what()).find("cfg.json"), std::string::npos) << e.what();
        }
    }
    EXPECT_THROW(jsonRequire<unsigned>(j, "neg", "cfg.json"), Error);
    EXPECT_THROW(jsonRequire<std::vector<int>>(j, "vbad", "cfg.json"), Error);
    EXPECT_THROW(jsonRequire<float>(j, "flt", "cfg.json"), Error);
    EXPECT_THROW(jsonRequire<int>(j, "absent", "cfg.json"), Error);
    EXPECT_EQ(jsonGet<int>(j, "absent", 5, "cfg.json"), 5);
    EXPECT_THROW(jsonGet<int>(j, "s", 5, "cfg.json"), Error);  // present but wrong type: still an error
}

}  // namespace
}  // namespace sv
