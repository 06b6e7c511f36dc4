// The Prompt Track panel: its text form and chunk layout, idle edits as undoable commands on the document,
// and edits during a run reaching a running node through the prompt file the editor gave the run (a test
// node that re-reads that file before every chunk, like the SANA pack's Long Video). The real node on a
// LongSANA demo model: sana_long_graph_test.
#include <QDockWidget>
#include <QSignalSpy>
#include <QTreeWidget>
#include <QUndoStack>

#include <map>
#include <sstream>

#include "panels/prompt_track.h"
#include "panels/prompt_track_panel.h"
#include "ui_test_support.h"

namespace sv::ui::test {
namespace {

// Re-reads its prompt_file ("CHUNK: prompt" lines, parsed here on its own) before every chunk and logs
// "chunk C: PROMPT"; without a file it logs the prompt_track's or the prompt's first line.
class LongTestNode : public sp::Node {
  public:
    sp::ValueMap evaluate(const sp::ValueMap&, const sp::ValueMap& params, sp::NodeContext& ctx) override {
        const int64_t latent = (params.getInt("frames") - 1) / 4 + 1;
        const int64_t chunks = std::max<int64_t>(1, latent / params.getInt("chunk_frames"));
        for (int64_t c = 0; c < chunks; ++c) {
            ctx.log(sp::LogLevel::Info, "chunk " + std::to_string(c) + ": " + promptFor(params, c));
            for (int i = 0; i < 10; ++i) {
                if (ctx.isCancelled()) throw sv::Cancelled();
                std::this_thread::sleep_for(std::chrono::milliseconds(params.getInt("step_ms") / 10));
            }
            ctx.progress(c + 1, chunks);
        }
        return {};
    }

