// PromptTrackPanel while a job renders: the prompt files given to runs at queue time, the state of the
// running node from the executor's events, and the atomic rewrites of its file when the track changes (see
// prompt_track_panel.h for the design).
#include <QDir>
#include <QFile>

#include "app/graph_editor.h"
#include "canvas/graph_model.h"
#include "panels/prompt_track_panel.h"
#include "plugin/graph/graph_document.h"
#include "plugin/sdk/node_registry.h"
#include "run/run_queue.h"

namespace sv::ui {

namespace {

QString promptFileOf(const sp::GraphDocument& doc, const sp::NodeRegistry& registry, const std::string& id) {
    const sp::GraphNode* n = doc.findNode(id);
    const sp::NodeDescriptor* d = n ? registry.find(n->type) : nullptr;
    if (!d || !hasPromptTrack(*d)) return {};
    const auto it = n->params.find("prompt_file");
    return it != n->params.end() && it->is_string() ? QString::fromStdString(it->get<std::string>())
                                                    : QString();  // the default: none
}

std::optional<PromptRows> readRows(const QString& path) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) return std::nullopt;
    return parsePromptRows(QString::fromUtf8(f.readAll()));
}

}  // namespace

QStringList PromptTrackPanel::attachPromptFiles(sp::GraphDocument& run, const QString& outputDir,
                                                const QString& tag) {
    const sp::NodeRegistry& registry = editor_.model().registry();
    QStringList problems;
    for (const sp::GraphNode& n : std::vector<sp::GraphNode>(run.nodes())) {
        const sp::NodeDescriptor* d = registry.find(n.type);
        if (!d || !hasPromptTrack(*d) || n.bypass || !promptFileOf(run, registry, n.id).isEmpty()) continue;
        const QString id = QString::fromStdString(n.id);
        const PromptRows rows = effectiveRows(run, registry, id);
        if (rows.isEmpty()) continue;  // a prompt the node refuses: it says why when it runs
        const QString folder = QDir(outputDir).filePath(QStringLiteral("prompt_tracks"));
        const QString path = QDir(folder).filePath(QStringLiteral("%1_%2.txt").arg(tag, id));
        QString error;
        if (!QDir().mkpath(folder)) {
            problems << tr("cannot create %1").arg(folder);
        } else if (writeFileAtomically(path, promptRowsText(rows).toUtf8(), &error)) {
            run.setParam(n.id, "prompt_file", path.toStdString());
            ownFiles_.insert(path);
        } else {
            problems << error;
        }
    }
    return problems;
}

void PromptTrackPanel::onExecutionEvent(int jobId, const sp::ExecutionEvent& e, bool mine) {
    using K = sp::ExecutionEvent::Kind;
    if (!mine) return;
    const QString id = QString::fromStdString(e.nodeId);
    switch (e.kind) {
        case K::NodeStarted:
            startLive(jobId, id);
            break;
        case K::NodeProgress:
            if (!live_.contains(id)) return;
            live_[id].done = e.step, live_[id].total = e.total;
            break;
        case K::NodeFinished:
        case K::NodeFailed:
        case K::NodeCached:
            live_.remove(id);
            break;
        case K::RunFinished:
        case K::RunCancelled:
        case K::RunFailed:
            live_.removeIf([jobId](const auto& it) { return it.value().job == jobId; });
            break;
        default:
            return;
    }
    if (id == node_ || e.kind != K::NodeProgress) refresh();
}

void PromptTrackPanel::startLive(int jobId, const QString& nodeId) {
    const Job* job = queue_.job(jobId);
    if (!job || !job->doc) return;
    const sp::NodeRegistry& registry = editor_.model().registry();
    LiveRun l;
    l.job = jobId;
    l.file = promptFileOf(*job->doc, registry, nodeId.toStdString());
    if (l.file.isEmpty()) return;  // no file to steer it by: its track is fixed for this run
    l.ours = ownFiles_.contains(l.file);
    l.fileRows = readRows(l.file).value_or(effectiveRows(*job->doc, registry, nodeId));
    live_.insert(nodeId, l);
    // Changes made between queueing and now reach the chunks after the first.
    if (l.ours && editor_.model().hasNode(nodeId)) syncLiveFile(nodeId);
}

bool PromptTrackPanel::syncLiveFile(const QString& nodeId) {
    const auto it = live_.find(nodeId);
    if (it == live_.end() || !it->ours) return true;  // the user's own file is theirs to edit
    LiveRun& l = *it;
    // The chunks up to the rendering one keep the prompts they used; the document decides the rest.
    PromptRows rows;
    for (const PromptRow& r : l.fileRows)
        if (r.chunk <= l.done) rows.append(r);
    for (const PromptRow& r : effectiveRows(editor_.model().document(), editor_.model().registry(), nodeId))
        if (r.chunk > l.done) rows.append(r);
    if (rows == l.fileRows) return true;
    QString why;
    if (!writeFileAtomically(l.file, promptRowsText(rows).toUtf8(), &why)) {
        error_ =
            tr("Not sent to the render: %1. The change is kept in the graph; Retry sends it again.").arg(why);
        refresh();
        return false;
    }
    l.fileRows = rows;
    if (error_.startsWith(tr("Not sent"))) error_.clear();
    refresh();
    return true;
}

bool PromptTrackPanel::retryWrite() {
    return syncLiveFile(node_);
}

}  // namespace sv::ui
