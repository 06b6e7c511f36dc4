#include "app/main_window.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDockWidget>
#include <QFileInfo>
#include <QGuiApplication>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QScreen>
#include <QSettings>
#include <QSpinBox>
#include <QStatusBar>
#include <QTimer>
#include <QToolBar>
#include <QToolButton>
#include <QUndoStack>
#include <QVBoxLayout>

#include "app/graph_editor.h"
#include "app/session.h"
#include "canvas/graph_model.h"
#include "canvas/graph_scene.h"
#include "canvas/graph_view.h"
#include "panels/banner.h"
#include "panels/inspector.h"
#include "panels/log_panel.h"
#include "panels/node_palette.h"
#include "panels/param_widgets.h"
#include "panels/preview_pane.h"
#include "panels/prompt_track_panel.h"
#include "panels/queue_panel.h"
#include "run/job_history.h"
#include "run/run_queue.h"

namespace sv::ui {

namespace {
constexpr int kMaxBatch = 100;

/// A window-wide action calling `slot`.
template <class Slot>
QAction* makeAction(MainWindow* w, const QString& text, const QList<QKeySequence>& keys, Slot slot) {
    auto* a = new QAction(text, w);
    a->setShortcuts(keys);
    QObject::connect(a, &QAction::triggered, w, slot);
    w->addAction(a);
    return a;
}

QString shortcutsHtml() {
    return QObject::tr(
        "<table>"
        "<tr><td><b>Tab</b>, double-click, <b>Shift+A</b></td><td>add a node (type to filter, Enter "
        "adds)</td></tr>"
        "<tr><td>drag from the Nodes panel</td><td>add a node where it is dropped</td></tr>"
        "<tr><td>drag port → port</td><td>connect (drag a link off its input to remove it)</td></tr>"
        "<tr><td><b>Ctrl</b>+drag</td><td>cut links</td></tr>"
        "<tr><td>middle-drag, <b>Space</b>+drag</td><td>pan</td></tr>"
        "<tr><td>wheel</td><td>zoom around the cursor</td></tr>"
        "<tr><td><b>F</b> / <b>Home</b></td><td>frame selection / all</td></tr>"
        "<tr><td><b>D</b> / <b>V</b></td><td>bypass / view flag</td></tr>"
        "<tr><td><b>Ctrl+C</b>, <b>Ctrl+V</b>, <b>Ctrl+D</b></td><td>copy, paste, duplicate</td></tr>"
        "<tr><td><b>Ctrl+Z</b> / <b>Ctrl+Shift+Z</b></td><td>undo / redo</td></tr>"
        "<tr><td><b>Ctrl+Enter</b> / <b>Ctrl+Shift+Enter</b></td><td>queue the graph (last / first)</td></tr>"
        "<tr><td><b>Escape</b></td><td>close a popup, leave a field; on the canvas or the queue: cancel the "
        "run</td></tr>"
        "<tr><td><b>Ctrl+.</b></td><td>cancel the run from anywhere</td></tr>"
        "<tr><td>preview: <b>Space</b>, <b>Left/Right</b>, <b>Home/End</b></td><td>play, step, first/last "
        "frame</td></tr>"
        "</table>");
}
}  // namespace

MainWindow::MainWindow(const sp::NodeRegistry& registry, StudioOptions options, QWidget* parent)
    : QMainWindow(parent), registry_(registry), options_(std::move(options)) {
    setObjectName(QStringLiteral("mainWindow"));
    setAttribute(Qt::WA_DeleteOnClose, false);
    model_ = std::make_unique<GraphModel>(doc_, registry_);
    editor_ = std::make_unique<GraphEditor>(*model_);
    scene_ = std::make_unique<GraphScene>(*editor_);
    queue_ = std::make_unique<RunQueue>(registry_);
    session_ = std::make_unique<Session>(options_.autosaveDir);
    history_ = std::make_unique<JobHistory>(options_.historyFile);
    outputDir_ = options_.outputDir;

    // New nodes that take a folder start with the last model folder used.
    editor_->setParamDefaults([](const sp::NodeDescriptor&, const sp::ParamSpec& p) -> nlohmann::json {
        if (p.type != sp::PortType::Path || p.pathMode != sp::PathMode::Folder) return nullptr;
        if (p.defaultValue.kind() == sp::Value::Kind::String && !p.defaultValue.toString().empty())
            return nullptr;
        const QStringList folders = recentModelFolders();
        return folders.isEmpty() ? nlohmann::json() : nlohmann::json(folders.first().toStdString());
    });
    // The canvas shows the running node's step from the run queue (the one copy of it).
    model_->setProgressSource([this](const QString& id) -> std::optional<StepProgress> {
        const Job* j = queue_->job(queue_->currentJob());
        if (!j || jobGeneration_.value(j->id, -1) != generation_ || j->currentNode != id) return std::nullopt;
        return StepProgress{j->nodeProgress.step, j->nodeProgress.total};
    });

    createCanvas();
    createDocks();
    createActions();
    createMenus();
    createToolBar();
    runStatus_ = new QLabel(this);
    runStatus_->setObjectName(QStringLiteral("runStatus"));
    statusBar()->addPermanentWidget(runStatus_);
    connectModel();

    autosaveTimer_ = new QTimer(this);
    autosaveTimer_->setInterval(options_.autosaveIntervalMs);
    connect(autosaveTimer_, &QTimer::timeout, this, [this] {
        if (autosaveDirty_ && isModified()) autosaveNow();
    });
    autosaveTimer_->start();

    // The jobs of earlier sessions, to reopen or re-queue; the list is saved whenever it changes.
    queue_->addPastJobs(history_->load());
    auto saveHistory = [this] { history_->save(queue_->jobs()); };
    connect(queue_.get(), &RunQueue::jobEnded, this, saveHistory);
    connect(queue_.get(), &RunQueue::jobRemoved, this, saveHistory);

    refreshNodeList();
    rebuildRecentMenu();
    rebuildTemplateMenu();
    // First start: most of the screen (the saved geometry wins afterwards).
    QSize size(1500, 900);
    if (const QScreen* screen = QGuiApplication::primaryScreen())
        size = (screen->availableGeometry().size() * 0.94)
                   .boundedTo(QSize(1800, 1100))
                   .expandedTo(QSize(1000, 700));
    resize(size);
    const QSettings settings;
    restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray());
    restoreState(settings.value(QStringLiteral("window/state")).toByteArray());
    updateTitle();
    updateOutputButton();
}

