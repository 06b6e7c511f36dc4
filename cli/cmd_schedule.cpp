// `sanavideo schedule`: prints the timesteps and sigmas of a scheduler (the scheduler demo).
#include <charconv>
#include <cstdio>
#include <optional>
#include <string>

#include "base/error.h"
#include "commands.h"
#include "schedulers/scheduler.h"

namespace sv::cli {

namespace {

void printUsage() {
    std::printf(
        "usage: sanavideo schedule --scheduler dpm|euler|unipc --steps N [--shift S]\n"
        "       sanavideo schedule --config SCHEDULER_CONFIG_JSON --steps N\n\n"
        "Prints the timesteps the model receives and the sigmas of each step, exactly as diffusers computes "
        "them.\n"
        "  dpm    DPMSolverMultistepScheduler, flow sigmas (SANA-Video text-to-video)\n"
        "  euler  FlowMatchEulerDiscreteScheduler (SANA-Video image-to-video)\n"
        "  unipc  UniPCMultistepScheduler, flow sigmas\n"
        "--shift defaults to 8 (SANA-Video); --config reads a diffusers scheduler_config.json instead.\n");
}

int parseInt(const std::string& s, const char* what) {
    int v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    SV_CHECK(ec == std::errc() && p == s.data() + s.size(), what, ": \"", s, "\" is not an integer");
    return v;
}

double parseDouble(const std::string& s, const char* what) {
    try {
        size_t used = 0;
        const double v = std::stod(s, &used);
        if (used == s.size()) return v;
    } catch (const std::exception&) {
    }
    fail(what, ": \"", s, "\" is not a number");
}

}  // namespace

int runSchedule(Args args) {
    std::string name, config;
    std::optional<int> steps;
    std::optional<double> shift;
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (a == "--help" || a == "-h") {
            printUsage();
            return 0;
        }
        if (i + 1 >= args.size()) {
            std::fprintf(stderr, "sanavideo schedule: %s needs a value\n", a.c_str());
            printUsage();
            return 2;
        }
        const std::string& v = args[++i];
        if (a == "--scheduler") {
            name = v;
        } else if (a == "--config") {
            config = v;
        } else if (a == "--steps") {
            steps = parseInt(v, "--steps");
        } else if (a == "--shift") {
            shift = parseDouble(v, "--shift");
        } else {
            std::fprintf(stderr, "sanavideo schedule: unknown option %s\n", a.c_str());
            printUsage();
            return 2;
        }
    }
    if (!steps || name.empty() == config.empty() || (shift && !config.empty())) {
        printUsage();
        return 2;
    }
    std::unique_ptr<Scheduler> s =
        config.empty() ? makeSchedulerByShortName(name, shift) : loadScheduler(config);
    s->setTimesteps(*steps);
    std::printf(
        "%s (%.*s), %d steps%s\n", std::string(s->className()).c_str(), int(s->shortName().size()),
        s->shortName().data(), s->numSteps(),
        config.empty() ? concat(", shift ", shift.value_or(8.0)).c_str() : concat(", ", config).c_str());
    std::printf("%5s  %-18s %-13s %s\n", "step",
                s->integerTimesteps() ? "timestep (int64)" : "timestep (float32)", "sigma", "sigma_next");
    for (int i = 0; i < s->numSteps(); ++i) {
        const double t = s->timesteps()[size_t(i)];
        std::printf("%5d  %-18.9g %-13.9g %.9g\n", i, t, double(s->sigmas()[size_t(i)]),
                    double(s->sigmas()[size_t(i) + 1]));
    }
    return 0;
}

}  // namespace sv::cli
