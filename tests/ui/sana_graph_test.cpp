// The editor with the real SANA-Video node pack: the shipped text-to-video graph opened as the app opens it,
// set to tiny sizes through the editor, run on a demo model: the sampler's live previews reach the preview
// pane, the job finishes with every node done, the decoded clip plays, and the MP4 that Save Video wrote
// restores the graph when dropped on another window. Cancel stops the real sampler within a step.
#include <QElapsedTimer>
#include <QSignalSpy>

#include "app/application.h"
#include "app/graph_editor.h"
#include "canvas/graph_model.h"
#include "canvas/graph_view.h"
#include "panels/preview_pane.h"
#include "run/run_queue.h"
#include "run/value_images.h"
#include "ui_test_support.h"

#ifdef SV_SANA_PACK_FILE
#include "plugin/sana_test_support.h"
#endif

namespace sv::ui::test {
namespace {

#ifdef SV_SANA_PACK_FILE

struct SanaStudio {
    QTemporaryDir dir;
    std::unique_ptr<sp::NodeRegistry> registry = std::make_unique<sp::NodeRegistry>();
    std::unique_ptr<MainWindow> window;

    SanaStudio() {
        sv::test::loadSanaPack(*registry);
        StudioOptions o;
        o.autosaveDir = dir.filePath(QStringLiteral("autosave"));
        o.outputDir = dir.filePath(QStringLiteral("out"));
        o.historyFile = dir.filePath(QStringLiteral("history.json"));
        o.confirmDiscard = false;
        window = std::make_unique<MainWindow>(*registry, o);
        window->show();
    }
    ~SanaStudio() { window.reset(); }