MainWindow::~MainWindow() {
    scene_->disconnect(this);
    queue_->disconnect(this);
    // Widgets that reference the scene, the editor or the queue go first.
    delete takeCentralWidget();
    qDeleteAll(findChildren<QDockWidget*>(Qt::FindDirectChildrenOnly));
    queue_.reset();  // cancels and joins a running job
}

void MainWindow::createCanvas() {
    // The canvas with the banner above it.
    auto* central = new QWidget(this);
    auto* column = new QVBoxLayout(central);
    column->setContentsMargins(0, 0, 0, 0);
    column->setSpacing(0);
    banner_ = new Banner(central);
    view_ = new GraphView(*scene_, central);
    column->addWidget(banner_);
    column->addWidget(view_, 1);
    setCentralWidget(central);
    connect(banner_, &Banner::showNodesRequested, this, [this](const QStringList& ids) {
        scene_->selectNodes(ids);
        view_->frameSelection();
        view_->setFocus();
    });
}

void MainWindow::connectModel() {
    connect(editor_.get(), &GraphEditor::message, this,
            [this](const QString& m) { statusBar()->showMessage(m, 6000); });
    connect(scene_.get(), &GraphScene::connectionRefused, this, [this](const QString& why) {
        statusBar()->showMessage(tr("Cannot connect: %1").arg(why), 6000);
    });
    connect(scene_.get(), &QGraphicsScene::selectionChanged, this, &MainWindow::onSelectionChanged);
    connect(view_, &GraphView::fileDropped, this, &MainWindow::onFileDropped);
    connect(view_, &GraphView::hintMessage, this,
            [this](const QString& m) { statusBar()->showMessage(m, 5000); });
    connect(inspector_, &Inspector::hint, this,
            [this](const QString& m) { statusBar()->showMessage(m, 5000); });
    connect(editor_->undoStack(), &QUndoStack::cleanChanged, this, &MainWindow::updateTitle);
    connect(model_.get(), &GraphModel::documentChanged, this, [this] {
        autosaveDirty_ = true;
        recheckInvalid();
    });
    connect(model_.get(), &GraphModel::uiDataChanged, this, [this](const QString&) { showViewedResult(); });
    connect(model_.get(), &GraphModel::paramChanged, this, [this](const QString& id) { invalidateFrom(id); });
    connect(model_.get(), &GraphModel::bypassChanged, this, &MainWindow::invalidateFrom);
    connect(model_.get(), &GraphModel::linkAdded, this,
            [this](const sp::GraphLink& l) { invalidateFrom(GraphModel::qs(l.to.node)); });
    connect(model_.get(), &GraphModel::linkRemoved, this,
            [this](const sp::GraphLink& l) { invalidateFrom(GraphModel::qs(l.to.node)); });
    connect(queue_.get(), &RunQueue::executionEvent, this, &MainWindow::onExecutionEvent);
    connect(queuePanel_, &QueuePanel::jobActivated, this, &MainWindow::showJobResult);
    connect(queuePanel_, &QueuePanel::openGraphRequested, this, &MainWindow::openJobGraph);
    connect(queuePanel_, &QueuePanel::revealRequested, this, [this](const QString& path) { reveal(path); });
    connect(queue_.get(), &RunQueue::busyChanged, this, [this](bool busy) {
        actions_.cancel->setEnabled(busy);
        if (!busy) runStatus_->clear();
    });
    connect(queue_.get(), &RunQueue::jobChanged, this, [this](int id) {
        if (id == queue_->currentJob()) updateRunStatus();
    });
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
    nodeList_->setDragEnabled(true);
    connect(nodeList_, &NodeList::nodeChosen, this, [this](const QString& typeId) {
        const QString id = view_->addNodeBesideSelection(typeId);
        nodeList_->clearHighlight();
        if (!id.isEmpty()) view_->setFocus();  // Enter now belongs to the canvas: no second node
    });
    // The Nodes panel starts collapsed: Tab (or a double-click) opens the same list at the cursor.
    nodesDock_ = dock(tr("Nodes"), QStringLiteral("nodesDock"), nodeList_, Qt::LeftDockWidgetArea);
    nodesDock_->hide();

    preview_ = new PreviewPane(this);
    previewDock_ = dock(tr("Preview"), QStringLiteral("previewDock"), preview_, Qt::RightDockWidgetArea);
    inspector_ = new Inspector(*editor_, this);
    auto* inspectorDock =
        dock(tr("Inspector"), QStringLiteral("inspectorDock"), inspector_, Qt::RightDockWidgetArea);
    splitDockWidget(previewDock_, inspectorDock, Qt::Vertical);
    connect(preview_, &PreviewPane::revealRequested, this, [this](const QString& path) { reveal(path); });

    queuePanel_ = new QueuePanel(*queue_, this);
    auto* queueDock = dock(tr("Queue"), QStringLiteral("queueDock"), queuePanel_, Qt::BottomDockWidgetArea);
    log_ = new LogPanel(this);
    logDock_ = dock(tr("Log"), QStringLiteral("logDock"), log_, Qt::BottomDockWidgetArea);
    tabifyDockWidget(queueDock, logDock_);
    // The prompt track is wide (a strip of chunks, rows of prompts): a tab beside the queue, raised when a
    // graph with a long-video node is opened.
    promptTrack_ = new PromptTrackPanel(*editor_, *queue_, this);
    promptTrackDock_ =
        dock(tr("Prompt Track"), QStringLiteral("promptTrackDock"), promptTrack_, Qt::BottomDockWidgetArea);
    tabifyDockWidget(logDock_, promptTrackDock_);
    queueDock->raise();
    connect(model_.get(), &GraphModel::reset, this, [this] {
        if (!promptTrack_->nodeId().isEmpty()) promptTrackDock_->raise();
    });
    connect(log_, &LogPanel::errorLogged, this, [this] { logDock_->raise(); });

    resizeDocks({nodesDock_}, {200}, Qt::Horizontal);
    resizeDocks({previewDock_}, {400}, Qt::Horizontal);
    resizeDocks({previewDock_, inspectorDock}, {440, 360}, Qt::Vertical);
    resizeDocks({queueDock}, {190}, Qt::Vertical);
    setDockOptions(QMainWindow::AnimatedDocks | QMainWindow::AllowTabbedDocks |
                   QMainWindow::AllowNestedDocks);
}

