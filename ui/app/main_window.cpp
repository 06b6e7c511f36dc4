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
    : QMainWindow(parent), m_registry(registry), m_options(std::move(options)) {
    setObjectName(QStringLiteral("mainWindow"));
    setAttribute(Qt::WA_DeleteOnClose, false);
    m_model = std::make_unique<GraphModel>(m_doc, m_registry);
    m_editor = std::make_unique<GraphEditor>(*m_model);
    m_scene = std::make_unique<GraphScene>(*m_editor);
    m_queue = std::make_unique<RunQueue>(m_registry);
    m_session = std::make_unique<Session>(m_options.autosaveDir);

    // New nodes that take a folder start with the last model folder used.
    m_editor->setParamDefaults([](const sp::NodeDescriptor&, const sp::ParamSpec& p) -> nlohmann::json {
        if (p.type != sp::PortType::Path || p.pathMode != sp::PathMode::Folder) return nullptr;
        if (p.defaultValue.kind() == sp::Value::Kind::String && !p.defaultValue.toString().empty())
            return nullptr;
        const QStringList folders = QSettings().value(QStringLiteral("paths/modelFolders")).toStringList();
        return folders.isEmpty() ? nlohmann::json() : nlohmann::json(folders.first().toStdString());
    });

    m_view = new GraphView(*m_scene, this);
    setCentralWidget(m_view);
    createDocks();
    createActions();
    createMenus();

    m_runStatus = new QLabel(this);
    statusBar()->addPermanentWidget(m_runStatus);
    connect(m_editor.get(), &GraphEditor::message, this,
            [this](const QString& m) { statusBar()->showMessage(m, 6000); });
    connect(m_scene.get(), &GraphScene::connectionRefused, this, [this](const QString& why) {
        statusBar()->showMessage(tr("Cannot connect: %1").arg(why), 6000);
    });
    connect(m_scene.get(), &QGraphicsScene::selectionChanged, this, &MainWindow::onSelectionChanged);
    connect(m_view, &GraphView::fileDropped, this, &MainWindow::onFileDropped);
    connect(m_editor->undoStack(), &QUndoStack::cleanChanged, this, &MainWindow::updateTitle);
    connect(m_model.get(), &GraphModel::documentChanged, this, [this] { m_autosaveDirty = true; });
    connect(m_model.get(), &GraphModel::uiDataChanged, this, [this](const QString&) { showViewedResult(); });
    connect(m_model.get(), &GraphModel::paramChanged, this,
            [this](const QString& id) { invalidateFrom(id); });
    connect(m_model.get(), &GraphModel::bypassChanged, this, &MainWindow::invalidateFrom);
    connect(m_model.get(), &GraphModel::linkAdded, this,
            [this](const sp::GraphLink& l) { invalidateFrom(GraphModel::qs(l.to.node)); });
    connect(m_model.get(), &GraphModel::linkRemoved, this,
            [this](const sp::GraphLink& l) { invalidateFrom(GraphModel::qs(l.to.node)); });
    connect(m_queue.get(), &RunQueue::executionEvent, this, &MainWindow::onExecutionEvent);
    connect(m_queue.get(), &RunQueue::busyChanged, this, [this](bool busy) {
        m_actions.cancel->setEnabled(busy);
        if (!busy) m_runStatus->clear();
    });

    m_autosaveTimer = new QTimer(this);
    m_autosaveTimer->setInterval(m_options.autosaveIntervalMs);
    connect(m_autosaveTimer, &QTimer::timeout, this, [this] {
        if (m_autosaveDirty && isModified()) autosaveNow();
    });
    m_autosaveTimer->start();

    refreshNodeList();
    rebuildRecentMenu();
    resize(1500, 900);
    const QSettings settings;
    restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray());
    restoreState(settings.value(QStringLiteral("window/state")).toByteArray());
    updateTitle();
}

