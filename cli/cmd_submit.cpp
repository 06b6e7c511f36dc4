// `sanavideo submit GRAPH|SPEC --set-axis ... --farm slurm`: writes a job folder under the job root and
// submits its variants as one job array (several variants per task with --chunk, so each task loads the
// models once). Prints the manager's job id on stdout.
#ifdef SV_CLI_WITH_PLUGIN
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "base/error.h"
#include "commands.h"
#include "farm_cli.h"
#include "node_packs.h"
#include "plugin/farm/farm_jobs.h"

namespace sv::cli {

namespace {

/// Farm settings given on the command line; unset ones keep the spec's.
struct FarmFlags {
    std::string manager, partition, timeLimit, memory;
    int chunk = 0, gpus = -1, cpus = -1;
    std::vector<std::string> extra;

    void addTo(CLI::App& app) {
        app.add_option("--farm", manager, "the farm manager (slurm; default: the spec's, else slurm)");
        app.add_option("--chunk", chunk, "variants per task; each task loads the models once (default 1)")
            ->check(CLI::Range(1, 100000));
        app.add_option("--gpus", gpus, "GPUs per task (Slurm: --gres=gpu:N; default 0)")
            ->check(CLI::Range(0, 64));
        app.add_option("--cpus", cpus, "CPU cores per task (Slurm: --cpus-per-task)")
            ->check(CLI::Range(0, 4096));
        app.add_option("--mem", memory, "memory per task, in the manager's syntax (Slurm: --mem, e.g. 48G)");
        app.add_option("--partition", partition, "the Slurm partition (default: the cluster's default)");
        app.add_option("--time", timeLimit, "time limit per task (Slurm: --time, e.g. 02:00:00)");
        app.add_option("--sbatch-arg", extra,
                       "an extra argument for sbatch, passed as is (repeatable; --sbatch-arg=--qos=low)")
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

fs::path thisProgram() {
    std::error_code ec;
    const fs::path self = fs::read_symlink("/proc/self/exe", ec);
    return ec ? fs::path() : self;
}

}  // namespace

int runSubmit(Args args) {
    CLI::App app{
        "Submits a sweep to a render farm: writes a job folder (graph, spec, variant list, logs, outputs) "
        "under "
        "the job root, a path the compute nodes share, and submits one task per chunk of variants as a job "
        "array. Prints the manager's job id. Follow it with `sanavideo jobs`."};
    app.name("sanavideo submit");
    SweepOptions sweep;
    sweep.addTo(app, true);
    FarmFlags flags;
    flags.addTo(app);
    std::string jobRoot = farm::defaultJobRoot().string(), name, program;
    std::vector<std::string> pluginDirs;
    app.add_option("--job-root", jobRoot,
                   "where the job folder goes (default $SV_FARM_ROOT, else ~/sanavideo-farm)")
        ->capture_default_str();
    app.add_option("--name", name, "the job's name (default: the graph file's name)");
    app.add_option("--program", program,
                   "the sanavideo the tasks run, as the compute nodes see it (default: this program)");
    app.add_option("--plugin-dir", pluginDirs, "also load node packs from DIR (here and in the tasks)")
        ->allow_extra_args(false);
    if (auto rc = parseCommandLine(app, args)) return *rc;

    plugin::NodeRegistry registry;
    const std::vector<fs::path> dirs(pluginDirs.begin(), pluginDirs.end());
    loadNodePacks(registry, dirs, "submit");
    farm::SubmitRequest request;
    request.spec = sweep.spec();
    flags.applyTo(request.spec.farm);
    request.jobRoot = fs::absolute(jobRoot);
    request.name = name;
    request.program = program.empty() ? thisProgram() : fs::absolute(program);
    for (const fs::path& d : dirs) request.pluginDirs.push_back(fs::absolute(d));

    const auto manager = farm::makeFarmManager(request.spec.farm.manager);
    const farm::SubmitOutcome out = farm::submitJob(request, registry, *manager);
    for (const std::string& w : out.warnings)
        std::fprintf(stderr, "sanavideo submit: warning: %s\n", w.c_str());
    std::fprintf(stderr, "sanavideo submit: job %s: %d variant(s) in %d task(s), %s job %s\n  folder: %s\n",
                 out.jobId.c_str(), out.variants, out.tasks, manager->name().data(), out.submission.c_str(),
                 out.jobDir.string().c_str());
    std::printf("%s\n", out.submission.c_str());
    return 0;
}

}  // namespace sv::cli
#endif  // SV_CLI_WITH_PLUGIN
