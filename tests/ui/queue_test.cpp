// The queue: the Queue button with a batch count (N runs, each seed one higher), whole-job progress and ETA,
// the list following the running job, the log counting what was computed and what came from the cache, a
// finished job's graph reopened, and a toolbar that keeps its width while editing.
#include <QFileInfo>
#include <QLabel>
#include <QScrollBar>
#include <QToolBar>
#include <QToolButton>
#include <QTreeWidget>
#include <QUndoStack>

#include "app/graph_editor.h"
#include "canvas/graph_model.h"
#include "panels/log_panel.h"
#include "panels/preview_pane.h"
#include "panels/queue_panel.h"
#include "run/run_queue.h"
#include "ui_test_support.h"

namespace sv::ui::test {
namespace {

bool waitIdle(MainWindow& w, int timeoutMs = 30000) {
    return QTest::qWaitFor(
        [&] {
            if (w.runQueue().isBusy()) return false;
            for (const Job& j : w.runQueue().jobs())
                if (!j.isDone()) return false;
            return true;
        },
        timeoutMs);
}

qint64 seedOf(const Job& j, const QString& node) {
    return j.doc->findNode(node.toStdString())->params.at("seed").get<qint64>();
}

TEST(Queue, TheQueueButtonQueuesABatchEachWithTheNextSeed) {
    Studio s;
    MainWindow& w = *s.window;
    const Chain c = buildChain(w, 2, 1);
    std::vector<qint64> startedSeeds;
    QObject::connect(&w.runQueue(), &RunQueue::executionEvent, &w, [&](int id, const sp::ExecutionEvent& e) {
        if (e.kind == sp::ExecutionEvent::Kind::RunStarted)
            startedSeeds.push_back(seedOf(*w.runQueue().job(id), c.sampler));
    });
    ASSERT_NE(w.queueButton(), nullptr);
    EXPECT_TRUE(w.queueButton()->isVisible());
    w.setBatchCount(3);
    w.queueButton()->click();
    ASSERT_EQ(w.runQueue().jobs().size(), 3);
    ASSERT_TRUE(waitIdle(w));
    EXPECT_EQ(startedSeeds, (std::vector<qint64>{42, 43, 44}));
    for (const Job& j : w.runQueue().jobs()) EXPECT_EQ(j.state, Job::State::Finished);
    EXPECT_TRUE(w.runQueue().jobs()[1].name.contains(QStringLiteral("2/3")));
    // The document keeps its seed.
    EXPECT_EQ(w.document().findNode(c.sampler.toStdString())->params.at("seed"), 42);

    // Queued at the front, a batch still runs in seed order.
    startedSeeds.clear();
    w.editor().setParam(c.sampler, QStringLiteral("seed"), 100);
    w.setBatchCount(2);
    w.actions().runFirst->trigger();
    ASSERT_TRUE(waitIdle(w));
    EXPECT_EQ(startedSeeds, (std::vector<qint64>{100, 101}));
}

TEST(Queue, WholeJobProgressAndEtaAndTheListFollowsTheRunningJob) {
    Studio s;
    MainWindow& w = *s.window;
    const Chain c = buildChain(w, 8, 40);
    const int first = w.runGraph();
    ASSERT_TRUE(waitIdle(w));
    EXPECT_GE(w.runQueue().lastDuration(QStringLiteral("uitest.sampler")), 0.25);

    // Ten more jobs: the list has to scroll to show the running one.
    w.setBatchCount(10);
    w.editor().setParam(c.sampler, QStringLiteral("seed"), 1);
    const int batch = w.runGraph();
    ASSERT_NE(batch, 0);
    QueuePanel* panel = w.queuePanel();
    ASSERT_TRUE(QTest::qWaitFor(
        [&] {
            const Job* j = w.runQueue().job(w.runQueue().currentJob());
            return j && j->id >= batch + 5 && j->currentNode == c.sampler && j->nodeProgress.step >= 2;
        },
        30000));
    const int running = w.runQueue().currentJob();
    // The whole job's ETA comes from what each node took last time: known from the start.
    const double eta = w.runQueue().etaSeconds(running);
    EXPECT_GT(eta, 0.0);
    EXPECT_LT(eta, 5.0);
    const double progress = w.runQueue().progress(running);
    EXPECT_GT(progress, 0.0);
    EXPECT_LT(progress, 1.0);
    const QString row = panel->rowText(running);
    EXPECT_FALSE(row.endsWith(QStringLiteral("| "))) << row.toStdString();  // the ETA column is filled
    auto* status = w.findChild<QLabel*>(QStringLiteral("runStatus"));
    ASSERT_NE(status, nullptr);
    EXPECT_TRUE(status->text().contains(QStringLiteral("ETA"))) << status->text().toStdString();
    EXPECT_TRUE(status->text().contains(QStringLiteral("more queued"))) << status->text().toStdString();
    // The running row is in sight.
    QTreeWidget* tree = panel->tree();
    QTreeWidgetItem* item = nullptr;
    for (int i = 0; i < tree->topLevelItemCount(); ++i)
        if (tree->topLevelItem(i)->data(0, Qt::UserRole).toInt() == running) item = tree->topLevelItem(i);
    ASSERT_NE(item, nullptr);
    EXPECT_TRUE(tree->viewport()->rect().intersects(tree->visualItemRect(item)));
    EXPECT_GT(tree->verticalScrollBar()->value(), 0) << "the list scrolled";
    w.runQueue().cancelCurrent();
    for (const Job& j : w.runQueue().jobs())
        if (j.state == Job::State::Queued) w.runQueue().cancel(j.id);
    ASSERT_TRUE(waitIdle(w));
    (void)first;
}

TEST(Queue, TheLogCountsComputedAndCachedNodes) {
    Studio s;
    MainWindow& w = *s.window;
    buildChain(w, 2, 1);
    ASSERT_NE(w.runGraph(), 0);
    ASSERT_TRUE(waitIdle(w));
    w.logPanel()->clear();
    ASSERT_NE(w.runGraph(), 0);
    ASSERT_TRUE(waitIdle(w));
    const QString log = w.logPanel()->plainText();
    EXPECT_TRUE(log.contains(QStringLiteral("started: 5 node(s) planned"))) << log.toStdString();
    EXPECT_TRUE(log.contains(QStringLiteral("1 computed, 4 from the cache"))) << log.toStdString();
}

TEST(Queue, AFinishedJobsGraphCanBeReopened) {
    Studio s;
    MainWindow& w = *s.window;
    const Chain c = buildChain(w, 2, 1);
    const int job = w.runGraph();
    ASSERT_TRUE(waitIdle(w));
    w.editor().setParam(c.sampler, QStringLiteral("seed"), 7);
    w.editor().setParam(c.sampler, QStringLiteral("steps"), 3);
    w.preview()->clear();

    ASSERT_TRUE(w.openJobGraph(job));
    EXPECT_EQ(w.document().findNode(c.sampler.toStdString())->params.at("seed"), 42);
    EXPECT_EQ(w.document().findNode(c.sampler.toStdString())->params.at("steps"), 2);
    EXPECT_TRUE(w.currentFile().isEmpty());
    EXPECT_TRUE(w.isModified());
    EXPECT_EQ(w.preview()->mode(), PreviewPane::Mode::Video);  // and its result is shown
}

TEST(Queue, FinishedJobsAreThereAfterARestart) {
    Studio s;
    const Chain c = buildChain(*s.window, 2, 1, QStringLiteral("uitest.save"));
    s.window->editor().setParam(c.sampler, QStringLiteral("seed"), 5);
    ASSERT_NE(s.window->runGraph(), 0);
    ASSERT_TRUE(waitIdle(*s.window));
    const QString written = s.window->runQueue().jobs().first().outputFiles.value(0);
    ASSERT_FALSE(written.isEmpty());
    ASSERT_TRUE(QFileInfo::exists(s.options.historyFile));

    // The next session lists the job: its graph can be reopened and its file revealed.
    s.window.reset();
    s.window = std::make_unique<MainWindow>(*s.registry, s.options);
    ASSERT_EQ(s.window->runQueue().jobs().size(), 1);
    const Job& past = s.window->runQueue().jobs().first();
    EXPECT_EQ(past.state, Job::State::Finished);
    EXPECT_EQ(past.outputFiles, QStringList{written});
    EXPECT_TRUE(s.window->queuePanel()->rowText(past.id).contains(QStringLiteral("finished")));
    ASSERT_TRUE(s.window->openJobGraph(past.id));
    EXPECT_EQ(s.window->document().findNode(c.sampler.toStdString())->params.at("seed"), 5);
    // New jobs get new ids; clearing the finished ones clears the history too.
    s.window->runQueue().clearFinished();
    s.window.reset();
    s.window = std::make_unique<MainWindow>(*s.registry, s.options);
    EXPECT_TRUE(s.window->runQueue().jobs().isEmpty());
}

TEST(Queue, TheToolbarKeepsItsWidthWhileEditing) {
    Studio s;
    MainWindow& w = *s.window;
    auto* bar = w.findChild<QToolBar*>(QStringLiteral("mainToolBar"));
    ASSERT_NE(bar, nullptr);
    QWidget* undo = bar->widgetForAction(w.actions().undo);
    ASSERT_NE(undo, nullptr);
    const int before = undo->sizeHint().width();
    const QString text = w.actions().undo->text();
    w.editor().addNode(QStringLiteral("uitest.sampler"), {0, 0});
    w.editor().setParam(w.model().nodeIds().first(), QStringLiteral("guidance"), 7.5);
    EXPECT_EQ(w.actions().undo->text(), text);
    EXPECT_EQ(undo->sizeHint().width(), before);
    EXPECT_TRUE(w.actions().undo->toolTip().contains(QStringLiteral("Set")))
        << w.actions().undo->toolTip().toStdString();
    EXPECT_TRUE(w.actions().undo->isEnabled());
    w.editor().undoStack()->undo();
    w.editor().undoStack()->undo();
    EXPECT_FALSE(w.actions().undo->isEnabled());
}

}  // namespace
}  // namespace sv::ui::test
