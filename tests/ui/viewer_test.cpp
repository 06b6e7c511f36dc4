// The viewer: a node that shows a video shows it whether it ran or was served from the cache; the Sampler's
// live preview shows whatever has the view flag; tiny clips get square pixels; the file a run wrote can be
// revealed and its path copied; the output folder is set in the window; after a cancel the viewer says so.
#include <QClipboard>
#include <QDir>
#include <QLabel>
#include <QToolButton>

#include "app/graph_editor.h"
#include "canvas/graph_model.h"
#include "panels/preview_pane.h"
#include "run/run_queue.h"
#include "ui_test_support.h"

namespace sv::ui::test {
namespace {

TEST(Viewer, APreviewNodeShowsItsVideoAlsoWhenItComesFromTheCache) {
    Studio s;
    MainWindow& w = *s.window;
    const Chain c = buildChain(w, 3, 1, QStringLiteral("uitest.show"));
    const int job = w.runGraph();
    ASSERT_TRUE(waitJobDone(w, job));
    ASSERT_EQ(w.preview()->mode(), PreviewPane::Mode::Video);
    EXPECT_EQ(w.preview()->frameCount(), 5);

    // Everything cached, nothing runs: the video is shown all the same (reopened graph, dropped MP4...).
    w.preview()->clear();
    const int again = w.runGraph();
    ASSERT_TRUE(waitJobDone(w, again));
    EXPECT_EQ(w.model().status(c.output).state, NodeStatus::State::Cached);
    EXPECT_EQ(w.runQueue().job(again)->nodesCached, 5);
    ASSERT_EQ(w.preview()->mode(), PreviewPane::Mode::Video);
    EXPECT_EQ(w.preview()->frameCount(), 5);

    // With the view flag on it too.
    w.editor().setViewed(c.output);
    w.preview()->clear();
    const int third = w.runGraph();
    ASSERT_TRUE(waitJobDone(w, third));
    EXPECT_EQ(w.preview()->mode(), PreviewPane::Mode::Video);
}

TEST(Viewer, TheLivePreviewShowsWhicheverNodeHasTheViewFlag) {
    Studio s;
    MainWindow& w = *s.window;
    const Chain c = buildChain(w, 40, 30, QStringLiteral("uitest.output"));
    w.editor().setViewed(c.decode);  // not the sampler
    const int job = w.runGraph();
    ASSERT_TRUE(QTest::qWaitFor([&] { return w.preview()->mode() == PreviewPane::Mode::Latent; }, 10000));
    EXPECT_TRUE(w.preview()->statusText().contains(QStringLiteral("step")));
    EXPECT_FALSE(w.preview()->isPixelated());  // live previews are smoothed
    ASSERT_TRUE(waitJobDone(w, job));
    // Then the viewed node's result replaces it.
    EXPECT_EQ(w.preview()->mode(), PreviewPane::Mode::Video);
    EXPECT_EQ(w.preview()->frameCount(), 5);
}

TEST(Viewer, TinyClipsAreShownWithSquarePixels) {
    Studio s;
    MainWindow& w = *s.window;
    buildChain(w, 3, 1, QStringLiteral("uitest.output"));
    const int job = w.runGraph();
    ASSERT_TRUE(waitJobDone(w, job));
    ASSERT_EQ(w.preview()->mode(), PreviewPane::Mode::Video);
    EXPECT_TRUE(w.preview()->isPixelated());  // 8x4 pixels in a pane hundreds of pixels wide
    // At 1:1 it is not scaled up at all.
    w.preview()->setFitToView(false);
    EXPECT_FALSE(w.preview()->isPixelated());
}

TEST(Viewer, TheWrittenFileCanBeRevealedAndItsPathCopied) {
    Studio s;
    MainWindow& w = *s.window;
    buildChain(w, 3, 1, QStringLiteral("uitest.save"));
    const int job = w.runGraph();
    ASSERT_TRUE(waitJobDone(w, job));
    const QString written =
        QDir(w.outputDir()).filePath(QStringLiteral("a_rather_long_output_file_name_for_the_clip_00001.txt"));
    ASSERT_TRUE(QFileInfo::exists(written));
    EXPECT_EQ(w.runQueue().job(job)->outputFiles, QStringList{written});
    EXPECT_EQ(w.preview()->file(), written);
    auto* name = w.preview()->findChild<QLabel*>(QStringLiteral("previewFile"));
    ASSERT_NE(name, nullptr);
    EXPECT_TRUE(name->isVisible());
    EXPECT_EQ(name->toolTip(), written);

    w.preview()->findChild<QToolButton*>(QStringLiteral("previewReveal"))->click();
    ASSERT_EQ(s.opened.size(), 1u);
    EXPECT_EQ(s.opened[0], QUrl::fromLocalFile(QFileInfo(written).absolutePath()));
    w.preview()->findChild<QToolButton*>(QStringLiteral("previewCopyPath"))->click();
    EXPECT_EQ(QApplication::clipboard()->text(), written);
}

TEST(Viewer, TheOutputFolderIsChosenInTheWindow) {
    Studio s;
    MainWindow& w = *s.window;
    buildChain(w, 3, 1, QStringLiteral("uitest.save"));
    const QString elsewhere = s.dir.filePath(QStringLiteral("renders"));
    w.setOutputDir(elsewhere);
    EXPECT_EQ(w.outputDir(), elsewhere);
    auto* button = w.findChild<QToolButton*>(QStringLiteral("outputButton"));
    ASSERT_NE(button, nullptr);
    EXPECT_TRUE(button->text().contains(QStringLiteral("renders")));
    const int job = w.runGraph();
    ASSERT_TRUE(waitJobDone(w, job));
    EXPECT_TRUE(w.runQueue().job(job)->outputFiles.value(0).startsWith(elsewhere));
    w.actions().revealOutput->trigger();
    ASSERT_FALSE(s.opened.empty());
    EXPECT_EQ(s.opened.back(), QUrl::fromLocalFile(elsewhere));
}

TEST(Viewer, AfterACancelTheViewerSaysSoAndStops) {
    Studio s;
    MainWindow& w = *s.window;
    buildChain(w, 1000, 20, QStringLiteral("uitest.output"));
    const int job = w.runGraph();
    ASSERT_TRUE(QTest::qWaitFor([&] { return w.preview()->mode() == PreviewPane::Mode::Latent; }, 10000));
    ASSERT_TRUE(w.preview()->isPlaying());
    w.cancelRun();
    ASSERT_TRUE(waitJobDone(w, job));
    EXPECT_FALSE(w.preview()->isPlaying());
    EXPECT_TRUE(w.preview()->statusText().contains(QStringLiteral("cancelled")))
        << w.preview()->statusText().toStdString();
}

}  // namespace
}  // namespace sv::ui::test
