// A canvas that reads at first sight: node text large enough at the zoom a graph opens with, Home/F fitting
// both axes, the Nodes panel collapsed, labels that fit or elide with a tooltip, file names elided in the
// middle; new nodes that never land on others (beside the selection, at the cursor, dropped from the Nodes
// panel; a double-click then Enter adds one node).
#include <QDockWidget>
#include <QLineEdit>
#include <QMimeData>
#include <QTreeWidget>

#include "app/graph_editor.h"
#include "canvas/graph_model.h"
#include "canvas/graph_scene.h"
#include "canvas/graph_view.h"
#include "canvas/node_geometry.h"
#include "canvas/node_item.h"
#include "panels/node_palette.h"
#include "panels/param_text_editors.h"
#include "panels/param_widgets.h"
#include "ui_test_support.h"

namespace sv::ui::test {
namespace {

/// The five-node chain at the spacing of the shipped templates.
QStringList addChain(MainWindow& w) {
    GraphEditor& ed = w.editor();
    return {ed.addNode(QStringLiteral("uitest.load"), {0, 60}),
            ed.addNode(QStringLiteral("uitest.encode"), {290, 0}),
            ed.addNode(QStringLiteral("uitest.sampler"), {650, 0}),
            ed.addNode(QStringLiteral("uitest.decode"), {920, 0}),
            ed.addNode(QStringLiteral("uitest.output"), {920, 150})};
}

QRectF onScreen(MainWindow& w, const QRectF& sceneRect) {
    return w.view()->mapFromScene(sceneRect).boundingRect();
}

TEST(Layout, NodeTextReadsAtTheZoomAGraphOpensWith) {
    Studio s;
    MainWindow& w = *s.window;
    w.resize(1600, 1000);
    QTest::qWait(50);
    addChain(w);
    w.view()->frameAllWhenReady();
    // Node text is larger than the application's, and stays at least 11 px high on screen.
    EXPECT_GE(NodeGeometry::labelFont().pointSizeF(), QApplication::font().pointSizeF());
    EXPECT_GE(NodeGeometry::labelFont().pointSizeF(), 9.5);
    const qreal labelPx = QFontMetricsF(NodeGeometry::labelFont()).height() * w.view()->zoom();
    EXPECT_GE(labelPx, 11.0) << "zoom " << w.view()->zoom();
    // The window opens with the Nodes panel collapsed: most of the width is canvas.
    EXPECT_FALSE(w.nodesDock()->isVisible());
    EXPECT_GE(w.view()->width(), 0.65 * w.width());
    w.actions().toggleNodes->trigger();
    EXPECT_TRUE(w.nodesDock()->isVisible());
}

TEST(Layout, HomeAndFFitBothAxes) {
    Studio s;
    MainWindow& w = *s.window;
    GraphEditor& ed = w.editor();
    // A wide graph fills the width, a tall one the height; both are entirely visible and centred.
    for (const bool wide : {true, false}) {
        SCOPED_TRACE(wide ? "wide" : "tall");
        w.newGraph();
        for (int i = 0; i < 6; ++i)
            ed.addNode(QStringLiteral("uitest.const_int"), wide ? QPointF(i * 400, 0) : QPointF(0, i * 300));
        w.view()->setFocus();
        QTest::keyClick(w.view(), Qt::Key_Home);
        const QRectF nodes = onScreen(w, w.scene().nodesBoundingRect());
        const QRect vp = w.view()->viewport()->rect();
        EXPECT_TRUE(QRectF(vp).adjusted(-1, -1, 1, 1).contains(nodes));
        if (wide) {
            EXPECT_GE(nodes.width(), 0.8 * vp.width());
        } else {
            EXPECT_GE(nodes.height(), 0.8 * vp.height());
        }
        EXPECT_NEAR(nodes.center().x(), vp.center().x(), 3);
        EXPECT_NEAR(nodes.center().y(), vp.center().y(), 3);
        // F with nothing selected frames everything too; with a selection, the selection.
        w.view()->setZoom(0.3);
        QTest::keyClick(w.view(), Qt::Key_F);
        EXPECT_TRUE(QRectF(vp).adjusted(-1, -1, 1, 1).contains(onScreen(w, w.scene().nodesBoundingRect())));
        w.scene().selectNodes({w.model().nodeIds().first()});
        QTest::keyClick(w.view(), Qt::Key_F);
        EXPECT_FALSE(QRectF(vp).contains(onScreen(w, w.scene().nodesBoundingRect())));
    }
}

TEST(Layout, LongLabelsElideWithTheirWholeTextOnHover) {
    Studio s;
    MainWindow& w = *s.window;
    const QString sizer = w.editor().addNode(QStringLiteral("uitest.sizer"), {0, 0});
    NodeItem* item = w.scene().nodeItem(sizer);
    const NodeGeometry& g = item->geometry();
    const int row = int(g.inlineParams().indexOf(QStringLiteral("resolution_binning_for_long_labels")));
    ASSERT_GE(row, 0);
    const QString caption = QStringLiteral("Resolution binning for long labels");
    // Too long for its room: elided when painted, whole in the tooltip.
    EXPECT_GT(QFontMetricsF(NodeGeometry::labelFont()).horizontalAdvance(caption),
              g.params[row].label.width());
    EXPECT_LE(g.params[row].label.width(), NodeGeometry::kMaxLabelWidth);
    EXPECT_TRUE(item->toolTipAt(g.params[row].label.center()).contains(caption));
    // Labels that fit are not cut: every other label's whole text fits its room.
    for (int i = 0; i < g.params.size(); ++i) {
        if (i == row) continue;
        const QString label =
            paramCaption(*w.model().descriptor(sizer)->findParam(g.params[i].name.toStdString()));
        EXPECT_LE(QFontMetricsF(NodeGeometry::labelFont()).horizontalAdvance(label),
                  g.params[i].label.width())
            << label.toStdString();
    }
    // The title's tooltip names the node.
    EXPECT_TRUE(item->toolTipAt(g.titleRect().center()).contains(QStringLiteral("Sizer")));
}

TEST(Layout, FileNamesAreElidedInTheMiddle) {
    Studio s;
    MainWindow& w = *s.window;
    const QString save = w.editor().addNode(QStringLiteral("uitest.save"), {0, 0});
    auto* edit =
        w.scene().nodeItem(save)->inlineEditor(QStringLiteral("filename"))->findChild<ElidingLineEdit*>();
    ASSERT_NE(edit, nullptr);
    const QString full = QStringLiteral("a_rather_long_output_file_name_for_the_clip_00001.txt");
    EXPECT_EQ(edit->fullText(), full);
    ASSERT_TRUE(edit->isElided());
    EXPECT_TRUE(edit->text().startsWith(QStringLiteral("a_rather")));
    EXPECT_TRUE(edit->text().endsWith(QStringLiteral(".txt")));  // the end stays readable
    EXPECT_TRUE(edit->text().contains(QStringLiteral("…")));
    // Editing shows the whole name.
    QFocusEvent in(QEvent::FocusIn, Qt::MouseFocusReason);
    QApplication::sendEvent(edit, &in);
    EXPECT_EQ(edit->text(), full);
    edit->setText(QStringLiteral("short.txt"));
    emit edit->textEdited(edit->text());
    QFocusEvent out(QEvent::FocusOut, Qt::MouseFocusReason);
    QApplication::sendEvent(edit, &out);
    EXPECT_EQ(w.document().findNode(save.toStdString())->params.at("filename"), "short.txt");
    EXPECT_EQ(edit->text(), QStringLiteral("short.txt"));
}

TEST(Layout, NewNodesNeverLandOnOthers) {
    Studio s;
    MainWindow& w = *s.window;
    NodeList* list = w.nodeList();
    // From the Nodes panel, nothing selected: in the middle of the view, then beside each other.
    for (int i = 0; i < 4; ++i) emit list->nodeChosen(QStringLiteral("uitest.sampler"));
    QStringList ids = w.model().nodeIds();
    ASSERT_EQ(ids.size(), 4);
    for (int a = 0; a < ids.size(); ++a)
        for (int b = a + 1; b < ids.size(); ++b)
            EXPECT_FALSE(w.scene().nodeItem(ids[a])->sceneBoundingRect().intersects(
                w.scene().nodeItem(ids[b])->sceneBoundingRect()))
                << ids[a].toStdString() << " / " << ids[b].toStdString();
    // With a node selected: to its right.
    w.scene().selectNodes({ids[0]});
    emit list->nodeChosen(QStringLiteral("uitest.const_int"));
    const QString beside = w.model().nodeIds().last();
    EXPECT_GT(w.model().position(beside).x(), w.scene().nodeItem(ids[0])->sceneBoundingRect().right());
    EXPECT_EQ(w.scene().selectedNodeIds(), QStringList{beside});

    // At a free spot the palette adds exactly there; over a node, beside it.
    const QPointF free = w.scene().nodesBoundingRect().bottomLeft() + QPointF(0, 400);
    w.view()->openPalette(w.view()->mapFromScene(free));
    emit w.view()->palette()->nodeChosen(QStringLiteral("uitest.const_int"));
    const QString atCursor = w.model().nodeIds().last();
    EXPECT_NEAR(w.model().position(atCursor).x(), free.x(), 1.5);
    EXPECT_NEAR(w.model().position(atCursor).y(), free.y(), 1.5);
    const QPointF covered = w.scene().nodeItem(ids[1])->sceneBoundingRect().center();
    w.view()->openPalette(w.view()->mapFromScene(covered));
    emit w.view()->palette()->nodeChosen(QStringLiteral("uitest.const_int"));
    const QString moved = w.model().nodeIds().last();
    for (const QString& id : w.model().nodeIds()) {
        if (id == moved) continue;
        EXPECT_FALSE(w.scene().nodeItem(moved)->sceneBoundingRect().intersects(
            w.scene().nodeItem(id)->sceneBoundingRect()))
            << id.toStdString();
    }
}

TEST(Layout, ANodeDraggedFromTheNodesPanelIsAddedWhereItIsDropped) {
    Studio s;
    MainWindow& w = *s.window;
    QTreeWidget* tree = w.nodeList()->tree();
    EXPECT_EQ(tree->dragDropMode(), QAbstractItemView::DragOnly);
    QMimeData mime;
    mime.setData(QString::fromLatin1(NodeList::kNodeTypeMime), QByteArray("uitest.decode"));
    const QPoint at = w.view()->viewport()->rect().center() + QPoint(-100, 50);
    QDragEnterEvent enter(at, Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(w.view()->viewport(), &enter);
    EXPECT_TRUE(enter.isAccepted());
    QDropEvent drop(QPointF(at), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(w.view()->viewport(), &drop);
    ASSERT_EQ(w.document().nodes().size(), 1u);
    EXPECT_EQ(w.document().nodes()[0].type, "uitest.decode");
    const QPointF where = w.view()->mapToScene(at);
    EXPECT_NEAR(w.model().position(w.model().nodeIds().first()).x(), where.x(), 1.5);
}

TEST(Layout, DoubleClickThenEnterInTheNodesPanelAddsOneNode) {
    Studio s;
    MainWindow& w = *s.window;
    w.actions().toggleNodes->trigger();
    ASSERT_TRUE(w.nodesDock()->isVisible());
    NodeList* list = w.nodeList();
    list->setFilterText(QStringLiteral("image encode"));
    list->setFilterText(QString());
    QTreeWidget* tree = list->tree();
    ASSERT_TRUE(QTest::qWaitFor([&] { return tree->isVisible() && tree->viewport()->height() > 50; }, 2000));
    QTreeWidgetItem* item = nullptr;
    for (QTreeWidgetItemIterator it(tree); *it; ++it)
        if ((*it)->data(0, Qt::UserRole).toString() == QStringLiteral("uitest.decode")) item = *it;
    ASSERT_NE(item, nullptr);
    tree->setFocus();
    tree->scrollToItem(item);
    const QPoint p = tree->visualItemRect(item).center();
    ASSERT_TRUE(tree->viewport()->rect().contains(p));
    // A double-click as the window system delivers it: press, release, double-click, release.
    auto send = [&](QEvent::Type type, Qt::MouseButtons buttons) {
        QMouseEvent e(type, QPointF(p), tree->viewport()->mapToGlobal(QPointF(p)), Qt::LeftButton, buttons,
                      Qt::NoModifier);
        QApplication::sendEvent(tree->viewport(), &e);
    };
    send(QEvent::MouseButtonPress, Qt::LeftButton);
    send(QEvent::MouseButtonRelease, Qt::NoButton);
    send(QEvent::MouseButtonDblClick, Qt::LeftButton);
    send(QEvent::MouseButtonRelease, Qt::NoButton);
    ASSERT_EQ(w.document().nodes().size(), 1u);
    // The entry is no longer highlighted and the canvas has the keyboard: Enter adds nothing more.
    EXPECT_TRUE(list->currentTypeId().isEmpty());
    QWidget* focus = QApplication::focusWidget();
    ASSERT_NE(focus, nullptr);
    QTest::keyClick(focus, Qt::Key_Return);
    QTest::keyClick(tree, Qt::Key_Return);
    EXPECT_EQ(w.document().nodes().size(), 1u);
}

}  // namespace
}  // namespace sv::ui::test
