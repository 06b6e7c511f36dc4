// End to end through the sanavideo binary: `sanavideo run` of the shipped default graphs on a demo model
// writes an MP4 whose embedded graph (`sanavideo graph-from`) is the graph that ran, --set values included.
#include <sys/stat.h>

#include <chrono>
#include <fstream>

#include <gtest/gtest.h>

#include "base/tensor.h"
#include "media/video_writer.h"
#include "plugin/graph/graph_document.h"
#include "sana_test_support.h"

namespace sv::test {
namespace {

using nlohmann::json;
using plugin::GraphDocument;

class SanaCliTest : public ::testing::Test {
  protected:
    void SetUp() override { media::setFfmpegQuiet(true); }

    /// Runs a default graph with the tiny settings; returns the MP4 it wrote and the graph with the settings
    /// applied (as `--set` applies them: values parsed by the parameter's type).
    void runDefaultGraph(bool imageToVideo) {
        const fs::path model = makeDemoModel(dir.path());
        const fs::path graph = graphsDir() / (imageToVideo ? "image-to-video.json" : "text-to-video.json");
        std::vector<std::string> args = {"run", graph.string(), "--output-dir",
                                         (dir.path() / "out").string()};
        GraphDocument expected = GraphDocument::load(graph);
        for (const auto& s : tinySettings(model, imageToVideo)) {
            args.push_back("--set");
            args.push_back(s.node + "." + s.param + "=" + s.value);
            json v = s.value;  // strings stay strings; numbers are parsed like the parameter types do
            if (!s.value.empty() && s.value.find_first_not_of("0123456789") == std::string::npos)
                v = std::stoll(s.value);
            if (s.value == "true" || s.value == "false") v = s.value == "true";
            expected.setParam(s.node, s.param, v);
        }
        const CommandResult r = runSanavideo(args, dir.path());
        ASSERT_EQ(r.rc, 0) << r.out << r.err;
        EXPECT_NE(r.err.find("[sampler] step 2/2"), std::string::npos) << r.err;

        const fs::path mp4 =
            dir.path() / "out" / (imageToVideo ? "sana_i2v_00001.mp4" : "sana_t2v_00001.mp4");
        ASSERT_TRUE(fs::exists(mp4)) << r.err;
        const auto info = media::probeVideo(mp4);
        EXPECT_EQ(info.codec, "h264");
        EXPECT_EQ(info.frames, 5);
        EXPECT_EQ(info.width, 32);
        EXPECT_EQ(info.height, 32);

        const CommandResult g = runSanavideo({"graph-from", mp4.string()}, dir.path());
        ASSERT_EQ(g.rc, 0) << g.err;
        const json embedded = json::parse(g.out);
        EXPECT_EQ(embedded, expected.toJson());
        // The extracted graph runs again as is (a second file, counted up).
        const fs::path again = dir.path() / "again.json";
        GraphDocument::parse(g.out).save(again);
        const CommandResult r2 =
            runSanavideo({"run", again.string(), "--output-dir", (dir.path() / "out").string()}, dir.path());
        ASSERT_EQ(r2.rc, 0) << r2.err;
        EXPECT_TRUE(
            fs::exists(dir.path() / "out" / (imageToVideo ? "sana_i2v_00002.mp4" : "sana_t2v_00002.mp4")));
    }

