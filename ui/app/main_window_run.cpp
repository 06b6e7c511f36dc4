// MainWindow: running — queueing the graph, and turning executor events into node badges, live previews,
// results in the preview pane and log lines. Events arrive on the GUI thread through RunQueue's queued calls.
#include <QDir>
#include <QDockWidget>
#include <QFileInfo>
#include <QLabel>
#include <QSettings>
#include <QStandardPaths>
#include <QStatusBar>

#include <algorithm>

#include "app/main_window.h"
#include "canvas/graph_model.h"
#include "panels/log_panel.h"
#include "panels/preview_pane.h"
#include "panels/queue_panel.h"
#include "run/run_queue.h"

namespace sv::ui {

namespace {
constexpr int kKeptJobResults = 8;

LogPanel::Level logLevel(sp::LogLevel l) {
    switch (l) {
        case sp::LogLevel::Error:
            return LogPanel::Level::Error;
        case sp::LogLevel::Warning:
            return LogPanel::Level::Warning;
        default:
            return LogPanel::Level::Info;
    }
}
}  // namespace

QString MainWindow::outputDir() const {
    if (!m_options.outputDir.isEmpty()) return m_options.outputDir;
    const QString configured = QSettings().value(QStringLiteral("run/outputDir")).toString();
    if (!configured.isEmpty()) return configured;
    QString base = QStandardPaths::writableLocation(QStandardPaths::MoviesLocation);
    if (base.isEmpty()) base = QDir::homePath();
    return base + QStringLiteral("/SanaVideo");
}

int MainWindow::runGraph(bool first) {
    if (m_doc.nodes().empty()) {
        statusBar()->showMessage(tr("Nothing to run: the graph is empty"), 5000);
        return 0;
    }
    sp::RunRequest request;
    request.outputDir = outputDir().toStdString();
    const QString name = m_file.isEmpty() ? tr("untitled") : QFileInfo(m_file).completeBaseName();
    const int id = m_queue->enqueue(m_doc, name, request, first);
    m_jobGeneration.insert(id, m_generation);
    m_log->info(tr("run"),
                tr("Queued job #%1 (%2)%3").arg(id).arg(name, first ? tr(" at the front") : QString()));
    return id;
}

void MainWindow::cancelRun() {
    if (!m_queue->isBusy()) return;
    m_queue->cancelCurrent();
    m_log->warning(tr("run"), tr("Cancelling job #%1…").arg(m_queue->currentJob()));
}

void MainWindow::showDisplayable(const QString& nodeId, const Displayable& d, const QString& caption) {
    m_results.insert(nodeId, d);
    const QString viewed = m_model->viewedNode();
    if (!viewed.isEmpty() && viewed != nodeId) return;
    m_preview->showFrames(d.frames, d.fps, caption);
}

void MainWindow::showViewedResult() {
    const QString viewed = m_model->viewedNode();
    if (viewed.isEmpty() || viewed == m_previewNode) return;
    m_previewNode = viewed;
    const auto it = m_results.constFind(viewed);
    if (it != m_results.constEnd()) {
        m_preview->showFrames(it->frames, it->fps, m_model->title(viewed));
    } else {
        m_preview->clear(
            tr("%1 has no picture yet. Run the graph (Ctrl+Enter).").arg(m_model->title(viewed)));
    }
}

void MainWindow::rememberJobResult(int jobId, const Displayable& d) {
    m_jobResults.insert(jobId, d);
    while (m_jobResults.size() > kKeptJobResults) {
        const QList<int> ids = m_jobResults.keys();
        m_jobResults.remove(*std::min_element(ids.begin(), ids.end()));
    }
}

void MainWindow::showJobResult(int jobId) {
    const auto it = m_jobResults.constFind(jobId);
    if (it == m_jobResults.constEnd()) {
        statusBar()->showMessage(tr("Job #%1 has no picture result to show").arg(jobId), 4000);
        return;
    }
    m_previewDock->raise();
    m_preview->showFrames(it->frames, it->fps, tr("Job #%1").arg(jobId));
}

void MainWindow::invalidateFrom(const QString& nodeId) {
    QStringList todo{nodeId}, seen;
    while (!todo.isEmpty()) {
        const QString id = todo.takeFirst();
        if (seen.contains(id) || !m_model->hasNode(id)) continue;
        seen << id;
        const NodeStatus::State st = m_model->status(id).state;
        if (st == NodeStatus::State::Running || st == NodeStatus::State::Pending)
            continue;  // the run owns it
        if (st != NodeStatus::State::Idle) m_model->setStatus(id, NodeStatus{});
        for (const sp::GraphLink& l : m_doc.outputLinks(id.toStdString())) todo << GraphModel::qs(l.to.node);
    }
}

void MainWindow::onExecutionEvent(int jobId, const sp::ExecutionEvent& e) {
    using K = sp::ExecutionEvent::Kind;
    // Badges go on the canvas only when the job ran the document that is open now.
    const bool mine = m_jobGeneration.value(jobId, -1) == m_generation;
    const QString node = QString::fromStdString(e.nodeId);
    const QString title = mine && m_model->hasNode(node) ? m_model->title(node) : node;
    const QString source =
        node.isEmpty() ? tr("run #%1").arg(jobId) : QStringLiteral("%1 (%2)").arg(title, node);
    auto setStatus = [&](const QString& id, NodeStatus::State state, const QString& message = {}) {
        if (!mine || !m_model->hasNode(id)) return;
        NodeStatus s = m_model->status(id);
        s.state = state;
        s.message = message;
        if (state != NodeStatus::State::Running) s.step = s.total = 0;
        m_model->setStatus(id, s);
    };
    const QString viewed = m_model->viewedNode();
    const bool showsThis = viewed.isEmpty() || viewed == node;

    switch (e.kind) {
        case K::RunStarted:
            if (mine) {
                m_model->clearStatuses();
                for (const std::string& n : e.nodes)
                    setStatus(QString::fromStdString(n), NodeStatus::State::Pending);
            }
            m_nodeStep.clear();
            m_nodeSteps.clear();
            m_log->info(tr("run #%1").arg(jobId),
                        tr("started: %n node(s) to evaluate", nullptr, int(e.nodes.size())));
            break;
        case K::NodeStarted:
            setStatus(node, NodeStatus::State::Running);
            m_runStatus->setText(
                tr("Job #%1: %2 (node %3 of %4)").arg(jobId).arg(title).arg(e.index + 1).arg(e.count));
            break;
        case K::NodeProgress:
            if (mine && m_model->hasNode(node)) {
                NodeStatus s = m_model->status(node);
                s.state = NodeStatus::State::Running;
                s.step = e.step;
                s.total = e.total;
                s.etaSeconds = e.etaSeconds;
                m_model->setStatus(node, s);
            }
            m_nodeStep.insert(node, e.step);
            m_nodeSteps.insert(node, e.total);
            m_runStatus->setText(
                tr("Job #%1: %2 %3/%4  ETA %5")
                    .arg(jobId)
                    .arg(title)
                    .arg(e.step)
                    .arg(e.total)
                    .arg(e.etaSeconds >= 0 ? formatDuration(e.etaSeconds) : QStringLiteral("…")));
            break;
        case K::NodePreview:
            if (showsThis && e.image) {
                // One preview per step holds every latent frame: the pane plays them and keeps its position
                // when the next step's frames replace them.
                QList<QImage> frames = previewFrames(*e.image);
                if (frames.isEmpty()) break;
                const qint64 step = e.step > 0 ? e.step : m_nodeStep.value(node, 0);
                const qint64 total = e.step > 0 ? e.total : m_nodeSteps.value(node, 0);
                m_previewNode = node;
                m_preview->showLatentPreview(std::move(frames), int(step), int(total), e.image->fps);
            }
            break;
        case K::NodeDisplay:
            if (auto d = toDisplayable(e.value)) {
                rememberJobResult(jobId, *d);
                showDisplayable(node, *d, title);
            }
            break;
        case K::NodeLog:
            m_log->append(logLevel(e.level), source, QString::fromStdString(e.message));
            break;
        case K::NodeCached:
        case K::NodeFinished:
            setStatus(node, e.kind == K::NodeCached ? NodeStatus::State::Cached : NodeStatus::State::Done);
            // The viewed node's picture outputs go to the preview pane.
            for (const auto& [port, value] : e.outputs.entries()) {
                if (auto d = toDisplayable(value)) {
                    rememberJobResult(jobId, *d);
                    m_results.insert(node, *d);
                    if (viewed == node) m_preview->showFrames(d->frames, d->fps, title);
                    break;
                }
            }
            break;
        case K::NodeFailed:
            setStatus(node, NodeStatus::State::Error, QString::fromStdString(e.message));
            m_log->error(source, QString::fromStdString(e.message));
            break;
        case K::RunFinished:
            m_log->info(tr("run #%1").arg(jobId),
                        tr("finished in %1").arg(formatDuration(e.durationSeconds)));
            statusBar()->showMessage(tr("Job #%1 finished").arg(jobId), 5000);
            break;
        case K::RunCancelled:
            if (mine)
                for (const QString& id : m_model->nodeIds()) {
                    const auto st = m_model->status(id).state;
                    if (st == NodeStatus::State::Running) setStatus(id, NodeStatus::State::Cancelled);
                    if (st == NodeStatus::State::Pending) setStatus(id, NodeStatus::State::Idle);
                }
            m_log->warning(tr("run #%1").arg(jobId), tr("cancelled"));
            statusBar()->showMessage(tr("Job #%1 cancelled").arg(jobId), 5000);
            break;
        case K::RunFailed:
            if (mine)
                for (const QString& id : m_model->nodeIds())
                    if (m_model->status(id).state == NodeStatus::State::Pending)
                        setStatus(id, NodeStatus::State::Idle);
            if (e.nodeId.empty()) {
                m_log->error(tr("run #%1").arg(jobId),
                             QString::fromStdString(e.message));  // validation problems
            } else if (!mine || m_model->status(node).state != NodeStatus::State::Error) {
                setStatus(node, NodeStatus::State::Error, QString::fromStdString(e.message));
                m_log->error(source, QString::fromStdString(e.message));
            }
            statusBar()->showMessage(tr("Job #%1 failed").arg(jobId), 8000);
            break;
    }
}

}  // namespace sv::ui
