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
    if (!options_.outputDir.isEmpty()) return options_.outputDir;
    const QString configured = QSettings().value(QStringLiteral("run/outputDir")).toString();
    if (!configured.isEmpty()) return configured;
    QString base = QStandardPaths::writableLocation(QStandardPaths::MoviesLocation);
    if (base.isEmpty()) base = QDir::homePath();
    return base + QStringLiteral("/SanaVideo");
}

int MainWindow::runGraph(bool first) {
    if (doc_.nodes().empty()) {
        statusBar()->showMessage(tr("Nothing to run: the graph is empty"), 5000);
        return 0;
    }
    sp::RunRequest request;
    request.outputDir = outputDir().toStdString();
    const QString name = file_.isEmpty() ? tr("untitled") : QFileInfo(file_).completeBaseName();
    const int id = queue_->enqueue(doc_, name, request, first);
    jobGeneration_.insert(id, generation_);
    log_->info(tr("run"),
               tr("Queued job #%1 (%2)%3").arg(id).arg(name, first ? tr(" at the front") : QString()));
    return id;
}

void MainWindow::cancelRun() {
    if (!queue_->isBusy()) return;
    queue_->cancelCurrent();
    log_->warning(tr("run"), tr("Cancelling job #%1…").arg(queue_->currentJob()));
}

void MainWindow::showDisplayable(const QString& nodeId, const Displayable& d, const QString& caption) {
    results_.insert(nodeId, d);
    const QString viewed = model_->viewedNode();
    if (!viewed.isEmpty() && viewed != nodeId) return;
    preview_->showFrames(d.frames, d.fps, caption);
}

void MainWindow::showViewedResult() {
    const QString viewed = model_->viewedNode();
    if (viewed.isEmpty() || viewed == previewNode_) return;
    previewNode_ = viewed;
    const auto it = results_.constFind(viewed);
    if (it != results_.constEnd()) {
        preview_->showFrames(it->frames, it->fps, model_->title(viewed));
    } else {
        preview_->clear(tr("%1 has no picture yet. Run the graph (Ctrl+Enter).").arg(model_->title(viewed)));
    }
}

void MainWindow::rememberJobResult(int jobId, const Displayable& d) {
    jobResults_.insert(jobId, d);
    while (jobResults_.size() > kKeptJobResults) {
        const QList<int> ids = jobResults_.keys();
        jobResults_.remove(*std::min_element(ids.begin(), ids.end()));
    }
}

void MainWindow::showJobResult(int jobId) {
    const auto it = jobResults_.constFind(jobId);
    if (it == jobResults_.constEnd()) {
        statusBar()->showMessage(tr("Job #%1 has no picture result to show").arg(jobId), 4000);
        return;
    }
    previewDock_->raise();
    preview_->showFrames(it->frames, it->fps, tr("Job #%1").arg(jobId));
}

void MainWindow::invalidateFrom(const QString& nodeId) {
    QStringList todo{nodeId}, seen;
    while (!todo.isEmpty()) {
        const QString id = todo.takeFirst();
        if (seen.contains(id) || !model_->hasNode(id)) continue;
        seen << id;
        const NodeStatus::State st = model_->status(id).state;
        if (st == NodeStatus::State::Running || st == NodeStatus::State::Pending)
            continue;  // the run owns it
        if (st != NodeStatus::State::Idle) model_->setStatus(id, NodeStatus{});
        for (const sp::GraphLink& l : doc_.outputLinks(id.toStdString())) todo << GraphModel::qs(l.to.node);
    }
}

