// Sweeps of the shipped graphs on a demo model: in-process (the SANA pack's model loader runs once for every
// variant) and through `sanavideo sweep` (MP4s named by variant, each embedding its own graph; a failing
// variant reported while the others finish).
#include <gtest/gtest.h>

#include "media/video_writer.h"
#include "plugin/farm/sweep_runner.h"
#include "plugin/farm/sweep_spec.h"
#include "sana_test_support.h"

namespace sv::test {
namespace {

using nlohmann::json;

class SanaSweepTest : public ::testing::Test {
  protected:
    void SetUp() override { media::setFfmpegQuiet(true); }

    /// sanavideo sweep GRAPH with the tiny settings as --set, plus `extra`.
    CommandResult sweep(bool imageToVideo, std::vector<std::string> extra) {
        const fs::path model = makeDemoModel(dir.path());
        std::vector<std::string> args = {
            "sweep", (graphsDir() / (imageToVideo ? "image-to-video.json" : "text-to-video.json")).string(),
            "--output-dir", (dir.path() / "out").string()};
        for (const auto& s : tinySettings(model, imageToVideo)) {
            args.push_back("--set");
            args.push_back(s.node + "." + s.param + "=" + s.value);
        }
        args.insert(args.end(), extra.begin(), extra.end());
        return runSanavideo(args, dir.path());
    }
    json embeddedGraph(const fs::path& mp4) {
        const CommandResult g = runSanavideo({"graph-from", mp4.string()}, dir.path());
        EXPECT_EQ(g.rc, 0) << g.err;
        return json::parse(g.out);
    }

