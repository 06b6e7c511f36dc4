// Problems you cannot miss: a graph with problems is not queued — every problem is listed at once in the
// banner and the log (each once, without "error: … error:"), the nodes concerned are outlined in red with the
// message on hover and lose the mark once fixed, and the cached badges survive; a failed run shows the banner
// and an error box drawn above the neighbouring nodes.
#include <QPushButton>

#include "app/graph_editor.h"
#include "canvas/graph_model.h"
#include "canvas/graph_scene.h"
#include "canvas/graph_view.h"
#include "canvas/node_item.h"
#include "panels/banner.h"
#include "panels/log_panel.h"
#include "run/run_queue.h"
#include "ui_test_support.h"

namespace sv::ui::test {
namespace {

NodeStatus::State state(MainWindow& w, const QString& id) {
    return w.model().status(id).state;
}

/// Whether the viewport shows a strongly red pixel within `radius` of a scene point.
bool redNear(MainWindow& w, QPointF scenePos, int radius = 3) {
    const QImage shot = w.view()->viewport()->grab().toImage();
    const QPoint at = w.view()->mapFromScene(scenePos) * shot.devicePixelRatio();
    for (int dy = -radius; dy <= radius; ++dy)
        for (int dx = -radius; dx <= radius; ++dx) {
            const QColor c = shot.pixelColor(at + QPoint(dx, dy));
            if (c.red() > 180 && c.green() < 110 && c.blue() < 110) return true;
        }
    return false;
}

TEST(Errors, AGraphWithProblemsIsNotQueuedAndEveryProblemIsListedOnce) {
    Studio s;
    MainWindow& w = *s.window;
    const Chain c = buildChain(w);
    const int first = w.runGraph();
    ASSERT_TRUE(waitJobDone(w, first));
    ASSERT_EQ(state(w, c.load), NodeStatus::State::Done);

    // Two problems on two nodes: a required input left open, a value out of range.
    ASSERT_TRUE(w.editor().disconnectInput({c.sampler.toStdString(), "cond"}));
    w.editor().setParam(c.decode, QStringLiteral("frames"), 1000);
    const int logErrors = w.logPanel()->errorCount();
    EXPECT_EQ(w.runGraph(), 0);
    EXPECT_EQ(w.runQueue().jobs().size(), 1);  // nothing was queued

    // All of them at once: in the banner, on the nodes, in the log.
    Banner* banner = w.banner();
    ASSERT_TRUE(banner->isVisible());
    EXPECT_EQ(banner->lines().size(), 2) << banner->text().toStdString();
    EXPECT_TRUE(banner->title().contains(QStringLiteral("2 problem"))) << banner->title().toStdString();
    EXPECT_TRUE(banner->nodeIds().contains(c.sampler));
    EXPECT_TRUE(banner->nodeIds().contains(c.decode));
    EXPECT_EQ(state(w, c.sampler), NodeStatus::State::Invalid);
    EXPECT_TRUE(w.model().status(c.sampler).message.contains(QStringLiteral("'cond'")));
    EXPECT_FALSE(
        w.model().status(c.sampler).message.startsWith(QStringLiteral("node '")));  // the node says it
    EXPECT_EQ(state(w, c.decode), NodeStatus::State::Invalid);
    EXPECT_EQ(w.logPanel()->errorCount(), logErrors + 2);
    const QString log = w.logPanel()->plainText();
    EXPECT_EQ(log.count(QStringLiteral("required input 'cond'")), 1);
    EXPECT_FALSE(log.contains(QStringLiteral("error: error"))) << log.toStdString();
    EXPECT_FALSE(log.contains(QStringLiteral(": error: "))) << log.toStdString();

    // The nodes that were fine keep their badges: nothing ran, nothing was forgotten.
    EXPECT_EQ(state(w, c.load), NodeStatus::State::Done);
    EXPECT_EQ(state(w, c.encode), NodeStatus::State::Done);

    // Outlined in red, the message on hover.
    w.view()->frameAll();
    NodeItem* sampler = w.scene().nodeItem(c.sampler);
    EXPECT_TRUE(redNear(w, sampler->mapToScene(QPointF(0, sampler->geometry().height / 2))));
    EXPECT_FALSE(redNear(w, w.scene().nodeItem(c.load)->mapToScene(QPointF(0, 40))));
    EXPECT_TRUE(
        sampler->toolTipAt(sampler->geometry().titleRect().center()).contains(QStringLiteral("'cond'")));

    // "Show" frames the nodes concerned.
    banner->findChild<QPushButton*>(QStringLiteral("bannerShow"))->click();
    EXPECT_EQ(w.scene().selectedNodeIds(), (QStringList{c.sampler, c.decode}));

    // Fixing a problem removes its mark; fixing the last one closes the banner.
    ASSERT_FALSE(
        w.editor().connectPorts({c.encode.toStdString(), "cond"}, {c.sampler.toStdString(), "cond"}));
    EXPECT_EQ(state(w, c.sampler), NodeStatus::State::Idle);
    EXPECT_EQ(state(w, c.decode), NodeStatus::State::Invalid);
    EXPECT_TRUE(banner->isVisible());
    w.editor().setParam(c.decode, QStringLiteral("frames"), 5);
    EXPECT_EQ(state(w, c.decode), NodeStatus::State::Idle);
    EXPECT_FALSE(banner->isVisible());
    const int again = w.runGraph();
    ASSERT_NE(again, 0);
    ASSERT_TRUE(waitJobDone(w, again));
    EXPECT_EQ(w.runQueue().job(again)->state, Job::State::Finished);
    EXPECT_EQ(state(w, c.load), NodeStatus::State::Cached);
}

TEST(Errors, AFailedRunShowsTheBannerAndAMessageBoxAboveTheNodesAround) {
    Studio s;
    MainWindow& w = *s.window;
    GraphEditor& ed = w.editor();
    const QString f = buildFailingPair(w).failing;
    // A node just below the failing one, where its message box goes.
    const qreal below = w.scene().nodeItem(f)->geometry().height + 20;
    const QString other = ed.addNode(QStringLiteral("uitest.const_int"), {300, below});
    const int job = w.runGraph();
    ASSERT_TRUE(waitJobDone(w, job));
    ASSERT_EQ(state(w, f), NodeStatus::State::Error);

    Banner* banner = w.banner();
    ASSERT_TRUE(banner->isVisible());
    EXPECT_TRUE(banner->title().contains(QStringLiteral("failed")));
    EXPECT_TRUE(banner->title().contains(f));
    EXPECT_TRUE(banner->text().contains(QStringLiteral("deliberate failure on value 1")));
    EXPECT_EQ(banner->nodeIds(), QStringList{f});
    EXPECT_EQ(w.logPanel()->plainText().count(QStringLiteral("deliberate failure on value 1")), 1);

    // The box is drawn over the node below, and hovering it shows the whole message.
    NodeItem* failed = w.scene().nodeItem(f);
    NodeItem* neighbour = w.scene().nodeItem(other);
    EXPECT_GT(failed->zValue(), neighbour->zValue());
    const QPointF inBox = failed->mapToScene(QPointF(40, failed->geometry().height + 14));
    ASSERT_TRUE(neighbour->sceneBoundingRect().contains(inBox))
        << "the test wants the box over the neighbour";
    QGraphicsItem* top = w.scene().items(inBox).first();
    while (top->parentItem()) top = top->parentItem();
    EXPECT_EQ(top, failed);
    EXPECT_TRUE(
        failed->toolTipAt(failed->mapFromScene(inBox)).contains(QStringLiteral("deliberate failure")));

    // The next run starts clean: the banner goes.
    ed.setParam(f, QStringLiteral("fail"), false);
    const int again = w.runGraph();
    EXPECT_FALSE(banner->isVisible());
    ASSERT_TRUE(waitJobDone(w, again));
    EXPECT_EQ(state(w, f), NodeStatus::State::Done);
}

}  // namespace
}  // namespace sv::ui::test
