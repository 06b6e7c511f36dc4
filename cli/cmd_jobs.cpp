// `sanavideo jobs`: the farm jobs under the job root with per-task state (from the manager and the job
// folders), and `jobs show | cancel | resubmit | wait ID`.
#ifdef SV_CLI_WITH_PLUGIN
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <thread>

#include "base/error.h"
#include "commands.h"
#include "farm_cli.h"
#include "plugin/farm/farm_jobs.h"

namespace sv::cli {

namespace {

using farm::JobStatus;
using farm::TaskPhase;

std::string taskLine(const farm::TaskStatus& t) {
    const std::string job = t.submission.empty() ? std::string() : concat(" (job ", t.submission, ")");
    std::string line = concat("  task ", t.task, job, ": ", farm::taskPhaseName(t.phase), ", ", t.done, "/",
                              t.variants, " done");
    if (t.failed) line += concat(", ", t.failed, " failed");
    if (!t.host.empty()) line += concat(" on ", t.host);
    if (t.phase == TaskPhase::Running && !t.current.empty()) {
        line += concat(" — ", t.current, t.node.empty() ? std::string() : concat(" ", t.node));
        if (t.total > 0) line += concat(" ", t.step, "/", t.total);
    }
    if (!t.detail.empty()) line += concat(" — ", t.detail);
    return line;
}

void printStatus(const JobStatus& s, bool variants) {
    std::printf("%s  %s\n", s.id.c_str(), s.summary().c_str());
    if (!s.managerError.empty())
        std::printf("  (the manager could not be asked: %s)\n", s.managerError.c_str());
    for (const farm::TaskStatus& t : s.tasks) std::printf("%s\n", taskLine(t).c_str());
    if (!variants) return;
    for (const farm::VariantStatus& v : s.variants) {
        std::string outputs;
        for (const fs::path& p : v.outputs) outputs += concat(" ", p.string());
        std::printf("    %s (task %d): %s%s%s%s\n", v.name.c_str(), v.task,
                    farm::variantStatusName(v.state).data(), outputs.c_str(), v.message.empty() ? "" : " — ",
                    v.message.c_str());
    }
}

/// The managers asked, one per name (Slurm remembers whether the cluster keeps accounting).
using Managers = std::map<std::string, std::unique_ptr<farm::FarmManager>>;

JobStatus statusOf(const farm::JobFolder& job, Managers& managers) {
    auto& m = managers[job.farm().manager];
    if (!m) m = farm::makeFarmManager(job.farm().manager);
    return farm::jobStatus(job, m.get());
}

int listJobs(const fs::path& root, bool json) {
    nlohmann::json all = nlohmann::json::array();
    const auto dirs = farm::listJobFolders(root);
    if (dirs.empty() && !json)
        std::fprintf(stderr, "sanavideo jobs: no farm job in %s\n", root.string().c_str());
    Managers managers;
    for (const fs::path& dir : dirs) {
        const JobStatus s = statusOf(farm::JobFolder::open(dir), managers);
        if (json)
            all.push_back(s.toJson());
        else
            printStatus(s, false);
    }
    if (json) std::printf("%s\n", all.dump(2).c_str());
    return 0;
}

/// Waits until no task is pending or running: 0 when every variant is done, 1 when some failed or were
/// stopped, 124 after `timeout` seconds.
int waitForJob(const farm::JobFolder& job, double timeout, double interval) {
    const auto manager = farm::makeFarmManager(job.farm().manager);
    const auto start = std::chrono::steady_clock::now();
    std::string last;
    while (true) {
        const JobStatus s = farm::jobStatus(job, manager.get());
        if (s.summary() != last)
            std::fprintf(stderr, "sanavideo jobs: %s: %s\n", s.id.c_str(), s.summary().c_str());
        last = s.summary();
        if (s.isOver()) return s.count(farm::VariantStatus::State::Done) == int(s.variants.size()) ? 0 : 1;
        if (std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() > timeout) {
            std::fprintf(stderr, "sanavideo jobs: %s is still running after %.0f s\n", s.id.c_str(), timeout);
            return 124;
        }
        std::this_thread::sleep_for(std::chrono::duration<double>(interval));
    }
}

}  // namespace

int runJobs(Args args) {
    CLI::App app{
        "Lists farm jobs with the state of every task (pending, running with its variant and step, "
        "finished, failed, cancelled, killed), and acts on one: show, cancel, resubmit, wait."};
    app.name("sanavideo jobs");
    std::string root = farm::defaultJobRoot().string(), id;
    bool json = false;
    int task = -1;
    double timeout = 3600, interval = 2;
    app.add_option("--job-root", root,
                   "where the job folders are (default $SV_FARM_ROOT, else ~/sanavideo-farm)")
        ->capture_default_str();
    app.add_flag("--json", json, "print JSON (list and show)");
    app.require_subcommand(0, 1);
    auto idOption = [&](CLI::App* sub) {
        sub->add_option("id", id, "the job: its folder, folder name, or a manager job id")->required();
        sub->fallthrough();  // --job-root and --json after the subcommand too
    };
    CLI::App* show = app.add_subcommand("show", "every task and variant of a job, with outputs and errors");
    idOption(show);
    CLI::App* cancel =
        app.add_subcommand("cancel", "stop a job's pending and running tasks (or one: --task)");
    idOption(cancel);
    cancel->add_option("--task", task, "only this task");
    CLI::App* resubmit = app.add_subcommand("resubmit",
                                            "submit again the tasks that failed, were cancelled or "
                                            "killed; finished variants are skipped");
    idOption(resubmit);
    resubmit->add_option("--task", task, "only this task");
    CLI::App* wait =
        app.add_subcommand("wait", "wait until no task is pending or running (exit 0: all done)");
    idOption(wait);
    wait->add_option("--timeout", timeout, "give up after this many seconds (exit 124)")
        ->capture_default_str();
    wait->add_option("--interval", interval, "seconds between checks")->capture_default_str();
    if (auto rc = parseCommandLine(app, args)) return *rc;

    if (app.get_subcommands().empty()) return listJobs(root, json);
    farm::JobFolder job = farm::findJob(root, id);
    if (show->parsed()) {
        Managers managers;
        const JobStatus s = statusOf(job, managers);
        if (json)
            std::printf("%s\n", s.toJson().dump(2).c_str());
        else
            printStatus(s, true);
        return 0;
    }
    const auto manager = farm::makeFarmManager(job.farm().manager);
    if (cancel->parsed()) {
        const int n = farm::cancelJob(job, *manager, task >= 0 ? std::optional<int>(task) : std::nullopt);
        std::fprintf(stderr, "sanavideo jobs: asked %d task(s) of %s to stop\n", n, job.id().c_str());
        return 0;
    }
    if (resubmit->parsed()) {
        const auto sub =
            farm::resubmitFailed(job, *manager, task >= 0 ? std::optional<int>(task) : std::nullopt);
        if (!sub) {
            std::fprintf(stderr, "sanavideo jobs: %s: no task needs to run again\n", job.id().c_str());
            return 0;
        }
        std::fprintf(stderr, "sanavideo jobs: %s: re-submitted %zu task(s) as %s job %s\n", job.id().c_str(),
                     sub->tasks.size(), manager->name().data(), sub->id.c_str());
        std::printf("%s\n", sub->id.c_str());
        return 0;
    }
    return waitForJob(job, timeout, interval);
}

}  // namespace sv::cli
#endif  // SV_CLI_WITH_PLUGIN
