// `sanavideo submit GRAPH|SPEC --set-axis ... --farm slurm`: writes a job folder under the job root and
// submits its variants as one job array (several variants per task with --chunk, so each task loads the
// models once). Prints the manager's job id on stdout.
#ifdef SV_CLI_WITH_PLUGIN
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "base/error.h"
#include "cli_options.h"
#include "commands.h"
#include "farm_cli.h"
#include "node_packs.h"
#include "plugin/farm/farm_jobs.h"
#include "terminal_text.h"

namespace sv::cli {

namespace {

/// Farm settings given on the command line; unset ones keep the spec's.
struct FarmFlags {
    std::string manager, partition, timeLimit, memory;
    int chunk = 0, gpus = -1, cpus = -1;
    std::vector<std::string> extra;

    void addTo(CLI::App& cmd) {
        cmd.add_option("--farm", manager, "the farm manager: slurm (default: the spec file's, else slurm)")
            ->type_name("NAME");
        addInteger(
            cmd, "--chunk", chunk, 1, 100000,
            "variants per task (default 1); each task loads the models once, so a few per task pay off")
            ->type_name("N");
        addInteger(cmd, "--gpus", gpus, 0, 64, "GPUs per task (Slurm: --gres=gpu:N; default 0)")
            ->type_name("N");
        addInteger(cmd, "--cpus", cpus, 0, 4096, "CPU cores per task (Slurm: --cpus-per-task)")
            ->type_name("N");
        cmd.add_option("--mem", memory, "memory per task, in the manager's syntax (Slurm: --mem, e.g. 48G)")
            ->type_name("SIZE");
        cmd.add_option("--partition", partition, "the Slurm partition (default: the cluster's default)")
            ->type_name("NAME");
        cmd.add_option("--time", timeLimit, "time limit per task (Slurm: --time, e.g. 02:00:00)")
            ->type_name("LIMIT");
        cmd.add_option("--sbatch-arg", extra,
                       "an extra argument for sbatch, passed as is (repeatable; write it with '=': "
                       "--sbatch-arg=--qos=low)")
            ->type_name("ARG")
            ->allow_extra_args(false);
    }
    void applyTo(farm::FarmSettings& f) const {
        if (!manager.empty()) f.manager = manager;
        if (chunk > 0) f.chunk = chunk;
        if (gpus >= 0) f.gpus = gpus;
        if (cpus >= 0) f.cpus = cpus;
        if (!memory.empty()) f.memory = memory;
        if (!partition.empty()) f.partition = partition;
        if (!timeLimit.empty()) f.timeLimit = timeLimit;
        f.extraArgs.insert(f.extraArgs.end(), extra.begin(), extra.end());
    }
};

struct SubmitCommand {
    SweepOptions sweep;
    FarmFlags flags;
    std::string jobRoot, name, program;
    std::vector<std::string> pluginDirs;
};

fs::path thisProgram() {
    std::error_code ec;
    const fs::path self = fs::read_symlink("/proc/self/exe", ec);
    return ec ? fs::path() : self;
}

int runSubmit(const SubmitCommand& o) {
    plugin::NodeRegistry registry;
    const std::vector<fs::path> dirs(o.pluginDirs.begin(), o.pluginDirs.end());
    loadNodePacks(registry, dirs, "submit");
    farm::SubmitRequest request;
    request.spec = o.sweep.spec();
    o.flags.applyTo(request.spec.farm);
    request.jobRoot = fs::absolute(o.jobRoot);
    request.name = o.name;
    request.program = o.program.empty() ? thisProgram() : fs::absolute(o.program);
    for (const fs::path& d : dirs) request.pluginDirs.push_back(fs::absolute(d));

    const auto manager = farm::makeFarmManager(request.spec.farm.manager);
    const farm::SubmitOutcome out = farm::submitJob(request, registry, *manager);
    for (const std::string& w : out.warnings) printWarning("submit", w);
    printLine(stderr, concat("sanavideo submit: job ", out.jobId, ": ", out.variants, " variant(s) in ",
                             out.tasks, " task(s), ", manager->name(), " job ", out.submission,
                             "\n  folder: ", out.jobDir.string()));
    printLine(stdout, out.submission);
    return 0;
}

}  // namespace

CommandRun setupSubmit(CLI::App& cmd) {
    cmd.footer(
        "Submits a sweep (the same GRAPH, --set-axis, --set, --zip and --product as sanavideo sweep) to a "
        "render farm: writes a job folder (graph, spec, variant list, logs, outputs) under the job root, "
        "which must be a path the compute nodes see at the same place, and submits one task per chunk of "
        "variants as a job array. Each task runs `sanavideo sweep --job DIR --task N`. Prints the manager's "
        "job id on stdout. Checks first that the farm answers, the partition exists and every shared input "
        "is readable.\n\n"
        "Example:\n"
        "  sanavideo submit t2v.json --set-axis sampler.seed=1..64 --chunk 8 --gpus 1 --partition gpu "
        "--time 01:00:00 --job-root /shared/sanavideo-farm\n\n"
        "Follow the job with `sanavideo jobs`. See docs/FARM.md.");
    auto o = std::make_shared<SubmitCommand>();
    o->sweep.addTo(cmd, true);
    o->flags.addTo(cmd);
    addJobRoot(cmd, o->jobRoot, "where the job folder goes, a path the compute nodes share");
    cmd.add_option("--name", o->name,
                   "the job's name, the start of its folder's (default: the graph file's name)")
        ->type_name("NAME");
    cmd.add_option("--program", o->program,
                   "the sanavideo the tasks run, as the compute nodes see it (default: this program)")
        ->type_name("FILE");
    cmd.add_option("--plugin-dir", o->pluginDirs,
                   "also load node packs from DIR, here and in the tasks (searched before SV_PLUGIN_PATH and "
                   "the install; repeatable)")
        ->type_name("DIR")
        ->allow_extra_args(false);
    return [o] { return runSubmit(*o); };
}

}  // namespace sv::cli
#endif  // SV_CLI_WITH_PLUGIN
