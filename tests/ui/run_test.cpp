// Running graphs of in-process test nodes from the window: live previews reach the preview pane while the
// slow sampler steps, the job finishes with every node badged, the viewed node's picture result is shown, a
// re-run is served from the cache, a failing node turns red with its message in the log, Cancel stops within
// one step, and Run First jumps the queue.
#include <QElapsedTimer>
#include <QRegularExpression>
#include <QSignalSpy>

#include "app/graph_editor.h"
#include "canvas/graph_model.h"
#include "canvas/graph_scene.h"
#include "canvas/graph_view.h"
#include "panels/log_panel.h"
#include "panels/preview_pane.h"
#include "panels/queue_panel.h"
#include "run/run_queue.h"
#include "ui_test_support.h"

namespace sv::ui::test {
namespace {

NodeStatus::State state(MainWindow& w, const QString& id) {
    return w.model().status(id).state;
}

/// The step the canvas shows for a running node (0 when it shows none).
qint64 shownStep(MainWindow& w, const QString& id) {
    const auto p = w.model().progress(id);
    return p ? p->step : 0;
}

TEST(Run, PreviewsArriveLiveAndTheJobFinishes) {
    Studio s;
    MainWindow& w = *s.window;
    const Chain c = buildChain(w, 6, 60);
    w.editor().setViewed(c.sampler);
    QSignalSpy events(&w.runQueue(), &RunQueue::executionEvent);

    // Ctrl+Enter queues the graph.
    w.view()->setFocus();
    QTest::keyClick(w.view(), Qt::Key_Return, Qt::ControlModifier);
    ASSERT_EQ(w.runQueue().jobs().size(), 1);
    const int job = w.runQueue().jobs().first().id;

    // While the sampler steps, the GUI keeps running: the badge counts steps and the latent preview animates.
    ASSERT_TRUE(QTest::qWaitFor([&] { return shownStep(w, c.sampler) >= 2; }, 10000));
    EXPECT_EQ(state(w, c.sampler), NodeStatus::State::Running);
    EXPECT_EQ(w.model().progress(c.sampler)->total, 6);
    // The badge, the queue row and the job share one copy of the step.
    EXPECT_EQ(w.runQueue().job(job)->nodeProgress.total, 6);
    ASSERT_TRUE(QTest::qWaitFor([&] { return w.preview()->mode() == PreviewPane::Mode::Latent; }, 5000));
    EXPECT_EQ(w.preview()->frameCount(), 3);  // the step's three latent frames animate
    EXPECT_TRUE(w.preview()->isPlaying());
    const QRegularExpression stepCaption(QStringLiteral("step ([1-6])/6"));
    EXPECT_TRUE(stepCaption.match(w.preview()->statusText()).hasMatch())
        << w.preview()->statusText().toStdString();
    // Later steps replace the frames in place: the caption follows the step, the animation goes on.
    const int shownStep = stepCaption.match(w.preview()->statusText()).captured(1).toInt();
    if (shownStep < 6) {
        ASSERT_TRUE(QTest::qWaitFor(
            [&] { return stepCaption.match(w.preview()->statusText()).captured(1).toInt() > shownStep; },
            5000));
    }
    EXPECT_EQ(w.preview()->mode(), PreviewPane::Mode::Latent);
    EXPECT_EQ(w.preview()->frameCount(), 3);
    const int step = stepCaption.match(w.preview()->statusText()).captured(1).toInt();
    EXPECT_EQ(w.preview()->currentImage().pixelColor(0, 0).red(), step * 10 + w.preview()->currentFrame());
    EXPECT_TRUE(w.queuePanel()->rowText(job).contains(QStringLiteral("running")));
    EXPECT_TRUE(w.queuePanel()->rowText(job).contains(c.sampler));
    EXPECT_EQ(state(w, c.load), NodeStatus::State::Done);
    EXPECT_EQ(state(w, c.decode), NodeStatus::State::Pending);

    ASSERT_TRUE(waitJobDone(w, job));
    EXPECT_EQ(w.runQueue().job(job)->state, Job::State::Finished);
    EXPECT_TRUE(w.queuePanel()->rowText(job).contains(QStringLiteral("finished")));
    EXPECT_TRUE(w.queuePanel()->rowText(job).contains(QStringLiteral("100%")));
    for (const QString& id : {c.load, c.encode, c.sampler, c.decode, c.output})
        EXPECT_EQ(state(w, id), NodeStatus::State::Done) << id.toStdString();
    std::vector<int64_t> previewSteps;
    for (const auto& args : events) {
        const auto e = args.at(1).value<sp::ExecutionEvent>();
        if (e.kind != sp::ExecutionEvent::Kind::NodePreview) continue;
        previewSteps.push_back(e.step);
        EXPECT_EQ(e.total, 6);
        ASSERT_TRUE(e.image);
        EXPECT_EQ(e.image->frameCount, 3);
    }
    EXPECT_EQ(previewSteps, (std::vector<int64_t>{1, 2, 3, 4, 5, 6}));  // one preview per step
    EXPECT_TRUE(w.logPanel()->plainText().contains(QStringLiteral("loading /models/demo")));

    // Moving the view flag to the decoder shows its decoded frames.
    w.editor().setViewed(c.decode);
    EXPECT_EQ(w.preview()->mode(), PreviewPane::Mode::Video);
    EXPECT_EQ(w.preview()->frameCount(), 5);

    // Double-clicking the finished job in the queue shows its result again.
    w.preview()->clear();
    emit w.queuePanel()->jobActivated(job);
    EXPECT_EQ(w.preview()->mode(), PreviewPane::Mode::Video);
    EXPECT_EQ(w.preview()->frameCount(), 5);

    // A second run reuses everything upstream of the always-run output.
    const int again = w.runGraph();
    ASSERT_TRUE(waitJobDone(w, again));
    for (const QString& id : {c.load, c.encode, c.sampler, c.decode})
        EXPECT_EQ(state(w, id), NodeStatus::State::Cached) << id.toStdString();
    EXPECT_EQ(state(w, c.output), NodeStatus::State::Done);

    // Editing a parameter makes the node's badge and everything downstream stale; upstream stays cached.
    w.editor().setParam(c.sampler, QStringLiteral("seed"), 7);
    for (const QString& id : {c.sampler, c.decode, c.output})
        EXPECT_EQ(state(w, id), NodeStatus::State::Idle) << id.toStdString();
    EXPECT_EQ(state(w, c.load), NodeStatus::State::Cached);
    EXPECT_EQ(state(w, c.encode), NodeStatus::State::Cached);
}

TEST(Run, AFailingNodeTurnsRedWithItsMessageInTheLog) {
    Studio s;
    MainWindow& w = *s.window;
    GraphEditor& ed = w.editor();
    const auto [k, f] = buildFailingPair(w);
    ed.setParam(k, QStringLiteral("value"), 17);
    const int job = w.runGraph();
    ASSERT_TRUE(waitJobDone(w, job));
    EXPECT_EQ(w.runQueue().job(job)->state, Job::State::Failed);
    EXPECT_EQ(state(w, f), NodeStatus::State::Error);
    EXPECT_TRUE(w.model().status(f).message.contains(QStringLiteral("deliberate failure on value 17")));
    EXPECT_EQ(state(w, k), NodeStatus::State::Done);
    EXPECT_TRUE(w.logPanel()->plainText().contains(QStringLiteral("deliberate failure on value 17")));
    EXPECT_GE(w.logPanel()->errorCount(), 1);
    EXPECT_TRUE(w.queuePanel()->rowText(job).contains(QStringLiteral("failed")));

    // Fixing the parameter and re-running works; the constant comes from the cache.
    ed.setParam(f, QStringLiteral("fail"), false);
    const int again = w.runGraph();
    ASSERT_TRUE(waitJobDone(w, again));
    EXPECT_EQ(w.runQueue().job(again)->state, Job::State::Finished);
    EXPECT_EQ(state(w, k), NodeStatus::State::Cached);
    EXPECT_EQ(state(w, f), NodeStatus::State::Done);
}

TEST(Run, EscapeCancelsWithinOneStep) {
    Studio s;
    MainWindow& w = *s.window;
    const Chain c = buildChain(w, 1000, 25);
    const int job = w.runGraph();
    ASSERT_TRUE(QTest::qWaitFor([&] { return shownStep(w, c.sampler) >= 3; }, 10000));
    QElapsedTimer timer;
    timer.start();
    w.view()->setFocus();
    QTest::keyClick(w.view(), Qt::Key_Escape);
    ASSERT_TRUE(waitJobDone(w, job, 5000));
    const qint64 ms = timer.elapsed();
    EXPECT_LT(ms, 1000) << "cancel took " << ms << " ms for 25 ms steps";
    EXPECT_EQ(w.runQueue().job(job)->state, Job::State::Cancelled);
    EXPECT_EQ(state(w, c.sampler), NodeStatus::State::Cancelled);
    EXPECT_EQ(state(w, c.decode), NodeStatus::State::Idle);
    EXPECT_LT(w.runQueue().job(job)->nodeProgress.step, 1000);
    EXPECT_FALSE(w.model().progress(c.sampler));  // nothing runs: no step shown
    EXPECT_TRUE(w.logPanel()->plainText().contains(QStringLiteral("cancelled")));

    // The queue keeps working, and the loaded model was kept.
    w.editor().setParam(c.sampler, QStringLiteral("steps"), 2);
    const int again = w.runGraph();
    ASSERT_TRUE(waitJobDone(w, again));
    EXPECT_EQ(w.runQueue().job(again)->state, Job::State::Finished);
    EXPECT_EQ(state(w, c.load), NodeStatus::State::Cached);
}

TEST(Run, RunFirstJumpsTheQueue) {
    Studio s;
    MainWindow& w = *s.window;
    const Chain c = buildChain(w, 1000, 20);
    std::vector<int> started;
    QObject::connect(&w.runQueue(), &RunQueue::executionEvent, &w.runQueue(),
                     [&](int job, const sp::ExecutionEvent& e) {
                         if (e.kind == sp::ExecutionEvent::Kind::RunStarted) started.push_back(job);
                     });
    const int slow = w.runGraph();
    ASSERT_TRUE(QTest::qWaitFor([&] { return w.runQueue().isBusy(); }, 5000));
    w.editor().setParam(c.sampler, QStringLiteral("steps"), 1);
    const int normal = w.runGraph(false);
    w.actions().runFirst->trigger();
    const int first = w.runQueue().jobs().at(1).id;
    EXPECT_NE(first, normal);
    EXPECT_EQ(w.runQueue().jobs().at(2).id, normal);
    EXPECT_EQ(w.runQueue().job(normal)->state, Job::State::Queued);
    // Cancel the slow one: the front job runs next, then the other.
    w.actions().cancel->trigger();
    ASSERT_TRUE(waitJobDone(w, normal));
    ASSERT_EQ(started.size(), 3u);
    EXPECT_EQ(started[0], slow);
    EXPECT_EQ(started[1], first);
    EXPECT_EQ(started[2], normal);
    EXPECT_EQ(w.runQueue().job(first)->state, Job::State::Finished);

    // A queued job can be removed before it starts.
    w.editor().setParam(c.sampler, QStringLiteral("steps"), 1000);
    const int blocker = w.runGraph();
    const int doomed = w.runGraph();
    w.runQueue().cancel(doomed);
    EXPECT_EQ(w.runQueue().job(doomed)->state, Job::State::Cancelled);
    w.runQueue().cancel(blocker);
    ASSERT_TRUE(waitJobDone(w, blocker));
    QTest::qWait(50);
    EXPECT_EQ(std::count(started.begin(), started.end(), doomed), 0);
}

}  // namespace
}  // namespace sv::ui::test