void MainWindow::createActions() {
    auto make = [this](const QString& text, const QList<QKeySequence>& keys, auto slot) {
        return makeAction(this, text, keys, slot);
    };
    actions_.newGraph = make(tr("&New"), {QKeySequence::New}, [this] { newGraph(); });
    actions_.open = make(tr("&Open…"), {QKeySequence::Open}, [this] { openWithDialog(); });
    actions_.save = make(tr("&Save"), {QKeySequence::Save}, [this] { save(); });
    actions_.saveAs =
        make(tr("Save &As…"), {QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_S)}, [this] { saveAs(); });
    actions_.quit = make(tr("&Quit"), {QKeySequence::Quit}, [this] { close(); });

    // Undo/Redo keep their text, so the toolbar does not change width after every edit; the command they
    // would undo is in the tooltip and the status tip.
    QUndoStack* stack = editor_->undoStack();
    actions_.undo = make(tr("&Undo"), {QKeySequence::Undo}, [stack] { stack->undo(); });
    actions_.redo = make(tr("&Redo"),
                         {QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Z), QKeySequence(Qt::CTRL | Qt::Key_Y)},
                         [stack] { stack->redo(); });
    auto syncUndo = [this, stack] {
        actions_.undo->setEnabled(stack->canUndo());
        actions_.redo->setEnabled(stack->canRedo());
        actions_.undo->setToolTip(stack->canUndo() ? tr("Undo %1 (Ctrl+Z)").arg(stack->undoText())
                                                   : tr("Nothing to undo"));
        actions_.redo->setToolTip(stack->canRedo() ? tr("Redo %1 (Ctrl+Shift+Z)").arg(stack->redoText())
                                                   : tr("Nothing to redo"));
        actions_.undo->setStatusTip(actions_.undo->toolTip());
        actions_.redo->setStatusTip(actions_.redo->toolTip());
    };
    connect(stack, &QUndoStack::indexChanged, this, syncUndo);
    connect(stack, &QUndoStack::cleanChanged, this, syncUndo);
    syncUndo();
    createRunActions();
}

