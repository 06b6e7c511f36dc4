// Executor: order, caching by provenance (checked through events), bypass, failures, cancellation, the
// bounded cache, the worker thread.
#include <algorithm>
#include <chrono>

#include <gtest/gtest.h>

#include "plugin/exec/executor.h"
#include "plugin/exec/executor_thread.h"
#include "run_outcome.h"
#include "support/reference.h"
#include "test_nodes.h"

namespace sv::plugin {
namespace {

using nlohmann::json;

class ExecutorTest : public ::testing::Test {
  protected:
    ExecutorTest() { test::registerTestNodes(registry); }

    /// load → encode → sampler → decode → save
    static GraphDocument chain() {
        GraphDocument doc;
        doc.addNode("test.load_model", 1, {{"folder", "/models/a"}}, json::object(), "load");
        doc.addNode("test.encode", 1, {{"prompt", "a cat"}}, json::object(), "enc");
        doc.addNode("test.sampler", 1, {{"seed", 1}, {"steps", 3}, {"step_ms", 0}}, json::object(), "sam");
        doc.addNode("test.decode", 1, json::object(), json::object(), "dec");
        doc.addNode("test.save", 1, json::object(), json::object(), "save");
        doc.connect({"load", "model"}, {"enc", "model"});
        doc.connect({"load", "model"}, {"sam", "model"});
        doc.connect({"enc", "cond"}, {"sam", "cond"});
        doc.connect({"sam", "latent"}, {"dec", "latent"});
        doc.connect({"dec", "video"}, {"save", "video"});
        return doc;
    }

    Outcome run(const GraphDocument& doc, RunRequest request = {}) {
        return runCollecting(executor, doc, std::move(request), tmp.path());
    }

