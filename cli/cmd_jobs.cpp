// `sanavideo jobs`: the farm jobs under the job root with per-task state (from the manager and the job
// folders), and `jobs show | cancel | resubmit | wait ID`.
#ifdef SV_CLI_WITH_PLUGIN
#include <chrono>
#include <climits>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include <CLI/CLI.hpp>

#include "base/error.h"
#include "cli_options.h"
#include "commands.h"
#include "farm_cli.h"
#include "plugin/farm/farm_jobs.h"
#include "terminal_text.h"

namespace fs = std::filesystem;

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
    printLine(stdout, concat(s.id, "  ", s.summary()));
    if (!s.managerError.empty())
        printLine(stdout, concat("  (the manager could not be asked: ", s.managerError, ")"));
    for (const farm::TaskStatus& t : s.tasks) printLine(stdout, taskLine(t));
    if (!variants) return;
    for (const farm::VariantStatus& v : s.variants) {
        std::string outputs;
        for (const fs::path& p : v.outputs) outputs += concat(" ", p.string());
        printLine(stdout, concat("    ", v.name, " (task ", v.task, "): ", farm::variantStatusName(v.state),
                                 outputs, v.message.empty() ? "" : " — ", v.message));
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
    if (dirs.empty() && !json) printLine(stderr, concat("sanavideo jobs: no farm job in ", root.string()));
    Managers managers;
    for (const fs::path& dir : dirs) {
        const JobStatus s = statusOf(farm::JobFolder::open(dir), managers);
        if (json)
            all.push_back(s.toJson());
        else
            printStatus(s, false);
    }
    if (json) printLine(stdout, terminalSafeJson(all));
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
        if (s.summary() != last) printLine(stderr, concat("sanavideo jobs: ", s.id, ": ", s.summary()));
        last = s.summary();
        if (s.isOver()) return s.count(farm::VariantStatus::State::Done) == int(s.variants.size()) ? 0 : 1;
        if (std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() > timeout) {
            printLine(stderr, concat("sanavideo jobs: ", s.id, " is still running after ", timeout, " s"));
            return 124;
        }
        std::this_thread::sleep_for(std::chrono::duration<double>(interval));
    }
}

struct JobsCommand {
    std::string root, id;
    bool json = false;
    int task = -1;
    std::optional<double> timeout, interval;
    CLI::App* show = nullptr;
    CLI::App* cancel = nullptr;
    CLI::App* resubmit = nullptr;

    std::optional<int> onlyTask() const { return task >= 0 ? std::optional<int>(task) : std::nullopt; }
};

int showJob(const farm::JobFolder& job, bool json) {
    Managers managers;
    const JobStatus s = statusOf(job, managers);
    if (json)
        printLine(stdout, terminalSafeJson(s.toJson()));
    else
        printStatus(s, true);
    return 0;
}

int resubmitJob(farm::JobFolder& job, farm::FarmManager& manager, std::optional<int> task) {
    const auto sub = farm::resubmitFailed(job, manager, task);
    if (!sub) {
        printLine(stderr, concat("sanavideo jobs: ", job.id(), ": no task needs to run again"));
        return 0;
    }
    printLine(stderr, concat("sanavideo jobs: ", job.id(), ": re-submitted ", sub->tasks.size(),
                             " task(s) as ", manager.name(), " job ", sub->id));
    printLine(stdout, sub->id);
    return 0;
}

int runJobs(const JobsCommand& o) {
    if (o.id.empty()) return listJobs(o.root, o.json);
    farm::JobFolder job = farm::findJob(o.root, o.id);
    if (o.show->parsed()) return showJob(job, o.json);
    const auto manager = farm::makeFarmManager(job.farm().manager);
    if (o.cancel->parsed()) {
        const int n = farm::cancelJob(job, *manager, o.onlyTask());
        printLine(stderr, concat("sanavideo jobs: asked ", n, " task(s) of ", job.id(), " to stop"));
        return 0;
    }
    if (o.resubmit->parsed()) return resubmitJob(job, *manager, o.onlyTask());
    return waitForJob(job, o.timeout.value_or(3600), o.interval.value_or(2));
}

}  // namespace

CommandRun setupJobs(CLI::App& cmd) {
    auto o = std::make_shared<JobsCommand>();
    addJobRoot(cmd, o->root, "where the job folders are");
    cmd.add_flag("--json", o->json, "print JSON instead of text (the list, and jobs show)");
    cmd.require_subcommand(0, 1);
    // A subcommand copies its parent's footer when it is made: each gets its own below.
    auto withId = [&](const char* name, const char* help, const std::string& footer) {
        CLI::App* sub = cmd.add_subcommand(name, help);
        sub->add_option("ID", o->id,
                        "the job: its folder, its folder's name (seeds-20261203-091530), or any job id the "
                        "manager gave one of its submissions (4242)")
            ->required();
        sub->fallthrough();  // --job-root and --json after the subcommand too
        sub->footer(concat(footer,
                           "\n\nsanavideo jobs' own options (--job-root, --json) may also follow the "
                           "subcommand."));
        return sub;
    };
    o->show = withId("show", "every task and variant of a job, with outputs and errors",
                     "Prints each task (state, host, the running variant and step, errors) and each variant "
                     "(done with its files, failed with the error, cancelled, pending).");
    o->cancel =
        withId("cancel", "stop a job's pending and running tasks (or one: --task)",
               "Asks the manager to stop the tasks (Slurm: scancel). A running task stops within one "
               "step, records itself and its variant cancelled and leaves no partial file; its finished "
               "variants stay. Re-run the rest with sanavideo jobs resubmit.");
    addInteger(*o->cancel, "--task", o->task, 0, INT_MAX, "only this task")->type_name("N");
    o->resubmit = withId(
        "resubmit", "submit again the tasks that failed, were cancelled or killed",
        "Submits the tasks that ended (failed, cancelled, killed) with variants not done as one new job "
        "array in the same job folder; each task skips the variants an earlier run finished. Prints the "
        "new job id on stdout.");
    addInteger(*o->resubmit, "--task", o->task, 0, INT_MAX, "only this task")->type_name("N");
    CLI::App* wait =
        withId("wait", "wait until no task is pending or running (exit 0: all done)",
               "Prints the job's summary whenever it changes. Exit code: 0 when every variant is "
               "done, 1 when some failed or were stopped, 124 after --timeout.");
    addNumber(*wait, "--timeout", o->timeout, 0, 1e9, "give up after this many seconds (exit 124)")
        ->type_name("SECONDS")
        ->default_str("3600");
    addNumber(*wait, "--interval", o->interval, 0.01, 3600, "seconds between checks")
        ->type_name("SECONDS")
        ->default_str("2");
    // Set last: the subcommands' footers are their own.
    cmd.footer(
        "Without a subcommand, lists the farm jobs under the job root with the state of every task: "
        "pending, running (with its variant and step), finished, failed, cancelled, killed (ended without "
        "saying so: preempted, out of time, its node lost).\n\n"
        "Examples:\n"
        "  sanavideo jobs\n"
        "  sanavideo jobs show 4242\n"
        "  sanavideo jobs cancel 4242 --task 3\n"
        "  sanavideo jobs resubmit 4242\n"
        "  sanavideo jobs wait 4242 --timeout 7200\n\n"
        "See docs/FARM.md.");
    return [o] { return runJobs(*o); };
}

}  // namespace sv::cli
#endif  // SV_CLI_WITH_PLUGIN
