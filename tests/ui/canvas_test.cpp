// The canvas driven like a user: the add-node palette, dragging links between ports (and the refusal of an
// incompatible one), replacing and pulling links, cutting links, moving nodes, inline parameters, undo/redo
// of all of it, and copy/paste between two windows.
#include <QAction>
#include <QClipboard>
#include <QDoubleSpinBox>
#include <QLineEdit>
#include <QMimeData>
#include <QSignalSpy>
#include <QUndoStack>
#include <QWheelEvent>

#include "app/graph_editor.h"
#include "canvas/graph_model.h"
#include "canvas/graph_scene.h"
#include "canvas/graph_view.h"
#include "canvas/link_item.h"
#include "canvas/node_item.h"
#include "canvas/port_item.h"
#include "panels/node_palette.h"
#include "panels/param_widgets.h"
#include "ui_test_support.h"

namespace sv::ui::test {
namespace {

QPointF portPos(MainWindow& w, const QString& node, PortSide side, const QString& port) {
    NodeItem* item = w.scene().nodeItem(node);
    EXPECT_NE(item, nullptr) << node.toStdString();
    return item ? item->portScenePos(side, port) : QPointF();
}

const sp::GraphLink* inputLink(MainWindow& w, const QString& node, const QString& port) {
    return w.document().inputLink(node.toStdString(), port.toStdString());
}

TEST(Canvas, TabOpensThePaletteAndEnterAddsTheFilteredNode) {
    Studio s;
    GraphView* view = s.window->view();
    view->setFocus();
    QTest::keyClick(view, Qt::Key_Tab);
    NodePalette* palette = view->palette();
    ASSERT_TRUE(palette->isVisible());
    // Everything is listed before typing; typing narrows it down, best match first.
    EXPECT_EQ(palette->list()->visibleTypeIds().size(), int(s.registry->size()));
    QTest::keyClicks(palette->list()->filterEdit(), QStringLiteral("sampl"));
    ASSERT_FALSE(palette->list()->visibleTypeIds().isEmpty());
    EXPECT_EQ(palette->list()->visibleTypeIds().first(), QStringLiteral("uitest.sampler"));
    EXPECT_FALSE(palette->list()->visibleTypeIds().contains(QStringLiteral("uitest.add")));
    QTest::keyClick(palette->list()->filterEdit(), Qt::Key_Return);
    EXPECT_FALSE(palette->isVisible());
    ASSERT_EQ(s.window->document().nodes().size(), 1u);
    EXPECT_EQ(s.window->document().nodes()[0].type, "uitest.sampler");
    EXPECT_EQ(s.window->scene().nodeItemCount(), 1);
    // Defaults are stored with the new node.
    EXPECT_EQ(s.window->document().nodes()[0].params.at("steps"), 4);

    // Shift+A opens it too; Escape closes it without adding anything.
    view->setFocus();
    QTest::keyClick(view, Qt::Key_A, Qt::ShiftModifier);
    ASSERT_TRUE(palette->isVisible());
    QTest::keyClick(palette->list()->filterEdit(), Qt::Key_Escape);
    EXPECT_FALSE(palette->isVisible());
    EXPECT_EQ(s.window->document().nodes().size(), 1u);

    // The Nodes dock adds with Enter as well.
    s.window->nodeList()->setFilterText(QStringLiteral("constant"));
    QTest::keyClick(s.window->nodeList()->filterEdit(), Qt::Key_Return);
    ASSERT_EQ(s.window->document().nodes().size(), 2u);
    EXPECT_EQ(s.window->document().nodes()[1].type, "uitest.const_int");
}

TEST(Canvas, DoubleClickOnEmptyCanvasOpensThePalette) {
    Studio s;
    GraphView* view = s.window->view();
    const QPoint p = view->viewport()->rect().center();
    QTest::mouseDClick(view->viewport(), Qt::LeftButton, Qt::NoModifier, p);
    EXPECT_TRUE(view->palette()->isVisible());
    view->palette()->hide();
}

TEST(Canvas, DraggingPortToPortConnectsAndIncompatibleTypesAreRefused) {
    Studio s;
    MainWindow& w = *s.window;
    GraphEditor& ed = w.editor();
    const QString c1 = ed.addNode(QStringLiteral("uitest.const_int"), {0, 0});
    const QString c2 = ed.addNode(QStringLiteral("uitest.const_int"), {0, 160});
    const QString add = ed.addNode(QStringLiteral("uitest.add"), {320, 40});
    const QString load = ed.addNode(QStringLiteral("uitest.load"), {0, 320});
    w.view()->frameAll();
    QSignalSpy refused(&w.scene(), &GraphScene::connectionRefused);

    // Output → input.
    dragScene(w.view(), portPos(w, c1, PortSide::Out, "value"), portPos(w, add, PortSide::In, "a"));
    const sp::GraphLink* l = inputLink(w, add, "a");
    ASSERT_NE(l, nullptr);
    EXPECT_EQ(l->from.node, c1.toStdString());
    EXPECT_EQ(w.scene().linkItemCount(), 1);

    // Input → output works too.
    dragScene(w.view(), portPos(w, add, PortSide::In, "b"), portPos(w, c2, PortSide::Out, "value"));
    ASSERT_NE(inputLink(w, add, "b"), nullptr);
    EXPECT_EQ(inputLink(w, add, "b")->from.node, c2.toStdString());

    // MODEL into INT is refused, with a reason naming the types, and nothing changes.
    const auto before = w.document().links();
    dragScene(w.view(), portPos(w, load, PortSide::Out, "model"), portPos(w, add, PortSide::In, "a"));
    EXPECT_EQ(w.document().links(), before);
    ASSERT_EQ(refused.count(), 1);
    const QString reason = refused.first().first().toString();
    EXPECT_TRUE(reason.contains(QStringLiteral("MODEL")) && reason.contains(QStringLiteral("INT")))
        << reason.toStdString();

    // An input holds one link: dropping a new one replaces it.
    dragScene(w.view(), portPos(w, c2, PortSide::Out, "value"), portPos(w, add, PortSide::In, "a"));
    ASSERT_NE(inputLink(w, add, "a"), nullptr);
    EXPECT_EQ(inputLink(w, add, "a")->from.node, c2.toStdString());
    EXPECT_EQ(w.document().links().size(), 2u);
    EXPECT_EQ(w.scene().linkItemCount(), 2);

    // Dragging a link off its input and dropping it on empty canvas disconnects it.
    dragScene(w.view(), portPos(w, add, PortSide::In, "a"), QPointF(700, 600));
    EXPECT_EQ(inputLink(w, add, "a"), nullptr);
    EXPECT_EQ(w.document().links().size(), 1u);
    // Dragging it off one input onto another moves it.
    dragScene(w.view(), portPos(w, add, PortSide::In, "b"), portPos(w, add, PortSide::In, "a"));
    EXPECT_EQ(inputLink(w, add, "b"), nullptr);
    ASSERT_NE(inputLink(w, add, "a"), nullptr);
    EXPECT_EQ(inputLink(w, add, "a")->from.node, c2.toStdString());
}

TEST(Canvas, DroppingALinkOnEmptyCanvasOffersCompatibleNodesAndConnectsTheChoice) {
    Studio s;
    MainWindow& w = *s.window;
    const QString load = w.editor().addNode(QStringLiteral("uitest.load"), {0, 0});
    w.view()->frameAll();
    dragScene(w.view(), portPos(w, load, PortSide::Out, "model"), QPointF(400, 60));
    NodePalette* palette = w.view()->palette();
    ASSERT_TRUE(palette->isVisible());
    const QStringList offered = palette->list()->visibleTypeIds();
    EXPECT_TRUE(offered.contains(QStringLiteral("uitest.encode")));
    EXPECT_TRUE(offered.contains(QStringLiteral("uitest.sampler")));
    EXPECT_FALSE(offered.contains(QStringLiteral("uitest.add")));  // no MODEL input
    QTest::keyClicks(palette->list()->filterEdit(), QStringLiteral("encode"));
    QTest::keyClick(palette->list()->filterEdit(), Qt::Key_Return);
    ASSERT_EQ(w.document().nodes().size(), 2u);
    ASSERT_EQ(w.document().links().size(), 1u);
    EXPECT_EQ(w.document().links()[0].from.node, load.toStdString());
    EXPECT_EQ(w.document().links()[0].to.port, "model");
    // One undo step removes the node and its link.
    w.editor().undoStack()->undo();
    EXPECT_EQ(w.document().nodes().size(), 1u);
    EXPECT_TRUE(w.document().links().empty());
}

TEST(Canvas, CtrlDragAcrossLinksCutsThem) {
    Studio s;
    MainWindow& w = *s.window;
    GraphEditor& ed = w.editor();
    const QString c = ed.addNode(QStringLiteral("uitest.const_int"), {0, 0});
    const QString a = ed.addNode(QStringLiteral("uitest.add"), {400, 0});
    ASSERT_FALSE(ed.connectPorts({c.toStdString(), "value"}, {a.toStdString(), "a"}));
    ASSERT_FALSE(ed.connectPorts({c.toStdString(), "value"}, {a.toStdString(), "b"}));
    w.view()->frameAll();
    const QPointF from = portPos(w, c, PortSide::Out, "value"), to = portPos(w, a, PortSide::In, "a");
    const double midX = (from.x() + to.x()) / 2;
    dragScene(w.view(), QPointF(midX, from.y() - 150), QPointF(midX + 5, from.y() + 150),
              Qt::ControlModifier);
    EXPECT_TRUE(w.document().links().empty());
    EXPECT_EQ(w.scene().linkItemCount(), 0);
    EXPECT_EQ(w.document().nodes().size(), 2u);  // nodes untouched
    w.editor().undoStack()->undo();              // one step brings both back
    EXPECT_EQ(w.document().links().size(), 2u);
}

TEST(Canvas, EveryEditUndoesAndRedoesToTheSameDocument) {
    Studio s;
    MainWindow& w = *s.window;
    GraphEditor& ed = w.editor();
    QUndoStack* undo = ed.undoStack();
    std::vector<std::string> states{canonical(w.document())};
    auto record = [&] { states.push_back(canonical(w.document())); };

    const QString c = ed.addNode(QStringLiteral("uitest.const_int"), {0, 0});
    record();
    const QString a = ed.addNode(QStringLiteral("uitest.add"), {360, 0});
    record();
    w.view()->frameAll();
    dragScene(w.view(), portPos(w, c, PortSide::Out, "value"), portPos(w, a, PortSide::In, "a"));
    record();
    // Move by dragging the title bar: many mouse moves, one undo step.
    const int before = undo->count();
    const QPointF title = w.scene().nodeItem(a)->mapToScene(QPointF(30, 12));
    dragScene(w.view(), title, title + QPointF(80, 120), Qt::NoModifier, 12);
    EXPECT_EQ(undo->count(), before + 1);
    EXPECT_NEAR(w.model().position(a).x(), 440, 2.0);
    EXPECT_NEAR(w.model().position(a).y(), 120, 2.0);
    record();
    // Inline parameter widget on the canvas.
    ParamEditor* inlineValue = w.scene().nodeItem(c)->inlineEditor(QStringLiteral("value"));
    ASSERT_NE(inlineValue, nullptr);
    auto* spin = inlineValue->findChild<QDoubleSpinBox*>();
    ASSERT_NE(spin, nullptr);
    spin->setValue(7);
    EXPECT_EQ(w.document().findNode(c.toStdString())->params.at("value"), 7);
    record();
    // Bypass (D) and view flag (V) on the selection.
    w.scene().selectNodes({a});
    w.view()->actions().bypass->trigger();
    EXPECT_TRUE(w.model().isBypassed(a));
    record();
    w.view()->actions().view->trigger();
    EXPECT_EQ(w.model().viewedNode(), a);
    record();
    // Duplicate, then delete the original constant (its link goes with it).
    w.scene().selectNodes({c});
    w.view()->actions().duplicate->trigger();
    EXPECT_EQ(w.document().nodes().size(), 3u);
    record();
    w.scene().selectNodes({c});
    w.view()->actions().remove->trigger();
    EXPECT_EQ(w.document().nodes().size(), 2u);
    EXPECT_TRUE(w.document().links().empty());
    record();

    ASSERT_EQ(undo->count(), int(states.size()) - 1);
    for (int i = int(states.size()) - 2; i >= 0; --i) {
        w.actions().undo->trigger();
        EXPECT_EQ(canonical(w.document()), states[size_t(i)]) << "after undoing to state " << i;
    }
    EXPECT_EQ(w.scene().nodeItemCount(), 0);
    for (size_t i = 1; i < states.size(); ++i) {
        w.actions().redo->trigger();
        EXPECT_EQ(canonical(w.document()), states[i]) << "after redoing to state " << i;
    }
    EXPECT_EQ(w.scene().nodeItemCount(), 2);
}

TEST(Canvas, KeyboardShortcutsWorkOnTheCanvas) {
    Studio s;
    MainWindow& w = *s.window;
    const QString c = w.editor().addNode(QStringLiteral("uitest.const_int"), {0, 0});
    w.scene().selectNodes({c});
    w.view()->setFocus();
    QTest::keyClick(w.view(), Qt::Key_D);
    EXPECT_TRUE(w.model().isBypassed(c));
    QTest::keyClick(w.view(), Qt::Key_Z, Qt::ControlModifier);
    EXPECT_FALSE(w.model().isBypassed(c));
    QTest::keyClick(w.view(), Qt::Key_Z, Qt::ControlModifier | Qt::ShiftModifier);
    EXPECT_TRUE(w.model().isBypassed(c));
    QTest::keyClick(w.view(), Qt::Key_D, Qt::ControlModifier);
    EXPECT_EQ(w.document().nodes().size(), 2u);
    QTest::keyClick(w.view(), Qt::Key_A, Qt::ControlModifier);
    EXPECT_EQ(w.scene().selectedNodeIds().size(), 2);
    QTest::keyClick(w.view(), Qt::Key_Delete);
    EXPECT_TRUE(w.document().nodes().empty());
}

TEST(Canvas, TypingInAnInlineEditorDoesNotTriggerCanvasShortcuts) {
    Studio s;
    MainWindow& w = *s.window;
    const QString c = w.editor().addNode(QStringLiteral("uitest.const_int"), {0, 0});
    w.view()->frameAll();
    ParamEditor* editor = w.scene().nodeItem(c)->inlineEditor(QStringLiteral("value"));
    ASSERT_NE(editor, nullptr);
    auto* spin = editor->findChild<QDoubleSpinBox*>();
    ASSERT_NE(spin, nullptr);
    // Click into the inline spin box through the canvas.
    const QRectF r = w.scene().nodeItem(c)->geometry().paramWidgetRect(0);
    w.view()->setFocus();
    clickScene(w.view(), w.scene().nodeItem(c)->mapToScene(r.center() - QPointF(r.width() / 4, 0)));
    ASSERT_NE(w.scene().focusItem(), nullptr);
    // The proxy has the focus (offscreen, the click does not reach the inner spin box): canvas keys stay off.
    QTest::keyClick(w.view(), Qt::Key_Delete);
    QTest::keyClick(w.view(), Qt::Key_D);
    EXPECT_EQ(w.document().nodes().size(), 1u);
    EXPECT_FALSE(w.model().isBypassed(c));
    // Typing into the spin box edits the value.
    spin->setFocus(Qt::MouseFocusReason);
    QTest::keyClick(w.view(), Qt::Key_A, Qt::ControlModifier);  // select the text, not all nodes
    QTest::keyClick(w.view(), Qt::Key_Backspace);
    QTest::keyClick(w.view(), Qt::Key_Delete);
    QTest::keyClick(w.view(), Qt::Key_D);
    QTest::keyClicks(w.view(), QStringLiteral("42"));
    QTest::keyClick(w.view(), Qt::Key_Return);
    EXPECT_EQ(w.document().nodes().size(), 1u);  // Backspace/Delete edited the text, not the graph
    EXPECT_FALSE(w.model().isBypassed(c));       // D was typed, not a bypass
    EXPECT_EQ(w.document().findNode(c.toStdString())->params.at("value"), 42);
}

TEST(Canvas, WheelZoomsAroundTheCursorAndPanningMovesTheView) {
    Studio s;
    MainWindow& w = *s.window;
    GraphView* view = w.view();
    w.editor().addNode(QStringLiteral("uitest.const_int"), {0, 0});
    view->frameAll();
    const QPoint at = view->viewport()->rect().center() + QPoint(120, 60);
    const QPointF under = view->mapToScene(at);
    const qreal zoom = view->zoom();
    QWheelEvent wheel(QPointF(at), view->viewport()->mapToGlobal(QPointF(at)), QPoint(), QPoint(0, 240),
                      Qt::NoButton, Qt::NoModifier, Qt::NoScrollPhase, false);
    QApplication::sendEvent(view->viewport(), &wheel);
    EXPECT_GT(view->zoom(), zoom * 1.2);
    const QPointF after = view->mapToScene(at);
    EXPECT_NEAR(after.x(), under.x(), 2.0 / view->zoom());  // the point under the cursor stays put
    EXPECT_NEAR(after.y(), under.y(), 2.0 / view->zoom());

    // Middle-drag pans: the scene point under the cursor follows the mouse.
    const QPoint a = view->viewport()->rect().center(), b = a + QPoint(-150, 80);
    const QPointF grabbed = view->mapToScene(a);
    sendMouse(view, QEvent::MouseButtonPress, a, Qt::MiddleButton, Qt::MiddleButton);
    sendMouse(view, QEvent::MouseMove, b, Qt::NoButton, Qt::MiddleButton);
    sendMouse(view, QEvent::MouseButtonRelease, b, Qt::MiddleButton, Qt::NoButton);
    EXPECT_NEAR(view->mapToScene(b).x(), grabbed.x(), 2.0);
    EXPECT_NEAR(view->mapToScene(b).y(), grabbed.y(), 2.0);
    // Space + left drag pans too, and does not start a rubber band or move a node.
    view->setFocus();
    QTest::keyPress(view, Qt::Key_Space);
    const QPointF grabbed2 = view->mapToScene(b);
    sendMouse(view, QEvent::MouseButtonPress, b, Qt::LeftButton, Qt::LeftButton);
    sendMouse(view, QEvent::MouseMove, a, Qt::NoButton, Qt::LeftButton);
    sendMouse(view, QEvent::MouseButtonRelease, a, Qt::LeftButton, Qt::NoButton);
    QTest::keyRelease(view, Qt::Key_Space);
    EXPECT_NEAR(view->mapToScene(a).x(), grabbed2.x(), 2.0);
    EXPECT_EQ(w.editor().undoStack()->count(), 1);  // only the add
}

TEST(Canvas, RubberBandSelectsAndFFramesTheSelection) {
    Studio s;
    MainWindow& w = *s.window;
    GraphEditor& ed = w.editor();
    const QString a = ed.addNode(QStringLiteral("uitest.const_int"), {0, 0});
    const QString b = ed.addNode(QStringLiteral("uitest.const_int"), {0, 150});
    const QString far = ed.addNode(QStringLiteral("uitest.const_int"), {2000, 1500});
    w.view()->frameAll();
    // Drag a band around the first two nodes, from empty canvas.
    dragScene(w.view(), QPointF(-60, -60), QPointF(260, 260));
    QStringList selected = w.scene().selectedNodeIds();
    EXPECT_EQ(selected, (QStringList{a, b}));
    // F frames them: both in view, the far node not.
    w.view()->actions().frame->trigger();
    const QRectF visible = w.view()->mapToScene(w.view()->viewport()->rect()).boundingRect();
    EXPECT_TRUE(visible.contains(w.scene().nodeItem(a)->sceneBoundingRect()));
    EXPECT_TRUE(visible.contains(w.scene().nodeItem(b)->sceneBoundingRect()));
    EXPECT_FALSE(visible.intersects(w.scene().nodeItem(far)->sceneBoundingRect()));
    // Home frames everything.
    w.view()->actions().frameAll->trigger();
    const QRectF all = w.view()->mapToScene(w.view()->viewport()->rect()).boundingRect();
    EXPECT_TRUE(all.contains(w.scene().nodeItem(far)->sceneBoundingRect()));
    // Shift+click adds to the selection, a plain click on empty canvas clears it.
    clickScene(w.view(), w.scene().nodeItem(far)->mapToScene(QPointF(30, 12)), Qt::ShiftModifier);
    EXPECT_EQ(w.scene().selectedNodeIds().size(), 3);
    clickScene(w.view(), QPointF(1000, -400));
    EXPECT_TRUE(w.scene().selectedNodeIds().isEmpty());
}

TEST(Canvas, CopyPasteCarriesNodesAndLinksBetweenWindows) {
    Studio a, b;
    MainWindow& wa = *a.window;
    GraphEditor& ed = wa.editor();
    const QString c = ed.addNode(QStringLiteral("uitest.const_int"), {0, 0});
    const QString add = ed.addNode(QStringLiteral("uitest.add"), {300, 0});
    ed.addNode(QStringLiteral("uitest.load"), {0, 300});  // not copied
    ASSERT_FALSE(ed.connectPorts({c.toStdString(), "value"}, {add.toStdString(), "a"}));
    ed.setParam(c, QStringLiteral("value"), 5);
    wa.scene().selectNodes({c, add});
    wa.view()->actions().copy->trigger();
    EXPECT_TRUE(
        QApplication::clipboard()->mimeData()->hasFormat(QString::fromLatin1(GraphEditor::kMimeType)));

    MainWindow& wb = *b.window;
    wb.view()->actions().paste->trigger();
    ASSERT_EQ(wb.document().nodes().size(), 2u);
    ASSERT_EQ(wb.document().links().size(), 1u);
    const sp::GraphLink& l = wb.document().links()[0];
    EXPECT_EQ(wb.document().findNode(l.from.node)->type, "uitest.const_int");
    EXPECT_EQ(wb.document().findNode(l.from.node)->params.at("value"), 5);
    EXPECT_EQ(wb.document().findNode(l.to.node)->type, "uitest.add");
    EXPECT_EQ(wb.scene().selectedNodeIds().size(), 2);

    // Pasting again into the same window gives fresh ids, never clobbering the first paste.
    wb.view()->actions().paste->trigger();
    EXPECT_EQ(wb.document().nodes().size(), 4u);
    EXPECT_EQ(wb.document().links().size(), 2u);
    EXPECT_FALSE(sp::hasErrors(sp::validateGraph(wb.document(), *b.registry)));
    // Pasting plain text that is not a graph changes nothing.
    QApplication::clipboard()->setText(QStringLiteral("hello"));
    wb.view()->actions().paste->trigger();
    EXPECT_EQ(wb.document().nodes().size(), 4u);
}

}  // namespace
}  // namespace sv::ui::test