void MainWindow::createRunActions() {
    auto make = [this](const QString& text, const QList<QKeySequence>& keys, auto slot) {
        return makeAction(this, text, keys, slot);
    };
    actions_.run =
        make(tr("&Queue"), {QKeySequence(Qt::CTRL | Qt::Key_Return), QKeySequence(Qt::CTRL | Qt::Key_Enter)},
             [this] { runGraph(false); });
    actions_.run->setToolTip(
        tr("Queue the graph (Ctrl+Enter); the count beside it queues several runs, each "
           "with the next seed"));
    actions_.runFirst = make(tr("Queue &First"),
                             {QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Return),
                              QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Enter)},
                             [this] { runGraph(true); });
    // Escape cancels only where it cannot mean "close this" or "stop editing": on the canvas and in the queue
    // (added there below); Ctrl+. cancels from anywhere.
    actions_.cancel =
        make(tr("&Cancel Run"), {QKeySequence(Qt::CTRL | Qt::Key_Period)}, [this] { cancelRun(); });
    actions_.cancel->setToolTip(
        tr("Stop the running job within one step (Ctrl+., or Escape on the canvas or the "
           "queue)"));
    actions_.cancel->setEnabled(false);
    for (QWidget* w : std::initializer_list<QWidget*>{view_, queuePanel_}) {
        auto* esc = new QAction(tr("Cancel Run"), w);
        esc->setObjectName(QStringLiteral("escapeCancels"));
        esc->setShortcut(QKeySequence(Qt::Key_Escape));
        esc->setShortcutContext(Qt::WidgetWithChildrenShortcut);
        connect(esc, &QAction::triggered, this, [this] {
            if (!view_->escape()) cancelRun();  // a popup or an edit on a node first
        });
        w->addAction(esc);
    }
    actions_.clearCache = make(tr("Clear Cache"), {}, [this] {
        queue_->executor().clearCache();
        model_->clearStatuses();
        log_->info(tr("run"), tr("Cache cleared"));
    });
    actions_.outputFolder = make(tr("Output &Folder…"), {}, [this] { chooseOutputDir(); });
    actions_.revealOutput = make(tr("&Open Output Folder"), {}, [this] { reveal(outputDir()); });
    actions_.toggleNodes = nodesDock_->toggleViewAction();
    actions_.toggleNodes->setText(tr("Nodes"));
    actions_.toggleNodes->setToolTip(
        tr("Show or collapse the Nodes panel (Tab on the canvas opens the same list)"));
}