    TempDir dir;
};

TEST_F(SanaSweepTest, TheModelLoadsOnceForEveryVariant) {
    plugin::NodeRegistry registry;
    loadSanaPack(registry);
    const fs::path model = makeDemoModel(dir.path());
    plugin::GraphDocument graph = plugin::GraphDocument::load(graphsDir() / "text-to-video.json");
    for (const auto& s : tinySettings(model, false))
        graph.setParam(s.node, s.param,
                       registry.find(graph.findNode(s.node)->type)->findParam(s.param)->parseText(s.value));
    const std::vector<farm::Axis> axes = {
        farm::resolveAxis(farm::parseAxis("sampler.seed=1..3"), graph, registry, dir.path())};
    plugin::Executor executor(registry);
    farm::SweepRunnerOptions options;
    options.outputDir = dir.path() / "out";
    farm::SweepRunner runner(
        registry, graph, options,
        [&](const auto& doc, const auto& req, const auto& sink) { return executor.run(doc, req, sink); });
    std::map<std::string, int> runs;
    for (const farm::Variant& v : farm::expandVariants(axes, farm::Combine::Product)) {
        const farm::VariantOutcome o = runner.run(v);
        ASSERT_EQ(o.state, farm::VariantRecord::State::Done) << o.message;
        for (const auto& n : o.run.evaluated) ++runs[n];
        ASSERT_EQ(o.outputs.size(), 1u);
        EXPECT_EQ(o.outputs[0].filename(), v.name + ".mp4");
    }
    EXPECT_EQ(runs["load_model"], 1);
    EXPECT_EQ(runs["text_encode"], 1);
    EXPECT_EQ(runs["sampler"], 3);
    EXPECT_EQ(runs["save_video"], 3);
}

TEST_F(SanaSweepTest, CliSweepNamesClipsByVariantAndEmbedsTheirGraphs) {
    const CommandResult r =
        sweep(false, {"--set-axis", "sampler.seed=5..6", "--set-axis", "sampler.guidance=4,6"});
    ASSERT_EQ(r.rc, 0) << r.err;
    // The models load once for the four variants; the sampler runs for each.
    EXPECT_NE(r.err.find("4 variant(s): 4 done; node runs: "), std::string::npos) << r.err;
    for (const char* runs : {" load_model 1,", " text_encode 1", " sampler 4,"})
        EXPECT_NE(r.err.find(runs), std::string::npos) << runs << "\n" << r.err;
    const std::vector<std::string> names = {"001_seed-5_guidance-4", "002_seed-5_guidance-6",
                                            "003_seed-6_guidance-4", "004_seed-6_guidance-6"};
    for (const std::string& name : names) {
        const fs::path mp4 = dir.path() / "out" / (name + ".mp4");
        ASSERT_TRUE(fs::exists(mp4)) << r.err;
        EXPECT_EQ(media::probeVideo(mp4).frames, 5);
        const json g = embeddedGraph(mp4);
        const json* sampler = nullptr;
        for (const json& n : g["nodes"])
            if (n["id"] == "sampler") sampler = &n;
        ASSERT_NE(sampler, nullptr);
        EXPECT_EQ((*sampler)["params"]["seed"], name[9] == '5' ? 5 : 6) << name;
        EXPECT_EQ((*sampler)["params"]["guidance"].get<double>(), name.back() == '4' ? 4.0 : 6.0) << name;
    }
    EXPECT_FALSE(fs::exists(dir.path() / "out" / ".partial"));
    // The same sweep again never overwrites: every variant fails and says why.
    const CommandResult again =
        sweep(false, {"--set-axis", "sampler.seed=5..6", "--set-axis", "sampler.guidance=4,6"});
    EXPECT_EQ(again.rc, 1);
    EXPECT_NE(again.err.find("001_seed-5_guidance-4.mp4 exists and is not overwritten"), std::string::npos)
        << again.err;
}

TEST_F(SanaSweepTest, AFailingVariantIsReportedAndTheOthersFinish) {
    const std::string good = testImage().string(), bad = (dir.path() / "no-such.png").string();
    const CommandResult r = sweep(true, {"--set-axis", "load_image.path=" + good + "," + bad, "--set-axis",
                                         "sampler.seed=1,2", "--zip"});
    EXPECT_EQ(r.rc, 1) << r.err;
    EXPECT_NE(r.err.find("2 variant(s): 1 done, 1 failed"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("failed: 002_path-no-such_seed-2: node 'load_image' parameter 'path': " + bad +
                         " is not readable (No such file or directory)"),
              std::string::npos)
        << r.err;
    EXPECT_TRUE(fs::exists(dir.path() / "out" / "001_path-rgb8_seed-1.mp4"));
    EXPECT_EQ(std::distance(fs::directory_iterator(dir.path() / "out"), fs::directory_iterator()), 1);
}

TEST_F(SanaSweepTest, ListShowsTheVariantsAndBadAxesAreUsageErrors) {
    const fs::path prompts = dir.path() / "prompts.txt";
    std::ofstream(prompts) << "a cat, sleeping\na dog\n";
    CommandResult r = sweep(false, {"--set-axis", "text_encode.prompt=@" + prompts.string(), "--set-axis",
                                    "sampler.seed=1..2", "--list"});
    ASSERT_EQ(r.rc, 0) << r.err;
    EXPECT_NE(r.out.find("004_prompt-line2_seed-2  text_encode.prompt=\"a dog\" sampler.seed=2"),
              std::string::npos)
        << r.out;
    r = sweep(false, {"--set-axis", "sampler.steps=0..2"});
    EXPECT_EQ(r.rc, 1);
    EXPECT_NE(r.err.find("axis sampler.steps=0..2: 0 is below the minimum 1"), std::string::npos) << r.err;
    r = sweep(false, {"--set-axis", "sampler.seed=1..3", "--set-axis", "sampler.steps=1..2", "--zip"});
    EXPECT_EQ(r.rc, 1);
    EXPECT_NE(r.err.find("zip needs axes of equal length"), std::string::npos) << r.err;
    r = runSanavideo({"sweep", "--zip", "--product", "x.json"}, dir.path());
    EXPECT_EQ(r.rc, 2) << r.err;
}

TEST_F(SanaSweepTest, SubmitWithoutSlurmSaysWhatToInstall) {
    const fs::path model = makeDemoModel(dir.path());
    const std::string cmd = concat("env PATH=/nonexistent ", shellQuote(SV_SANAVIDEO_EXE), " submit ",
                                   shellQuote((graphsDir() / "text-to-video.json").string()),
                                   " --set load_model.folder=", shellQuote(model.string()), " --job-root ",
                                   shellQuote((dir.path() / "jobs").string()), " >/dev/null 2>",
                                   shellQuote((dir.path() / "err.txt").string()));
    const int status = std::system(cmd.c_str());
    EXPECT_EQ(WIFEXITED(status) ? WEXITSTATUS(status) : -1, 1);
    const std::string err = readFile(dir.path() / "err.txt");
    EXPECT_NE(err.find("sinfo was not found: install Slurm's client commands (Debian: slurm-client)"),
              std::string::npos)
        << err;
    EXPECT_FALSE(fs::exists(dir.path() / "jobs")) << "nothing is written when the job cannot be submitted";
}

}  // namespace
}  // namespace sv::test
