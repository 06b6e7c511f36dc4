#include "plugin/farm/job_status.h"

#include <array>
#include <map>

#include "base/error.h"

namespace sv::farm {

namespace {

using Phase = ManagerTaskState::Phase;

TaskPhase phaseOfRecord(TaskRecord::State s) {
    switch (s) {
        case TaskRecord::State::Running:
            return TaskPhase::Running;
        case TaskRecord::State::Finished:
            return TaskPhase::Finished;
        case TaskRecord::State::Failed:
            return TaskPhase::Failed;
        case TaskRecord::State::Cancelled:
            return TaskPhase::Cancelled;
    }
    return TaskPhase::Unknown;
}

std::string managerSays(const ManagerTaskState& m) {
    return concat(m.state, m.reason.empty() ? "" : ", ", m.reason);
}

/// The phase of a submitted task from the manager's view `m` (null: forgotten or not asked) and the task's
/// own record `rec` of the same submission (null: it never started).
void mergeTask(TaskStatus& t, const ManagerTaskState* m, const TaskRecord* rec, std::string_view manager,
               const std::string& askError, const fs::path& log) {
    if (rec && rec->state != TaskRecord::State::Running) {
        t.phase = phaseOfRecord(rec->state);
        t.detail = rec->message;
    } else if (m && m->phase == Phase::Pending) {
        t.phase = TaskPhase::Pending;
        t.detail = m->reason;
    } else if (m && m->phase == Phase::Running) {
        t.phase = TaskPhase::Running;
    } else if (m && m->state == "CANCELLED") {
        t.phase = TaskPhase::Cancelled;
        t.detail =
            rec ? "cancelled, and killed before it could stop by itself" : "cancelled before it started";
    } else if (m) {
        t.phase = rec ? TaskPhase::Killed : TaskPhase::Failed;
        t.detail = concat(rec ? "ended without finishing" : "ended before it started", " (", manager, ": ",
                          managerSays(*m), "); see ", log.string());
    } else if (!askError.empty()) {
        t.phase = TaskPhase::Unknown;
        t.detail = askError;
    } else {
        t.phase = TaskPhase::Killed;
        t.detail =
            concat(rec ? "ended without finishing (killed: cancelled, time limit, node failure or preemption)"
                       : "the manager has no record of it and it never started",
                   "; see ", log.string());
    }
    if (rec && t.phase == TaskPhase::Running) {
        t.current = rec->current;
        t.node = rec->node;
        t.step = rec->step;
        t.total = rec->total;
    }
}

VariantStatus variantStatus(const JobFolder& job, const Variant& v, const TaskStatus& task) {
    VariantStatus s{v.name, v.index, job.taskOf(v.index), VariantStatus::State::Waiting, {}, {}};
    const auto rec = job.variantRecord(v.name);
    if (!rec) return s;
    s.message = rec->message;
    switch (rec->state) {
        case VariantRecord::State::Done:
            s.state = VariantStatus::State::Done;
            for (const std::string& o : rec->outputs) s.outputs.push_back(job.outputsDir() / o);
            break;
        case VariantRecord::State::Failed:
            s.state = VariantStatus::State::Failed;
            break;
        case VariantRecord::State::Cancelled:
            s.state = VariantStatus::State::Cancelled;
            break;
        case VariantRecord::State::Running:
            // Running only while its task runs in the same submission; else the run was cut short.
            s.state = task.phase == TaskPhase::Running && rec->submission == task.submission
                          ? VariantStatus::State::Running
                          : VariantStatus::State::Interrupted;
            if (s.state == VariantStatus::State::Interrupted) s.message = "interrupted: " + task.detail;
            break;
    }
    return s;
}

}  // namespace

std::string_view taskPhaseName(TaskPhase p) {
    static constexpr std::array<std::string_view, 8> kNames = {
        "not submitted", "pending", "running", "finished", "failed", "cancelled", "killed", "unknown"};
    return kNames[size_t(p)];
}

std::string_view variantStatusName(VariantStatus::State s) {
    static constexpr std::array<std::string_view, 6> kNames = {"waiting", "running",   "done",
                                                               "failed",  "cancelled", "interrupted"};
    return kNames[size_t(s)];
}

bool TaskStatus::needsRerun() const {
    return !isActive() && phase != TaskPhase::Unknown && done < variants;
}

int JobStatus::count(TaskPhase p) const {
    int n = 0;
    for (const TaskStatus& t : tasks) n += t.phase == p;
    return n;
}

int JobStatus::count(VariantStatus::State s) const {
    int n = 0;
    for (const VariantStatus& v : variants) n += v.state == s;
    return n;
}

bool JobStatus::isOver() const {
    for (const TaskStatus& t : tasks)
        if (t.isActive() || t.phase == TaskPhase::Unknown) return false;
    return true;
}

std::string JobStatus::summary() const {
    std::string phases;
    for (int p = 0; p <= int(TaskPhase::Unknown); ++p)
        if (const int n = count(TaskPhase(p)))
            phases += concat(phases.empty() ? "" : ", ", n, " ", taskPhaseName(TaskPhase(p)));
    std::string text =
        concat(tasks.size(), tasks.size() == 1 ? " task: " : " tasks: ", phases,
               "; variants: ", count(VariantStatus::State::Done), " of ", variants.size(), " done");
    if (const int f = count(VariantStatus::State::Failed)) text += concat(", ", f, " failed");
    if (const int c = count(VariantStatus::State::Cancelled) + count(VariantStatus::State::Interrupted))
        text += concat(", ", c, " cancelled or interrupted");
    return text;
}

nlohmann::json JobStatus::toJson() const {
    nlohmann::json tasksJson = nlohmann::json::array(), variantsJson = nlohmann::json::array();
    for (const TaskStatus& t : tasks)
        tasksJson.push_back({{"task", t.task},
                             {"state", taskPhaseName(t.phase)},
                             {"submission", t.submission},
                             {"detail", t.detail},
                             {"host", t.host},
                             {"variants", t.variants},
                             {"done", t.done},
                             {"failed", t.failed},
                             {"current", t.current},
                             {"node", t.node},
                             {"step", t.step},
                             {"total", t.total}});
    for (const VariantStatus& v : variants) {
        std::vector<std::string> outputs;
        for (const fs::path& p : v.outputs) outputs.push_back(p.string());
        variantsJson.push_back({{"name", v.name},
                                {"index", v.index},
                                {"task", v.task},
                                {"state", variantStatusName(v.state)},
                                {"outputs", outputs},
                                {"message", v.message}});
    }
    return {{"id", id},
            {"name", name},
            {"dir", dir.string()},
            {"over", isOver()},
            {"summary", summary()},
            {"managerError", managerError},
            {"tasks", tasksJson},
            {"variants", variantsJson}};
}

JobStatus jobStatus(const JobFolder& job, FarmManager* manager) {
    JobStatus status{job.id(), job.name(), job.dir(), {}, {}, {}};
    std::map<std::string, std::map<int, ManagerTaskState>> known;  // by submission id
    for (int t = 0; t < job.taskCount(); ++t) {
        const Submission* sub = job.submissionOf(t);
        if (!sub || known.count(sub->id)) continue;
        known[sub->id] = {};
        if (!manager) {
            status.managerError = "no farm manager to ask";
            continue;
        }
        try {
            known[sub->id] = manager->query(sub->id);
        } catch (const Error& e) {
            status.managerError = e.what();
        }
    }
    for (int t = 0; t < job.taskCount(); ++t) {
        TaskStatus ts;
        ts.task = t;
        ts.variants = int(job.taskVariants(t).size());
        const Submission* sub = job.submissionOf(t);
        if (sub) {
            ts.submission = sub->id;
            const auto& states = known[sub->id];
            const auto m = states.find(t);
            auto rec = job.taskRecord(t);
            if (rec && rec->submission != sub->id) rec.reset();  // from an earlier submission
            if (rec) ts.host = rec->host;
            mergeTask(ts, m == states.end() ? nullptr : &m->second, rec ? &*rec : nullptr, job.farm().manager,
                      status.managerError, job.logFile(t));
        }
        for (const Variant& v : job.taskVariants(t)) {
            status.variants.push_back(variantStatus(job, v, ts));
            ts.done += status.variants.back().state == VariantStatus::State::Done;
            ts.failed += status.variants.back().state == VariantStatus::State::Failed;
        }
        status.tasks.push_back(std::move(ts));
    }
    return status;
}

}  // namespace sv::farm