    NodeRegistry registry;
    Executor executor{registry};
    sv::test::TempDir tmp;
};

TEST_F(ExecutorTest, RunsInTopologicalOrderWithEvents) {
    Outcome r = run(chain());
    ASSERT_TRUE(r.result.ok()) << r.result.message;
    EXPECT_EQ(r.nodes(EK::NodeStarted), (Ids{"load", "enc", "sam", "dec", "save"}));
    EXPECT_EQ(r.nodes(EK::NodeFinished), (Ids{"load", "enc", "sam", "dec", "save"}));
    ASSERT_FALSE(r.events.empty());
    EXPECT_EQ(r.events.front().kind, EK::RunStarted);
    EXPECT_EQ(r.events.front().nodes, (Ids{"load", "enc", "sam", "dec", "save"}));
    EXPECT_EQ(r.events.back().kind, EK::RunFinished);
    EXPECT_EQ(r.count(EK::NodeProgress), 4u);  // steps 0..3
    EXPECT_EQ(r.count(EK::NodePreview), 3u);
    // The test sampler's previews carry no step: the executor stamps each with the last progress (k of 3).
    std::vector<int64_t> previewSteps;
    for (const auto& e : r.events)
        if (e.kind == EK::NodePreview) {
            previewSteps.push_back(e.step);
            EXPECT_EQ(e.total, 3);
            EXPECT_NE(describeEvent(e).find("preview step " + std::to_string(e.step) + "/3: 1 frame of 2x1"),
                      std::string::npos)
                << describeEvent(e);
        }
    EXPECT_EQ(previewSteps, (std::vector<int64_t>{1, 2, 3}));
    ASSERT_EQ(r.count(EK::NodeDisplay), 1u);
    ASSERT_EQ(r.count(EK::NodeLog), 1u);
    for (const auto& e : r.events) {
        if (e.kind == EK::NodeDisplay) {
            EXPECT_EQ(e.value.toVideo()->rgb[0], 1) << "the video of seed 1";
        }
        if (e.kind == EK::NodeLog) {
            EXPECT_EQ(e.message, "loading /models/a");
        }
        if (e.kind == EK::NodeStarted) {
            EXPECT_EQ(e.count, 5);
        }
    }
    // The save node is the default target; its (empty) outputs are in the result.
    EXPECT_EQ(r.result.outputs.size(), 1u);
    EXPECT_TRUE(r.result.outputs.count("save"));
}

TEST_F(ExecutorTest, UnchangedGraphIsServedFromTheCache) {
    ASSERT_TRUE(run(chain()).result.ok());
    Outcome r = run(chain());
    ASSERT_TRUE(r.result.ok()) << r.result.message;
    EXPECT_EQ(r.count(EK::NodeStarted), 0u);
    EXPECT_EQ(r.nodes(EK::NodeCached), (Ids{"load", "enc", "sam", "dec", "save"}));
}

TEST_F(ExecutorTest, ACachedNodeDisplaysWhatItDisplayedWhenItRan) {
    ASSERT_TRUE(run(chain()).result.ok());
    Outcome r = run(chain());
    ASSERT_TRUE(r.result.ok()) << r.result.message;
    ASSERT_EQ(r.nodes(EK::NodeDisplay), (Ids{"save"}));
    // Before the node's cached event, as a running node displays before it finishes.
    size_t display = 0, cached = 0;
    for (size_t i = 0; i < r.events.size(); ++i) {
        if (r.events[i].kind == EK::NodeDisplay) display = i;
        if (r.events[i].kind == EK::NodeCached && r.events[i].nodeId == "save") cached = i;
    }
    EXPECT_LT(display, cached);
    EXPECT_EQ(r.events[display].value.toVideo()->rgb[0], 1) << "the video of seed 1";
}

TEST_F(ExecutorTest, SeedChangeRerunsSamplerAndDownstreamOnly) {
    GraphDocument doc = chain();
    ASSERT_TRUE(run(doc).result.ok());
    doc.setParam("sam", "seed", 2);
    Outcome r = run(doc);
    ASSERT_TRUE(r.result.ok()) << r.result.message;
    EXPECT_EQ(r.nodes(EK::NodeCached), (Ids{"load", "enc"}));
    EXPECT_EQ(r.nodes(EK::NodeStarted), (Ids{"sam", "dec", "save"}));
    EXPECT_EQ(r.result.evaluated, (Ids{"sam", "dec", "save"}));
    EXPECT_EQ(r.result.cached, (Ids{"load", "enc"}));
    // Back to seed 1: everything cached again.
    doc.setParam("sam", "seed", 1);
    EXPECT_EQ(run(doc).count(EK::NodeStarted), 0u);
}

TEST_F(ExecutorTest, PromptChangeDoesNotReloadTheModel) {
    GraphDocument doc = chain();
    ASSERT_TRUE(run(doc).result.ok());
    doc.setParam("enc", "prompt", "a dog");
    Outcome r = run(doc);
    EXPECT_EQ(r.nodes(EK::NodeCached), (Ids{"load"}));
    EXPECT_EQ(r.nodes(EK::NodeStarted), (Ids{"enc", "sam", "dec", "save"}));
    // A default-valued param written explicitly is the same computation.
    doc.setParam("load", "device", "cpu");
    EXPECT_EQ(run(doc).nodes(EK::NodeCached), (Ids{"load", "enc", "sam", "dec", "save"}));
}

TEST_F(ExecutorTest, RecomputedUpstreamKeepsDownstreamCached) {
    GraphDocument doc = chain();
    ASSERT_TRUE(run(doc).result.ok());
    // Evict GPU-heavy entries first: the model (LRU among them), then the latent.
    size_t before = executor.cacheStats().gpuBytes;
    EXPECT_EQ(executor.evict(1), 1000u);
    EXPECT_EQ(executor.cacheStats().gpuBytes, before - 1000);
    Outcome r = run(doc);
    // The model is loaded again, but its output identity derives from the same cache key, so everything
    // downstream is still valid.
    EXPECT_EQ(r.nodes(EK::NodeStarted), (Ids{"load"}));
    EXPECT_EQ(r.nodes(EK::NodeCached), (Ids{"enc", "sam", "dec", "save"}));

    executor.clearCache();
    EXPECT_EQ(executor.cacheStats().entries, 0u);
    EXPECT_EQ(run(doc).count(EK::NodeStarted), 5u);
}

TEST_F(ExecutorTest, BoundedCacheEvictsGpuHeavyFirst) {
    executor.setCacheLimits({2, 0, 0});
    GraphDocument doc = chain();
    ASSERT_TRUE(run(doc).result.ok());
    CacheStats s = executor.cacheStats();
    EXPECT_EQ(s.entries, 2u);
    EXPECT_EQ(s.gpuBytes, 0u) << "the model and latent (GPU-heavy) went first";
    Outcome r = run(doc);
    EXPECT_EQ(r.nodes(EK::NodeStarted), (Ids{"load", "enc", "sam"}));
    EXPECT_EQ(r.nodes(EK::NodeCached), (Ids{"dec", "save"}));

    executor.setCacheLimits({100, 0, 600});
    executor.clearCache();
    ASSERT_TRUE(run(doc).result.ok());
    EXPECT_LE(executor.cacheStats().gpuBytes, 600u);
    EXPECT_EQ(executor.cacheStats().entries, 4u) << "only the 1000-byte model was dropped";
}

TEST_F(ExecutorTest, TargetsLimitThePlan) {
    GraphDocument doc = chain();
    RunRequest req;
    req.targets = {"enc"};
    EXPECT_EQ(executor.plan(doc, req), (Ids{"load", "enc"}));
    Outcome r = run(doc, req);
    ASSERT_TRUE(r.result.ok());
    EXPECT_EQ(r.nodes(EK::NodeStarted), (Ids{"load", "enc"}));
    ASSERT_TRUE(r.result.outputs.count("enc"));
    EXPECT_EQ(r.result.outputs["enc"].get("cond").typeTag(), "test.cond");
    req.targets = {"nope"};
    EXPECT_THROW(executor.plan(doc, req), Error);
    EXPECT_EQ(run(doc, req).result.status, RunResult::Status::Invalid);
}

TEST_F(ExecutorTest, InvalidGraphIsRefusedWithEveryError) {
    GraphDocument doc = chain();
    doc.disconnect({"sam", "cond"});
    doc.setParam("sam", "steps", 0);
    Outcome r = run(doc);
    EXPECT_EQ(r.result.status, RunResult::Status::Invalid);
    EXPECT_EQ(r.count(EK::NodeStarted), 0u);
    EXPECT_NE(r.result.message.find("required input 'cond'"), std::string::npos) << r.result.message;
    EXPECT_NE(r.result.message.find("0 is below the minimum 1"), std::string::npos) << r.result.message;
    ASSERT_EQ(r.events.back().kind, EK::RunFailed);
    EXPECT_EQ(r.events.back().message, r.result.message);

    // Errors in nodes outside the plan do not block it...
    RunRequest req;
    req.targets = {"enc"};
    EXPECT_TRUE(run(doc, req).result.ok());
    // ...except an unknown node type, which might be an output node.
    doc.addNode("acme.save_somewhere", 1, json::object(), json::object(), "x");
    Outcome r2 = run(doc, req);
    EXPECT_EQ(r2.result.status, RunResult::Status::Invalid);
    EXPECT_NE(r2.result.message.find("unknown node type 'acme.save_somewhere'"), std::string::npos);
}

TEST_F(ExecutorTest, IssuesForRunAreWhatRunRefuses) {
    auto messages = [](const std::vector<GraphIssue>& issues) {
        std::vector<std::string> out;
        for (const auto& issue : issues) out.push_back(issue.message);
        return out;
    };
    GraphDocument doc = chain();
    doc.disconnect({"sam", "cond"});
    doc.setParam("sam", "steps", 0);
    doc.setParam("load", "bogus", 1);  // an unknown parameter: a warning, which does not block a run
    const std::vector<GraphIssue> before = executor.issuesForRun(doc, {});
    ASSERT_EQ(before.size(), 3u) << formatIssues(before);
    EXPECT_EQ(std::count_if(before.begin(), before.end(), [](const GraphIssue& i) { return i.isError(); }),
              2);
    Outcome r = run(doc);
    EXPECT_EQ(r.result.status, RunResult::Status::Invalid);
    EXPECT_EQ(messages(r.result.issues), messages(before));
    EXPECT_EQ(r.result.message, formatErrors(before));
    EXPECT_EQ(r.result.message.find("warning"), std::string::npos) << r.result.message;

    // Only the planned part counts: the sampler's errors do not concern a run of the text encoder.
    RunRequest toEnc;
    toEnc.targets = {"enc"};
    EXPECT_FALSE(hasErrors(executor.issuesForRun(doc, toEnc)));
    EXPECT_EQ(messages(executor.issuesForRun(doc, toEnc)), messages(run(doc, toEnc).result.issues));

    // No plan: an unknown target is an issue of its own, so a front end lists it with the rest.
    RunRequest toNowhere;
    toNowhere.targets = {"nope"};
    const std::vector<GraphIssue> unplanned = executor.issuesForRun(doc, toNowhere);
    ASSERT_FALSE(unplanned.empty());
    EXPECT_EQ(unplanned.front().kind, GraphIssue::Kind::UnknownTarget);
    EXPECT_NE(unplanned.front().message.find("no node 'nope'"), std::string::npos)
        << unplanned.front().message;
    EXPECT_EQ(run(doc, toNowhere).result.message, formatErrors(unplanned));

    // A cycle is named once, though the plan and validation both find it.
    GraphDocument loop;
    loop.addNode("test.add", 1, json::object(), json::object(), "a");
    loop.addNode("test.add", 1, json::object(), json::object(), "b");
    loop.connect({"a", "sum"}, {"b", "a"});
    loop.connect({"b", "sum"}, {"a", "a"});
    loop.addNode("test.add", 1, json::object(), json::object(), "out");  // the target, fed by the loop
    loop.connect({"b", "sum"}, {"out", "a"});
    const std::vector<GraphIssue> cycle = executor.issuesForRun(loop, {});
    ASSERT_EQ(cycle.size(), 1u) << formatIssues(cycle);
    EXPECT_EQ(cycle.front().kind, GraphIssue::Kind::Cycle);
    EXPECT_EQ(run(loop).result.message, formatErrors(cycle));
}

TEST_F(ExecutorTest, FailingNodeStopsTheRunAndKeepsTheCache) {
    GraphDocument doc;
    doc.addNode("test.const_int", 1, {{"value", 3}}, json::object(), "c");
    doc.addNode("test.fail", 1, json::object(), json::object(), "f");
    doc.addNode("test.add", 1, json::object(), json::object(), "sum");
    doc.connect({"c", "value"}, {"f", "value"});
    doc.connect({"f", "value"}, {"sum", "a"});
    Outcome r = run(doc);
    EXPECT_EQ(r.result.status, RunResult::Status::Failed);
    EXPECT_EQ(r.result.failedNode, "f");
    EXPECT_EQ(r.result.message, "deliberate failure on value 3");
    EXPECT_EQ(r.nodes(EK::NodeFailed), (Ids{"f"}));
    EXPECT_EQ(r.nodes(EK::NodeStarted), (Ids{"c", "f"})) << "nothing after the failure runs";
    ASSERT_EQ(r.events.back().kind, EK::RunFailed);
    EXPECT_EQ(r.events.back().nodeId, "f");
    EXPECT_EQ(r.events.back().message, "node 'f' (test.fail): deliberate failure on value 3");

    doc.setParam("f", "fail", false);
    Outcome again = run(doc);
    ASSERT_TRUE(again.result.ok()) << again.result.message;
    EXPECT_EQ(again.nodes(EK::NodeCached), (Ids{"c"}));
    EXPECT_EQ(again.nodes(EK::NodeStarted), (Ids{"f", "sum"}));
    EXPECT_EQ(again.result.outputs["sum"].getInt("sum"), 3);
}

TEST_F(ExecutorTest, WrongOutputTypeFailsNamingThePort) {
    GraphDocument doc;
    doc.addNode("test.liar", 1, json::object(), json::object(), "l");
    Outcome r = run(doc);
    EXPECT_EQ(r.result.status, RunResult::Status::Failed);
    EXPECT_EQ(r.result.message, "returned \"not an int\" for INT output 'value'");
    EXPECT_EQ(executor.cacheStats().entries, 0u);
}

TEST_F(ExecutorTest, BypassPassesTheFirstMatchingInputThrough) {
    GraphDocument doc;
    doc.addNode("test.const_int", 1, {{"value", 5}}, json::object(), "c");
    doc.addNode("test.add", 1, {{"offset", 3}}, json::object(), "plus3");
    doc.addNode("test.add", 1, {{"offset", 1}}, json::object(), "plus1");
    doc.connect({"c", "value"}, {"plus3", "a"});
    doc.connect({"plus3", "sum"}, {"plus1", "a"});
    Outcome r = run(doc);
    EXPECT_EQ(r.result.outputs["plus1"].getInt("sum"), 9);
    doc.setBypass("plus3", true);
    r = run(doc);
    ASSERT_TRUE(r.result.ok()) << r.result.message;
    EXPECT_EQ(r.result.outputs["plus1"].getInt("sum"), 6);
    EXPECT_EQ(r.nodes(EK::NodeStarted), (Ids{"plus1"}));
    // A bypassed node with nothing to pass through starves its consumer.
    doc.disconnect({"plus3", "a"});
    r = run(doc);
    EXPECT_EQ(r.result.status, RunResult::Status::Failed);
    EXPECT_EQ(r.result.failedNode, "plus1");
}

TEST_F(ExecutorTest, ProgressCarriesAnEta) {
    GraphDocument doc = chain();
    doc.setParam("sam", "steps", 4);
    doc.setParam("sam", "step_ms", 20);
    Outcome r = run(doc);
    std::vector<std::pair<int64_t, double>> steps;
    for (const auto& e : r.events)
        if (e.kind == EK::NodeProgress) {
            EXPECT_EQ(e.nodeId, "sam");
            EXPECT_EQ(e.total, 4);
            steps.emplace_back(e.step, e.etaSeconds);
        }
    ASSERT_EQ(steps.size(), 5u);
    EXPECT_LT(steps[0].second, 0) << "unknown before the first step";
    EXPECT_GT(steps[1].second, 0.02);  // 3 steps of >= 20 ms left
    EXPECT_EQ(steps[4].second, 0.0);
    for (const auto& e : r.events) {
        if (e.kind == EK::NodeFinished && e.nodeId == "sam") {
            EXPECT_GE(e.durationSeconds, 0.08);
        }
    }
}

TEST_F(ExecutorTest, CancelStopsPromptlyAndRerunReusesUpstream) {
    GraphDocument doc = chain();
    doc.setParam("sam", "steps", 200);
    doc.setParam("sam", "step_ms", 2);
    EventQueue q;
    ExecutorThread worker(executor);
    worker.start(doc, {{}, tmp.path()}, q.sink());
    EXPECT_THROW(worker.start(doc, {{}, tmp.path()}, {}), Error) << "one run at a time";
    // Wait for step 3 of the sampler, then cancel.
    bool sampling = false;
    while (!sampling) {
        auto e = q.waitNext(std::chrono::seconds(10));
        ASSERT_TRUE(e.has_value()) << "no event";
        sampling = e->kind == EK::NodeProgress && e->step >= 3;
    }
    auto t0 = std::chrono::steady_clock::now();
    worker.cancel();
    RunResult res = worker.wait();
    double waited = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    EXPECT_EQ(res.status, RunResult::Status::Cancelled);
    EXPECT_EQ(res.failedNode, "sam");
    EXPECT_LT(waited, 0.2) << "cancel must take effect within a step (2 ms here)";
    auto rest = q.poll();
    ASSERT_FALSE(rest.empty());
    EXPECT_EQ(rest.back().kind, EK::RunCancelled);
    EXPECT_EQ(rest.back().nodeId, "sam");
    int64_t lastStep = 0;
    for (const auto& e : rest)
        if (e.kind == EK::NodeProgress) lastStep = e.step;
    EXPECT_LT(lastStep, 100);
    EXPECT_FALSE(worker.isRunning());

    // Re-run the same graph: model and text encoding come from the cache; the cancelled sampler was not
    // cached.
    worker.start(doc, {{}, tmp.path()}, q.sink());
    RunResult again = worker.wait();
    ASSERT_TRUE(again.ok()) << again.message;
    EXPECT_EQ(again.cached, (Ids{"load", "enc"}));
    EXPECT_EQ(again.evaluated, (Ids{"sam", "dec", "save"}));
}

TEST_F(ExecutorTest, WorkerThreadDestructorCancels) {
    GraphDocument doc = chain();
    doc.setParam("sam", "steps", 100000);
    doc.setParam("sam", "step_ms", 1);
    auto t0 = std::chrono::steady_clock::now();
    {
        ExecutorThread worker(executor);
        worker.start(doc, {{}, tmp.path()});
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), 5.0);
}

}  // namespace
}  // namespace sv::plugin
