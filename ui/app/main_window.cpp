#include "app/main_window.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDockWidget>
#include <QFileInfo>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QSettings>
#include <QStatusBar>
#include <QTimer>
#include <QToolBar>
#include <QUndoStack>

#include "app/graph_editor.h"
#include "app/session.h"
#include "canvas/graph_model.h"
#include "canvas/graph_scene.h"
#include "canvas/graph_view.h"
#include "panels/inspector.h"
#include "panels/log_panel.h"
#include "panels/node_palette.h"
#include "panels/preview_pane.h"
#include "panels/queue_panel.h"
#include "run/run_queue.h"

namespace sv::ui {

MainWindow::MainWindow(const sp::NodeRegistry& registry, StudioOptions options, QWidget* parent)
    : QMainWindow(parent), registry_(registry), options_(std::move(options)) {
    setObjectName(QStringLiteral("mainWindow"));
    setAttribute(Qt::WA_DeleteOnClose, false);
    model_ = std::make_unique<GraphModel>(doc_, registry_);
    editor_ = std::make_unique<GraphEditor>(*model_);
    scene_ = std::make_unique<GraphScene>(*editor_);
    queue_ = std::make_unique<RunQueue>(registry_);
    session_ = std::make_unique<Session>(options_.autosaveDir);

    // New nodes that take a folder start with the last model folder used.
    editor_->setParamDefaults([](const sp::NodeDescriptor&, const sp::ParamSpec& p) -> nlohmann::json {
        if (p.type != sp::PortType::Path || p.pathMode != sp::PathMode::Folder) return nullptr;
        if (p.defaultValue.kind() == sp::Value::Kind::String && !p.defaultValue.toString().empty())
            return nullptr;
        const QStringList folders = QSettings().value(QStringLiteral("paths/modelFolders")).toStringList();
        return folders.isEmpty() ? nlohmann::json() : nlohmann::json(folders.first().toStdString());
    });

    view_ = new GraphView(*scene_, this);
    setCentralWidget(view_);
    createDocks();
    createActions();
    createMenus();

    runStatus_ = new QLabel(this);
    statusBar()->addPermanentWidget(runStatus_);
    connect(editor_.get(), &GraphEditor::message, this,
            [this](const QString& m) { statusBar()->showMessage(m, 6000); });
    connect(scene_.get(), &GraphScene::connectionRefused, this, [this](const QString& why) {
        statusBar()->showMessage(tr("Cannot connect: %1").arg(why), 6000);
    });
    connect(scene_.get(), &QGraphicsScene::selectionChanged, this, &MainWindow::onSelectionChanged);
    connect(view_, &GraphView::fileDropped, this, &MainWindow::onFileDropped);
    connect(editor_->undoStack(), &QUndoStack::cleanChanged, this, &MainWindow::updateTitle);
    connect(model_.get(), &GraphModel::documentChanged, this, [this] { autosaveDirty_ = true; });
    connect(model_.get(), &GraphModel::uiDataChanged, this, [this](const QString&) { showViewedResult(); });
    connect(model_.get(), &GraphModel::paramChanged, this, [this](const QString& id) { invalidateFrom(id); });
    connect(model_.get(), &GraphModel::bypassChanged, this, &MainWindow::invalidateFrom);
    connect(model_.get(), &GraphModel::linkAdded, this,
            [this](const sp::GraphLink& l) { invalidateFrom(GraphModel::qs(l.to.node)); });
    connect(model_.get(), &GraphModel::linkRemoved, this,
            [this](const sp::GraphLink& l) { invalidateFrom(GraphModel::qs(l.to.node)); });
    connect(queue_.get(), &RunQueue::executionEvent, this, &MainWindow::onExecutionEvent);
    connect(queuePanel_, &QueuePanel::jobActivated, this, &MainWindow::showJobResult);
    connect(queue_.get(), &RunQueue::busyChanged, this, [this](bool busy) {
        actions_.cancel->setEnabled(busy);
        if (!busy) runStatus_->clear();
    });

    autosaveTimer_ = new QTimer(this);
    autosaveTimer_->setInterval(options_.autosaveIntervalMs);
    connect(autosaveTimer_, &QTimer::timeout, this, [this] {
        if (autosaveDirty_ && isModified()) autosaveNow();
    });
    autosaveTimer_->start();

    refreshNodeList();
    rebuildRecentMenu();
    resize(1500, 900);
    const QSettings settings;
    restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray());
    restoreState(settings.value(QStringLiteral("window/state")).toByteArray());
    updateTitle();
}

MainWindow::~MainWindow() {
    scene_->disconnect(this);
    queue_->disconnect(this);
    // Widgets that reference the scene, the editor or the queue go first.
    delete takeCentralWidget();
    qDeleteAll(findChildren<QDockWidget*>(Qt::FindDirectChildrenOnly));
    queue_.reset();  // cancels and joins a running job
}

