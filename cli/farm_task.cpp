// `sanavideo sweep --job DIR --task N`: one farm task, the unit a farm manager starts on a compute node. It
// runs the task's chunk of variants with one Executor, skipping those an earlier run finished, and keeps its
// record (state/task-N.json) up to date: running with the current variant and step (at most once a second),
// then finished, failed (which variants, why) or cancelled (SIGTERM from scancel, within one step).
#ifdef SV_CLI_WITH_PLUGIN
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <mutex>
#include <set>

#include "base/error.h"
#include "plugin/farm/input_paths.h"
#include "plugin/farm/job_folder.h"
#include "sweep_loop.h"
#include "terminal_text.h"

namespace sv::cli {

namespace {

using farm::TaskRecord;

/// The task's record, written atomically; progress events come from the executor's worker thread.
class TaskReporter {
  public:
    TaskReporter(fs::path file, TaskRecord record) : file_(std::move(file)), record_(std::move(record)) {}

    void write() {
        std::lock_guard lock(mutex_);
        writeLocked();
    }
    void starting(const std::string& variant) {
        std::lock_guard lock(mutex_);
        record_.current = variant;
        record_.node.clear();
        record_.step = record_.total = 0;
        writeLocked();
    }
    void event(const plugin::ExecutionEvent& e) {
        using K = plugin::ExecutionEvent::Kind;
        if (e.kind != K::NodeStarted && e.kind != K::NodeProgress) return;
        std::lock_guard lock(mutex_);
        record_.node = e.nodeId;
        record_.step = e.kind == K::NodeProgress ? e.step : 0;
        record_.total = e.kind == K::NodeProgress ? e.total : 0;
        if (std::chrono::steady_clock::now() - lastWrite_ >= std::chrono::seconds(1)) writeLocked();
    }
    void ended(const farm::VariantOutcome& o) {
        std::lock_guard lock(mutex_);
        record_.done += o.state == farm::VariantRecord::State::Done;
        record_.failed += o.state == farm::VariantRecord::State::Failed;
        writeLocked();
    }
    void finish(TaskRecord::State state, std::string message) {
        std::lock_guard lock(mutex_);
        record_.state = state;
        record_.message = std::move(message);
        record_.current.clear();
        record_.node.clear();
        record_.finished = farm::utcNow();
        writeLocked();
    }

  private:
    void writeLocked() {
        record_.updated = farm::utcNow();
        try {
            farm::writeJsonAtomically(file_, record_.toJson());
        } catch (const Error& e) {
            printWarning("sweep", e.what());  // the run goes on
        }
        lastWrite_ = std::chrono::steady_clock::now();
    }

    fs::path file_;
    std::mutex mutex_;
    TaskRecord record_;
    std::chrono::steady_clock::time_point lastWrite_{};
};

/// Inputs every variant of the task shares that this node cannot read ("" when fine): the model folder on a
/// path the compute nodes do not mount, typically.
std::string sharedInputProblems(const plugin::GraphDocument& base, const plugin::NodeRegistry& registry,
                                std::span<const farm::Variant> variants) {
    std::set<std::string> varied;
    for (const farm::Variant& v : variants)
        for (const farm::ParamValue& p : v.values) varied.insert(p.node + "." + p.param);
    std::string text;
    for (const farm::InputProblem& p : farm::unreadableInputs(base, registry, varied))
        text += (text.empty() ? "" : "; ") + p.describe();
    if (text.empty()) return text;
    return concat(text, " on compute node ", farm::hostName(),
                  ": the models and every input must be on a path the compute nodes can read");
}

/// Records every variant an earlier run did not finish as failed with `message`.
void recordUnrun(const farm::JobFolder& job, const farm::SweepRunner& runner,
                 std::span<const farm::Variant> variants, int task, const std::string& submission,
                 const std::string& message) {
    for (const farm::Variant& v : variants) {
        if (runner.isDone(v)) continue;
        farm::VariantRecord r;
        r.name = v.name;
        r.index = v.index;
        r.task = task;
        r.state = farm::VariantRecord::State::Failed;
        r.message = message;
        r.host = farm::hostName();
        r.submission = submission;
        r.started = r.finished = farm::utcNow();
        farm::writeJsonAtomically(job.variantStateFile(v.name), r.toJson());
    }
}

}  // namespace

int runFarmTask(const plugin::NodeRegistry& registry, const fs::path& jobDir, int task,
                const std::string& submission) {
    const CancelOnSignals signals;  // from the start: a SIGTERM while the task sets up is recorded too
    const farm::JobFolder job = farm::JobFolder::open(jobDir);
    const std::span<const farm::Variant> variants = job.taskVariants(task);
    TaskRecord record;
    record.task = task;
    record.submission = submission;
    record.host = farm::hostName();
    record.pid = int64_t(::getpid());
    record.started = farm::utcNow();
    record.variants = int(variants.size());
    TaskReporter reporter(job.taskStateFile(task), record);
    reporter.write();
    printLine(stderr, concat("sanavideo sweep: job ", job.id(), " task ", task, " (submission ", submission,
                             ") on ", record.host, ": ", variants.size(), " variant(s)"));

    const plugin::GraphDocument base = plugin::GraphDocument::load(job.graphFile());
    plugin::Executor executor(registry);
    farm::SweepRunnerOptions options{job.outputsDir(), job.stateDir(), task, submission};
    farm::SweepRunner runner(registry, base, options, cliRunFunction(executor, signals, "sweep"));
    if (const std::string problem = sharedInputProblems(base, registry, variants); !problem.empty()) {
        recordUnrun(job, runner, variants, task, submission, problem);
        reporter.finish(TaskRecord::State::Failed, problem);
        printError("sweep", problem);
        return 1;
    }
    SweepHooks hooks;
    hooks.starting = [&](size_t, const farm::Variant& v) { reporter.starting(v.name); };
    hooks.finished = [&](const farm::Variant&, const farm::VariantOutcome& o) { reporter.ended(o); };
    hooks.events = [&](const plugin::ExecutionEvent& e) { reporter.event(e); };
    const SweepTally tally = runSweepLoop(runner, variants, signals, "sweep", hooks);

    std::string failures;
    for (const std::string& f : tally.failures) failures += (failures.empty() ? "" : "; ") + f;
    if (tally.cancelled) {
        const int sig = signals.signal();
        reporter.finish(TaskRecord::State::Cancelled,
                        sig ? concat("stopped by ", CancelOnSignals::describe(sig)) : "cancelled");
    } else if (tally.failed) {
        reporter.finish(TaskRecord::State::Failed,
                        concat(tally.failed, " of ", variants.size(), " variant(s) failed: ", failures));
    } else {
        reporter.finish(TaskRecord::State::Finished, {});
    }
    printLine(stderr, concat("sanavideo sweep: task ", task, ": ", tally.summary(variants.size())));
    return tally.exitCode(signals);
}

}  // namespace sv::cli
#endif  // SV_CLI_WITH_PLUGIN
