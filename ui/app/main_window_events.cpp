// MainWindow: executor events of queued jobs onto the canvas (badges, red outlines), the banner, the status
// bar, the preview pane (live previews, results, the file written) and the log. Events arrive on the GUI
// thread through RunQueue's queued calls, after RunQueue updated the job.
#include <QDockWidget>
#include <QFileInfo>
#include <QLabel>
#include <QStatusBar>

#include <algorithm>

#include "app/main_window.h"
#include "canvas/graph_model.h"
#include "panels/banner.h"
#include "panels/log_panel.h"
#include "panels/preview_pane.h"
#include "panels/prompt_track_panel.h"
#include "panels/queue_panel.h"
#include "run/run_queue.h"

namespace sv::ui {

namespace {
constexpr int kKeptJobResults = 16;

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

QString MainWindow::nodeLabel(const QString& id, bool mine) const {
    if (id.isEmpty()) return {};
    return mine && model_->hasNode(id) ? QStringLiteral("%1 (%2)").arg(model_->title(id), id) : id;
}

void MainWindow::setNodeState(const QString& id, NodeStatus::State state, const QString& message) {
    if (model_->hasNode(id)) model_->setStatus(id, {state, message});
}

void MainWindow::onExecutionEvent(int jobId, const sp::ExecutionEvent& e) {
    using K = sp::ExecutionEvent::Kind;
    // Badges go on the canvas only when the job ran the document that is open now.
    const bool mine = jobGeneration_.value(jobId, -1) == generation_;
    const QString node = QString::fromStdString(e.nodeId);
    promptTrack_->onExecutionEvent(jobId, e, mine);
    switch (e.kind) {
        case K::RunStarted:
            return onRunStarted(jobId, e, mine);
        case K::NodeStarted:
            if (mine) setNodeState(node, NodeStatus::State::Running);
            return updateRunStatus();
        case K::NodeProgress:
            return onNodeProgress(jobId, e, mine);
        case K::NodePreview:
            return onNodePreview(e);
        case K::NodeDisplay:
            if (auto d = toDisplayable(e.value)) {
                rememberJobResult(jobId, *d);
                if (mine) showDisplayable(node, *d, model_->hasNode(node) ? model_->title(node) : node);
            }
            return;
        case K::NodeLog:
            if (mine && e.level == sp::LogLevel::Info)
                lastInfo_.insert(node, QString::fromStdString(e.message));
            return log_->append(logLevel(e.level), nodeLabel(node, mine), QString::fromStdString(e.message));
        case K::NodeCached:
        case K::NodeFinished:
            return onNodeResult(jobId, e, mine);
        case K::NodeFailed:
            if (mine) setNodeState(node, NodeStatus::State::Error, QString::fromStdString(e.message));
            return log_->error(nodeLabel(node, mine), QString::fromStdString(e.message));
        case K::RunFinished:
            return onRunFinished(jobId, e, mine);
        case K::RunCancelled:
            return onRunCancelled(jobId, e, mine);
        case K::RunFailed:
            return onRunFailed(jobId, e, mine);
    }
}

void MainWindow::onRunStarted(int jobId, const sp::ExecutionEvent& e, bool mine) {
    if (mine) {
        statusBeforeRun_ = model_->statuses();
        banner_->dismiss();
        // Stale problems and cancellations of nodes outside this run go; cached/done marks stay true.
        for (const QString& id : model_->nodeIds()) {
            const NodeStatus::State st = model_->status(id).state;
            if (st == NodeStatus::State::Error || st == NodeStatus::State::Invalid ||
                st == NodeStatus::State::Cancelled)
                setNodeState(id, NodeStatus::State::Idle);
        }
        for (const std::string& n : e.nodes)
            setNodeState(QString::fromStdString(n), NodeStatus::State::Pending);
    }
    log_->info(tr("run #%1").arg(jobId), tr("started: %n node(s) planned", nullptr, int(e.nodes.size())));
    updateRunStatus();
}

void MainWindow::onNodeProgress(int jobId, const sp::ExecutionEvent& e, bool mine) {
    const QString node = QString::fromStdString(e.nodeId);
    if (mine && model_->hasNode(node)) {
        if (model_->status(node).state != NodeStatus::State::Running)
            setNodeState(node, NodeStatus::State::Running);
        model_->notifyProgress(node);
    }
    if (jobId == queue_->currentJob()) updateRunStatus();
}

void MainWindow::onNodePreview(const sp::ExecutionEvent& e) {
    // Live previews always show, whichever node has the view flag: the viewed node's result replaces them
    // when it arrives. One preview per step holds every latent frame: the pane plays them and keeps its
    // position when the next step's frames replace them.
    if (!e.image) return;
    QList<QImage> frames = previewFrames(*e.image);
    if (frames.isEmpty()) return;
    previewNode_ = QString::fromStdString(e.nodeId);
    preview_->showLatentPreview(std::move(frames), int(e.step), int(e.total), e.image->fps);
}

void MainWindow::onNodeResult(int jobId, const sp::ExecutionEvent& e, bool mine) {
    using K = sp::ExecutionEvent::Kind;
    const QString node = QString::fromStdString(e.nodeId);
    if (mine)  // the node's last info line (e.g. which model family Load Model loaded) goes with its badge
        setNodeState(node, e.kind == K::NodeCached ? NodeStatus::State::Cached : NodeStatus::State::Done,
                     lastInfo_.value(node));
    for (const auto& [port, value] : e.outputs.entries()) {
        if (value.kind() == sp::Value::Kind::String && mine) {
            const QString path = QString::fromStdString(value.toString());
            if (const Job* j = queue_->job(jobId); j && j->outputFiles.contains(path)) {
                resultFiles_.insert(node, path);
                if (previewNode_ == node) preview_->setFile(path);
            }
        }
        // The viewed node's picture outputs go to the preview pane.
        if (auto d = toDisplayable(value)) {
            rememberJobResult(jobId, *d);
            if (!mine) continue;
            results_.insert(node, *d);
            if (model_->viewedNode() == node) {
                previewNode_ = node;
                preview_->showFrames(d->frames, d->fps, model_->title(node));
                preview_->setFile(resultFiles_.value(node));
            }
        }
    }
    updateRunStatus();
}

void MainWindow::onRunFinished(int jobId, const sp::ExecutionEvent& e, bool) {
    const Job* j = queue_->job(jobId);
    const int cached = j ? j->nodesCached : 0, computed = j ? j->nodesDone - cached : 0;
    log_->info(tr("run #%1").arg(jobId), tr("finished in %1: %2 computed, %3 from the cache")
                                             .arg(formatDuration(e.durationSeconds))
                                             .arg(computed)
                                             .arg(cached));
    if (j && !j->outputFiles.isEmpty())
        log_->info(tr("run #%1").arg(jobId), tr("wrote %1").arg(j->outputFiles.join(tr(", "))));
    statusBar()->showMessage(tr("Job #%1 finished").arg(jobId), 5000);
}

void MainWindow::onRunCancelled(int jobId, const sp::ExecutionEvent&, bool mine) {
    if (mine)
        for (const QString& id : model_->nodeIds()) {
            const auto st = model_->status(id).state;
            if (st == NodeStatus::State::Running) setNodeState(id, NodeStatus::State::Cancelled);
            if (st == NodeStatus::State::Pending) setNodeState(id, NodeStatus::State::Idle);
        }
    // The live preview of the cancelled job stops where it was and says so.
    if (preview_->mode() == PreviewPane::Mode::Latent)
        preview_->showCancelled(tr("Job #%1 cancelled").arg(jobId));
    log_->warning(tr("run #%1").arg(jobId), tr("cancelled"));
    statusBar()->showMessage(tr("Job #%1 cancelled").arg(jobId), 5000);
}

void MainWindow::onRunFailed(int jobId, const sp::ExecutionEvent& e, bool mine) {
    const QString node = QString::fromStdString(e.nodeId);
    const QStringList lines = runMessageLines(e.message);
    if (node.isEmpty()) {
        // Refused before any node ran (validation, output folder): the canvas keeps what it showed before.
        if (mine)
            for (const QString& id : model_->nodeIds()) model_->setStatus(id, statusBeforeRun_.value(id));
        for (const QString& line : lines) log_->error(tr("run #%1").arg(jobId), line);
        if (mine) banner_->showMessage(Banner::Kind::Error, tr("Job #%1 was refused").arg(jobId), lines);
    } else {
        if (mine)
            for (const QString& id : model_->nodeIds())
                if (model_->status(id).state == NodeStatus::State::Pending)
                    setNodeState(id, NodeStatus::State::Idle);
        const Job* j = queue_->job(jobId);
        const QString message = j && !j->message.isEmpty() ? j->message : lines.join(u'\n');
        if (!mine || model_->status(node).state != NodeStatus::State::Error) {
            if (mine) setNodeState(node, NodeStatus::State::Error, message);
            log_->error(nodeLabel(node, mine), message);
        }
        if (mine)
            banner_->showMessage(Banner::Kind::Error,
                                 tr("Job #%1 failed in %2").arg(jobId).arg(nodeLabel(node, mine)),
                                 runMessageLines(model_->status(node).message.toStdString()), {node});
    }
    statusBar()->showMessage(tr("Job #%1 failed").arg(jobId), 8000);
}

void MainWindow::updateRunStatus() {
    const Job* j = queue_->job(queue_->currentJob());
    if (!j) {
        runStatus_->clear();
        return;
    }
    QString text = tr("Job #%1").arg(j->id);
    if (!j->currentNode.isEmpty()) {
        const bool mine = jobGeneration_.value(j->id, -1) == generation_;
        text += QStringLiteral(" · ") +
                (mine && model_->hasNode(j->currentNode) ? model_->title(j->currentNode) : j->currentNode);
        if (j->nodeProgress.total > 0)
            text += QStringLiteral(" %1/%2").arg(j->nodeProgress.step).arg(j->nodeProgress.total);
    }
    text += tr(" · %1 %").arg(int(queue_->progress(j->id) * 100));
    const double eta = queue_->etaSeconds(j->id);
    text += tr(" · ETA %1").arg(eta >= 0 ? formatDuration(eta) : QStringLiteral("…"));
    int waiting = 0;
    for (const Job& other : queue_->jobs()) waiting += other.state == Job::State::Queued ? 1 : 0;
    if (waiting > 0) text += tr(" · %n more queued", nullptr, waiting);
    runStatus_->setText(text);
}

// ---- results in the preview pane
// --------------------------------------------------------------------------------------

void MainWindow::showDisplayable(const QString& nodeId, const Displayable& d, const QString& caption) {
    results_.insert(nodeId, d);
    const QString viewed = model_->viewedNode();
    if (!viewed.isEmpty() && viewed != nodeId) return;
    previewNode_ = nodeId;
    preview_->showFrames(d.frames, d.fps, caption);
    preview_->setFile(resultFiles_.value(nodeId));
}

void MainWindow::showResultFile(const QString& nodeId) {
    preview_->setFile(resultFiles_.value(nodeId));
}

void MainWindow::showViewedResult() {
    const QString viewed = model_->viewedNode();
    if (viewed.isEmpty() || viewed == previewNode_) return;
    previewNode_ = viewed;
    const auto it = results_.constFind(viewed);
    if (it != results_.constEnd()) {
        preview_->showFrames(it->frames, it->fps, model_->title(viewed));
        showResultFile(viewed);
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
    previewNode_.clear();
    preview_->showFrames(it->frames, it->fps, tr("Job #%1").arg(jobId));
    const Job* j = queue_->job(jobId);
    preview_->setFile(j && !j->outputFiles.isEmpty() ? j->outputFiles.first() : QString());
}

// ---- badges going stale
// ----------------------------------------------------------------------------------------------

void MainWindow::invalidateFrom(const QString& nodeId) {
    QStringList todo{nodeId}, seen;
    while (!todo.isEmpty()) {
        const QString id = todo.takeFirst();
        if (seen.contains(id) || !model_->hasNode(id)) continue;
        seen << id;
        const NodeStatus::State st = model_->status(id).state;
        // The run owns running and queued nodes; invalid marks are re-checked instead (recheckInvalid).
        const bool keep = st == NodeStatus::State::Running || st == NodeStatus::State::Pending ||
                          st == NodeStatus::State::Invalid;
        if (!keep && st != NodeStatus::State::Idle) model_->setStatus(id, NodeStatus{});
        if (st == NodeStatus::State::Running || st == NodeStatus::State::Pending) continue;
        for (const sp::GraphLink& l : doc_.outputLinks(id.toStdString())) todo << GraphModel::qs(l.to.node);
    }
}

void MainWindow::recheckInvalid() {
    QStringList marked;
    for (auto it = model_->statuses().begin(); it != model_->statuses().end(); ++it)
        if (it->state == NodeStatus::State::Invalid) marked << it.key();
    if (marked.isEmpty()) return;
    QHash<QString, QStringList> still;
    for (const sp::GraphIssue& issue : checkBeforeRun())
        still[QString::fromStdString(issue.nodeId)] << nodeIssueText(issue);
    bool any = false;
    for (const QString& id : marked) {
        if (!model_->hasNode(id)) continue;
        const QString message = still.value(id).join(u'\n');
        if (message.isEmpty()) {
            model_->setStatus(id, {});
        } else {
            any = true;
            if (message != model_->status(id).message)
                model_->setStatus(id, {NodeStatus::State::Invalid, message});
        }
    }
    if (!any && banner_->context() == QLatin1String("check")) banner_->dismiss();
}

}  // namespace sv::ui