void MainWindow::createDocks() {
    auto dock = [this](const QString& title, const QString& name, QWidget* content, Qt::DockWidgetArea area) {
        auto* d = new QDockWidget(title, this);
        d->setObjectName(name);
        d->setWidget(content);
        d->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetFloatable |
                       QDockWidget::DockWidgetClosable);
        addDockWidget(area, d);
        return d;
    };
    nodeList_ = new NodeList(this);
    connect(nodeList_, &NodeList::nodeChosen, this, [this](const QString& typeId) {
        const QString id = editor_->addNode(typeId, view_->mapToScene(view_->viewport()->rect().center()));
        if (!id.isEmpty()) scene_->selectNodes({id});
    });
    auto* nodesDock = dock(tr("Nodes"), QStringLiteral("nodesDock"), nodeList_, Qt::LeftDockWidgetArea);

    preview_ = new PreviewPane(this);
    previewDock_ = dock(tr("Preview"), QStringLiteral("previewDock"), preview_, Qt::RightDockWidgetArea);
    inspector_ = new Inspector(*editor_, this);
    auto* inspectorDock =
        dock(tr("Inspector"), QStringLiteral("inspectorDock"), inspector_, Qt::RightDockWidgetArea);
    splitDockWidget(previewDock_, inspectorDock, Qt::Vertical);

    queuePanel_ = new QueuePanel(*queue_, this);
    auto* queueDock = dock(tr("Queue"), QStringLiteral("queueDock"), queuePanel_, Qt::BottomDockWidgetArea);
    log_ = new LogPanel(this);
    logDock_ = dock(tr("Log"), QStringLiteral("logDock"), log_, Qt::BottomDockWidgetArea);
    tabifyDockWidget(queueDock, logDock_);
    queueDock->raise();
    connect(log_, &LogPanel::errorLogged, this, [this] { logDock_->raise(); });

    resizeDocks({nodesDock}, {220}, Qt::Horizontal);
    resizeDocks({previewDock_}, {480}, Qt::Horizontal);
    resizeDocks({previewDock_, inspectorDock}, {380, 420}, Qt::Vertical);
    resizeDocks({queueDock}, {170}, Qt::Vertical);
    setDockOptions(QMainWindow::AnimatedDocks | QMainWindow::AllowTabbedDocks |
                   QMainWindow::AllowNestedDocks);
}

void MainWindow::createActions() {
    auto make = [this](const QString& text, QList<QKeySequence> keys, auto slot) {
        auto* a = new QAction(text, this);
        a->setShortcuts(keys);
        connect(a, &QAction::triggered, this, slot);
        addAction(a);
        return a;
    };
    actions_.newGraph = make(tr("&New"), {QKeySequence::New}, [this] { newGraph(); });
    actions_.open = make(tr("&Open…"), {QKeySequence::Open}, [this] { openWithDialog(); });
    actions_.save = make(tr("&Save"), {QKeySequence::Save}, [this] { save(); });
    actions_.saveAs =
        make(tr("Save &As…"), {QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_S)}, [this] { saveAs(); });
    actions_.quit = make(tr("&Quit"), {QKeySequence::Quit}, [this] { close(); });

    actions_.undo = editor_->undoStack()->createUndoAction(this, tr("&Undo"));
    actions_.undo->setShortcuts(QKeySequence::Undo);
    actions_.redo = editor_->undoStack()->createRedoAction(this, tr("&Redo"));
    actions_.redo->setShortcuts(
        {QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Z), QKeySequence(Qt::CTRL | Qt::Key_Y)});
    addAction(actions_.undo);
    addAction(actions_.redo);

    actions_.run =
        make(tr("&Run"), {QKeySequence(Qt::CTRL | Qt::Key_Return), QKeySequence(Qt::CTRL | Qt::Key_Enter)},
             [this] { runGraph(false); });
    actions_.run->setToolTip(tr("Queue the graph (Ctrl+Enter)"));
    actions_.runFirst = make(tr("Run &First"),
                             {QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Return),
                              QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Enter)},
                             [this] { runGraph(true); });
    actions_.cancel = make(tr("&Cancel"), {QKeySequence(Qt::Key_Escape)}, [this] { cancelRun(); });
    actions_.cancel->setEnabled(false);
    actions_.clearCache = make(tr("Clear Cache"), {}, [this] {
        queue_->executor().clearCache();
        model_->clearStatuses();
        log_->info(tr("run"), tr("Cache cleared"));
    });
}

