// SweepRunner with in-process test nodes: the model loads once for all variants, outputs are named by variant
// and appear only when a variant succeeded, failures and cancels leave nothing, earlier outputs are never
// overwritten (local) or are skipped when done (farm records).
#include <gtest/gtest.h>

#include <fstream>
#include <stop_token>
#include <thread>

#include "base/error.h"
#include "farm_test_nodes.h"
#include "plugin/farm/sweep_runner.h"
#include "plugin/farm/sweep_spec.h"
#include "support/reference.h"

namespace sv::farm {
namespace {

namespace fs = std::filesystem;
using TempDir = ::sv::test::TempDir;
using State = VariantRecord::State;

class SweepRunnerTest : public ::testing::Test {
  protected:
    void SetUp() override {
        test::registerFarmTestNodes(registry, counters);
        fs::create_directories(dir.path() / "model");
        base = sp::GraphDocument::parse(test::farmTestGraph((dir.path() / "model").string()));
    }
    std::vector<Variant> variants(std::vector<std::string> axes, Combine c = Combine::Product) {
        std::vector<Axis> resolved;
        for (const auto& a : axes) resolved.push_back(resolveAxis(parseAxis(a), base, registry, dir.path()));
        return expandVariants(resolved, c);
    }
    /// A runner on `exec` (default: the fixture's executor, whose cache persists across runners).
    SweepRunner runner(fs::path stateDir = {}, sp::Executor* exec = nullptr) {
        SweepRunnerOptions o;
        o.outputDir = dir.path() / "out";
        o.stateDir = std::move(stateDir);
        sp::Executor& e = exec ? *exec : executor;
        return SweepRunner(registry, base, o, [this, &e](const auto& doc, const auto& req, const auto& sink) {
            return e.run(doc, req, sink, stop.get_token());
        });
    }
    std::vector<std::string> outputFiles() const {
        std::vector<std::string> names;
        for (const auto& e : fs::directory_iterator(dir.path() / "out"))
            names.push_back(e.path().filename().string());
        std::sort(names.begin(), names.end());
        return names;
    }

