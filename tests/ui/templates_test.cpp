// Templates and the empty canvas: File ▸ New from Template lists the shipped graphs; a template opens
// untitled (Ctrl+S asks for a name instead of writing over it) with the remembered model folder applied; an
// empty canvas says how to start; --set style overrides.
#include <QAction>
#include <QFile>
#include <QMenu>
#include <QUndoStack>

#include "app/application.h"
#include "app/graph_editor.h"
#include "canvas/graph_model.h"
#include "canvas/graph_scene.h"
#include "canvas/graph_view.h"
#include "panels/param_widgets.h"
#include "ui_test_support.h"

namespace sv::ui::test {
namespace {

TEST(Templates, FileNewFromTemplateListsTheShippedGraphs) {
    Studio s;
    QMenu* menu = s.window->templateMenu();
    ASSERT_NE(menu, nullptr);
    QStringList titles;
    for (QAction* a : menu->actions()) titles << a->text();
    ASSERT_GE(titles.size(), 2) << titles.join(u',').toStdString();
    EXPECT_EQ(titles[0], QStringLiteral("Text to video"));
    EXPECT_EQ(titles[1], QStringLiteral("Image to video"));
    EXPECT_FALSE(menu->actions()[0]->toolTip().isEmpty());  // the description

    // Choosing one opens it untitled (its node types are not in the test registry: it opens all the same).
    menu->actions()[1]->trigger();
    EXPECT_TRUE(s.window->currentFile().isEmpty());
    EXPECT_NE(s.window->document().findNode("image_encode"), nullptr);
}

TEST(Templates, ATemplateOpensUntitledWithTheRememberedModelFolder) {
    Studio s;
    MainWindow& w = *s.window;
    // A shipped template opened with File ▸ Open does not become the document's file.
    const QString shipped = defaultGraphPath(QStringLiteral("text-to-video.json"));
    ASSERT_FALSE(shipped.isEmpty());
    EXPECT_TRUE(isTemplateFile(shipped));
    ASSERT_TRUE(w.openFile(shipped));
    EXPECT_TRUE(w.currentFile().isEmpty());
    EXPECT_TRUE(w.windowTitle().startsWith(QStringLiteral("untitled")));
    EXPECT_FALSE(isTemplateFile(s.dir.filePath(QStringLiteral("text-to-video.json"))));

    // Empty model folders take the last one used.
    rememberModelFolder(QStringLiteral("/models/remembered"));
    const QString graph = s.dir.filePath(QStringLiteral("t.json"));
    QFile f(graph);
    ASSERT_TRUE(f.open(QIODevice::WriteOnly));
    f.write(R"({"format": "sanavideo.graph", "version": 1, "nodes": [
        {"id": "load", "type": "uitest.load", "version": 1, "params": {"folder": ""}}], "links": []})");
    f.close();
    ASSERT_TRUE(w.openTemplate(graph));
    EXPECT_EQ(w.document().findNode("load")->params.at("folder"), "/models/remembered");
    EXPECT_TRUE(w.currentFile().isEmpty());         // Save asks for a name, never overwrites the template
    EXPECT_EQ(w.editor().undoStack()->count(), 0);  // the folder is part of the opened graph, not an edit
}

TEST(Templates, AnEmptyCanvasSaysHowToStart) {
    Studio s;
    MainWindow& w = *s.window;
    ASSERT_TRUE(w.document().nodes().empty());
    EXPECT_TRUE(w.view()->emptyHint().contains(QStringLiteral("Tab")));
    EXPECT_TRUE(w.view()->emptyHint().contains(QStringLiteral("Template")));
    // Drawn in the middle of the canvas.
    auto brightPixels = [&] {
        const QImage shot = w.view()->viewport()->grab().toImage();
        int bright = 0;
        const QRect middle(shot.width() / 4, shot.height() / 3, shot.width() / 2, shot.height() / 3);
        for (int y = middle.top(); y < middle.bottom(); ++y)
            for (int x = middle.left(); x < middle.right(); ++x)
                bright += qGray(shot.pixel(x, y)) > 110 ? 1 : 0;
        return bright;
    };
    EXPECT_GT(brightPixels(), 200);
    w.editor().addNode(QStringLiteral("uitest.const_int"), {-2000, -2000});  // off screen
    EXPECT_TRUE(w.view()->emptyHint().isEmpty());
    EXPECT_LT(brightPixels(), 20);
}

TEST(Templates, OverridesSetParametersAsTheCommandLineDoes) {
    Studio s;
    MainWindow& w = *s.window;
    const QString sampler = w.editor().addNode(QStringLiteral("uitest.sampler"), {0, 0});
    const QStringList problems =
        w.applyOverrides({sampler + QStringLiteral(".steps=12"), sampler + QStringLiteral(".guidance=4.5"),
                          QStringLiteral("nowhere.steps=1"), sampler + QStringLiteral(".steps=many"),
                          QStringLiteral("garbage")});
    ASSERT_EQ(problems.size(), 5);
    EXPECT_TRUE(problems[0].isEmpty());
    EXPECT_TRUE(problems[1].isEmpty());
    EXPECT_FALSE(problems[2].isEmpty());
    EXPECT_FALSE(problems[3].isEmpty());
    EXPECT_FALSE(problems[4].isEmpty());
    EXPECT_EQ(w.document().findNode(sampler.toStdString())->params.at("steps"), 12);
    EXPECT_EQ(w.document().findNode(sampler.toStdString())->params.at("guidance"), 4.5);
}

}  // namespace
}  // namespace sv::ui::test