void MainWindow::createMenus() {
    QMenu* file = menuBar()->addMenu(tr("&File"));
    file->addAction(actions_.newGraph);
    file->addAction(actions_.open);
    recentMenu_ = file->addMenu(tr("Open &Recent"));
    file->addSeparator();
    file->addAction(actions_.save);
    file->addAction(actions_.saveAs);
    file->addSeparator();
    file->addAction(actions_.quit);

    const GraphView::Actions& canvas = view_->actions();
    QMenu* edit = menuBar()->addMenu(tr("&Edit"));
    edit->addAction(actions_.undo);
    edit->addAction(actions_.redo);
    edit->addSeparator();
    for (QAction* a : {canvas.cut, canvas.copy, canvas.paste, canvas.duplicate, canvas.remove})
        edit->addAction(a);
    edit->addSeparator();
    edit->addAction(canvas.selectAll);

    QMenu* node = menuBar()->addMenu(tr("&Node"));
    canvas.addNode->setText(tr("Add Node… (Tab)"));
    node->addAction(canvas.addNode);
    node->addAction(canvas.bypass);
    node->addAction(canvas.view);

    QMenu* view = menuBar()->addMenu(tr("&View"));
    view->addAction(canvas.frame);
    view->addAction(canvas.frameAll);
    view->addSeparator();
    for (QDockWidget* d : findChildren<QDockWidget*>()) view->addAction(d->toggleViewAction());

    QMenu* run = menuBar()->addMenu(tr("&Run"));
    run->addAction(actions_.run);
    run->addAction(actions_.runFirst);
    run->addAction(actions_.cancel);
    run->addSeparator();
    run->addAction(actions_.clearCache);

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("Canvas &Shortcuts"), this, [this] {
        QMessageBox::information(
            this, tr("Canvas shortcuts"),
            tr("<table>"
               "<tr><td><b>Tab</b>, double-click, <b>Shift+A</b></td><td>add a node</td></tr>"
               "<tr><td>drag port → port</td><td>connect (drag a link off its input to remove it)</td></tr>"
               "<tr><td><b>Ctrl</b>+drag</td><td>cut links</td></tr>"
               "<tr><td>middle-drag, <b>Space</b>+drag</td><td>pan</td></tr>"
               "<tr><td>wheel</td><td>zoom around the cursor</td></tr>"
               "<tr><td><b>F</b> / <b>Home</b></td><td>frame selection / all</td></tr>"
               "<tr><td><b>D</b> / <b>V</b></td><td>bypass / view flag</td></tr>"
               "<tr><td><b>Ctrl+C</b>, <b>Ctrl+V</b>, <b>Ctrl+D</b></td><td>copy, paste, duplicate</td></tr>"
               "<tr><td><b>Ctrl+Enter</b> / <b>Ctrl+Shift+Enter</b></td><td>queue the graph (last / "
               "first)</td></tr>"
               "<tr><td><b>Escape</b></td><td>cancel the running job</td></tr>"
               "</table>"));
    });
    help->addAction(tr("&About"), this, [this] {
        QMessageBox::about(
            this, tr("About Sana Video Studio"),
            tr("<b>Sana Video Studio</b> %1<br>SANA-Video text/image-to-video, native C++/CUDA.")
                .arg(QStringLiteral(SV_UI_VERSION_STRING)));
    });

    QToolBar* bar = addToolBar(tr("Main"));
    bar->setObjectName(QStringLiteral("mainToolBar"));
    bar->setMovable(false);
    bar->addAction(actions_.newGraph);
    bar->addAction(actions_.open);
    bar->addAction(actions_.save);
    bar->addSeparator();
    bar->addAction(actions_.undo);
    bar->addAction(actions_.redo);
    bar->addSeparator();
    bar->addAction(actions_.run);
    bar->addAction(actions_.cancel);
}

bool MainWindow::isModified() const {
    return forceModified_ || !editor_->undoStack()->isClean();
}

void MainWindow::updateTitle() {
    const QString name = file_.isEmpty() ? tr("untitled") : QFileInfo(file_).fileName();
    setWindowTitle(QStringLiteral("%1[*] — Sana Video Studio").arg(name));
    setWindowModified(isModified());
}

void MainWindow::onSelectionChanged() {
    const QStringList ids = scene_->selectedNodeIds();
    if (ids.size() == 1) {
        inspector_->setNode(ids.first());
    } else if (ids.isEmpty()) {
        inspector_->setNode({});
    }
}

void MainWindow::refreshNodeList() {
    QList<PaletteEntry> entries;
    for (const auto* e : registry_.entries())
        entries.append(
            {GraphModel::qs(e->descriptor.typeId),
             GraphModel::qs(e->descriptor.caption.empty() ? e->descriptor.typeId : e->descriptor.caption),
             GraphModel::qs(e->descriptor.category), GraphModel::qs(e->descriptor.help)});
    nodeList_->setEntries(entries);
}

void MainWindow::closeEvent(QCloseEvent* event) {
    if (!maybeDiscard()) {
        event->ignore();
        return;
    }
    if (queue_->isBusy()) queue_->cancelCurrent();
    QSettings settings;
    settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("window/state"), saveState());
    event->accept();
}

}  // namespace sv::ui
