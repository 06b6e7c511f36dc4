// The one reader of graphs embedded in files (plugin/graph/graph_file.h), shared by the CLI and the editor:
// MP4 metadata through FFmpeg, frame-sequence folders, Save Latent files; untrusted input refused clearly.
#include <sys/stat.h>

#include <chrono>
#include <fstream>
#include <future>
#include <thread>

#include <gtest/gtest.h>

#include "base/error.h"
#include "io/safetensors.h"
#include "media/video_writer.h"
#include "plugin/graph/graph_file.h"
#include "support/reference.h"

namespace sv::plugin {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const std::string kGraph =
    R"({"format": "sanavideo.graph", "version": 1, "nodes": [{"id": "a", "type": "t.x"}]})";

void writeText(const fs::path& p, const std::string& text) {
    std::ofstream(p, std::ios::binary) << text;
}

/// The message embeddedGraphText throws for `file` ("" when it returns).
std::string failure(const fs::path& file) {
    try {
        embeddedGraphText(file);
    } catch (const Error& e) {
        return e.what();
    }
    return {};
}

class GraphFile : public ::testing::Test {
  protected:
    void SetUp() override { media::setFfmpegQuiet(true); }
    fs::path mp4(const std::string& name, const std::map<std::string, std::string>& metadata) {
        media::VideoWriterOptions o;
        o.metadata = metadata;
        const fs::path p = dir.path() / name;
        media::writeVideo(p, Tensor::zeros({1, 16, 16, 3}, DType::U8), o);
        return p;
    }
    sv::test::TempDir dir;
};

TEST_F(GraphFile, ReadsTheGraphOfAnMp4) {
    const fs::path p = mp4("clip.mp4", {{media::kGraphMetadataKey, kGraph}});
    EXPECT_EQ(embeddedGraphText(p), kGraph);
    EXPECT_EQ(loadGraphFile(p).nodes().at(0).id, "a");
    // Another key holding a graph is found too (a re-muxed file).
    EXPECT_EQ(embeddedGraphText(mp4("other.mp4", {{"description", kGraph}})), kGraph);
}

TEST_F(GraphFile, NamesTheFileThatHoldsNoGraph) {
    const fs::path plain = mp4("plain.mp4", {});
    EXPECT_EQ(failure(plain),
              plain.string() +
                  ": no node graph embedded (only files written by Save Video or Save Latent carry one)");
    const fs::path commented = mp4("commented.mp4", {{media::kGraphMetadataKey, "shot on a phone"}});
    EXPECT_NE(failure(commented).find("no node graph embedded (its 'comment' is not a Sana Video node graph"),
              std::string::npos)
        << failure(commented);
    const fs::path text = dir.path() / "notes.mp4";
    writeText(text, "#EXTM3U\n#EXT-X-TARGETDURATION:1\nfile:///etc/passwd\n");  // not probed as a playlist
    EXPECT_NE(failure(text).find("notes.mp4"), std::string::npos) << failure(text);
    EXPECT_EQ(failure(dir.path() / "missing.mp4"),
              (dir.path() / "missing.mp4").string() + ": no such file or folder");
}

TEST_F(GraphFile, FramesFoldersAndLatentFiles) {
    const fs::path frames = dir.path() / "frames";
    fs::create_directories(frames);
    EXPECT_EQ(failure(frames), frames.string() + ": no node graph (the folder has no graph.json)");
    writeText(frames / "graph.json", kGraph);
    EXPECT_EQ(embeddedGraphText(frames), kGraph);

    const fs::path latent = dir.path() / "latent.safetensors";
    const std::vector<std::pair<std::string, Tensor>> tensors = {
        {"latents", Tensor::zeros({1, 2}, DType::F32)}};
    writeSafetensors(latent, tensors, {{"graph", kGraph}});
    EXPECT_EQ(embeddedGraphText(latent), kGraph);
    writeSafetensors(latent, tensors, {});
    EXPECT_NE(failure(latent).find("no node graph embedded"), std::string::npos) << failure(latent);
}

TEST_F(GraphFile, RefusesWhatIsNotAFileWithoutOpeningIt) {
    // A FIFO would block open() until a writer comes: it must be refused at once.
    const fs::path fifo = dir.path() / "pipe.mp4";
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
    auto done = std::make_shared<std::promise<std::string>>();
    std::future<std::string> answer = done->get_future();
    std::thread([fifo, done] { done->set_value(failure(fifo)); }).detach();
    ASSERT_EQ(answer.wait_for(std::chrono::seconds(5)), std::future_status::ready)
        << "the reader blocked on a FIFO";
    EXPECT_EQ(answer.get(), "video file '" + fifo.string() + "' is a named pipe (FIFO), not a regular file");
    EXPECT_NE(failure("/dev/zero").find("graph file '/dev/zero' is a character device"), std::string::npos)
        << failure("/dev/zero");
    // A graph.json far above any real graph is refused by its size, before it is read.
    const fs::path big = dir.path() / "big";
    fs::create_directories(big);
    writeText(big / "graph.json", "");
    fs::resize_file(big / "graph.json", kMaxGraphBytes + 1);
    EXPECT_NE(failure(big).find("more than the 16777216 a graph document may have"), std::string::npos)
        << failure(big);
}

TEST_F(GraphFile, LoadGraphFileTakesJsonOrAnEmbeddedGraph) {
    const fs::path json = dir.path() / "g.json";
    writeText(json, kGraph);
    EXPECT_EQ(loadGraphFile(json).nodes().size(), 1u);
    EXPECT_TRUE(mayEmbedGraph(dir.path() / "x.MP4"));
    EXPECT_TRUE(mayEmbedGraph(dir.path()));
    EXPECT_FALSE(mayEmbedGraph(json));
    EXPECT_THROW(loadGraphFile(mp4("none.mp4", {})), Error);
}

}  // namespace
}  // namespace sv::plugin
