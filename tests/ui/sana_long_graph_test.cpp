// The editor with the real node pack renders a long graph (long-video.json, LongSANA) on the LongSANA demo
// model: live previews of the current chunk after every step, each decoded chunk shown in the preview pane,
// and a prompt changed mid-run (the node's prompt file rewritten while chunk 2 renders) reaching the later
// chunks; the fragmented MP4 it wrote holds every frame. And the same graph without a prompt file, steered
// through the Prompt Track panel as an artist would: a row added while it renders reaches the later chunks.
#include <QSignalSpy>

#include <fstream>
#include <map>

#include "app/graph_editor.h"
#include "canvas/graph_model.h"
#include "panels/preview_pane.h"
#include "panels/prompt_track_panel.h"
#include "run/run_queue.h"
#include "ui_test_support.h"

#ifdef SV_SANA_PACK_FILE
#include "media/video_writer.h"
#include "plugin/sana_test_support.h"
#endif

namespace sv::ui::test {
namespace {

#ifdef SV_SANA_PACK_FILE

/// The long-video template in a window on a LongSANA demo model made in `tmp`, at the tiny settings (93
/// frames of 64×64 in chunks of 3 latent frames: 8 chunks) plus `extra` settings.
std::unique_ptr<MainWindow> openTinyLongGraph(const sv::test::TempDir& tmp, const sp::NodeRegistry& registry,
                                              const QTemporaryDir& dir,
                                              const std::vector<std::array<std::string, 3>>& extra = {}) {
    const auto model = tmp.path() / "long";
    const auto made =
        sv::test::runSanavideo({"make-demo-model", model.string(), "--family", "longsana"}, tmp.path());
    EXPECT_EQ(made.rc, 0) << made.err;
    StudioOptions o;
    o.autosaveDir = dir.filePath(QStringLiteral("autosave"));
    o.outputDir = dir.filePath(QStringLiteral("out"));
    o.confirmDiscard = false;
    auto w = std::make_unique<MainWindow>(registry, o);
    w->show();
    EXPECT_TRUE(w->openTemplate(defaultGraphPath(QStringLiteral("long-video.json"))));
    std::vector<std::array<std::string, 3>> settings = {{"load_model", "folder", model.string()},
                                                        {"load_model", "device", "cpu"},
                                                        {"long_video", "width", "64"},
                                                        {"long_video", "height", "64"},
                                                        {"long_video", "frames", "93"},
                                                        {"long_video", "chunk_frames", "3"}};
    settings.insert(settings.end(), extra.begin(), extra.end());
    for (const auto& [node, param, text] : settings) {
        const sp::ParamSpec* spec = registry.find(w->document().findNode(node)->type)->findParam(param);
        w->editor().setParam(QString::fromStdString(node), QString::fromStdString(param),
                             GraphModel::toVariant(spec->parseText(text)));
    }
    return w;
}

TEST(SanaLongGraph, RendersChunksWithLivePreviewsAndAMidRunPromptChange) {
    sv::test::TempDir tmp;
    const auto prompts = tmp.path() / "prompts.txt";
    std::ofstream(prompts) << "0: a red fox runs through snow\n";
    sp::NodeRegistry registry;
    sv::test::loadSanaPack(registry);
    QTemporaryDir dir;
    const auto window =
        openTinyLongGraph(tmp, registry, dir, {{"long_video", "prompt_file", prompts.string()}});
    MainWindow& w = *window;
    QSignalSpy events(&w.runQueue(), &RunQueue::executionEvent);
    const int job = w.runGraph();
    // Once 5 chunks are done (the node counts finished chunks), the prompt of the chunks from 5 on changes.
    ASSERT_TRUE(QTest::qWaitFor(
        [&] {
            const auto p = w.model().progress(QStringLiteral("long_video"));
            return p && p->step >= 5;
        },
        300000));
    std::ofstream(prompts) << "0: a red fox runs through snow\n5: a blue whale sings in the deep sea\n";
    std::filesystem::last_write_time(prompts,
                                     std::filesystem::file_time_type::clock::now() + std::chrono::seconds(5));
    ASSERT_TRUE(QTest::qWaitFor([&] { return w.runQueue().job(job)->isDone(); }, 300000));
    const Job* j = w.runQueue().job(job);
    ASSERT_EQ(j->state, Job::State::Finished)
        << j->failedNode.toStdString() << ": " << j->message.toStdString();

    int previews = 0, displays = 0;
    bool reread = false;
    for (const auto& args : events) {
        const auto e = args.at(1).value<sp::ExecutionEvent>();
        if (e.nodeId != "long_video") continue;
        previews += e.kind == sp::ExecutionEvent::Kind::NodePreview;
        displays += e.kind == sp::ExecutionEvent::Kind::NodeDisplay;
        reread |= e.kind == sp::ExecutionEvent::Kind::NodeLog &&
                  e.message.find("prompts re-read") != std::string::npos;
    }
    EXPECT_EQ(previews, 8 * 4);  // 23 latent frames in chunks of 3: 8 chunks, 4 steps each
    EXPECT_EQ(displays, 8);      // every decoded chunk reached the preview pane
    EXPECT_TRUE(reread) << "the prompt file edited mid-run was not re-read";
    EXPECT_EQ(w.preview()->mode(), PreviewPane::Mode::Video);
    EXPECT_EQ(w.preview()->frameCount(), 12);  // the last chunk: 3 latent frames → 12 frames
    const QString video =
        QDir(dir.filePath(QStringLiteral("out"))).absoluteFilePath(QStringLiteral("sana_long_00001.mp4"));
    ASSERT_TRUE(QFileInfo::exists(video)) << video.toStdString();
    EXPECT_EQ(sv::media::probeVideo(video.toStdString()).frames, 93);
}

TEST(SanaLongGraph, APromptTrackRowAddedMidRunReachesTheLaterChunks) {
    sv::test::TempDir tmp;
    sp::NodeRegistry registry;
    sv::test::loadSanaPack(registry);
    QTemporaryDir dir;
    const auto window = openTinyLongGraph(tmp, registry, dir);  // no prompt file: the run gets its own
    MainWindow& w = *window;
    PromptTrackPanel& panel = *w.promptTrack();
    ASSERT_EQ(panel.nodeId(), QStringLiteral("long_video"));
    EXPECT_EQ(panel.chunkCount(), 8);   // from the params; checked against the node's own count below
    EXPECT_EQ(panel.rows().size(), 3);  // the template's three <split> parts
    QSignalSpy events(&w.runQueue(), &RunQueue::executionEvent);
    const int job = w.runGraph();
    ASSERT_TRUE(QTest::qWaitFor([&] { return panel.isRendering() && panel.doneChunks() >= 2; }, 300000));
    EXPECT_EQ(panel.chunkCount(), 8);  // now the node's progress total
    const qint64 from = std::max<qint64>(5, panel.firstEditableChunk() + 1);
    const QString whale = QStringLiteral("A blue whale sings in the deep sea.");
    ASSERT_TRUE(panel.addRow({from, whale})) << panel.errorText().toStdString();
    ASSERT_TRUE(QTest::qWaitFor([&] { return w.runQueue().job(job)->isDone(); }, 300000));
    const Job* j = w.runQueue().job(job);
    ASSERT_EQ(j->state, Job::State::Finished)
        << j->failedNode.toStdString() << ": " << j->message.toStdString();

    // The node's line per decoded chunk names the prompt it used: "chunk 3/8 (prompt "..."): ...".
    bool reread = false;
    std::map<int64_t, std::string> used;
    for (const auto& args : events) {
        const auto e = args.at(1).value<sp::ExecutionEvent>();
        if (e.nodeId != "long_video" || e.kind != sp::ExecutionEvent::Kind::NodeLog) continue;
        reread |= e.message.find("prompts re-read") != std::string::npos;
        if (e.message.rfind("chunk ", 0) == 0 && e.message.find("(prompt \"") != std::string::npos)
            used[std::stoll(e.message.substr(6)) - 1] = e.message;
    }
    EXPECT_TRUE(reread) << "the node did not re-read its prompt file after the edit";
    ASSERT_EQ(used.size(), 8u);
    for (const auto& [chunk, line] : used)
        EXPECT_EQ(line.find(whale.toStdString()) != std::string::npos, chunk >= from) << line;
    EXPECT_NE(w.document().findNode("long_video")->params.value("prompt_track", "").find(whale.toStdString()),
              std::string::npos);  // the edit is in the graph too
}

#else

TEST(SanaLongGraph, Skipped) {
    GTEST_SKIP() << "built without the SANA-Video node pack";
}

#endif

}  // namespace
}  // namespace sv::ui::test