MainWindow::~MainWindow() {
    m_scene->disconnect(this);
    m_queue->disconnect(this);
    // Widgets that reference the scene, the editor or the queue go first.
    delete takeCentralWidget();
    qDeleteAll(findChildren<QDockWidget*>(Qt::FindDirectChildrenOnly));
    m_queue.reset();  // cancels and joins a running job
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
    m_nodeList = new NodeList(this);
    connect(m_nodeList, &NodeList::nodeChosen, this, [this](const QString& typeId) {
        const QString id = m_editor->addNode(typeId, m_view->mapToScene(m_view->viewport()->rect().center()));
        if (!id.isEmpty()) m_scene->selectNodes({id});
    });
    auto* nodesDock = dock(tr("Nodes"), QStringLiteral("nodesDock"), m_nodeList, Qt::LeftDockWidgetArea);

    m_preview = new PreviewPane(this);
    m_previewDock = dock(tr("Preview"), QStringLiteral("previewDock"), m_preview, Qt::RightDockWidgetArea);
    m_inspector = new Inspector(*m_editor, this);
    auto* inspectorDock =
        dock(tr("Inspector"), QStringLiteral("inspectorDock"), m_inspector, Qt::RightDockWidgetArea);
    splitDockWidget(m_previewDock, inspectorDock, Qt::Vertical);

    m_queuePanel = new QueuePanel(*m_queue, this);
    auto* queueDock = dock(tr("Queue"), QStringLiteral("queueDock"), m_queuePanel, Qt::BottomDockWidgetArea);
    m_log = new LogPanel(this);
    m_logDock = dock(tr("Log"), QStringLiteral("logDock"), m_log, Qt::BottomDockWidgetArea);
    tabifyDockWidget(queueDock, m_logDock);
    queueDock->raise();
    connect(m_log, &LogPanel::errorLogged, this, [this] { m_logDock->raise(); });

    resizeDocks({nodesDock}, {220}, Qt::Horizontal);
    resizeDocks({m_previewDock}, {480}, Qt::Horizontal);
    resizeDocks({m_previewDock, inspectorDock}, {380, 420}, Qt::Vertical);
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
    m_actions.newGraph = make(tr("&New"), {QKeySequence::New}, [this] { newGraph(); });
    m_actions.open = make(tr("&Open…"), {QKeySequence::Open}, [this] { openWithDialog(); });
    m_actions.save = make(tr("&Save"), {QKeySequence::Save}, [this] { save(); });
    m_actions.saveAs =
        make(tr("Save &As…"), {QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_S)}, [this] { saveAs(); });
    m_actions.quit = make(tr("&Quit"), {QKeySequence::Quit}, [this] { close(); });

    m_actions.undo = m_editor->undoStack()->createUndoAction(this, tr("&Undo"));
    m_actions.undo->setShortcuts(QKeySequence::Undo);
    m_actions.redo = m_editor->undoStack()->createRedoAction(this, tr("&Redo"));
    m_actions.redo->setShortcuts(
        {QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Z), QKeySequence(Qt::CTRL | Qt::Key_Y)});
    addAction(m_actions.undo);
    addAction(m_actions.redo);

    m_actions.run =
        make(tr("&Run"), {QKeySequence(Qt::CTRL | Qt::Key_Return), QKeySequence(Qt::CTRL | Qt::Key_Enter)},
             [this] { runGraph(false); });
    m_actions.run->setToolTip(tr("Queue the graph (Ctrl+Enter)"));
    m_actions.runFirst = make(tr("Run &First"),
                              {QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Return),
                               QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Enter)},
                              [this] { runGraph(true); });
    m_actions.cancel = make(tr("&Cancel"), {QKeySequence(Qt::Key_Escape)}, [this] { cancelRun(); });
    m_actions.cancel->setEnabled(false);
    m_actions.clearCache = make(tr("Clear Cache"), {}, [this] {
        m_queue->executor().clearCache();
        m_model->clearStatuses();
        m_log->info(tr("run"), tr("Cache cleared"));
    });
}

void MainWindow::createMenus() {
    QMenu* file = menuBar()->addMenu(tr("&File"));
    file->addAction(m_actions.newGraph);
    file->addAction(m_actions.open);
    m_recentMenu = file->addMenu(tr("Open &Recent"));
    file->addSeparator();
    file->addAction(m_actions.save);
    file->addAction(m_actions.saveAs);
    file->addSeparator();
    file->addAction(m_actions.quit);

    const GraphView::Actions& canvas = m_view->actions();
    QMenu* edit = menuBar()->addMenu(tr("&Edit"));
    edit->addAction(m_actions.undo);
    edit->addAction(m_actions.redo);
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
    run->addAction(m_actions.run);
    run->addAction(m_actions.runFirst);
    run->addAction(m_actions.cancel);
    run->addSeparator();
    run->addAction(m_actions.clearCache);

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
    bar->addAction(m_actions.newGraph);
    bar->addAction(m_actions.open);
    bar->addAction(m_actions.save);
    bar->addSeparator();
    bar->addAction(m_actions.undo);
    bar->addAction(m_actions.redo);
    bar->addSeparator();
    bar->addAction(m_actions.run);
    bar->addAction(m_actions.cancel);
}

bool MainWindow::isModified() const {
    return m_forceModified || !m_editor->undoStack()->isClean();
}

void MainWindow::updateTitle() {
    const QString name = m_file.isEmpty() ? tr("untitled") : QFileInfo(m_file).fileName();
    setWindowTitle(QStringLiteral("%1[*] — Sana Video Studio").arg(name));
    setWindowModified(isModified());
}

void MainWindow::onSelectionChanged() {
    const QStringList ids = m_scene->selectedNodeIds();
    if (ids.size() == 1) {
        m_inspector->setNode(ids.first());
    } else if (ids.isEmpty()) {
        m_inspector->setNode({});
    }
}

void MainWindow::refreshNodeList() {
    QList<PaletteEntry> entries;
    for (const auto* e : m_registry.entries())
        entries.append(
            {GraphModel::qs(e->descriptor.typeId),
             GraphModel::qs(e->descriptor.caption.empty() ? e->descriptor.typeId : e->descriptor.caption),
             GraphModel::qs(e->descriptor.category), GraphModel::qs(e->descriptor.help)});
    m_nodeList->setEntries(entries);
}

void MainWindow::closeEvent(QCloseEvent* event) {
    if (!maybeDiscard()) {
        event->ignore();
        return;
    }
    if (m_queue->isBusy()) m_queue->cancelCurrent();
    QSettings settings;
    settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("window/state"), saveState());
    event->accept();
}

}  // namespace sv::ui