void MainWindow::onExecutionEvent(int jobId, const sp::ExecutionEvent& e) {
    using K = sp::ExecutionEvent::Kind;
    // Badges go on the canvas only when the job ran the document that is open now.
    const bool mine = jobGeneration_.value(jobId, -1) == generation_;
    const QString node = QString::fromStdString(e.nodeId);
    const QString title = mine && model_->hasNode(node) ? model_->title(node) : node;
    const QString source =
        node.isEmpty() ? tr("run #%1").arg(jobId) : QStringLiteral("%1 (%2)").arg(title, node);
    auto setStatus = [&](const QString& id, NodeStatus::State state, const QString& message = {}) {
        if (!mine || !model_->hasNode(id)) return;
        NodeStatus s = model_->status(id);
        s.state = state;
        s.message = message;
        if (state != NodeStatus::State::Running) s.step = s.total = 0;
        model_->setStatus(id, s);
    };
    const QString viewed = model_->viewedNode();
    const bool showsThis = viewed.isEmpty() || viewed == node;

    switch (e.kind) {
        case K::RunStarted:
            if (mine) {
                model_->clearStatuses();
                for (const std::string& n : e.nodes)
                    setStatus(QString::fromStdString(n), NodeStatus::State::Pending);
            }
            nodeStep_.clear();
            nodeSteps_.clear();
            log_->info(tr("run #%1").arg(jobId),
                       tr("started: %n node(s) to evaluate", nullptr, int(e.nodes.size())));
            break;
        case K::NodeStarted:
            setStatus(node, NodeStatus::State::Running);
            runStatus_->setText(
                tr("Job #%1: %2 (node %3 of %4)").arg(jobId).arg(title).arg(e.index + 1).arg(e.count));
            break;
        case K::NodeProgress:
            if (mine && model_->hasNode(node)) {
                NodeStatus s = model_->status(node);
                s.state = NodeStatus::State::Running;
                s.step = e.step;
                s.total = e.total;
                s.etaSeconds = e.etaSeconds;
                model_->setStatus(node, s);
            }
            nodeStep_.insert(node, e.step);
            nodeSteps_.insert(node, e.total);
            runStatus_->setText(
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
                const qint64 step = e.step > 0 ? e.step : nodeStep_.value(node, 0);
                const qint64 total = e.step > 0 ? e.total : nodeSteps_.value(node, 0);
                previewNode_ = node;
                preview_->showLatentPreview(std::move(frames), int(step), int(total), e.image->fps);
            }
            break;
        case K::NodeDisplay:
            if (auto d = toDisplayable(e.value)) {
                rememberJobResult(jobId, *d);
                showDisplayable(node, *d, title);
            }
            break;
        case K::NodeLog:
            log_->append(logLevel(e.level), source, QString::fromStdString(e.message));
            break;
        case K::NodeCached:
        case K::NodeFinished:
            setStatus(node, e.kind == K::NodeCached ? NodeStatus::State::Cached : NodeStatus::State::Done);
            // The viewed node's picture outputs go to the preview pane.
            for (const auto& [port, value] : e.outputs.entries()) {
                if (auto d = toDisplayable(value)) {
                    rememberJobResult(jobId, *d);
                    results_.insert(node, *d);
                    if (viewed == node) preview_->showFrames(d->frames, d->fps, title);
                    break;
                }
            }
            break;
        case K::NodeFailed:
            setStatus(node, NodeStatus::State::Error, QString::fromStdString(e.message));
            log_->error(source, QString::fromStdString(e.message));
            break;
        case K::RunFinished:
            log_->info(tr("run #%1").arg(jobId), tr("finished in %1").arg(formatDuration(e.durationSeconds)));
            statusBar()->showMessage(tr("Job #%1 finished").arg(jobId), 5000);
            break;
        case K::RunCancelled:
            if (mine)
                for (const QString& id : model_->nodeIds()) {
                    const auto st = model_->status(id).state;
                    if (st == NodeStatus::State::Running) setStatus(id, NodeStatus::State::Cancelled);
                    if (st == NodeStatus::State::Pending) setStatus(id, NodeStatus::State::Idle);
                }
            log_->warning(tr("run #%1").arg(jobId), tr("cancelled"));
            statusBar()->showMessage(tr("Job #%1 cancelled").arg(jobId), 5000);
            break;
        case K::RunFailed:
            if (mine)
                for (const QString& id : model_->nodeIds())
                    if (model_->status(id).state == NodeStatus::State::Pending)
                        setStatus(id, NodeStatus::State::Idle);
            if (e.nodeId.empty()) {
                log_->error(tr("run #%1").arg(jobId),
                            QString::fromStdString(e.message));  // validation problems
            } else if (!mine || model_->status(node).state != NodeStatus::State::Error) {
                setStatus(node, NodeStatus::State::Error, QString::fromStdString(e.message));
                log_->error(source, QString::fromStdString(e.message));
            }
            statusBar()->showMessage(tr("Job #%1 failed").arg(jobId), 8000);
            break;
    }
}

}  // namespace sv::ui
