// UniPCMultistepScheduler (flow, bh2 predictor-corrector): parity with the diffusers fixtures, long schedules
// and custom sigma lists.
#include <cmath>

#include "scheduler_parity.h"
#include "schedulers/unipc_multistep.h"

namespace sv {
namespace {

const std::string kKind = "unipc_flow";

TEST(SchedulerUniPc, TimestepsAndSigmasExact) {
    test::expectSchedulesExact(kKind);
}

TEST(SchedulerUniPc, TraceMatchesDiffusers) {
    const double worst = test::expectTraceMatches(kKind);
    std::printf("worst rel L2 over the UniPC trace: %.3g\n", worst);
}

TEST(SchedulerUniPc, FirstSigmaIsNudgedBelowOne) {
    auto s = test::fixtureScheduler(kKind);
    s->setTimesteps(4);
    EXPECT_LT(s->sigmas()[0], 1.0f);
    EXPECT_EQ(s->sigmas()[0], float(1.0 - 1e-6));
}

// Like DPM, long shift-8 schedules start with a duplicated timestep 999; counting calls runs them to the end.
TEST(SchedulerUniPc, ManyStepsRunToCompletion) {
    auto s = makeSchedulerByShortName("unipc", 8.0);
    const int n = 200;
    s->setTimesteps(n);
    EXPECT_EQ(s->timesteps()[0], 999.0);
    EXPECT_EQ(s->timesteps()[1], 999.0);
    Tensor x = Tensor::full({4}, 1.0f);
    Tensor v = Tensor::full({4}, 0.5f);
    for (int i = 0; i < n; ++i) x = s->step(v, x);
    for (float value : x.toFloatVector()) EXPECT_TRUE(std::isfinite(value));
    EXPECT_TRUE(s->finished());
    EXPECT_THROW(s->step(v, x), Error);
}

// A constant velocity field is integrated exactly by every flow solver: x_σ = x_1 − (1 − σ)·v.
TEST(SchedulerUniPc, ExactOnConstantVelocity) {
    auto s = makeSchedulerByShortName("unipc", 8.0);
    s->setTimesteps(12);
    const float x1 = 0.75f, vel = 0.5f;
    Tensor x = Tensor::full({2}, x1 - (1.0f - s->sigmas()[0]) * vel);
    Tensor v = Tensor::full({2}, vel);
    for (int i = 0; i < 12; ++i) {
        x = s->step(v, x);
        const double expected = double(x1) - (1.0 - double(s->sigmas()[size_t(i) + 1])) * vel;
        EXPECT_NEAR(x.toFloatVector()[0], expected, 1e-5) << "step " << i;
    }
}

TEST(SchedulerUniPc, CustomSigmas) {
    auto s = makeSchedulerByShortName("unipc", 8.0);
    s->setTimesteps(5);
    const std::vector<float> standard(s->sigmas().begin(), s->sigmas().end());
    const std::vector<double> standardTs(s->timesteps().begin(), s->timesteps().end());
    // The standard schedule's unshifted grid, given as a custom list, reproduces it.
    std::vector<double> grid = numpyLinspace(1.0, 1.0 / 1000, 6);
    grid.pop_back();
    s->setCustomSigmas(grid);
    EXPECT_EQ(std::vector<float>(s->sigmas().begin(), s->sigmas().end()), standard);
    EXPECT_EQ(std::vector<double>(s->timesteps().begin(), s->timesteps().end()), standardTs);
    EXPECT_THROW(s->setCustomSigmas(std::vector<double>{0.5, 0.7}), Error);  // increasing
    EXPECT_THROW(s->setCustomSigmas(std::vector<double>{1.5, 0.7}), Error);  // > 1
    EXPECT_THROW(s->setCustomSigmas(std::vector<double>{0.5, 0.0}), Error);  // 0 inside
    EXPECT_THROW(s->setCustomTimesteps(std::vector<double>{999, 500}), Error);
}

TEST(SchedulerUniPc, RejectsUnsupportedSettings) {
    const nlohmann::json ok = {
        {"prediction_type", "flow_prediction"}, {"use_flow_sigmas", true}, {"flow_shift", 8}};
    EXPECT_NO_THROW(makeScheduler("UniPCMultistepScheduler", ok, "u.json"));
    auto expectError = [&](const char* key, nlohmann::json value) {
        nlohmann::json j = ok;
        j[key] = std::move(value);
        try {
            makeScheduler("UniPCMultistepScheduler", j, "u.json");
            ADD_FAILURE() << key << " accepted";
        } catch (const Error& e) {
            EXPECT_NE(std::string(e.what()).find(key), std::string::npos) << e.what();
        }
    };
    expectError("predict_x0", false);
    expectError("solver_order", 3);
    expectError("use_dynamic_shifting", true);
    expectError("shift_terminal", 0.1);
    expectError("lower_order_final", false);
    expectError("final_sigmas_type", "sigma_min");
    expectError("disable_corrector", "none");
}

}  // namespace
}  // namespace sv
