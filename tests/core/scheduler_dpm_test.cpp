// DPMSolverMultistepScheduler (flow sigmas): parity with the diffusers fixtures, the spec's unit-test vector
// and the >= 144-step schedules on which diffusers itself crashes.
#include <cmath>

#include "scheduler_parity.h"
#include "schedulers/dpm_solver_multistep.h"

namespace sv {
namespace {

const std::string kKind = "dpmsolver_flow";

TEST(SchedulerDpm, FixtureConfigLoadsDespiteMinusInfinity) {
    const auto path = test::schedulerFixtureDir() / (kKind + "_config") / "scheduler_config.json";
    const nlohmann::json j = readJsonFile(path);
    // The file diffusers writes holds lambda_min_clipped: -Infinity, which strict JSON parsers reject.
    ASSERT_TRUE(j.contains("lambda_min_clipped"));
    EXPECT_TRUE(std::isinf(j["lambda_min_clipped"].get<double>()));
    auto s = loadScheduler(path);
    EXPECT_EQ(s->className(), "DPMSolverMultistepScheduler");
    EXPECT_EQ(s->shortName(), "dpm");
    EXPECT_TRUE(s->integerTimesteps());
}

TEST(SchedulerDpm, TimestepsAndSigmasExact) {
    test::expectSchedulesExact(kKind);
}

TEST(SchedulerDpm, TraceMatchesDiffusers) {
    const double worst = test::expectTraceMatches(kKind);
    std::printf("worst rel L2 over the DPM trace: %.3g\n", worst);
}

// A hand-checkable vector (N = 4, shift 8; samples after each step as diffusers'
// DPMSolverMultistepScheduler.step gives them in float32): v = 0.25·(i+1) − 0.1·x at step i.
TEST(SchedulerDpm, SpecUnitVector) {
    auto s = makeSchedulerByShortName("dpm", 8.0);
    s->setTimesteps(4);
    const std::vector<double> ts(s->timesteps().begin(), s->timesteps().end());
    EXPECT_EQ(ts, (std::vector<double>{999, 959, 888, 727}));
    std::vector<float> x = {1.5409960746765137f,  -0.293428897857666f,  -2.1787893772125244f,
                            0.5684312582015991f,  -1.0845223665237427f, -1.3985954523086548f,
                            0.40334683656692505f, 0.8380263447761536f};
    const std::vector<std::vector<float>> expected = {
        {1.5371572971343994f, -0.30461061000823975f, -2.1975178718566895f, 0.5606994032859802f,
         -1.0988707542419434f, -1.414201021194458f, 0.39495423436164856f, 0.8313736915588379f},
        {1.5108367204666138f, -0.34404128789901733f, -2.250422716140747f, 0.5274282097816467f,
         -1.143955111503601f, -1.4615299701690674f, 0.3605031967163086f, 0.8000292181968689f},
        {1.3934011459350586f, -0.4915737509727478f, -2.4288876056671143f, 0.39403602480888367f,
         -1.304466724395752f, -1.6271944046020508f, 0.2244025468826294f, 0.6710602045059204f},
        {0.7676944136619568f, -1.254319667816162f, -3.3324778079986572f, -0.30432531237602234f,
         -2.1263105869293213f, -2.472500801086426f, -0.4862912893295288f, -0.007161259651184082f}};
    Tensor sample = Tensor::fromFloats(x, {8});
    for (int i = 0; i < 4; ++i) {
        std::vector<float> v(8);
        const std::vector<float> cur = sample.toFloatVector();
        for (size_t k = 0; k < 8; ++k) v[k] = 0.25f * float(i + 1) - 0.1f * cur[k];
        sample = s->step(Tensor::fromFloats(v, {8}), sample);
        SV_EXPECT_CLOSE(sample, Tensor::fromFloats(expected[size_t(i)], {8}), test::kSchedulerStepTolerance);
    }
}

// diffusers fails at shift 8 with >= 144 steps (the truncated first timestep 999 occurs twice, its index
// search starts one step late and runs off the table). Counting calls runs the whole schedule.
TEST(SchedulerDpm, ManyStepsRunToCompletion) {
    for (int n : {144, 150, 1000}) {
        SCOPED_TRACE(n);
        auto s = makeSchedulerByShortName("dpm", 8.0);
        s->setTimesteps(n);
        ASSERT_EQ(s->numSteps(), n);
        EXPECT_EQ(s->timesteps()[0], 999.0);
        EXPECT_EQ(s->timesteps()[1], 999.0);  // the duplicate that breaks diffusers
        for (int i = 0; i < n; ++i) {
            // σ_i = shift(0.999·(n − i)/n) up to float64 rounding; timesteps never increase.
            const double raw = 0.999 * double(n - i) / n;
            EXPECT_NEAR(s->sigmas()[size_t(i)], 8.0 * raw / (1.0 + 7.0 * raw), 1e-6);
            if (i > 0) {
                EXPECT_LT(s->sigmas()[size_t(i)], s->sigmas()[size_t(i) - 1]);
                EXPECT_LE(s->timesteps()[size_t(i)], s->timesteps()[size_t(i) - 1]);
            }
        }
        EXPECT_EQ(s->sigmas()[size_t(n)], 0.0f);
        Tensor x = Tensor::full({3}, 1.0f);
        Tensor v = Tensor::full({3}, 0.5f);
        Tensor last;
        for (int i = 0; i < n; ++i) {
            last = x;
            x = s->step(v, x);
        }
        // The final step lands on σ = 0 and returns the data prediction x − σ·v exactly.
        const float sigmaLast = s->sigmas()[size_t(n) - 1];
        for (float value : x.toFloatVector())
            EXPECT_FLOAT_EQ(value, float(double(last.toFloatVector()[0]) - double(sigmaLast) * 0.5));
        EXPECT_TRUE(s->finished());
        EXPECT_THROW(s->step(v, x), Error);
    }
}

TEST(SchedulerDpm, RejectsUnsupportedSettings) {
    auto expectError = [](nlohmann::json j, const std::string& key) {
        try {
            makeScheduler("DPMSolverMultistepScheduler", j, "cfg.json");
            ADD_FAILURE() << "accepted " << j.dump();
        } catch (const Error& e) {
            EXPECT_NE(std::string(e.what()).find(key), std::string::npos) << e.what();
            EXPECT_NE(std::string(e.what()).find("cfg.json"), std::string::npos) << e.what();
        }
    };
    const nlohmann::json ok = {
        {"prediction_type", "flow_prediction"}, {"use_flow_sigmas", true}, {"flow_shift", 8}};
    EXPECT_NO_THROW(makeScheduler("DPMSolverMultistepScheduler", ok, "cfg.json"));
    auto with = [&](const char* k, nlohmann::json v) {
        nlohmann::json j = ok;
        j[k] = std::move(v);
        return j;
    };
    expectError(with("use_flow_sigmas", false), "use_flow_sigmas");
    expectError(with("prediction_type", "epsilon"), "prediction_type");
    expectError(with("solver_order", 3), "solver_order");
    expectError(with("solver_type", "heun"), "solver_type");
    expectError(with("final_sigmas_type", "sigma_min"), "final_sigmas_type");
    expectError(with("use_karras_sigmas", true), "use_karras_sigmas");
    expectError(with("flow_shift", -1.0), "flow_shift");
    expectError(with("flow_shift", "8"), "flow_shift");
    expectError(with("solver_order", 2.5), "solver_order");
    expectError(nlohmann::json{{"use_flow_sigmas", true}},
                "prediction_type");  // diffusers' default is epsilon
}

TEST(SchedulerDpm, RejectsBadCalls) {
    auto s = makeSchedulerByShortName("dpm");
    Tensor x = Tensor::full({2}, 1.0f);
    EXPECT_THROW(s->step(x, x), Error);  // no schedule yet
    EXPECT_THROW(s->setTimesteps(0), Error);
    EXPECT_THROW(s->setTimesteps(Scheduler::kMaxSteps + 1), Error);
    const double ts[] = {999, 500};
    EXPECT_THROW(s->setCustomTimesteps(ts), Error);
    EXPECT_THROW(s->setCustomSigmas(ts), Error);
    s->setTimesteps(2);
    EXPECT_THROW(s->step(Tensor::full({3}, 1.0f), x), Error);  // shape mismatch
    EXPECT_EQ(s->stepIndex(), 0);
}

}  // namespace
}  // namespace sv