void MainWindow::createMenus() {
    QMenu* file = menuBar()->addMenu(tr("&File"));
    file->addAction(actions_.newGraph);
    templateMenu_ = file->addMenu(tr("New from &Template"));
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
    for (QAction* a : {actions_.run, actions_.runFirst, actions_.cancel}) run->addAction(a);
    run->addSeparator();
    run->addAction(actions_.outputFolder);
    run->addAction(actions_.revealOutput);
    run->addSeparator();
    run->addAction(actions_.clearCache);

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&Shortcuts"), this,
                    [this] { QMessageBox::information(this, tr("Shortcuts"), shortcutsHtml()); });
    help->addAction(tr("&About"), this, [this] {
        QMessageBox::about(
            this, tr("About Sana Video Studio"),
            tr("<b>Sana Video Studio</b> %1<br>SANA-Video text/image-to-video, native C++/CUDA.")
                .arg(QStringLiteral(SV_UI_VERSION_STRING)));
    });
}

void MainWindow::createToolBar() {
    QToolBar* bar = addToolBar(tr("Main"));
    bar->setObjectName(QStringLiteral("mainToolBar"));
    bar->setMovable(false);
    for (QAction* a : {actions_.newGraph, actions_.open, actions_.save}) bar->addAction(a);
    bar->addSeparator();
    bar->addAction(actions_.undo);
    bar->addAction(actions_.redo);
    bar->addSeparator();

    queueButton_ = new QToolButton(bar);
    queueButton_->setObjectName(QStringLiteral("queueButton"));
    queueButton_->setDefaultAction(actions_.run);
    queueButton_->setText(tr("▶  Queue"));
    bar->addWidget(queueButton_);
    batch_ = new QSpinBox(bar);
    batch_->setObjectName(QStringLiteral("batchCount"));
    batch_->setRange(1, kMaxBatch);
    batch_->setPrefix(QStringLiteral("× "));
    batch_->setToolTip(tr("Runs per Queue: each run's seed is one higher than the previous one"));
    batch_->setAccelerated(true);
    bar->addWidget(batch_);
    bar->addAction(actions_.cancel);
    bar->addSeparator();

    outputButton_ = new QToolButton(bar);
    outputButton_->setObjectName(QStringLiteral("outputButton"));
    outputButton_->setPopupMode(QToolButton::InstantPopup);
    auto* outputMenu = new QMenu(outputButton_);
    outputMenu->addAction(actions_.outputFolder);
    outputMenu->addAction(actions_.revealOutput);
    outputButton_->setMenu(outputMenu);
    bar->addWidget(outputButton_);
    bar->addSeparator();
    bar->addAction(actions_.toggleNodes);
}

void MainWindow::updateOutputButton() {
    if (!outputButton_) return;
    const QString dir = outputDir();
    outputButton_->setText(
        tr("Output: %1").arg(QFileInfo(dir).fileName().isEmpty() ? dir : QFileInfo(dir).fileName()));
    outputButton_->setToolTip(tr("Runs write into %1").arg(dir));
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
        promptTrack_->setNode(ids.first());
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