  private:
    static std::string promptFor(const sp::ValueMap& params, int64_t chunk) {
        const std::string& file = params.getString("prompt_file");
        std::ifstream in(file);
        std::map<int64_t, std::string> rows;
        for (std::string line; std::getline(in, line);)
            if (const size_t colon = line.find(':'); colon != std::string::npos)
                rows[std::stoll(line.substr(0, colon))] = line.substr(colon + 2);
        if (file.empty() || rows.empty()) return "(no prompt file)";
        auto it = rows.upper_bound(chunk);
        return it == rows.begin() ? it->second : std::prev(it)->second;
    }
};

std::unique_ptr<sp::NodeRegistry> registryWithLongNode() {
    auto r = makeRegistry();
    sp::NodeDescriptor d{"uitest.long", 1, "Long Video", "Sampling"};
    d.isOutput = true;
    d.params = {sp::ParamSpec::text("prompt", "a fox <split> a whale").asMultiline(),
                sp::ParamSpec::text("prompt_track", "").asMultiline(),
                sp::ParamSpec::path("prompt_file", ""),
                sp::ParamSpec::integer("frames", 33).range(1, 4093),
                sp::ParamSpec::integer("chunk_frames", 1).range(1, 256),
                sp::ParamSpec::integer("step_ms", 1).range(0, 100000)};
    r->add<LongTestNode>(d);
    return r;
}

struct TrackStudio : Studio {
    QString node;
    TrackStudio() : Studio(registryWithLongNode()) {
        node = window->editor().addNode(QStringLiteral("uitest.long"), {0, 0});
    }
    PromptTrackPanel& panel() { return *window->promptTrack(); }
    std::string track() {
        const auto& p = window->document().findNode(node.toStdString())->params;
        return p.contains("prompt_track") ? p["prompt_track"].get<std::string>() : "";
    }
    void set(const char* name, const QVariant& v) {
        window->editor().setParam(node, QString::fromLatin1(name), v);
    }
    /// The prompt the node logged for each chunk.
    static std::map<int64_t, std::string> loggedPrompts(const QSignalSpy& events) {
        std::map<int64_t, std::string> out;
        for (const auto& args : events) {
            const auto e = args.at(1).value<sp::ExecutionEvent>();
            if (e.kind != sp::ExecutionEvent::Kind::NodeLog || e.message.rfind("chunk ", 0) != 0) continue;
            const size_t colon = e.message.find(':');
            out[std::stoll(e.message.substr(6, colon - 6))] = e.message.substr(colon + 2);
        }
        return out;
    }
};

TEST(PromptTrack, TextFormLayoutAndSplitRows) {
    QString error;
    const auto rows =
        parsePromptRows(QStringLiteral("# a comment\n\n5: a whale \n0:a fox\n5: a blue whale\n"), &error);
    ASSERT_TRUE(rows) << error.toStdString();
    EXPECT_EQ(*rows, (PromptRows{{0, QStringLiteral("a fox")}, {5, QStringLiteral("a blue whale")}}));
    EXPECT_EQ(promptRowsText(*rows), QStringLiteral("0: a fox\n5: a blue whale\n"));
    EXPECT_EQ(parsePromptRows(promptRowsText(*rows)), rows);
    EXPECT_FALSE(parsePromptRows(QStringLiteral("0: a fox\nx: no"), &error));
    EXPECT_TRUE(error.contains(QStringLiteral("line 2"))) << error.toStdString();
    EXPECT_FALSE(parsePromptRows(QStringLiteral("3:"), &error));
    EXPECT_EQ(promptRowsText({{2, QStringLiteral("two\nlines ")}}), QStringLiteral("2: two lines\n"));

    // 93 frames → 24 latent frames → 8 chunks of 3; 961 frames in chunks of 10 → 241 latent frames → 24
    // chunks, the first taking the remaining one (11 latent frames: video frames 0..40).
    EXPECT_EQ(ChunkLayout::of(93, 3).chunks, 8);
    const ChunkLayout minute = ChunkLayout::of(961, 10);
    EXPECT_EQ(minute.chunks, 24);
    EXPECT_EQ(minute.firstFrame(1), 41);
    EXPECT_EQ(minute.firstFrame(23), 961 - 40);
    EXPECT_EQ(ChunkLayout::of(5, 10).chunks, 1);

    EXPECT_EQ(splitPromptRows(QStringLiteral("a <split> b <split> c"), 8),
              (PromptRows{{0, QStringLiteral("a")}, {2, QStringLiteral("b")}, {5, QStringLiteral("c")}}));
    EXPECT_TRUE(splitPromptRows(QStringLiteral("a <split> b"), 1).isEmpty());
    EXPECT_TRUE(splitPromptRows(QStringLiteral("a <split> "), 4).isEmpty());
}

TEST(PromptTrack, IdleEditsAreUndoableCommandsOnTheDocument) {
    TrackStudio s;
    PromptTrackPanel& p = s.panel();
    ASSERT_EQ(p.nodeId(), s.node);  // the graph's long-video node is shown without a selection
    EXPECT_EQ(p.chunkCount(), 9);   // 33 frames → 9 latent frames, chunks of 1
    EXPECT_TRUE(p.rowsFromSplit());
    EXPECT_EQ(p.rows(), (PromptRows{{0, QStringLiteral("a fox")}, {4, QStringLiteral("a whale")}}));
    EXPECT_EQ(p.tree()->topLevelItemCount(), 2);

    QUndoStack* undo = s.window->editor().undoStack();
    const int before = undo->count();
    ASSERT_TRUE(p.addRow({6, QStringLiteral("a fox\n asleep")})) << p.errorText().toStdString();
    EXPECT_EQ(undo->count(), before + 1);
    EXPECT_EQ(s.track(), "0: a fox\n4: a whale\n6: a fox asleep\n");
    EXPECT_FALSE(p.rowsFromSplit());
    EXPECT_EQ(p.tree()->topLevelItemCount(), 3);
    ASSERT_TRUE(p.editRow(4, {3, QStringLiteral("a grey whale")}));
    EXPECT_EQ(s.track(), "0: a fox\n3: a grey whale\n6: a fox asleep\n");
    ASSERT_TRUE(p.removeRow(6));
    EXPECT_EQ(s.track(), "0: a fox\n3: a grey whale\n");
    EXPECT_EQ(undo->count(), before + 3);

    // Refused, with the reason: past the end, the first row, an empty prompt; nothing changes.
    EXPECT_FALSE(p.addRow({9, QStringLiteral("late")}));
    EXPECT_TRUE(p.errorText().contains(QStringLiteral("9 chunks"))) << p.errorText().toStdString();
    EXPECT_FALSE(p.removeRow(0));
    EXPECT_FALSE(p.addRow({2, QStringLiteral("  \n ")}));
    EXPECT_EQ(undo->count(), before + 3);

    undo->undo();
    EXPECT_EQ(s.track(), "0: a fox\n3: a grey whale\n6: a fox asleep\n");
    EXPECT_EQ(p.rows().size(), 3);  // the panel follows the document
    undo->undo();
    undo->undo();
    EXPECT_EQ(s.track(), "");
    EXPECT_TRUE(p.rowsFromSplit());
    undo->redo();
    EXPECT_EQ(s.track(), "0: a fox\n4: a whale\n6: a fox asleep\n");

    // The chunk count follows the node's params.
    s.set("chunk_frames", 3);
    EXPECT_EQ(p.chunkCount(), 3);
    EXPECT_EQ(p.tree()->topLevelItemCount(), 3);  // rows past the end are kept, marked
}

TEST(PromptTrack, AnEditDuringARunReachesTheChunksStillToCome) {
    TrackStudio s;
    s.set("step_ms", 150);
    PromptTrackPanel& p = s.panel();
    QSignalSpy events(&s.window->runQueue(), &RunQueue::executionEvent);
    const int job = s.window->runGraph();
    ASSERT_GT(job, 0);
    ASSERT_TRUE(QTest::qWaitFor([&] { return p.isRendering() && p.doneChunks() >= 2; }, 20000));
    EXPECT_TRUE(p.liveFile().contains(QStringLiteral("prompt_tracks"))) << p.liveFile().toStdString();
    EXPECT_EQ(s.track(), "");  // the run's file was given at queue time, the document is unchanged
    const qint64 from = p.firstEditableChunk() + 1;
    EXPECT_EQ(p.chunkState(0), PromptTrackPanel::ChunkState::Done);
    EXPECT_EQ(p.chunkState(p.doneChunks()), PromptTrackPanel::ChunkState::Rendering);
    EXPECT_FALSE(p.addRow({p.doneChunks(), QStringLiteral("too late")}));  // that chunk has started
    EXPECT_FALSE(p.editRow(0, {0, QStringLiteral("too late")}));
    ASSERT_TRUE(p.addRow({from, QStringLiteral("a steered whale")})) << p.errorText().toStdString();
    ASSERT_TRUE(QTest::qWaitFor([&] { return s.window->runQueue().job(job)->isDone(); }, 20000));
    ASSERT_EQ(s.window->runQueue().job(job)->state, Job::State::Finished);
    EXPECT_FALSE(p.isRendering());

    const auto logged = TrackStudio::loggedPrompts(events);
    ASSERT_EQ(logged.size(), 9u);
    for (const auto& [chunk, prompt] : logged)
        EXPECT_EQ(prompt, chunk >= from ? "a steered whale" : chunk >= 4 ? "a whale" : "a fox") << chunk;
    // The edit is in the document too (undoable), with the rows the split prompt made.
    std::map<qint64, std::string> expected = {{0, "a fox"}, {4, "a whale"}};
    expected[from] = "a steered whale";
    std::string text;
    for (const auto& [chunk, prompt] : expected) text += std::to_string(chunk) + ": " + prompt + "\n";
    EXPECT_EQ(s.track(), text);
}

TEST(PromptTrack, AFailedWriteShowsTheErrorAndKeepsTheEdit) {
    TrackStudio s;
    s.set("step_ms", 200);
    PromptTrackPanel& p = s.panel();
    const int job = s.window->runGraph();
    ASSERT_TRUE(QTest::qWaitFor([&] { return p.isRendering() && p.doneChunks() >= 1; }, 20000));
    // The run's file replaced by a folder: it cannot be written over.
    const QString file = p.liveFile();
    ASSERT_TRUE(QFile::remove(file));
    ASSERT_TRUE(QDir().mkpath(file));
    const qint64 from = p.firstEditableChunk() + 2;
    EXPECT_FALSE(p.addRow({from, QStringLiteral("kept")}));
    EXPECT_TRUE(p.errorText().contains(QStringLiteral("Not sent"))) << p.errorText().toStdString();
    EXPECT_NE(s.track().find(std::to_string(from) + ": kept"), std::string::npos);  // the edit is not lost
    ASSERT_TRUE(QDir(file).removeRecursively());
    EXPECT_TRUE(p.retryWrite()) << p.errorText().toStdString();
    EXPECT_TRUE(p.errorText().isEmpty());
    QFile written(file);
    ASSERT_TRUE(written.open(QIODevice::ReadOnly));
    EXPECT_TRUE(written.readAll().contains(QByteArray::number(from) + ": kept"));
    s.window->cancelRun();
    ASSERT_TRUE(QTest::qWaitFor([&] { return s.window->runQueue().job(job)->isDone(); }, 20000));
}

}  // namespace
}  // namespace sv::ui::test
