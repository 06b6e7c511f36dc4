// End to end on a real Slurm (`.ci/slurm.sh up`: one node on this machine): `sanavideo submit` of demo-model
// sweeps as job arrays, `sanavideo jobs` (show, wait, cancel, resubmit), the MP4s and their embedded graphs,
// a failing variant, a task cancelled mid-variant, a task killed outright, a model folder the compute node
// cannot read, a partition that does not exist. Skipped when no cluster answers, unless SV_REQUIRE_SLURM=1.
#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <thread>

#include "media/video_writer.h"
#include "plugin/farm/process_runner.h"
#include "sana_test_support.h"

namespace sv::test {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

class SlurmTest : public ::testing::Test {
  protected:
    void SetUp() override {
        media::setFfmpegQuiet(true);
        const farm::ProcessResult r = farm::runProcess("sinfo", {"--noheader", "--format=%T"}, 20s);
        if (!r.ok()) {
            const char* require = std::getenv("SV_REQUIRE_SLURM");
            if (require && std::string(require) == "1")
                FAIL() << "no Slurm cluster answers (" << r.describe("sinfo")
                       << "); start one with .ci/slurm.sh up";
            GTEST_SKIP() << "no Slurm cluster (" << r.describe("sinfo") << "); .ci/slurm.sh up starts one";
        }
        root = dir.path() / "jobs";
        model = makeDemoModel(dir.path());
    }

    /// sanavideo submit GRAPH (tiny settings) into `root`; returns the result (stdout: the job id).
    CommandResult submit(bool imageToVideo, std::vector<std::string> extra) {
        std::vector<std::string> args = {
            "submit",
            (graphsDir() / (imageToVideo ? "image-to-video.json" : "text-to-video.json")).string(),
            "--farm",
            "slurm",
            "--job-root",
            root.string(),
            "--name",
            imageToVideo ? "i2v" : "t2v"};
        for (const auto& s : tinySettings(model, imageToVideo)) {
            args.push_back("--set");
            args.push_back(s.node + "." + s.param + "=" + s.value);
        }
        args.insert(args.end(), extra.begin(), extra.end());
        return runSanavideo(args, dir.path());
    }
    CommandResult jobs(std::vector<std::string> args) {
        args.insert(args.begin(), {"jobs", "--job-root", root.string()});
        return runSanavideo(args, dir.path());
    }
    json show(const std::string& id) {
        const CommandResult r = jobs({"--json", "show", id});
        EXPECT_EQ(r.rc, 0) << r.err;
        return json::parse(r.out);
    }
    /// Waits for the job to be over; returns `jobs wait`'s exit code.
    int wait(const std::string& id) {
        const CommandResult r = jobs({"wait", id, "--timeout", "400", "--interval", "1"});
        EXPECT_NE(r.rc, 124) << "the job did not end in time:\n" << r.err << jobs({"show", id}).out;
        return r.rc;
    }
    static std::string idOf(const CommandResult& r) {
        std::string id = r.out;
        while (!id.empty() && (id.back() == '\n' || id.back() == ' ')) id.pop_back();
        return id;
    }
    static const json& variant(const json& status, const std::string& name) {
        for (const json& v : status["variants"])
            if (v["name"] == name) return v;
        ADD_FAILURE() << "no variant " << name;
        return status;
    }
    int seedOf(const fs::path& mp4) {
        const CommandResult g = runSanavideo({"graph-from", mp4.string()}, dir.path());
        EXPECT_EQ(g.rc, 0) << g.err;
        const json graph = json::parse(g.out);
        for (const json& n : graph["nodes"])
            if (n["id"] == "sampler") return n["params"]["seed"].get<int>();
        return -1;
    }

