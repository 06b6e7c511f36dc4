// Farm jobs without a cluster: the job folder, the Slurm manager against scripted command output (arguments,
// ids, clear errors), and the task states put together from the manager's view and the tasks' records.
#include <gtest/gtest.h>

#include <fstream>

#include "base/error.h"
#include "farm_test_nodes.h"
#include "plugin/farm/farm_jobs.h"
#include "plugin/farm/slurm_manager.h"
#include "support/reference.h"

namespace sv::farm {
namespace {

namespace fs = std::filesystem;
using TempDir = ::sv::test::TempDir;

/// Scripted command output: the answer for each program, and every call made.
struct FakeCommands {
    std::map<std::string, ProcessResult> answers;
    std::vector<std::pair<std::string, std::vector<std::string>>> calls;

    CommandRunner runner() {
        return [this](const std::string& program, const std::vector<std::string>& args) {
            calls.emplace_back(program, args);
            const auto it = answers.find(program);
            if (it == answers.end()) return ProcessResult{false, false, -1, "", "", "not found"};
            return it->second;
        };
    }
    int count(const std::string& program) const {
        return int(
            std::count_if(calls.begin(), calls.end(), [&](const auto& c) { return c.first == program; }));
    }
};

ProcessResult answer(int rc, std::string out, std::string err = {}) {
    return ProcessResult{true, false, rc, std::move(out), std::move(err), {}};
}

std::string errorOf(const std::function<void()>& fn) {
    try {
        fn();
    } catch (const Error& e) {
        return e.what();
    }
    return "no error";
}

/// A manager whose answers the test sets.
class FakeManager : public FarmManager {
  public:
    std::string_view name() const override { return "slurm"; }
    void check(const FarmSettings&) override {}
    std::string submit(const JobFolder&, std::span<const int> tasks) override {
        submitted.emplace_back(tasks.begin(), tasks.end());
        return std::to_string(200 + submitted.size());
    }
    std::map<int, ManagerTaskState> query(const std::string& id) override {
        if (!askError.empty()) fail(askError);
        return states[id];
    }
    void cancel(const std::string& id, std::optional<int> task) override {
        cancelled.push_back(task ? concat(id, "_", *task) : id);
    }
    std::map<std::string, std::map<int, ManagerTaskState>> states;
    std::vector<std::vector<int>> submitted;
    std::vector<std::string> cancelled;
    std::string askError;
};

class FarmJobTest : public ::testing::Test {
  protected:
    void SetUp() override {
        test::registerFarmTestNodes(registry, counters);
        fs::create_directories(dir.path() / "model");
        graph = sp::GraphDocument::parse(test::farmTestGraph((dir.path() / "model").string()));
        JobSetup setup;
        setup.name = "t2v test";
        setup.graph = graph;
        std::vector<Axis> axes{resolveAxis(parseAxis("render.seed=1..5"), graph, registry, dir.path())};
        setup.variants = expandVariants(axes, Combine::Product);
        setup.farm.chunk = 2;
        setup.farm.gpus = 2;
        setup.farm.partition = "gpu";
        setup.farm.timeLimit = "00:10:00";
        setup.farm.extraArgs = {"--qos=low"};
        setup.program = "/opt/sanavideo/bin/sanavideo";
        job = JobFolder::create(dir.path() / "jobs", setup);
    }
    void taskRecord(int task, TaskRecord::State s, const std::string& submission, std::string message = {}) {
        TaskRecord r;
        r.task = task;
        r.state = s;
        r.submission = submission;
        r.message = std::move(message);
        r.current = "003_seed-3";
        r.node = "render";
        r.step = 4;
        r.total = 9;
        writeJsonAtomically(job->taskStateFile(task), r.toJson());
    }
    void variantRecord(int index, VariantRecord::State s, const std::string& submission) {
        VariantRecord r;
        r.name = job->variants()[size_t(index)].name;
        r.index = index;
        r.state = s;
        r.submission = submission;
        if (s == VariantRecord::State::Done) {
            r.outputs = {r.name + ".txt"};
            std::ofstream(job->outputsDir() / r.outputs[0]) << "x";
        }
        writeJsonAtomically(job->variantStateFile(r.name), r.toJson());
    }

