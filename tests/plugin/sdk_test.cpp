// SDK basics: values (hash, identity, accessors), parameter specs (JSON conversion, text parsing,
// range/choice checks), descriptor checks and the registry.
#include <cstdint>

#include <gtest/gtest.h>

#include "plugin/sdk/node_registry.h"
#include "plugin/sdk/test_context.h"
#include "test_nodes.h"

namespace sv::plugin {
namespace {

TEST(Value, PlainValuesHashByContentAndKind) {
    EXPECT_EQ(Value::fromInt(3).hash(), Value::fromInt(3).hash());
    EXPECT_NE(Value::fromInt(3).hash(), Value::fromInt(4).hash());
    EXPECT_NE(Value::fromInt(1).hash(), Value::fromBool(true).hash());
    EXPECT_NE(Value::fromInt(1).hash(), Value::fromFloat(1.0).hash());
    EXPECT_EQ(Value::fromString("a").hash(), Value::fromString("a").hash());
    EXPECT_NE(Value::fromString("a").hash(), Value::fromString("b").hash());
    EXPECT_EQ(Value::fromFloat(0.0).hash(), Value::fromFloat(-0.0).hash());
}

TEST(Value, ObjectsHashByIdentity) {
    auto p = std::make_shared<const int>(5);
    Value a = Value::object("t", p);
    Value b = Value::object("t", p);
    EXPECT_NE(a.hash(), b.hash()) << "each object gets a fresh identity";
    EXPECT_EQ(a.withIdentity(7).hash(), b.withIdentity(7).hash());
    EXPECT_EQ(a.withIdentity(7), b.withIdentity(7));
    EXPECT_NE(a.withIdentity(7).hash(), a.withIdentity(8).hash());
    EXPECT_EQ(*a.as<int>("t"), 5);
    Value c = Value::object("t", std::make_shared<int>(6));  // non-const payloads are accepted too
    EXPECT_EQ(c.get<int>("t"), 6);
    EXPECT_EQ(a.as<int>("other"), nullptr);
    EXPECT_THROW(a.get<int>("other"), Error);
}

TEST(Value, AccessorsNameTheMismatch) {
    try {
        Value::fromString("x").toInt();
        FAIL();
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("expected an int"), std::string::npos) << e.what();
    }
    EXPECT_DOUBLE_EQ(Value::fromInt(2).toFloat(), 2.0);
    ValueMap m;
    m.setLabel("input");
    try {
        m.get("model");
        FAIL();
    } catch (const Error& e) {
        EXPECT_STREQ(e.what(), "no input 'model'");
    }
}

TEST(Value, VideoSizeAndValidation) {
    auto v = std::make_shared<Video>();
    v->width = 4;
    v->height = 2;
    v->frameCount = 3;
    v->rgb.resize(4 * 2 * 3 * 3);
    Value val = Value::video(v);
    EXPECT_EQ(val.sizeBytes(), 72u);
    EXPECT_EQ(val.toVideo()->frame(2).size(), 24u);
    EXPECT_THROW(val.toVideo()->frame(3), Error);
    EXPECT_THROW(val.toImage(), Error);
    auto bad = std::make_shared<Video>(*v);
    bad->rgb.pop_back();
    EXPECT_THROW(Value::video(bad), Error);
}

TEST(ParamSpec, JsonConversionAndChecks) {
    auto steps = ParamSpec::integer("steps", 50).range(1, 1000);
    EXPECT_EQ(steps.fromJson(nullptr).toInt(), 50);
    EXPECT_EQ(steps.fromJson(12).toInt(), 12);
    EXPECT_EQ(steps.fromJson(12.0).toInt(), 12);
    EXPECT_THROW(steps.fromJson(12.5), Error);
    EXPECT_THROW(steps.fromJson("12"), Error);
    EXPECT_EQ(steps.checkValue(Value::fromInt(0)), "0 is below the minimum 1");
    EXPECT_EQ(steps.checkValue(Value::fromInt(1001)), "1001 is above the maximum 1000");
    EXPECT_EQ(steps.checkValue(Value::fromInt(1000)), "");

    auto sched = ParamSpec::choice("scheduler", {"dpm", "euler"}, "dpm");
    EXPECT_EQ(sched.checkValue(Value::fromString("euler")), "");
    EXPECT_EQ(sched.checkValue(Value::fromString("ddim")), "\"ddim\" is not one of: dpm, euler");

    auto g = ParamSpec::real("guidance", 6);
    EXPECT_EQ(g.fromJson(7).kind(), Value::Kind::Float);
}

TEST(ParamSpec, NearestValidIsWhatEditorsSnapTo) {
    auto frames = ParamSpec::integer("frames", 81).range(1, 1001).onStepGrid(4);
    EXPECT_EQ(frames.nearestValid(80), 81);
    EXPECT_EQ(frames.nearestValid(78), 77);
    EXPECT_EQ(frames.nearestValid(1003), 1001);  // within the range
    EXPECT_EQ(frames.nearestValid(-5), 1);
    EXPECT_EQ(ParamSpec::integer("width", 832).range(16, 4096).onStepGrid(16).nearestValid(100), 96);
    // Without a grid a step is only the editor's increment: the range alone.
    EXPECT_EQ(ParamSpec::integer("n", 5).range(1, 9).withStep(4).nearestValid(2), 2);
    EXPECT_EQ(ParamSpec::real("g", 6).range(0, 30).nearestValid(31), 30);
}

TEST(ParamSpec, OutputFileNames) {
    auto name = ParamSpec::outputFile("filename", "clip_{counter:05}");
    EXPECT_EQ(name.type, PortType::String);
    EXPECT_EQ(name.checkValue(Value::fromString("shots/a")), "");
    EXPECT_NE(name.checkValue(Value::fromString("/abs")).find("absolute path"), std::string::npos);

    NodeDescriptor d{"t.bad", 1, "Bad", "X"};
    d.params = {ParamSpec::outputFile("filename", "/etc/passwd")};
    const auto problems = d.check();
    ASSERT_EQ(problems.size(), 1u);
    EXPECT_NE(problems[0].find("default \"/etc/passwd\" is an absolute path"), std::string::npos)
        << problems[0];
}

TEST(ParamSpec, MessagesQuoteValuesCutAndEscaped) {
    const std::string huge(200000, '7');
    try {
        (void)ParamSpec::integer("seed", 0).parseText(huge + "\x1b");
        FAIL();
    } catch (const Error& e) {
        EXPECT_LT(std::string(e.what()).size(), 300u);
        EXPECT_NE(std::string(e.what()).find("(200001 bytes)"), std::string::npos) << e.what();
    }
    try {
        (void)ParamSpec::integer("seed", 0).fromJson(nlohmann::json(std::vector<int>(100000, 1)));
        FAIL();
    } catch (const Error& e) {
        EXPECT_LT(std::string(e.what()).size(), 300u);
    }
    EXPECT_LT(Value::fromString(huge).describe().size(), 100u);
}

TEST(ParamSpec, ParsesCommandLineText) {
    EXPECT_EQ(ParamSpec::integer("s", 0).parseText("-12"), nlohmann::json(-12));
    EXPECT_THROW(ParamSpec::integer("s", 0).parseText("12x"), Error);
    EXPECT_THROW(ParamSpec::integer("s", 0).parseText(""), Error);
    EXPECT_EQ(ParamSpec::real("g", 0).parseText("4.5"), nlohmann::json(4.5));
    EXPECT_THROW(ParamSpec::real("g", 0).parseText("nan"), Error);
    EXPECT_EQ(ParamSpec::boolean("b", false).parseText("Yes"), nlohmann::json(true));
    EXPECT_EQ(ParamSpec::boolean("b", false).parseText("off"), nlohmann::json(false));
    EXPECT_THROW(ParamSpec::boolean("b", false).parseText("maybe"), Error);
    EXPECT_EQ(ParamSpec::text("p").parseText("a=b c"), nlohmann::json("a=b c"));
}

TEST(ParamSpec, TextProblemsSayWhatIsWrong) {
    const ParamSpec seed = ParamSpec::integer("seed", 42).range(0, 9007199254740991.0);
    std::string problem;
    EXPECT_FALSE(seed.tryParseText("18446744073709551615", problem));
    EXPECT_EQ(problem, "18446744073709551615 is above the maximum 9007199254740991");
    EXPECT_FALSE(seed.tryParseText("-99999999999999999999", problem));
    EXPECT_EQ(problem, "-99999999999999999999 is below the minimum 0");
    EXPECT_FALSE(seed.tryParseText("forty", problem));
    EXPECT_EQ(problem, "\"forty\" is not an integer");
    ASSERT_TRUE(seed.tryParseText("-1", problem));
    EXPECT_EQ(seed.checkValue(seed.fromJson(*seed.tryParseText("-1", problem))), "-1 is below the minimum 0");
    EXPECT_FALSE(ParamSpec::real("g", 0).tryParseText("1e999", problem));
    EXPECT_EQ(problem, "\"1e999\" is not a finite number in range");
    EXPECT_FALSE(ParamSpec::boolean("b", false).tryParseText("maybe", problem));
    EXPECT_EQ(problem, "\"maybe\" is not true or false");
    try {
        seed.parseText("x");
        FAIL();
    } catch (const Error& e) {
        EXPECT_STREQ(e.what(), "parameter 'seed': \"x\" is not an integer");
    }
}

TEST(ParamSpec, StepGridIsAConstraint) {
    const ParamSpec width = ParamSpec::integer("width", 832).range(16, 4096).onStepGrid(16);
    EXPECT_EQ(width.checkValue(Value::fromInt(832)), "");
    EXPECT_EQ(width.checkValue(Value::fromInt(33)), "33 is not a multiple of 16 (nearest: 32)");
    EXPECT_EQ(width.gridRule(), "multiple of 16");
    const ParamSpec frames = ParamSpec::integer("frames", 81).range(1, 1001).onStepGrid(4);
    EXPECT_EQ(frames.checkValue(Value::fromInt(81)), "");
    EXPECT_EQ(frames.checkValue(Value::fromInt(10)), "10 is not 1 + 4·k (nearest: 9)");
    EXPECT_EQ(frames.checkValue(Value::fromInt(80)), "80 is not 1 + 4·k (nearest: 81)");
    EXPECT_EQ(frames.gridRule(), "1 + 4·k");
    // A plain step stays a UI increment.
    EXPECT_EQ(ParamSpec::integer("n", 4).range(0, 100).withStep(4).checkValue(Value::fromInt(5)), "");
    EXPECT_EQ(ParamSpec::integer("n", 4).range(0, 100).withStep(4).gridRule(), "");
    // A grid without a step is a descriptor error.
    NodeDescriptor d{"x.y", 1, "x", "y"};
    ParamSpec bad = ParamSpec::integer("n", 4);
    bad.onGrid = true;
    d.params = {bad};
    EXPECT_FALSE(d.check().empty());
}

TEST(NodeDescriptor, CheckListsEveryProblem) {
    NodeDescriptor d{"Bad Type", 0, "x", "y"};
    d.inputs = {PortSpec::required("a", PortType::Int), PortSpec::required("a", PortType::Int)};
    d.params = {ParamSpec::integer("n", 5).range(0, 3), ParamSpec::choice("c", {"x"}, "z"),
                ParamSpec::integer("1x", 0)};
    d.params.push_back(ParamSpec{"lat", "", PortType::Image});
    d.params.push_back(ParamSpec::integer("w", 16).range(16, 64).onStepGrid(16).fromInput("latent"));
    auto problems = d.check();
    auto has = [&](std::string_view s) {
        for (const auto& p : problems)
            if (p.find(s) != std::string::npos) return true;
        return false;
    };
    EXPECT_TRUE(has("type id")) << ::testing::PrintToString(problems);
    EXPECT_TRUE(has("version 0"));
    EXPECT_TRUE(has("duplicate input port 'a'"));
    EXPECT_TRUE(has("parameter 'n': default 5 is above the maximum 3"));
    EXPECT_TRUE(has("parameter 'c': default \"z\" is not one of: x"));
    EXPECT_TRUE(has("'1x' is not an identifier"));
    EXPECT_TRUE(has("type IMAGE, not a parameter type"));
    EXPECT_TRUE(has("parameter 'w': taken from input 'latent', which is not an input"));
}

TEST(NodeRegistry, RejectsDuplicatesAndInvalidDescriptors) {
    NodeRegistry r;
    test::registerTestNodes(r);
    EXPECT_NE(r.find("test.sampler"), nullptr);
    EXPECT_EQ(r.find("test.nope"), nullptr);
    NodeDescriptor d{"test.add", 1, "Add again", "Test"};
    EXPECT_THROW(r.add<test::AddNode>(d), Error);
    NodeDescriptor bad{"test.bad", 1, "Bad", "Test"};
    bad.params = {ParamSpec::integer("n", 50).range(1, 10)};
    EXPECT_THROW(r.add<test::AddNode>(bad), Error);
    EXPECT_THROW(r.create("test.nope"), Error);
    EXPECT_NE(r.create("test.add"), nullptr);

    // merge is all-or-nothing
    NodeRegistry other;
    other.add<test::AddNode>(NodeDescriptor{"other.x", 1, "X", "Other"});
    other.add<test::AddNode>(NodeDescriptor{"test.add", 1, "Dup", "Other"});
    size_t before = r.size();
    EXPECT_THROW(r.merge(std::move(other), "other-pack"), Error);
    EXPECT_EQ(r.size(), before);
    EXPECT_EQ(r.find("other.x"), nullptr);
}

TEST(TestNodeContext, RunsANodeOutsideTheExecutor) {
    NodeRegistry r;
    test::registerTestNodes(r);
    auto sampler = r.create("test.sampler");
    ValueMap in;
    in.set("model", Value::object("test.model", std::make_shared<const test::FakeModel>()));
    in.set("cond", Value::object("test.cond", std::make_shared<const test::FakeCond>()));
    ValueMap params;
    params.set("steps", Value::fromInt(10));
    params.set("step_ms", Value::fromInt(0));
    params.set("seed", Value::fromInt(1));
    TestNodeContext ctx;
    ctx.cancelAfterProgressCalls = 4;
    EXPECT_THROW(sampler->evaluate(in, params, ctx), sv::Cancelled);
    EXPECT_EQ(ctx.progressCalls.size(), 4u);
    EXPECT_EQ(ctx.previews.size(), 3u);
}

}  // namespace
}  // namespace sv::plugin