    test::Counters counters;
    sp::NodeRegistry registry;
    sp::Executor executor{registry};
    std::stop_source stop;
    TempDir dir;
    sp::GraphDocument base;
};

TEST_F(SweepRunnerTest, LoadsTheModelOnceAndNamesOutputsByVariant) {
    SweepRunner r = runner();
    const auto vs = variants({"render.seed=1..3", "render.prompt=a cat,a dog"});
    ASSERT_EQ(vs.size(), 6u);
    for (const Variant& v : vs) {
        const VariantOutcome o = r.run(v);
        ASSERT_EQ(o.state, State::Done) << o.message;
        ASSERT_EQ(o.outputs.size(), 1u);
        EXPECT_EQ(o.outputs[0], dir.path() / "out" / (v.name + ".txt"));
        const bool first = v.index == 0;
        EXPECT_EQ(std::count(o.run.evaluated.begin(), o.run.evaluated.end(), "load"), first ? 1 : 0);
        EXPECT_EQ(std::count(o.run.cached.begin(), o.run.cached.end(), "load"), first ? 0 : 1);
    }
    EXPECT_EQ(counters.loads, 1) << "one executor for every variant: the model loads once";
    EXPECT_EQ(counters.renders, 6);
    EXPECT_EQ(outputFiles().size(), 6u);  // no .partial left behind
    // Each output holds its own values and the variant's graph (file name included).
    std::ifstream f(dir.path() / "out" / (vs[3].name + ".txt"));
    std::string line, graph((std::istreambuf_iterator<char>(f)), {});
    EXPECT_EQ(graph.substr(0, graph.find('\n')), "seed 2 prompt a dog");
    const auto doc = sp::GraphDocument::parse(graph.substr(graph.find('\n') + 1));
    EXPECT_EQ(doc.findNode("render")->params["seed"], 2);
    EXPECT_EQ(doc.findNode("write")->params["filename"], vs[3].name);
}

TEST_F(SweepRunnerTest, AFailingVariantLeavesNothingAndTheOthersGoOn) {
    std::ofstream(dir.path() / "good.png") << "x";
    SweepRunner r = runner();
    const auto vs = variants({"render.image=good.png,missing.png,good.png"});
    EXPECT_EQ(r.run(vs[0]).state, State::Done);
    const VariantOutcome bad = r.run(vs[1]);
    EXPECT_EQ(bad.state, State::Failed);
    EXPECT_NE(bad.message.find("node 'render' parameter 'image'"), std::string::npos) << bad.message;
    EXPECT_NE(bad.message.find("missing.png is not readable"), std::string::npos) << bad.message;
    EXPECT_EQ(r.run(vs[2]).state, State::Done);
    EXPECT_EQ(outputFiles(), (std::vector<std::string>{vs[0].name + ".txt", vs[2].name + ".txt"}));
}

TEST_F(SweepRunnerTest, ACancelledVariantLeavesNoPartialOutput) {
    const auto vs = variants({"render.steps=100000"});
    base.setParam("render", "step_ms", 1);
    SweepRunner slow = runner();
    std::jthread canceller([this] {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        stop.request_stop();
    });
    const VariantOutcome o = slow.run(vs[0]);
    EXPECT_EQ(o.state, State::Cancelled);
    EXPECT_TRUE(outputFiles().empty());
    EXPECT_FALSE(fs::exists(dir.path() / "out" / ".partial"));
}

TEST_F(SweepRunnerTest, LocalSweepsNeverOverwrite) {
    const auto vs = variants({"render.seed=1..2"});
    ASSERT_EQ(runner().run(vs[0]).state, State::Done);
    std::ofstream(dir.path() / "out" / (vs[0].name + ".txt")) << "mine";
    // The same variant again in this process: its output node comes from the cache, which is said.
    const VariantOutcome cached = runner().run(vs[0]);
    EXPECT_EQ(cached.state, State::Failed);
    EXPECT_NE(cached.message.find("node 'write' was served from the cache"), std::string::npos)
        << cached.message;
    // Another process (a fresh executor) computes it and refuses to replace the file.
    sp::Executor fresh(registry);
    const VariantOutcome again = runner({}, &fresh).run(vs[0]);
    EXPECT_EQ(again.state, State::Failed);
    EXPECT_NE(again.message.find("exists and is not overwritten"), std::string::npos) << again.message;
    std::ifstream f(dir.path() / "out" / (vs[0].name + ".txt"));
    EXPECT_EQ(std::string((std::istreambuf_iterator<char>(f)), {}), "mine");
}

TEST_F(SweepRunnerTest, FarmRecordsSkipDoneVariantsAndReplaceInterruptedOnes) {
    const fs::path state = dir.path() / "state";
    fs::create_directories(state);
    const auto vs = variants({"render.seed=1..2"});
    {
        SweepRunner r = runner(state);
        const VariantOutcome o = r.run(vs[0]);
        ASSERT_EQ(o.state, State::Done);
        const auto rec = readVariantRecord(state / (vs[0].name + ".json"));
        ASSERT_TRUE(rec);
        EXPECT_EQ(rec->state, State::Done);
        EXPECT_EQ(rec->outputs, std::vector<std::string>{vs[0].name + ".txt"});
    }
    // A killed earlier run of variant 2: a running record, a half-written temporary file, a stale output.
    VariantRecord killed;
    killed.name = vs[1].name;
    killed.index = 1;
    writeJsonAtomically(state / (vs[1].name + ".json"), killed.toJson());
    fs::create_directories(dir.path() / "out" / ".partial" / vs[1].name);
    std::ofstream(dir.path() / "out" / ".partial" / vs[1].name / "half.txt") << "half";

    sp::Executor fresh(registry);  // a new process, as a re-submitted task is
    SweepRunner again = runner(state, &fresh);
    const int rendersBefore = counters.renders;
    const VariantOutcome skipped = again.run(vs[0]);
    EXPECT_TRUE(skipped.skipped);
    EXPECT_EQ(skipped.state, State::Done);
    EXPECT_EQ(counters.renders, rendersBefore);
    const VariantOutcome rerun = again.run(vs[1]);
    EXPECT_EQ(rerun.state, State::Done) << rerun.message;
    EXPECT_FALSE(fs::exists(dir.path() / "out" / ".partial" / vs[1].name));
    EXPECT_EQ(readVariantRecord(state / (vs[1].name + ".json"))->state, State::Done);
    // An output deleted by hand makes the variant run again.
    fs::remove(dir.path() / "out" / (vs[0].name + ".txt"));
    EXPECT_FALSE(again.run(vs[0]).skipped);
}

TEST_F(SweepRunnerTest, SeveralOutputNodesGetTheirIdsAppended) {
    base.addNode("ft.write", 1, {}, {}, "write_b");
    base.connect({"render", "text"}, {"write_b", "text"});
    SweepRunner r = runner();
    const auto vs = variants({"render.seed=4"});
    const VariantOutcome o = r.run(vs[0]);
    ASSERT_EQ(o.state, State::Done) << o.message;
    EXPECT_EQ(outputFiles(),
              (std::vector<std::string>{vs[0].name + "_write.txt", vs[0].name + "_write_b.txt"}));
}

TEST_F(SweepRunnerTest, AnInvalidVariantFailsWithTheValidationMessage) {
    SweepRunner r = runner();
    Variant v{0, "001_bad", {{"render", "seed", 5000}}};
    const VariantOutcome o = r.run(v);
    EXPECT_EQ(o.state, State::Failed);
    EXPECT_NE(o.message.find("the graph is invalid"), std::string::npos) << o.message;
    EXPECT_NE(o.message.find("5000 is above the maximum 1000"), std::string::npos) << o.message;
    Variant ghost{1, "002_ghost", {{"ghost", "seed", 1}}};
    EXPECT_EQ(r.run(ghost).state, State::Failed);
}

}  // namespace
}  // namespace sv::farm