    /// The default text-to-video graph, found like the app finds it, at tiny sizes on a demo model.
    void openTinyDefaultGraph(const std::filesystem::path& model) {
        const QString path = defaultGraphPath(QStringLiteral("text-to-video.json"));
        ASSERT_FALSE(path.isEmpty());
        ASSERT_TRUE(window->openTemplate(path));
        for (const auto& s : sv::test::tinySettings(model, false)) {
            const sp::GraphNode* n = window->document().findNode(s.node);
            ASSERT_NE(n, nullptr) << s.node;
            const sp::ParamSpec* spec = registry->find(n->type)->findParam(s.param);
            ASSERT_NE(spec, nullptr) << s.param;
            window->editor().setParam(QString::fromStdString(s.node), QString::fromStdString(s.param),
                                      GraphModel::toVariant(spec->parseText(s.value)));
        }
    }
};

TEST(SanaGraph, TheDefaultGraphRunsOnTheDemoModelWithLivePreviews) {
    sv::test::TempDir tmp;
    const auto model = sv::test::makeDemoModel(tmp.path());
    SanaStudio s;
    MainWindow& w = *s.window;
    s.openTinyDefaultGraph(model);
    EXPECT_GE(w.document().nodes().size(), 5u);
    QSignalSpy events(&w.runQueue(), &RunQueue::executionEvent);

    const int job = w.runGraph();
    ASSERT_TRUE(QTest::qWaitFor([&] { return w.runQueue().job(job)->isDone(); }, 300000));
    const Job* j = w.runQueue().job(job);
    ASSERT_EQ(j->state, Job::State::Finished)
        << j->failedNode.toStdString() << ": " << j->message.toStdString();
    // One preview per step, each with every latent frame (5 frames → 2) of the 32x32 clip at 1/8 size.
    std::vector<int64_t> previewSteps;
    for (const auto& args : events) {
        const auto e = args.at(1).value<sp::ExecutionEvent>();
        if (e.kind != sp::ExecutionEvent::Kind::NodePreview || e.nodeId != "sampler") continue;
        previewSteps.push_back(e.step);
        ASSERT_TRUE(e.image);
        EXPECT_EQ(e.image->frameCount, 2);
        EXPECT_EQ(e.image->width, 4);
        EXPECT_EQ(previewFrames(*e.image).size(), 2);
    }
    EXPECT_EQ(previewSteps, (std::vector<int64_t>{1, 2}));
    for (const QString& id : w.model().nodeIds())
        EXPECT_EQ(w.model().status(id).state, NodeStatus::State::Done) << id.toStdString();
    // Load Model's badge carries what it loaded, the model family included (its title's tooltip shows it).
    const QString loaded = w.model().status(QStringLiteral("load_model")).message;
    EXPECT_TRUE(loaded.contains(QStringLiteral("480p"))) << loaded.toStdString();
    // Save Video shows what it wrote: the decoded clip plays in the preview pane.
    EXPECT_EQ(w.preview()->mode(), PreviewPane::Mode::Video);
    EXPECT_EQ(w.preview()->frameCount(), 5);
    EXPECT_EQ(w.preview()->currentImage().width(), 32);

    // The MP4 carries the graph: dropping it on another window restores the graph that ran.
    const QString video =
        QDir(s.dir.filePath(QStringLiteral("out"))).absoluteFilePath(QStringLiteral("sana_t2v_00001.mp4"));
    ASSERT_TRUE(QFileInfo::exists(video)) << video.toStdString();
    SanaStudio other;
    emit other.window->view()->fileDropped(video);
    EXPECT_EQ(canonical(other.window->document()), canonical(w.document()));
}

TEST(SanaGraph, CancelStopsTheSamplerWithinAStep) {
    sv::test::TempDir tmp;
    const auto model = sv::test::makeDemoModel(tmp.path());
    SanaStudio s;
    MainWindow& w = *s.window;
    s.openTinyDefaultGraph(model);
    w.editor().setParam(QStringLiteral("sampler"), QStringLiteral("steps"), 1000);
    const int job = w.runGraph();
    ASSERT_TRUE(QTest::qWaitFor(
        [&] {
            const auto p = w.model().progress(QStringLiteral("sampler"));
            return p && p->step >= 2;
        },
        300000));
    QElapsedTimer timer;
    timer.start();
    w.actions().cancel->trigger();
    ASSERT_TRUE(QTest::qWaitFor([&] { return w.runQueue().job(job)->isDone(); }, 30000));
    EXPECT_LT(timer.elapsed(), 2000);
    EXPECT_EQ(w.runQueue().job(job)->state, Job::State::Cancelled);
    EXPECT_EQ(w.model().status(QStringLiteral("sampler")).state, NodeStatus::State::Cancelled);
}

#ifdef SV_STUDIO_EXE
TEST(SanaGraph, RunScreenshotExitsNonZeroWhenTheJobFailsAndZeroWhenItFinishes) {
    sv::test::TempDir tmp;
    const auto model = sv::test::makeDemoModel(tmp.path());
    QTemporaryDir home;
    const QString shot = home.filePath(QStringLiteral("shot.png"));
    // The text-to-video template with a model folder that does not exist: Load Model fails.
    const StudioRun failed =
        runStudioProgram({QStringLiteral("--set"),
                          QStringLiteral("load_model.folder=") + home.filePath(QStringLiteral("nowhere")),
                          QStringLiteral("--run"), QStringLiteral("--screenshot"), shot},
                         home, {QStringLiteral("QT_QPA_PLATFORM=offscreen")});
    EXPECT_EQ(failed.code, 3) << failed.out.toStdString() << failed.err.toStdString();
    EXPECT_TRUE(QFile::exists(shot));
    QStringList tiny;
    for (const auto& s : sv::test::tinySettings(model, false))
        tiny << QStringLiteral("--set") << QString::fromStdString(s.node + "." + s.param + "=" + s.value);
    const StudioRun finished =
        runStudioProgram(tiny + QStringList{QStringLiteral("--run"), QStringLiteral("--screenshot"), shot},
                         home, {QStringLiteral("QT_QPA_PLATFORM=offscreen")});
    EXPECT_EQ(finished.code, 0) << finished.out.toStdString() << finished.err.toStdString();
}
#endif

#else

TEST(SanaGraph, Skipped) {
    GTEST_SKIP() << "built without the SANA-Video node pack";
}

#endif

}  // namespace
}  // namespace sv::ui::test
