// `sanavideo sweep GRAPH --set-axis NODE.PARAM=SPEC ...`: every variant of a sweep in one process, the models
// loaded once (one Executor, its cache kept between variants). `--job DIR --task N` is what a farm task runs.
#ifdef SV_CLI_WITH_PLUGIN
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "base/error.h"
#include "commands.h"
#include "farm_cli.h"
#include "node_packs.h"
#include "plugin/farm/farm_records.h"
#include "sweep_loop.h"

namespace sv::cli {

int runFarmTask(const plugin::NodeRegistry& registry, const fs::path& jobDir, int task,
                const std::string& submission);

namespace {

int runLocalSweep(const plugin::NodeRegistry& registry, const farm::Sweep& sweep, const fs::path& outputDir) {
    plugin::Executor executor(registry);
    const CancelSignals signals;
    farm::SweepRunnerOptions options;
    options.outputDir = outputDir;
    farm::SweepRunner runner(registry, sweep.graph, options, cliRunFunction(executor, signals, "sweep"));
    const SweepTally tally = runSweepLoop(runner, sweep.variants, signals, "sweep");
    std::fprintf(stderr, "sanavideo sweep: %s\n", tally.summary(sweep.variants.size()).c_str());
    for (const std::string& f : tally.failures) std::fprintf(stderr, "  failed: %s\n", f.c_str());
    return tally.exitCode();
}

}  // namespace

int runSweep(Args args) {
    CLI::App app{
        "Runs every variant of a sweep in this process: the graph once per combination of the axes' values, "
        "the models loaded once (the executor's cache is kept between variants). Outputs are named by "
        "variant (Save Video's file name becomes the variant's name) and never overwrite existing files. "
        "Exit code: 0 when every variant is done, 1 when one failed, 130 when interrupted."};
    app.name("sanavideo sweep");
    SweepOptions sweep;
    sweep.addTo(app, false);
    std::string outputDir = ".";
    std::vector<std::string> pluginDirs;
    bool list = false;
    std::string saveSpec, jobDir, submission;
    int task = -1;
    app.add_option("--output-dir", outputDir, "where the outputs go (default: the current folder)");
    app.add_option("--plugin-dir", pluginDirs, "also load node packs from DIR")->allow_extra_args(false);
    app.add_flag("--list", list, "print the variants and their values, run nothing");
    app.add_option("--save-spec", saveSpec, "write the sweep (graph, axes, overrides) as a spec file");
    auto* job = app.add_option("--job", jobDir, "farm task: the job folder (written by sanavideo submit)");
    app.add_option("--task", task, "farm task: the task number (its chunk of variants)")->needs(job);
    app.add_option("--submission", submission, "farm task: the manager's job id, for its records")
        ->needs(job);
    if (auto rc = parseCommandLine(app, args)) return *rc;

    plugin::NodeRegistry registry;
    loadNodePacks(registry, std::vector<fs::path>(pluginDirs.begin(), pluginDirs.end()), "sweep");
    if (!jobDir.empty()) {
        SV_CHECK(task >= 0, "--job needs --task N");
        SV_CHECK(sweep.input.empty() && sweep.axes.empty() && sweep.sets.empty(),
                 "--job runs a farm job's task: the graph and axes come from the job folder");
        return runFarmTask(registry, jobDir, task, submission);
    }
    if (sweep.input.empty()) {
        std::fprintf(stderr, "%s", app.help().c_str());
        return 2;
    }
    const farm::SweepSpec spec = sweep.spec();
    if (!saveSpec.empty()) {
        const fs::path file = fs::absolute(saveSpec);
        farm::writeJsonAtomically(file, spec.toJson(file.parent_path()));
        std::fprintf(stderr, "sanavideo sweep: wrote %s\n", file.string().c_str());
    }
    const farm::Sweep prepared = farm::prepareSweep(spec, registry);
    if (list) {
        printVariants(prepared.variants);
        return 0;
    }
    return runLocalSweep(registry, prepared, outputDir);
}

}  // namespace sv::cli
#endif  // SV_CLI_WITH_PLUGIN