    TempDir dir;
};

TEST_F(SanaCliTest, TextToVideoEmbedsTheGraphThatRan) {
    runDefaultGraph(false);
}

TEST_F(SanaCliTest, ImageToVideoEmbedsTheGraphThatRan) {
    runDefaultGraph(true);
}

TEST_F(SanaCliTest, GraphFromNamesTheFileWithoutAGraph) {
    const fs::path plain = dir.path() / "plain.mp4";
    media::writeVideo(plain, Tensor::zeros({1, 16, 16, 3}, DType::U8));
    CommandResult r = runSanavideo({"graph-from", plain.string()}, dir.path());
    EXPECT_EQ(r.rc, 1);
    EXPECT_NE(r.err.find(plain.string() + ": no node graph embedded"), std::string::npos) << r.err;

    const fs::path missing = dir.path() / "missing.mp4";
    r = runSanavideo({"graph-from", missing.string()}, dir.path());
    EXPECT_EQ(r.rc, 1);
    EXPECT_NE(r.err.find(missing.string()), std::string::npos) << r.err;

    media::VideoWriterOptions o;
    o.metadata[media::kGraphMetadataKey] = "just a comment";
    const fs::path commented = dir.path() / "commented.mp4";
    media::writeVideo(commented, Tensor::zeros({1, 16, 16, 3}, DType::U8), o);
    r = runSanavideo({"graph-from", commented.string()}, dir.path());
    EXPECT_EQ(r.rc, 1);
    EXPECT_NE(r.err.find("not a Sana Video node graph"), std::string::npos) << r.err;
}

TEST_F(SanaCliTest, DefaultGraphWithoutAModelFolderNamesTheParameter) {
    const CommandResult r = runSanavideo(
        {"run", (graphsDir() / "text-to-video.json").string(), "--output-dir", (dir.path() / "out").string()},
        dir.path());
    EXPECT_EQ(r.rc, 1);
    EXPECT_NE(r.err.find("parameter 'folder' is empty"), std::string::npos) << r.err;
}

TEST_F(SanaCliTest, OutputDirIsWhereTheGraphWritesAndNothingElse) {
    // --output-dir is the user's explicit choice of where a run writes (docs/SECURITY.md): the graph's file
    // name pattern, sub-folder included, lands under it (folders created), and nothing else is written there.
    const fs::path model = makeDemoModel(dir.path());
    const fs::path out = dir.path() / "renders" / "today";
    std::vector<std::string> args = {"run",          (graphsDir() / "text-to-video.json").string(),
                                     "--output-dir", out.string(),
                                     "--set",        "save_video.filename=shots/take_{counter:02}"};
    for (const auto& s : tinySettings(model, false)) {
        args.push_back("--set");
        args.push_back(s.node + "." + s.param + "=" + s.value);
    }
    const CommandResult r = runSanavideo(args, dir.path());
    ASSERT_EQ(r.rc, 0) << r.err;
    std::vector<fs::path> written;
    for (const auto& e : fs::recursive_directory_iterator(dir.path() / "renders"))
        if (!e.is_directory()) written.push_back(fs::relative(e.path(), out));
    EXPECT_EQ(written, std::vector<fs::path>{fs::path("shots") / "take_01.mp4"}) << r.err;

    // An --output-dir that is a file is refused by name, before any node runs; the file is kept.
    const fs::path file = dir.path() / "notes.txt";
    { std::ofstream(file) << "mine"; }
    args[3] = file.string();
    const CommandResult bad = runSanavideo(args, dir.path());
    EXPECT_EQ(bad.rc, 1);
    EXPECT_NE(bad.err.find("output folder " + file.string()), std::string::npos) << bad.err;
    EXPECT_EQ(bad.err.find("started (sana."), std::string::npos) << "no node ran: " << bad.err;
    EXPECT_EQ(readFile(file), "mine");
}

// ---- hostile graphs and files (docs/SECURITY.md)
// ------------------------------------------------------------------------------------------

TEST_F(SanaCliTest, OutputNamesThatLeaveTheOutputFolderAreRefusedBeforeAnythingRuns) {
    const fs::path graph = graphsDir() / "text-to-video.json";
    const fs::path elsewhere = dir.path() / "anywhere" / "else" / "x";
    const std::vector<std::pair<std::string, std::string>> cases = {
        {elsewhere.string(), "is an absolute path"},
        {"../../etc/x", "climbs out of the output folder with '..'"},
    };
    for (const auto& [name, why] : cases) {
        SCOPED_TRACE(name);
        const CommandResult r = runSanavideo({"run", graph.string(), "--set", "save_video.filename=" + name,
                                              "--output-dir", (dir.path() / "a" / "b" / "out").string()},
                                             dir.path());
        EXPECT_EQ(r.rc, 1);
        EXPECT_NE(r.err.find("node 'save_video' (sana.save_video): parameter 'filename': "),
                  std::string::npos)
            << r.err;
        EXPECT_NE(r.err.find(why), std::string::npos) << r.err;
        EXPECT_EQ(r.err.find("started (sana."), std::string::npos) << "no node ran: " << r.err;
    }
    EXPECT_FALSE(fs::exists(dir.path() / "anywhere"));
    EXPECT_FALSE(fs::exists(dir.path() / "a")) << "not even the output folder was created";
    EXPECT_FALSE(fs::exists(dir.path() / "etc"));
}

TEST_F(SanaCliTest, ANulInAGraphEmbeddedInAnMp4IsRefused) {
    // A clip someone sends: its graph writes over a dotfile, the NUL cutting off the forced ".mp4".
    const fs::path victim = dir.path() / ".bashrc";
    { std::ofstream(victim) << "precious"; }
    GraphDocument evil = GraphDocument::load(graphsDir() / "text-to-video.json");
    evil.setParam("save_video", "filename", victim.string() + std::string(1, '\0'));
    media::VideoWriterOptions o;
    o.metadata[media::kGraphMetadataKey] = evil.toText();
    const fs::path clip = dir.path() / "clip.mp4";
    media::writeVideo(clip, Tensor::zeros({1, 16, 16, 3}, DType::U8), o);

    const CommandResult g = runSanavideo({"graph-from", clip.string()}, dir.path());
    ASSERT_EQ(g.rc, 0) << g.err;
    const fs::path extracted = dir.path() / "extracted.json";
    std::ofstream(extracted) << g.out;
    const CommandResult r =
        runSanavideo({"run", extracted.string(), "--output-dir", (dir.path() / "out").string()}, dir.path());
    EXPECT_EQ(r.rc, 1);
    EXPECT_NE(r.err.find("contains a control character (NUL)"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("\\x00"), std::string::npos) << "shown escaped: " << r.err;
    EXPECT_EQ(r.err.find('\0'), std::string::npos) << "no raw NUL on the terminal";
    EXPECT_EQ(readFile(victim), "precious");
}

TEST_F(SanaCliTest, FifosAndDevicesAreRefusedWithinASecond) {
    const fs::path fifo = dir.path() / "pipe.json";
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
    const fs::path frames = dir.path() / "frames";
    fs::create_directory(frames);
    ASSERT_EQ(::mkfifo((frames / "graph.json").c_str(), 0600), 0);
    const fs::path latentFifo = dir.path() / "pipe.safetensors";
    ASSERT_EQ(::mkfifo(latentFifo.c_str(), 0600), 0);
    const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
        {{"run", fifo.string()}, "graph file '" + fifo.string() + "' is a named pipe (FIFO)"},
        {{"run", "/dev/zero"}, "graph file '/dev/zero' is a character device"},
        {{"run", dir.path().string()}, "no node graph (the folder has no graph.json)"},
        {{"schedule", "--config", "/dev/zero", "--steps", "3"},
         "config file '/dev/zero' is a character device"},
        {{"schedule", "--config", fifo.string(), "--steps", "3"}, "is a named pipe"},
        {{"graph-from", frames.string()},
         "graph file '" + (frames / "graph.json").string() + "' is a named pipe"},
        {{"graph-from", latentFifo.string()}, "latent file '" + latentFifo.string() + "' is a named pipe"},
    };
    for (const auto& [args, why] : cases) {
        SCOPED_TRACE(args[0] + " " + args[1]);
        const auto t0 = std::chrono::steady_clock::now();
        const CommandResult r = runSanavideo(args, dir.path(), 10);
        EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), 5.0);
        EXPECT_EQ(r.rc, 1) << r.err;
        EXPECT_NE(r.err.find(why), std::string::npos) << r.err;
    }
}

}  // namespace
}  // namespace sv::test
