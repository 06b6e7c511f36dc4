// The essentials on the nodes: a multi-line prompt, a model folder with "…" and the recent model folders, an
// image thumbnail, any parameter shown on the node or only in the inspector (undoable), dropdowns that open
// above the node's other fields, values a connected input supplies greyed out, snapped values with their
// rule, and tooltips with readable ranges.
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QGraphicsProxyWidget>
#include <QLabel>
#include <QMenu>
#include <QPlainTextEdit>
#include <QSignalSpy>
#include <QToolButton>
#include <QUndoStack>

#include "app/graph_editor.h"
#include "canvas/graph_model.h"
#include "canvas/graph_scene.h"
#include "canvas/graph_view.h"
#include "canvas/node_item.h"
#include "panels/inspector.h"
#include "panels/param_widgets.h"
#include "ui_test_support.h"

namespace sv::ui::test {
namespace {

TEST(NodeWidgets, ThePromptIsAMultiLineBoxOnTheNode) {
    Studio s;
    MainWindow& w = *s.window;
    const QString encode = w.editor().addNode(QStringLiteral("uitest.encode"), {0, 0});
    ParamEditor* prompt = w.scene().nodeItem(encode)->inlineEditor(QStringLiteral("prompt"));
    ASSERT_NE(prompt, nullptr);
    auto* box = prompt->findChild<QPlainTextEdit*>();
    ASSERT_NE(box, nullptr);
    EXPECT_GE(box->height(), 3 * box->fontMetrics().lineSpacing());
    box->moveCursor(QTextCursor::End);
    QTest::keyClick(box, Qt::Key_Return);
    QTest::keyClicks(box, QStringLiteral("on a boat"));
    QFocusEvent out(QEvent::FocusOut);
    QApplication::sendEvent(box, &out);
    EXPECT_EQ(w.document().findNode(encode.toStdString())->params.at("prompt"), "a cat\non a boat");
}

TEST(NodeWidgets, TheModelFolderHasAPickerAndTheRecentFolders) {
    Studio s;
    MainWindow& w = *s.window;
    rememberModelFolder(QStringLiteral("/models/first"));
    rememberModelFolder(QStringLiteral("/models/second"));
    rememberModelFolder(QStringLiteral("/models/first/"));  // the same folder: moves to the front
    EXPECT_EQ(recentModelFolders().mid(0, 2),
              (QStringList{QStringLiteral("/models/first"), QStringLiteral("/models/second")}));
    const QString load = w.editor().addNode(QStringLiteral("uitest.load"), {0, 0});
    ParamEditor* folder = w.scene().nodeItem(load)->inlineEditor(QStringLiteral("folder"));
    ASSERT_NE(folder, nullptr);
    EXPECT_NE(folder->findChild<QToolButton*>(QStringLiteral("browse")), nullptr);
    auto* menu = folder->findChild<QMenu*>(QStringLiteral("recentMenu"));
    ASSERT_NE(menu, nullptr);
    QSignalSpy popups(folder, &ParamEditor::popupShown);
    emit menu->aboutToShow();
    EXPECT_EQ(popups.size(), 1);
    ASSERT_GE(menu->actions().size(), 2);
    EXPECT_EQ(menu->actions()[0]->toolTip(), QStringLiteral("/models/first"));
    EXPECT_EQ(menu->actions()[1]->toolTip(), QStringLiteral("/models/second"));
    menu->actions()[1]->trigger();
    EXPECT_EQ(w.document().findNode(load.toStdString())->params.at("folder"), "/models/second");
    // A folder typed and confirmed is remembered when it exists.
    w.editor().setParam(load, QStringLiteral("folder"), s.dir.path());
    emit folder->edited(s.dir.path(), true);
    EXPECT_EQ(recentModelFolders().first(), QDir::cleanPath(s.dir.path()));
}

TEST(NodeWidgets, LoadImageShowsAThumbnail) {
    Studio s;
    MainWindow& w = *s.window;
    const QString node = w.editor().addNode(QStringLiteral("uitest.image"), {0, 0});
    NodeItem* item = w.scene().nodeItem(node);
    ASSERT_FALSE(item->geometry().thumbnail.isNull());
    EXPECT_TRUE(item->thumbnail().isNull());
    QImage picture(64, 32, QImage::Format_RGB32);
    picture.fill(QColor(200, 40, 40));
    const QString file = s.dir.filePath(QStringLiteral("frame.png"));
    ASSERT_TRUE(picture.save(file));
    w.editor().setParam(node, QStringLiteral("path"), file);
    ASSERT_FALSE(item->thumbnail().isNull());
    EXPECT_EQ(item->thumbnail().size(), QSize(64, 32));
    // And it is painted in the node.
    w.view()->frameAll();
    const QImage shot = w.view()->viewport()->grab().toImage();
    const QPoint centre = w.view()->mapFromScene(item->mapToScene(item->geometry().thumbnail.center())) *
                          shot.devicePixelRatio();
    const QColor c = shot.pixelColor(centre);
    EXPECT_GT(c.red(), 150);
    EXPECT_LT(c.green(), 90);
}

TEST(NodeWidgets, AnyParameterCanBeShownOnTheNodeOrOnlyInTheInspector) {
    Studio s;
    MainWindow& w = *s.window;
    const QString sizer = w.editor().addNode(QStringLiteral("uitest.sizer"), {0, 0});
    NodeItem* item = w.scene().nodeItem(sizer);
    EXPECT_EQ(item->inlineEditor(QStringLiteral("hidden_by_default")),
              nullptr);  // its spec says inspector only
    ASSERT_NE(item->inlineEditor(QStringLiteral("shift")), nullptr);
    const qreal height = item->geometry().height;
    w.scene().selectNodes({sizer});
    QToolButton* shift = w.inspector()->onNodeToggle(QStringLiteral("shift"));
    QToolButton* hidden = w.inspector()->onNodeToggle(QStringLiteral("hidden_by_default"));
    ASSERT_TRUE(shift && hidden);
    EXPECT_TRUE(shift->isChecked());
    EXPECT_FALSE(hidden->isChecked());
    shift->click();
    hidden->click();
    EXPECT_EQ(item->inlineEditor(QStringLiteral("shift")), nullptr);
    EXPECT_NE(item->inlineEditor(QStringLiteral("hidden_by_default")), nullptr);
    EXPECT_EQ(w.document().findNode(sizer.toStdString())->ui.at("onNode"),
              (nlohmann::json{{"shift", false}, {"hidden_by_default", true}}));
    // Undoable, like every edit; the node and the toggles follow.
    w.editor().undoStack()->undo();
    w.editor().undoStack()->undo();
    EXPECT_NE(item->inlineEditor(QStringLiteral("shift")), nullptr);
    EXPECT_EQ(item->inlineEditor(QStringLiteral("hidden_by_default")), nullptr);
    EXPECT_FALSE(w.document().findNode(sizer.toStdString())->ui.contains("onNode"));
    EXPECT_TRUE(shift->isChecked());
    EXPECT_EQ(item->geometry().height, height);
}

TEST(NodeWidgets, ADropdownOpensAboveTheFieldsBelowIt) {
    Studio s;
    MainWindow& w = *s.window;
    const QString sizer = w.editor().addNode(QStringLiteral("uitest.sizer"), {0, 0});
    const QString neighbour = w.editor().addNode(QStringLiteral("uitest.const_int"), {0, 300});
    w.view()->frameAll();
    NodeItem* item = w.scene().nodeItem(sizer);
    auto* combo = item->inlineEditor(QStringLiteral("scheduler"))->findChild<QComboBox*>();
    ASSERT_NE(combo, nullptr);
    QGraphicsProxyWidget* proxy = item->inlineProxy(QStringLiteral("scheduler"));
    combo->showPopup();
    EXPECT_GT(proxy->zValue(), item->inlineProxy(QStringLiteral("shift"))->zValue());
    EXPECT_GT(item->zValue(), w.scene().nodeItem(neighbour)->zValue());
    // Qt embeds the list in a proxy under the combo box's proxy: it is the topmost item where it is drawn,
    // above the fields below.
    QGraphicsProxyWidget* popup = nullptr;
    for (QGraphicsItem* child : proxy->childItems())
        if (auto* p = dynamic_cast<QGraphicsProxyWidget*>(child); p && p->widget() && p->widget()->isWindow())
            popup = p;
    ASSERT_NE(popup, nullptr);
    const QPointF inPopup = popup->sceneBoundingRect().center();
    ASSERT_TRUE(item->inlineProxy(QStringLiteral("shift"))->sceneBoundingRect().contains(inPopup) ||
                item->inlineProxy(QStringLiteral("frames"))->sceneBoundingRect().contains(inPopup) ||
                item->inlineProxy(QStringLiteral("resolution_binning_for_long_labels"))
                    ->sceneBoundingRect()
                    .contains(inPopup))
        << "the list covers a field below the dropdown";
    QGraphicsItem* top = w.scene().items(inPopup).first();
    EXPECT_TRUE(top == popup || popup->isAncestorOf(top));
    combo->hidePopup();
    EXPECT_EQ(proxy->zValue(), 0.0);
    EXPECT_LE(item->zValue(), 1.0);
}

TEST(NodeWidgets, AValueSuppliedByAConnectedInputIsGreyedOut) {
    Studio s;
    MainWindow& w = *s.window;
    const QString source = w.editor().addNode(QStringLiteral("uitest.sizer"), {0, 0});
    const QString sizer = w.editor().addNode(QStringLiteral("uitest.sizer"), {500, 0});
    ParamEditor* width = w.scene().nodeItem(sizer)->inlineEditor(QStringLiteral("width"));
    ASSERT_NE(width, nullptr);
    EXPECT_TRUE(width->isEnabled());
    w.scene().selectNodes({sizer});
    ParamEditor* inspectorWidth = w.inspector()->paramEditor(QStringLiteral("width"));
    EXPECT_TRUE(inspectorWidth->isEnabled());
    ASSERT_FALSE(w.editor().connectPorts({source.toStdString(), "latent"}, {sizer.toStdString(), "latent"}));
    EXPECT_FALSE(width->isEnabled());
    EXPECT_TRUE(width->toolTip().contains(QStringLiteral("latent")));
    EXPECT_FALSE(inspectorWidth->isEnabled());
    EXPECT_TRUE(w.scene().nodeItem(sizer)->inlineEditor(QStringLiteral("frames"))->isEnabled());
    w.editor().undoStack()->undo();
    EXPECT_TRUE(width->isEnabled());
    EXPECT_TRUE(inspectorWidth->isEnabled());
}

TEST(NodeWidgets, FramesSnapToOnePlusFourKWithAVisibleHint) {
    Studio s;
    MainWindow& w = *s.window;
    const QString sizer = w.editor().addNode(QStringLiteral("uitest.sizer"), {0, 0});
    auto* spin =
        w.scene().nodeItem(sizer)->inlineEditor(QStringLiteral("frames"))->findChild<QDoubleSpinBox*>();
    ASSERT_NE(spin, nullptr);
    QSignalSpy hints(&w.scene(), &GraphScene::hint);
    spin->setValue(80);
    EXPECT_EQ(w.document().findNode(sizer.toStdString())->params.at("frames"), 81);
    EXPECT_EQ(spin->value(), 81);
    ASSERT_EQ(hints.size(), 1);
    EXPECT_TRUE(hints[0][0].toString().contains(QStringLiteral("1 + 4·k")))
        << hints[0][0].toString().toStdString();
    // Stepping moves from valid value to valid value; the inspector shows the rule.
    spin->stepUp();
    EXPECT_EQ(w.document().findNode(sizer.toStdString())->params.at("frames"), 85);
    w.scene().selectNodes({sizer});
    auto* rule =
        w.inspector()->paramEditor(QStringLiteral("frames"))->findChild<QLabel*>(QStringLiteral("snapRule"));
    ASSERT_NE(rule, nullptr);
    EXPECT_EQ(rule->text(), QStringLiteral("1 + 4·k"));
    EXPECT_TRUE(
        w.inspector()->paramEditor(QStringLiteral("frames"))->toolTip().contains(QStringLiteral("1 + 4·k")));
}

TEST(NodeWidgets, TooltipsShowReadableRanges) {
    const QString seed = paramToolTip(sp::ParamSpec::integer("seed", 42).range(0, 9007199254740991.0));
    EXPECT_TRUE(seed.contains(QStringLiteral("0 … 9007199254740991"))) << seed.toStdString();
    EXPECT_FALSE(seed.contains(QStringLiteral("e+")));
    const QString guidance = paramToolTip(sp::ParamSpec::real("guidance", 6).range(0, 30));
    EXPECT_TRUE(guidance.contains(QStringLiteral("0 … 30"))) << guidance.toStdString();
}

}  // namespace
}  // namespace sv::ui::test