    test::Counters counters;
    sp::NodeRegistry registry;
    TempDir dir;
    sp::GraphDocument graph;
    std::optional<JobFolder> job;
};

TEST_F(FarmJobTest, TheJobFolderHoldsEverythingATaskNeeds) {
    EXPECT_EQ(job->taskCount(), 3);  // 5 variants, 2 per task
    EXPECT_EQ(job->taskVariants(2).size(), 1u);
    EXPECT_EQ(job->taskVariants(1)[0].name, "003_seed-3");
    EXPECT_THROW(job->taskVariants(3), Error);
    EXPECT_TRUE(job->id().starts_with("t2v-test-")) << job->id();
    for (const fs::path& f :
         {job->graphFile(), job->specFile(), job->variantsFile(), job->dir() / "job.json"})
        EXPECT_TRUE(fs::exists(f)) << f;
    for (const fs::path& d : {job->logsDir(), job->stateDir(), job->outputsDir()})
        EXPECT_TRUE(fs::is_directory(d));
    job->addSubmission({"77", {0, 1, 2}, {}});
    job->addSubmission({"78", {1}, {}});
    const JobFolder again = JobFolder::open(job->dir());
    EXPECT_EQ(again.variants().size(), 5u);
    EXPECT_EQ(again.farm().partition, "gpu");
    EXPECT_EQ(again.submissionOf(1)->id, "78");
    EXPECT_EQ(again.submissionOf(0)->id, "77");
    EXPECT_EQ(findJob(dir.path() / "jobs", "78").dir(), job->dir());
    EXPECT_EQ(findJob(dir.path() / "jobs", job->id()).dir(), job->dir());
    EXPECT_NE(errorOf([&] { findJob(dir.path() / "jobs", "999"); }).find("no farm job \"999\""),
              std::string::npos);
    EXPECT_NE(errorOf([&] { JobFolder::open(dir.path()); }).find("cannot read"), std::string::npos);
}

TEST_F(FarmJobTest, SlurmGetsOneArrayWithTheResources) {
    FakeCommands cmds;
    cmds.answers["sbatch"] = answer(0, "4242;cluster\n");
    SlurmManager slurm(cmds.runner());
    const std::vector<int> tasks = {0, 1, 2};
    EXPECT_EQ(slurm.submit(*job, tasks), "4242");
    const auto& args = cmds.calls.back().second;
    auto has = [&](const std::string& a) { return std::find(args.begin(), args.end(), a) != args.end(); };
    EXPECT_TRUE(has("--parsable"));
    EXPECT_TRUE(has("--array=0-2"));
    EXPECT_TRUE(has("--gres=gpu:2"));
    EXPECT_TRUE(has("--partition=gpu"));
    EXPECT_TRUE(has("--time=00:10:00"));
    EXPECT_TRUE(has("--qos=low"));
    EXPECT_TRUE(has("--output=" + (job->logsDir() / "task-%a.log").string()));
    std::ifstream script(job->managerDir() / "task.sbatch");
    const std::string text((std::istreambuf_iterator<char>(script)), {});
    EXPECT_NE(text.find("exec '/opt/sanavideo/bin/sanavideo' sweep --job '" + job->dir().string() + "'"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("--task \"${SLURM_ARRAY_TASK_ID"), std::string::npos) << text;
    EXPECT_EQ(SlurmManager::arraySpec(std::vector<int>{7, 0, 2, 1, 5, 8}), "0-2,5,7-8");
}

TEST_F(FarmJobTest, SlurmProblemsAreClearErrors) {
    FakeCommands none;
    SlurmManager missing(none.runner());
    EXPECT_NE(
        errorOf([&] { missing.check({}); }).find("sinfo was not found: install Slurm's client commands"),
        std::string::npos);
    const std::vector<int> tasks = {0};
    EXPECT_NE(errorOf([&] { missing.submit(*job, tasks); }).find("sbatch was not found"), std::string::npos);

    FakeCommands cmds;
    cmds.answers["sinfo"] = answer(0, "debug\ncpu\n");
    SlurmManager slurm(cmds.runner());
    FarmSettings f;
    f.partition = "gpu";
    EXPECT_NE(errorOf([&] {
                  slurm.check(f);
              }).find("the Slurm partition 'gpu' does not exist on this cluster (partitions: debug, cpu)"),
              std::string::npos);
    f.partition = "cpu";
    EXPECT_NO_THROW(slurm.check(f));
    cmds.answers["sinfo"] = answer(1, "", "slurm_load_partitions: Unable to contact slurm controller");
    EXPECT_NE(errorOf([&] { slurm.check(f); }).find("Unable to contact slurm controller"), std::string::npos);
    cmds.answers["sbatch"] =
        answer(1, "", "sbatch: error: Batch job submission failed: Invalid partition name");
    EXPECT_NE(errorOf([&] { slurm.submit(*job, tasks); }).find("Slurm refused the job"), std::string::npos);
    cmds.answers["sbatch"] = answer(0, "Submitted batch job 12\n");
    EXPECT_NE(errorOf([&] { slurm.submit(*job, tasks); }).find("instead of a job id"), std::string::npos);
}

TEST_F(FarmJobTest, SlurmStatesComeFromSqueueAndSacctWhenItWorks) {
    FakeCommands cmds;
    cmds.answers["squeue"] = answer(0, "90_2|2|PENDING|Resources|\n90_1|1|RUNNING|None|node7\n");
    cmds.answers["sacct"] = answer(1, "", "Slurm accounting storage is disabled");
    SlurmManager slurm(cmds.runner());
    auto s = slurm.query("90");
    ASSERT_EQ(s.size(), 2u);
    EXPECT_EQ(s[2].phase, ManagerTaskState::Phase::Pending);
    EXPECT_EQ(s[2].reason, "Resources");
    EXPECT_EQ(s[1].phase, ManagerTaskState::Phase::Running);
    EXPECT_EQ(s[1].node, "node7");
    slurm.query("90");
    EXPECT_EQ(cmds.count("sacct"), 1) << "a cluster without accounting is asked once";

    FakeCommands acct;
    acct.answers["squeue"] = answer(1, "", "slurm_load_jobs error: Invalid job id specified");
    acct.answers["sacct"] =
        answer(0, "91_0|COMPLETED|0:0|n1\n91_1|CANCELLED by 0|0:15|n2\n91_[2-3]|PENDING|0:0|\n");
    SlurmManager withAccounting(acct.runner());
    auto a = withAccounting.query("91");
    ASSERT_EQ(a.size(), 2u);
    EXPECT_EQ(a[0].state, "COMPLETED");
    EXPECT_EQ(a[1].state, "CANCELLED");
    EXPECT_EQ(a[1].phase, ManagerTaskState::Phase::Ended);
    acct.answers["squeue"] = answer(1, "", "slurm_load_jobs error: Unable to contact slurm controller");
    EXPECT_NE(errorOf([&] { withAccounting.query("91"); }).find("cannot ask Slurm about job 91"),
              std::string::npos);
}

TEST_F(FarmJobTest, TaskStatesMergeTheManagerAndTheTaskRecords) {
    job->addSubmission({"100", {0, 1, 2}, {}});
    FakeManager m;
    // Task 0 finished by its own account; task 1 runs (its record has the step); task 2 waits.
    taskRecord(0, TaskRecord::State::Finished, "100");
    variantRecord(0, VariantRecord::State::Done, "100");
    variantRecord(1, VariantRecord::State::Done, "100");
    taskRecord(1, TaskRecord::State::Running, "100");
    variantRecord(2, VariantRecord::State::Running, "100");
    m.states["100"][1] = {ManagerTaskState::Phase::Running, "RUNNING", "", "n1"};
    m.states["100"][2] = {ManagerTaskState::Phase::Pending, "PENDING", "Resources", ""};
    JobStatus s = jobStatus(*job, &m);
    EXPECT_EQ(s.tasks[0].phase, TaskPhase::Finished);
    EXPECT_EQ(s.tasks[0].done, 2);
    EXPECT_EQ(s.tasks[1].phase, TaskPhase::Running);
    EXPECT_EQ(s.tasks[1].step, 4);
    EXPECT_EQ(s.variants[2].state, VariantStatus::State::Running);
    EXPECT_EQ(s.tasks[2].phase, TaskPhase::Pending);
    EXPECT_EQ(s.tasks[2].detail, "Resources");
    EXPECT_FALSE(s.isOver());
    EXPECT_EQ(s.variants[0].outputs[0], job->outputsDir() / (job->variants()[0].name + ".txt"));

    // Task 1 vanishes from the manager while its record says running: killed, its variant interrupted.
    // Task 2 was cancelled before it started.
    m.states["100"].erase(1);
    m.states["100"][2] = {ManagerTaskState::Phase::Ended, "CANCELLED", "", ""};
    s = jobStatus(*job, &m);
    EXPECT_EQ(s.tasks[1].phase, TaskPhase::Killed);
    EXPECT_NE(s.tasks[1].detail.find("ended without finishing"), std::string::npos) << s.tasks[1].detail;
    EXPECT_NE(s.tasks[1].detail.find("task-1.log"), std::string::npos);
    EXPECT_EQ(s.variants[2].state, VariantStatus::State::Interrupted);
    EXPECT_EQ(s.tasks[2].phase, TaskPhase::Cancelled);
    EXPECT_EQ(s.tasks[2].detail, "cancelled before it started");
    EXPECT_TRUE(s.isOver());
    EXPECT_EQ(
        s.summary(),
        "3 tasks: 1 finished, 1 cancelled, 1 killed; variants: 2 of 5 done, 1 cancelled or interrupted");

    // Re-submission runs the unfinished tasks only; a record of the earlier submission no longer counts.
    const auto sub = resubmitFailed(*job, m);
    ASSERT_TRUE(sub);
    EXPECT_EQ(sub->tasks, (std::vector<int>{1, 2}));
    EXPECT_EQ(job->submissionOf(1)->id, sub->id);
    m.states[sub->id][1] = {ManagerTaskState::Phase::Pending, "PENDING", "Priority", ""};
    s = jobStatus(*job, &m);
    EXPECT_EQ(s.tasks[1].phase, TaskPhase::Pending);
    EXPECT_EQ(s.tasks[0].phase, TaskPhase::Finished);
    EXPECT_EQ(cancelJob(*job, m), 1);
    EXPECT_EQ(m.cancelled, std::vector<std::string>{sub->id});
    EXPECT_EQ(cancelJob(*job, m, 2), 1);
    EXPECT_EQ(m.cancelled.back(), sub->id + "_2");
    EXPECT_THROW(cancelJob(*job, m, 9), Error);
}

TEST_F(FarmJobTest, FailuresAndUnreachableManagersAreReported) {
    job->addSubmission({"100", {0, 1, 2}, {}});
    FakeManager m;
    taskRecord(0, TaskRecord::State::Failed, "100",
               "1 of 2 variant(s) failed: 002_seed-2: cannot open the image");
    variantRecord(0, VariantRecord::State::Done, "100");
    variantRecord(1, VariantRecord::State::Failed, "100");
    m.states["100"][1] = {ManagerTaskState::Phase::Ended, "FAILED", "exit code 1:0", "n1"};
    taskRecord(2, TaskRecord::State::Cancelled, "100", "stopped by SIGTERM");
    JobStatus s = jobStatus(*job, &m);
    EXPECT_EQ(s.tasks[0].phase, TaskPhase::Failed);
    EXPECT_NE(s.tasks[0].detail.find("cannot open the image"), std::string::npos);
    EXPECT_EQ(s.tasks[1].phase, TaskPhase::Failed);
    EXPECT_NE(s.tasks[1].detail.find("ended before it started (slurm: FAILED, exit code 1:0)"),
              std::string::npos)
        << s.tasks[1].detail;
    EXPECT_EQ(s.tasks[2].phase, TaskPhase::Cancelled);
    EXPECT_TRUE(s.tasks[0].needsRerun());
    m.askError = "cannot ask Slurm about job 100 (squeue: exit code 1)";
    s = jobStatus(*job, &m);
    EXPECT_EQ(s.tasks[1].phase, TaskPhase::Unknown);
    EXPECT_EQ(s.tasks[0].phase, TaskPhase::Failed) << "the task's own record needs no manager";
    EXPECT_FALSE(s.isOver());
    EXPECT_NE(errorOf([&] { resubmitFailed(*job, m); }).find("cannot tell which tasks ended"),
              std::string::npos);
}

}  // namespace
}  // namespace sv::farm
