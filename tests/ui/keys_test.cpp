// Escape first closes what is open and ends what is being edited — the add-node palette, a node's dropdown, a
// field on a node, a field in the inspector — and cancels the running job only on the canvas or in the queue;
// Ctrl+. cancels from anywhere.
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QGraphicsProxyWidget>
#include <QLineEdit>
#include <QTreeWidget>

#include "app/graph_editor.h"
#include "canvas/graph_model.h"
#include "canvas/graph_scene.h"
#include "canvas/graph_view.h"
#include "canvas/node_item.h"
#include "panels/inspector.h"
#include "panels/node_palette.h"
#include "panels/param_widgets.h"
#include "panels/queue_panel.h"
#include "run/run_queue.h"
#include "ui_test_support.h"

namespace sv::ui::test {
namespace {

struct Running {
    QString sampler, sizer, save;
    int job = 0;
};

/// A long run, plus a Sizer (a dropdown on the node) and a Save node (a text field on the node).
Running startLongRun(MainWindow& w) {
    GraphEditor& ed = w.editor();
    Running r;
    const QString load = ed.addNode(QStringLiteral("uitest.load"), {0, 0});
    const QString encode = ed.addNode(QStringLiteral("uitest.encode"), {300, 0});
    r.sampler = ed.addNode(QStringLiteral("uitest.sampler"), {650, 0});
    r.sizer = ed.addNode(QStringLiteral("uitest.sizer"), {650, 400});
    r.save = ed.addNode(QStringLiteral("uitest.save"), {1000, 400});
    EXPECT_FALSE(ed.connectPorts({load.toStdString(), "model"}, {encode.toStdString(), "model"}));
    EXPECT_FALSE(ed.connectPorts({load.toStdString(), "model"}, {r.sampler.toStdString(), "model"}));
    EXPECT_FALSE(ed.connectPorts({encode.toStdString(), "cond"}, {r.sampler.toStdString(), "cond"}));
    EXPECT_FALSE(ed.connectPorts({r.sampler.toStdString(), "latent"}, {r.sizer.toStdString(), "latent"}));
    ed.setParam(r.sampler, QStringLiteral("steps"), 1000);
    ed.setParam(r.sampler, QStringLiteral("step_ms"), 20);
    w.view()->frameAll();
    // Only the sampler branch runs (the save node has no input and is left out of the run).
    sp::RunRequest request;
    request.targets = {r.sizer.toStdString()};
    request.outputDir = w.outputDir().toStdString();
    r.job = w.runQueue().enqueue(w.document(), QStringLiteral("long"), request);
    EXPECT_TRUE(QTest::qWaitFor([&] { return w.runQueue().job(r.job)->nodeProgress.step >= 2; }, 10000))
        << jobStateName(w.runQueue().job(r.job)->state).toStdString() << ": "
        << w.runQueue().job(r.job)->message.toStdString();
    return r;
}

bool running(MainWindow& w, int job) {
    QTest::qWait(50);  // a cancel would have reached the worker by now
    const Job* j = w.runQueue().job(job);
    return j && j->state == Job::State::Running;
}

bool cancelled(MainWindow& w, int job) {
    return QTest::qWaitFor([&] { return w.runQueue().job(job)->state == Job::State::Cancelled; }, 5000);
}

TEST(Keys, EscapeClosesAndEndsThingsBeforeItCancels) {
    Studio s;
    MainWindow& w = *s.window;
    const Running r = startLongRun(w);

    // The add-node palette.
    w.view()->setFocus();
    w.view()->openPalette(w.view()->viewport()->rect().center());
    NodePalette* palette = w.view()->palette();
    ASSERT_TRUE(palette->isVisible());
    QTest::keyClick(palette->list()->filterEdit(), Qt::Key_Escape);
    EXPECT_FALSE(palette->isVisible());
    EXPECT_TRUE(running(w, r.job));
    EXPECT_TRUE(w.view()->hasFocus());  // back to the canvas

    // A dropdown on a node.
    ParamEditor* scheduler = w.scene().nodeItem(r.sizer)->inlineEditor(QStringLiteral("scheduler"));
    ASSERT_NE(scheduler, nullptr);
    auto* combo = scheduler->findChild<QComboBox*>();
    ASSERT_NE(combo, nullptr);
    w.view()->setFocus();
    w.scene().setFocusItem(w.scene().nodeItem(r.sizer)->inlineProxy(QStringLiteral("scheduler")));
    combo->showPopup();
    ASSERT_TRUE(QTest::qWaitFor([&] { return combo->view()->isVisible(); }, 2000));
    QTest::keyClick(w.view(), Qt::Key_Escape);
    EXPECT_TRUE(QTest::qWaitFor([&] { return !combo->view()->isVisible(); }, 2000));
    EXPECT_TRUE(running(w, r.job));

    // A text field on a node: Escape ends the edit, the canvas has its keys back.
    QGraphicsProxyWidget* filename = w.scene().nodeItem(r.save)->inlineProxy(QStringLiteral("filename"));
    ASSERT_NE(filename, nullptr);
    w.activateWindow();  // the dropdown's list was a window of its own
    ASSERT_TRUE(QTest::qWaitForWindowActive(&w));
    w.view()->setFocus();
    ASSERT_TRUE(w.view()->hasFocus());
    w.scene().setFocusItem(filename);
    ASSERT_NE(w.scene().focusItem(), nullptr);
    QTest::keyClick(w.view(), Qt::Key_Escape);
    EXPECT_EQ(w.scene().focusItem(), nullptr);
    EXPECT_TRUE(running(w, r.job));

    // A field in the inspector.
    w.scene().selectNodes({r.sizer});
    auto* shift = w.inspector()->paramEditor(QStringLiteral("shift"))->findChild<QDoubleSpinBox*>();
    ASSERT_NE(shift, nullptr);
    shift->setFocus();
    QTest::keyClick(shift, Qt::Key_Escape);
    EXPECT_TRUE(running(w, r.job));

    // Ctrl+. cancels from there; Escape cancels on the canvas (run_test) and in the queue.
    EXPECT_EQ(QApplication::activeWindow(), &w);
    EXPECT_TRUE(w.actions().cancel->isEnabled());
    QTest::keyClick(shift, Qt::Key_Period, Qt::ControlModifier);
    EXPECT_TRUE(cancelled(w, r.job));
}

TEST(Keys, EscapeInTheQueueCancels) {
    Studio s;
    MainWindow& w = *s.window;
    const Running r = startLongRun(w);
    w.queuePanel()->tree()->setFocus();
    QTest::keyClick(w.queuePanel()->tree(), Qt::Key_Escape);
    EXPECT_TRUE(cancelled(w, r.job));
}

}  // namespace
}  // namespace sv::ui::test
