// `sanavideo sweep GRAPH --set-axis NODE.PARAM=SPEC ...`: every variant of a sweep in one process, the models
// loaded once (one Executor, its cache kept between variants). `--job DIR --task N` is what a farm task runs.
#ifdef SV_CLI_WITH_PLUGIN
#include <climits>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "base/error.h"
#include "cli_options.h"
#include "commands.h"
#include "farm_cli.h"
#include "node_packs.h"
#include "plugin/farm/farm_records.h"
#include "sweep_loop.h"
#include "terminal_text.h"

namespace sv::cli {

int runFarmTask(const plugin::NodeRegistry& registry, const fs::path& jobDir, int task,
                const std::string& submission);

namespace {

struct SweepCommand {
    SweepOptions sweep;
    std::string outputDir = ".";
    std::vector<std::string> pluginDirs;
    bool list = false;
    std::string saveSpec, jobDir, submission;
    int task = -1;
};

int runLocalSweep(const plugin::NodeRegistry& registry, const farm::Sweep& sweep, const fs::path& outputDir) {
    const CancelOnSignals signals;
    plugin::Executor executor(registry);
    farm::SweepRunnerOptions options;
    options.outputDir = outputDir;
    farm::SweepRunner runner(registry, sweep.graph, options, cliRunFunction(executor, signals, "sweep"));
    const SweepTally tally = runSweepLoop(runner, sweep.variants, signals, "sweep");
    printLine(stderr, concat("sanavideo sweep: ", tally.summary(sweep.variants.size())));
    for (const std::string& f : tally.failures) printLine(stderr, concat("  failed: ", f));
    if (tally.cancelled && signals.requested())
        printLine(stderr,
                  concat("sanavideo sweep: cancelled by ", CancelOnSignals::describe(signals.signal())));
    return tally.exitCode(signals);
}

int runSweep(const SweepCommand& o) {
    plugin::NodeRegistry registry;
    loadNodePacks(registry, {o.pluginDirs.begin(), o.pluginDirs.end()}, "sweep");
    if (!o.jobDir.empty()) return runFarmTask(registry, o.jobDir, o.task, o.submission);
    if (o.sweep.input.empty()) {
        printError("sweep",
                   "give a graph or a sweep spec, or --job DIR --task N (see sanavideo sweep --help)");
        return 2;
    }
    const farm::SweepSpec spec = o.sweep.spec();
    if (!o.saveSpec.empty()) {
        const fs::path file = fs::absolute(o.saveSpec);
        farm::writeJsonAtomically(file, spec.toJson(file.parent_path()));
        printLine(stderr, concat("sanavideo sweep: wrote ", file.string()));
    }
    const farm::Sweep prepared = farm::prepareSweep(spec, registry);
    if (o.list) {
        printVariants(prepared.variants);
        return 0;
    }
    return runLocalSweep(registry, prepared, o.outputDir);
}

}  // namespace

CommandRun setupSweep(CLI::App& cmd) {
    cmd.footer(
        "Runs every variant of a sweep in this process: the graph once per combination of the axes' values, "
        "the models loaded once (the executor's cache is kept between variants). Each variant is named by "
        "its values (003_seed-3); that name becomes every output's file name (003_seed-3.mp4), and an "
        "existing file is never overwritten. A failing variant is reported and the next one runs. Ctrl-C, "
        "SIGTERM and SIGHUP stop within one step. Exit code: 0 when every variant is done, 1 when one "
        "failed, 128 + the signal when interrupted (130 for Ctrl-C).\n\n"
        "Examples:\n"
        "  sanavideo sweep t2v.json --set-axis sampler.seed=1..4 --list\n"
        "  sanavideo sweep t2v.json --set-axis sampler.seed=1..4 --set-axis text_encode.prompt=@prompts.txt "
        "--output-dir out\n\n"
        "--job and --task are what a farm task runs (sanavideo submit writes them into the batch script); "
        "the graph, axes and outputs then come from the job folder. See docs/FARM.md.");
    auto o = std::make_shared<SweepCommand>();
    const std::vector<CLI::Option*> sweepOptions = o->sweep.addTo(cmd, false);
    CLI::Option* out =
        cmd.add_option("--output-dir", o->outputDir, "where the outputs go (default: the current folder)")
            ->type_name("DIR");
    cmd.add_option(
           "--plugin-dir", o->pluginDirs,
           "also load node packs from DIR (searched before SV_PLUGIN_PATH and the install; repeatable)")
        ->type_name("DIR")
        ->allow_extra_args(false);
    CLI::Option* list = cmd.add_flag("--list", o->list, "print the variants and their values, run nothing");
    CLI::Option* save = cmd.add_option("--save-spec", o->saveSpec,
                                       "also write the sweep (graph, axes, overrides) as a spec file, to run "
                                       "or submit again by its name")
                            ->type_name("FILE");
    CLI::Option* job =
        cmd.add_option("--job", o->jobDir, "farm task: the job folder (written by sanavideo submit)")
            ->type_name("DIR");
    CLI::Option* task =
        addInteger(cmd, "--task", o->task, 0, INT_MAX, "farm task: the task number (its chunk of variants)")
            ->type_name("N");
    cmd.add_option("--submission", o->submission, "farm task: the manager's job id, for its records")
        ->type_name("ID")
        ->needs(job);
    job->needs(task);
    task->needs(job);
    // A farm task's graph, axes and outputs come from its job folder.
    for (CLI::Option* other : sweepOptions) job->excludes(other);
    for (CLI::Option* other : {out, list, save}) job->excludes(other);
    return [o] { return runSweep(*o); };
}

}  // namespace sv::cli
#endif  // SV_CLI_WITH_PLUGIN
