// FlowMatchEulerDiscreteScheduler: parity with the diffusers fixtures (including the double shift of σ_min)
// and the custom sigma / timestep lists diffusers accepts.
#include <cmath>

#include "scheduler_parity.h"
#include "schedulers/flow_match_euler.h"

namespace sv {
namespace {

const std::string kKind = "flow_euler";

TEST(SchedulerEuler, TimestepsAndSigmasExact) {
    test::expectSchedulesExact(kKind);
}

TEST(SchedulerEuler, TraceMatchesDiffusers) {
    const double worst = test::expectTraceMatches(kKind);
    std::printf("worst rel L2 over the FlowMatch Euler trace: %.3g\n", worst);
}

// The last nonzero sigma is shift applied twice to 1/T: once in the training table, once in set_timesteps.
TEST(SchedulerEuler, ShiftsSigmaMinTwice) {
    auto s = test::fixtureScheduler(kKind);
    const auto* euler = dynamic_cast<const FlowMatchEulerDiscrete*>(s.get());
    ASSERT_NE(euler, nullptr);
    const double shift = euler->settings().shift;
    const double T = euler->settings().numTrainTimesteps;
    auto once = [&](double x) { return shift * x / (1.0 + (shift - 1.0) * x); };
    EXPECT_NEAR(euler->sigmaMin(), once(1.0 / T), 1e-7);
    s->setTimesteps(3);
    EXPECT_NEAR(s->sigmas()[2], once(once(1.0 / T)), 1e-6);
    EXPECT_FALSE(s->integerTimesteps());
}

// Custom lists (diffusers: np.array(...).astype(np.float32), then shifted in float32; timesteps = σ·T).
TEST(SchedulerEuler, CustomSigmasAndTimesteps) {
    auto s = makeSchedulerByShortName("euler", 3.3);  // a shift that float32 does not represent exactly
    const std::vector<double> custom = {1.0, 0.7, 0.35, 0.1};
    s->setCustomSigmas(custom);
    ASSERT_EQ(s->numSteps(), 4);
    const float a = float(3.3), b = float(2.3);
    for (size_t i = 0; i < custom.size(); ++i) {
        const float x = float(custom[i]);
        const float expected = a * x / (1.0f + b * x);
        EXPECT_EQ(s->sigmas()[i], expected) << i;
        EXPECT_EQ(s->timesteps()[i], double(expected * 1000.0f)) << i;
    }
    EXPECT_EQ(s->sigmas()[4], 0.0f);

    const std::vector<double> ts = {1000.0, 700.0, 350.0, 100.0};
    s->setCustomTimesteps(ts);
    for (size_t i = 0; i < ts.size(); ++i) {
        const float x = float(ts[i]) / 1000.0f;
        EXPECT_EQ(s->sigmas()[i], a * x / (1.0f + b * x)) << i;
    }
    EXPECT_EQ(s->stepIndex(), 0);
    EXPECT_THROW(s->setCustomSigmas(std::vector<double>{}), Error);
    EXPECT_THROW(s->setCustomSigmas(std::vector<double>{0.5, NAN}), Error);
}

TEST(SchedulerEuler, StepIsEulerOnTheSigmaTable) {
    auto s = makeSchedulerByShortName("euler", 8.0);
    s->setTimesteps(5);
    Tensor x = Tensor::fromFloats(std::vector<float>{1.0f, -2.0f, 0.5f}, {3});
    Tensor v = Tensor::fromFloats(std::vector<float>{0.25f, 1.0f, -3.0f}, {3});
    for (int i = 0; i < 5; ++i) {
        const std::vector<float> before = x.toFloatVector();
        x = s->step(v, x);
        const float dt = s->sigmas()[size_t(i) + 1] - s->sigmas()[size_t(i)];
        const std::vector<float> after = x.toFloatVector();
        const std::vector<float> vv = v.toFloatVector();
        for (size_t k = 0; k < 3; ++k) EXPECT_FLOAT_EQ(after[k], before[k] + dt * vv[k]);
    }
    EXPECT_THROW(s->step(v, x), Error);
}

TEST(SchedulerEuler, RejectsUnsupportedSettings) {
    for (const char* key :
         {"use_dynamic_shifting", "invert_sigmas", "stochastic_sampling", "use_karras_sigmas"}) {
        try {
            makeScheduler("FlowMatchEulerDiscreteScheduler", {{key, true}}, "euler.json");
            ADD_FAILURE() << key << " accepted";
        } catch (const Error& e) {
            EXPECT_NE(std::string(e.what()).find(key), std::string::npos) << e.what();
            EXPECT_NE(std::string(e.what()).find("euler.json"), std::string::npos) << e.what();
        }
    }
    EXPECT_THROW(makeScheduler("FlowMatchEulerDiscreteScheduler", {{"shift_terminal", 0.1}}, "e.json"),
                 Error);
    EXPECT_THROW(makeScheduler("FlowMatchEulerDiscreteScheduler", {{"shift", 0.0}}, "e.json"), Error);
    EXPECT_THROW(makeScheduler("FlowMatchEulerDiscreteScheduler", {{"shift", true}}, "e.json"), Error);
    EXPECT_THROW(makeScheduler("EulerDiscreteScheduler", nlohmann::json::object(), "e.json"), Error);
}

}  // namespace
}  // namespace sv
