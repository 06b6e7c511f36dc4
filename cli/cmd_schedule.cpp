// `sanavideo schedule`: prints the timesteps and sigmas of a scheduler (the scheduler demo).
#include <cstdio>
#include <memory>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include "base/error.h"
#include "cli_options.h"
#include "commands.h"
#include "schedulers/scheduler.h"
#include "terminal_text.h"

namespace sv::cli {

namespace {

struct ScheduleOptions {
    std::string name, config;
    int steps = 0;
    std::optional<double> shift;
};

int runSchedule(const ScheduleOptions& o) {
    if (o.name.empty() && o.config.empty()) {  // a command-line mistake: exit code 2, as CLI11's own
        printError("schedule", "give --scheduler NAME or --config FILE (see sanavideo schedule --help)");
        return 2;
    }
    std::unique_ptr<Scheduler> s =
        o.config.empty() ? makeSchedulerByShortName(o.name, o.shift) : loadScheduler(o.config);
    s->setTimesteps(o.steps);
    printLine(stdout,
              concat(s->className(), " (", s->shortName(), "), ", s->numSteps(), " steps",
                     o.config.empty() ? concat(", shift ", o.shift.value_or(8.0)) : concat(", ", o.config)));
    std::printf("%5s  %-18s %-13s %s\n", "step",
                s->integerTimesteps() ? "timestep (int64)" : "timestep (float32)", "sigma", "sigma_next");
    for (int i = 0; i < s->numSteps(); ++i) {
        const double t = s->timesteps()[size_t(i)];
        std::printf("%5d  %-18.9g %-13.9g %.9g\n", i, t, double(s->sigmas()[size_t(i)]),
                    double(s->sigmas()[size_t(i) + 1]));
    }
    return 0;
}

}  // namespace

CommandRun setupSchedule(CLI::App& cmd) {
    cmd.footer(
        "Prints the timesteps the model receives and the sigmas of each step, exactly as diffusers computes "
        "them. Schedulers: dpm (DPMSolverMultistepScheduler, flow sigmas: SANA-Video text-to-video), euler "
        "(FlowMatchEulerDiscreteScheduler: SANA-Video image-to-video), unipc (UniPCMultistepScheduler, flow "
        "sigmas).");
    auto o = std::make_shared<ScheduleOptions>();
    auto* name = cmd.add_option("--scheduler", o->name, "dpm | euler | unipc");
    auto* config =
        cmd.add_option("--config", o->config, "a diffusers scheduler_config.json instead of a name");
    name->excludes(config);
    addInteger(cmd, "--steps", o->steps, 1, 100000, "number of inference steps")->required();
    addNumber(cmd, "--shift", o->shift, 1e-6, 1e6, "flow shift with --scheduler (default 8, SANA-Video's)")
        ->excludes(config);
    return [o] { return runSchedule(*o); };
}

}  // namespace sv::cli
