// Shared scheduler parity checks against tests/data/reference/schedulers/<kind>.json and
// <kind>_trace.safetensors: timesteps and sigmas bit-exact for every stored schedule, every traced
// prev_sample within rel L2 1e-6 (tolerance table of the fixture README), both trace modes. Every setting
// (scheduler class, config, step counts, trace length) comes from the files.
#pragma once

#include <bit>
#include <cstdint>
#include <string>

#include <gtest/gtest.h>

#include "io/json_util.h"
#include "io/safetensors.h"
#include "schedulers/scheduler.h"
#include "support/reference.h"

namespace sv::test {

inline constexpr double kSchedulerStepTolerance = 1e-6;  // fixture README, "scheduler step prev_sample"

inline std::filesystem::path schedulerFixtureDir() {
    return referenceDir() / "schedulers";
}

inline nlohmann::json schedulerFixture(const std::string& kind) {
    return readJsonFile(schedulerFixtureDir() / (kind + ".json"));
}

/// The scheduler the fixture was made with, built from its saved scheduler_config.json.
inline std::unique_ptr<Scheduler> fixtureScheduler(const std::string& kind) {
    return loadScheduler(schedulerFixtureDir() / (kind + "_config") / "scheduler_config.json");
}

inline uint32_t parseF32Hex(const nlohmann::json& v) {
    return uint32_t(std::stoul(v.get<std::string>(), nullptr, 16));
}

inline void expectSchedulesExact(const std::string& kind) {
    const nlohmann::json fx = schedulerFixture(kind);
    auto sched = fixtureScheduler(kind);
    EXPECT_EQ(sched->className(), fx.at("scheduler_class").get<std::string>());
    ASSERT_FALSE(fx.at("schedules").empty());
    for (const auto& s : fx.at("schedules")) {
        const int n = s.at("num_inference_steps").get<int>();
        SCOPED_TRACE(kind + " with " + std::to_string(n) + " steps");
        sched->setTimesteps(n);
        ASSERT_EQ(sched->numSteps(), n);

        const auto& sigHex = s.at("sigmas_f32_hex");
        ASSERT_EQ(sched->sigmas().size(), sigHex.size());
        int sigmaMismatches = 0;
        for (size_t i = 0; i < sigHex.size(); ++i) {
            const uint32_t ours = std::bit_cast<uint32_t>(sched->sigmas()[i]);
            const uint32_t ref = parseF32Hex(sigHex[i]);
            if (ours != ref && ++sigmaMismatches <= 5)
                ADD_FAILURE() << "sigma " << i << ": ours " << std::hex << ours << " (" << sched->sigmas()[i]
                              << "), reference " << ref << std::dec;
        }
        EXPECT_EQ(sigmaMismatches, 0);

        const auto& ts = s.at("timesteps");
        ASSERT_EQ(sched->timesteps().size(), ts.size());
        const bool integer = s.at("timesteps_dtype").get<std::string>() == "int64";
        EXPECT_EQ(sched->integerTimesteps(), integer);
        int tsMismatches = 0;
        for (size_t i = 0; i < ts.size(); ++i) {
            const double ours = sched->timesteps()[i];
            bool same;
            if (integer) {
                same = ours == double(ts[i].get<int64_t>());
            } else {
                same = std::bit_cast<uint32_t>(float(ours)) == parseF32Hex(s.at("timesteps_f32_hex")[i]) &&
                       double(float(ours)) == ours;
            }
            if (!same && ++tsMismatches <= 5)
                ADD_FAILURE() << "timestep " << i << ": ours " << ours << ", reference " << ts[i].dump();
        }
        EXPECT_EQ(tsMismatches, 0);
    }
}

/// Runs both trace modes; returns the worst relative L2 error seen.
inline double expectTraceMatches(const std::string& kind) {
    const nlohmann::json fx = schedulerFixture(kind);
    const nlohmann::json& tr = fx.at("trace");
    const int n = tr.at("num_inference_steps").get<int>();
    auto file = SafetensorsFile::open(schedulerFixtureDir() / tr.at("file").get<std::string>());
    auto sched = fixtureScheduler(kind);
    double worst = 0;
    EXPECT_FALSE(tr.at("modes").empty());
    for (const auto& modeJson : tr.at("modes")) {
        const std::string mode = modeJson.get<std::string>();
        sched->setTimesteps(n);
        // The stored per-step schedule must be ours.
        for (const auto& st : tr.at("steps")) {
            const size_t i = st.at("i").get<size_t>();
            EXPECT_LT(i, size_t(n));
            if (i >= size_t(n)) continue;
            EXPECT_EQ(sched->timesteps()[i], st.at("timestep").get<double>()) << "step " << i;
            EXPECT_EQ(double(sched->sigmas()[i]), st.at("sigma").get<double>()) << "step " << i;
            EXPECT_EQ(double(sched->sigmas()[i + 1]), st.at("sigma_next").get<double>()) << "step " << i;
        }
        Tensor previous;
        for (int i = 0; i < n; ++i) {
            SCOPED_TRACE(kind + " trace " + mode + " step " + std::to_string(i));
            const std::string key = mode + "." + std::to_string(i);
            Tensor v = file->get(key + ".model_output");
            Tensor x = file->get(key + ".sample");
            Tensor ref = file->get(key + ".prev_sample");
            if (mode == "chained" && previous.defined()) {
                // The chained trace feeds prev_sample back; check the file agrees, then go on from it.
                EXPECT_EQ(compare(x, previous).maxAbs, 0.0);
            }
            EXPECT_EQ(sched->stepIndex(), i);
            Tensor out = sched->step(v, x);
            EXPECT_EQ(out.dtype(), DType::F32);
            SV_EXPECT_CLOSE(out, ref, kSchedulerStepTolerance);
            worst = std::max(worst, compare(out, ref).relL2);
            previous = ref;
        }
        EXPECT_TRUE(sched->finished());
    }
    return worst;
}

}  // namespace sv::test