    TempDir dir;
    fs::path root;
    fs::path model;
};

TEST_F(SlurmTest, SixVariantsRunAsAThreeTaskArray) {
    const CommandResult s = submit(false, {"--set-axis", "sampler.seed=11..16", "--chunk", "2"});
    ASSERT_EQ(s.rc, 0) << s.err;
    const std::string id = idOf(s);
    EXPECT_NE(s.err.find("6 variant(s) in 3 task(s), slurm job " + id), std::string::npos) << s.err;
    ASSERT_EQ(wait(id), 0);

    const json status = show(id);
    ASSERT_EQ(status["tasks"].size(), 3u);
    for (const json& t : status["tasks"]) {
        EXPECT_EQ(t["state"], "finished") << t.dump();
        EXPECT_EQ(t["done"], 2);
    }
    const fs::path jobDir = status["dir"].get<std::string>();
    for (int seed = 11; seed <= 16; ++seed) {
        const std::string name = concat("00", seed - 10, "_seed-", seed);
        const json& v = variant(status, name);
        EXPECT_EQ(v["state"], "done");
        const fs::path mp4 = jobDir / "outputs" / (name + ".mp4");
        ASSERT_EQ(v["outputs"], json::array({mp4.string()}));
        ASSERT_TRUE(fs::exists(mp4));
        EXPECT_EQ(media::probeVideo(mp4).frames, 5);
        EXPECT_EQ(seedOf(mp4), seed) << "each clip embeds its own variant's graph";
    }
    EXPECT_TRUE(!fs::exists(jobDir / "outputs" / ".partial") ||
                fs::is_empty(jobDir / "outputs" / ".partial"));
    // One process per task: the model loader ran once in each.
    for (int t = 0; t < 3; ++t) {
        const std::string log = readFile(jobDir / "logs" / concat("task-", t, ".log"));
        const std::string summary = concat("task ", t, ": 2 variant(s): 2 done; node runs: ");
        const size_t at = log.find(summary);
        ASSERT_NE(at, std::string::npos) << log;
        const std::string runs = log.substr(at, log.find('\n', at) - at);
        EXPECT_NE(runs.find(" load_model 1,"), std::string::npos) << runs;
        EXPECT_NE(runs.find(" sampler 2,"), std::string::npos) << runs;
    }
    const CommandResult list = jobs({});
    EXPECT_NE(list.out.find("3 tasks: 3 finished; variants: 6 of 6 done"), std::string::npos) << list.out;
    // Nothing left to re-submit.
    EXPECT_NE(jobs({"resubmit", id}).err.find("no task needs to run again"), std::string::npos);
}

TEST_F(SlurmTest, AFailingVariantAndACancelledTaskLoseNothingElse) {
    const std::string good = testImage().string(), bad = (dir.path() / "missing.png").string();
    // Task 0: two good variants; task 1: a missing image, then a good one; task 2: a short one, then one long
    // enough (81 frames, 1000 steps: half a minute) to be cancelled in the middle.
    const CommandResult s =
        submit(true, {"--set-axis",
                      concat("load_image.path=", good, ",", good, ",", bad, ",", good, ",", good, ",", good),
                      "--set-axis", "sampler.steps=1,1,1,1,1,1000", "--set-axis",
                      "sampler.frames=5,5,5,5,5,81", "--zip", "--chunk", "2"});
    ASSERT_EQ(s.rc, 0) << s.err;
    EXPECT_NE(
        s.err.find("warning: variant 003_path-missing_steps-1_frames-5: node 'load_image' parameter 'path'"),
        std::string::npos)
        << s.err;
    const std::string id = idOf(s);
    const std::string slow = "006_path-rgb8_steps-1000_frames-81";
    bool running = false;
    for (int i = 0; i < 300 && !running; ++i) {
        const json st = show(id);
        running = st["tasks"][2]["state"] == "running" && st["tasks"][2]["current"] == slow &&
                  st["tasks"][2]["node"] == "sampler";
        if (!running) std::this_thread::sleep_for(500ms);
    }
    ASSERT_TRUE(running) << jobs({"show", id}).out;
    const CommandResult c = jobs({"cancel", id, "--task", "2"});
    ASSERT_EQ(c.rc, 0) << c.err;
    EXPECT_EQ(wait(id), 1) << "not every variant is done";

    const json st = show(id);
    const fs::path out = fs::path(st["dir"].get<std::string>()) / "outputs";
    EXPECT_EQ(st["tasks"][0]["state"], "finished");
    EXPECT_EQ(st["tasks"][1]["state"], "failed");
    EXPECT_NE(st["tasks"][1]["detail"].get<std::string>().find(
                  "1 of 2 variant(s) failed: 003_path-missing_steps-1_frames-5"),
              std::string::npos)
        << st["tasks"][1].dump();
    EXPECT_EQ(st["tasks"][2]["state"], "cancelled") << st["tasks"][2].dump();
    EXPECT_NE(st["tasks"][2]["detail"].get<std::string>().find("stopped by SIGTERM"), std::string::npos)
        << st["tasks"][2].dump();
    const json& failed = variant(st, "003_path-missing_steps-1_frames-5");
    EXPECT_EQ(failed["state"], "failed");
    EXPECT_NE(failed["message"].get<std::string>().find(bad + " is not readable"), std::string::npos);
    EXPECT_EQ(variant(st, slow)["state"], "cancelled");
    for (const char* done : {"001_path-rgb8_steps-1_frames-5", "002_path-rgb8_steps-1_frames-5",
                             "004_path-rgb8_steps-1_frames-5", "005_path-rgb8_steps-1_frames-5"}) {
        EXPECT_EQ(variant(st, done)["state"], "done") << done;
        EXPECT_TRUE(fs::exists(out / (std::string(done) + ".mp4"))) << done;
    }
    EXPECT_FALSE(fs::exists(out / (slow + ".mp4")));
    EXPECT_TRUE(!fs::exists(out / ".partial") || fs::is_empty(out / ".partial")) << "no partial clip left";
    const CommandResult text = jobs({"show", id});
    EXPECT_NE(text.out.find(concat("task 1 (job ", id, "): failed, 1/2 done, 1 failed")), std::string::npos)
        << text.out;

    // Re-submitting the failed task runs only its unfinished variant (which fails again, reported again).
    const auto before = fs::last_write_time(out / "004_path-rgb8_steps-1_frames-5.mp4");
    const CommandResult again = jobs({"resubmit", id, "--task", "1"});
    ASSERT_EQ(again.rc, 0) << again.err;
    EXPECT_NE(idOf(again), id);
    EXPECT_EQ(wait(id), 1);
    const json st2 = show(id);
    EXPECT_EQ(st2["tasks"][1]["state"], "failed");
    EXPECT_EQ(st2["tasks"][1]["submission"], idOf(again));
    EXPECT_EQ(fs::last_write_time(out / "004_path-rgb8_steps-1_frames-5.mp4"), before)
        << "finished variants are skipped";
    const std::string log = readFile(fs::path(st2["dir"].get<std::string>()) / "logs" / "task-1.log");
    EXPECT_NE(log.find("004_path-rgb8_steps-1_frames-5 was done by an earlier run"), std::string::npos)
        << log;
}

TEST_F(SlurmTest, AKilledTaskIsReportedLeavesNoClipAndRunsAgain) {
    // One task whose variant takes a while (81 frames, 600 steps: about 10 s of sampling on an idle core, so
    // the variant cannot finish between seeing it sample and the kill, as 200 steps sometimes did), killed
    // outright in the middle (SIGKILL to the process its record names; the node is this machine): it cannot
    // record anything, as on a node failure, an out-of-memory kill or after Slurm's grace time.
    const CommandResult s = submit(
        false, {"--set-axis", "sampler.seed=3", "--set", "sampler.frames=81", "--set", "sampler.steps=600"});
    ASSERT_EQ(s.rc, 0) << s.err;
    const std::string id = idOf(s);
    bool running = false;
    for (int i = 0; i < 300 && !running; ++i) {
        const json st = show(id);
        running = st["tasks"][0]["state"] == "running" && st["tasks"][0]["node"] == "sampler";
        if (!running) std::this_thread::sleep_for(200ms);
    }
    ASSERT_TRUE(running) << jobs({"show", id}).out;
    const json record =
        json::parse(readFile(fs::path(show(id)["dir"].get<std::string>()) / "state" / "task-0.json"));
    ASSERT_EQ(::kill(pid_t(record["pid"].get<int64_t>()), SIGKILL), 0);
    EXPECT_EQ(wait(id), 1);
    json st = show(id);
    const fs::path out = fs::path(st["dir"].get<std::string>()) / "outputs";
    EXPECT_EQ(st["tasks"][0]["state"], "killed") << st["tasks"][0].dump();
    EXPECT_NE(st["tasks"][0]["detail"].get<std::string>().find("ended without finishing"), std::string::npos);
    EXPECT_EQ(st["variants"][0]["state"], "interrupted");
    EXPECT_FALSE(fs::exists(out / "001_seed-3.mp4"));
    // Re-submitted, it runs again from the start, clears what the killed run left, and finishes.
    ASSERT_EQ(jobs({"resubmit", id}).rc, 0);
    EXPECT_EQ(wait(id), 0);
    st = show(id);
    EXPECT_EQ(st["tasks"][0]["state"], "finished");
    EXPECT_TRUE(fs::exists(out / "001_seed-3.mp4"));
    EXPECT_TRUE(!fs::exists(out / ".partial") || fs::is_empty(out / ".partial"));
}

TEST_F(SlurmTest, AModelFolderTheNodeCannotReadFailsTheTaskAtOnce) {
    // Held while the model "disappears" (as a folder only the submit host mounts would for a compute node).
    const CommandResult s = submit(false, {"--set-axis", "sampler.seed=1..2", "--sbatch-arg=--hold"});
    ASSERT_EQ(s.rc, 0) << s.err;
    const std::string id = idOf(s);
    fs::rename(model, dir.path() / "model-elsewhere");
    const farm::ProcessResult release = farm::runProcess("scontrol", {"release", id}, 20s);
    ASSERT_TRUE(release.ok()) << release.describe("scontrol");
    EXPECT_EQ(wait(id), 1);
    fs::rename(dir.path() / "model-elsewhere", model);
    const json st = show(id);
    const std::string detail = st["tasks"][0]["detail"];
    EXPECT_EQ(st["tasks"][0]["state"], "failed");
    EXPECT_NE(detail.find("node 'load_model' parameter 'folder': " + model.string() + " is not readable"),
              std::string::npos)
        << detail;
    EXPECT_NE(detail.find("the models and every input must be on a path the compute nodes can read"),
              std::string::npos)
        << detail;
    EXPECT_EQ(variant(st, "001_seed-1")["state"], "failed");
}

TEST_F(SlurmTest, AMissingPartitionIsRefusedBeforeAnythingIsWritten) {
    const CommandResult s =
        submit(false, {"--set-axis", "sampler.seed=1..2", "--partition", "no-such-partition"});
    EXPECT_EQ(s.rc, 1);
    EXPECT_NE(
        s.err.find("the Slurm partition 'no-such-partition' does not exist on this cluster (partitions: "),
        std::string::npos)
        << s.err;
    EXPECT_TRUE(!fs::exists(root) || fs::is_empty(root));
}

}  // namespace
}  // namespace sv::test
