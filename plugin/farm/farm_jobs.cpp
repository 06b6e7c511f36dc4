#include "plugin/farm/farm_jobs.h"

#include <cstdlib>
#include <map>
#include <set>

#include "base/error.h"
#include "plugin/farm/input_paths.h"
#include "plugin/graph/param_override.h"
#include "plugin/graph/validation.h"

namespace sv::farm {

namespace {

/// The base graph of a submission: the request's graph or the spec's file, with the fixed overrides, input
/// paths absolute.
Sweep prepareSubmission(const SubmitRequest& request, const sp::NodeRegistry& registry) {
    Sweep sweep;
    if (request.graph) {
        sweep.graph = *request.graph;
        for (const std::string& s : request.spec.sets) sp::applyParamText(sweep.graph, registry, s);
        for (const AxisSpec& a : request.spec.axes)
            sweep.axes.push_back(
                resolveAxis(a, sweep.graph, registry, a.baseDir.empty() ? request.spec.baseDir : a.baseDir));
        sweep.combine = request.spec.combine;
        sweep.variants = expandVariants(sweep.axes, sweep.combine);
    } else {
        sweep = prepareSweep(request.spec, registry);
    }
    absolutizeInputPaths(sweep.graph, registry, request.spec.baseDir);
    return sweep;
}

void checkSharedInputs(const Sweep& sweep, const sp::NodeRegistry& registry) {
    std::set<std::string> axisParams;
    for (const Axis& a : sweep.axes) axisParams.insert(a.node + "." + a.param);
    const auto problems = unreadableInputs(sweep.graph, registry, axisParams);
    if (problems.empty()) return;
    std::string text;
    for (const InputProblem& p : problems) text += concat("\n  ", p.describe());
    fail(
        "inputs every variant needs are not readable here (the compute nodes must be able to read them "
        "too):",
        text);
}

std::vector<std::string> variantWarnings(const Sweep& sweep, const sp::NodeRegistry& registry) {
    std::vector<std::string> warnings;
    for (const Variant& v : sweep.variants) {
        sp::GraphDocument doc = sweep.graph;
        applyVariant(doc, v);
        for (const InputProblem& p : unreadableInputs(doc, registry))
            warnings.push_back(concat("variant ", v.name, ": ", p.describe(), " here; it will fail"));
    }
    return warnings;
}

}  // namespace

SubmitOutcome submitJob(const SubmitRequest& request, const sp::NodeRegistry& registry,
                        FarmManager& manager) {
    SV_CHECK(request.spec.farm.manager == manager.name(), "the job asks for the farm manager \"",
             request.spec.farm.manager, "\", not ", manager.name());
    Sweep sweep = prepareSubmission(request, registry);
    const auto issues = sp::validateGraph(sweep.graph, registry);
    SV_CHECK(!sp::hasErrors(issues), "the graph is invalid:\n", sp::formatIssues(issues));
    checkSharedInputs(sweep, registry);
    SV_CHECK(!request.program.empty() && request.program.is_absolute() && fs::exists(request.program),
             "the program the tasks run (", request.program.string(),
             ") does not exist; give the sanavideo executable as the compute nodes see it");
    manager.check(request.spec.farm);

    JobSetup setup;
    setup.name = !request.name.empty()         ? request.name
                 : !request.spec.graph.empty() ? request.spec.graph.stem().string()
                                               : std::string("sweep");
    setup.graph = sweep.graph;
    setup.spec = request.spec;
    setup.variants = sweep.variants;
    setup.farm = request.spec.farm;
    setup.program = request.program;
    setup.pluginDirs = request.pluginDirs;
    JobFolder job = JobFolder::create(request.jobRoot, setup);

    std::vector<int> tasks;
    for (int t = 0; t < job.taskCount(); ++t) tasks.push_back(t);
    const std::string id = manager.submit(job, tasks);
    job.addSubmission({id, tasks, {}});
    return {job.id(),
            job.dir(),
            id,
            job.taskCount(),
            int(job.variants().size()),
            variantWarnings(sweep, registry)};
}

std::optional<Submission> resubmitFailed(JobFolder& job, FarmManager& manager, std::optional<int> task) {
    SV_CHECK(!task || (*task >= 0 && *task < job.taskCount()), "job ", job.id(), " has tasks 0 to ",
             job.taskCount() - 1, ", not ", *task);
    const JobStatus status = jobStatus(job, &manager);
    SV_CHECK(status.managerError.empty(), "cannot tell which tasks ended: ", status.managerError);
    if (task)
        SV_CHECK(!status.tasks[size_t(*task)].isActive(), "task ", *task, " of job ", job.id(), " is still ",
                 taskPhaseName(status.tasks[size_t(*task)].phase));
    std::vector<int> tasks;
    for (const TaskStatus& t : status.tasks)
        if (t.needsRerun() && (!task || t.task == *task)) tasks.push_back(t.task);
    if (tasks.empty()) return std::nullopt;
    const std::string id = manager.submit(job, tasks);
    job.addSubmission({id, tasks, {}});
    return job.submissions().back();
}

int cancelJob(const JobFolder& job, FarmManager& manager, std::optional<int> task) {
    if (task) {
        SV_CHECK(*task >= 0 && *task < job.taskCount(), "job ", job.id(), " has tasks 0 to ",
                 job.taskCount() - 1, ", not ", *task);
        const Submission* sub = job.submissionOf(*task);
        SV_CHECK(sub != nullptr, "task ", *task, " of job ", job.id(), " was never submitted");
        manager.cancel(sub->id, *task);
        return 1;
    }
    const JobStatus status = jobStatus(job, &manager);
    std::map<std::string, int> active;  // submission id -> active tasks
    for (const TaskStatus& t : status.tasks)
        if (t.isActive()) ++active[t.submission];
    int n = 0;
    for (const auto& [id, count] : active) {
        manager.cancel(id, std::nullopt);
        n += count;
    }
    return n;
}

fs::path defaultJobRoot() {
    if (const char* root = std::getenv("SV_FARM_ROOT"); root && *root) return fs::path(root);
    if (const char* home = std::getenv("HOME"); home && *home) return fs::path(home) / "sanavideo-farm";
    return fs::current_path() / "sanavideo-farm";
}

}  // namespace sv::farm
