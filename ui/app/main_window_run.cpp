// MainWindow: running — checking the graph before it is queued (every problem at once), queueing a batch of
// runs (seed + i for run i), cancelling, and the output folder.
#include <QDateTime>
#include <QDesktopServices>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QSettings>
#include <QSpinBox>
#include <QStandardPaths>
#include <QStatusBar>
#include <QUrl>

#include "app/main_window.h"
#include "canvas/graph_model.h"
#include "panels/banner.h"
#include "panels/log_panel.h"
#include "panels/prompt_track_panel.h"
#include "run/run_queue.h"

namespace sv::ui {

namespace {

const QString kOutputDirKey = QStringLiteral("run/outputDir");

/// Every INT parameter named "seed" of `doc` moved on by `offset` (wrapping inside its range).
void offsetSeeds(sp::GraphDocument& doc, const sp::NodeRegistry& registry, int offset) {
    for (const sp::GraphNode& n : std::vector<sp::GraphNode>(doc.nodes())) {
        const sp::NodeDescriptor* d = registry.find(n.type);
        const sp::ParamSpec* spec = d ? d->findParam("seed") : nullptr;
        if (!spec || spec->type != sp::PortType::Int) continue;
        const auto it = n.params.find("seed");
        int64_t seed =
            it != n.params.end() && it->is_number_integer() ? it->get<int64_t>() : spec->defaultValue.toInt();
        seed += offset;
        const auto lo = int64_t(spec->min.value_or(0)), hi = int64_t(spec->max.value_or(9007199254740991.0));
        if (seed > hi) seed = lo + (seed - hi - 1) % (hi - lo + 1);
        doc.setParam(n.id, "seed", seed);
    }
}

QString issueText(const sp::GraphIssue& issue) {
    return QString::fromStdString(issue.message);
}

}  // namespace

QString nodeIssueText(const sp::GraphIssue& issue) {
    // Without the "node 'x' (type): " that the outline on the node already says.
    const QString text = QString::fromStdString(issue.message);
    const QString prefix =
        QStringLiteral("node '%1' (%2): ")
            .arg(QString::fromStdString(issue.nodeId), QString::fromStdString(issue.nodeType));
    return text.startsWith(prefix) ? text.mid(prefix.size()) : text;
}

QString MainWindow::outputDir() const {
    if (!outputDir_.isEmpty()) return outputDir_;
    const QString configured = QSettings().value(kOutputDirKey).toString();
    if (!configured.isEmpty()) return configured;
    QString base = QStandardPaths::writableLocation(QStandardPaths::MoviesLocation);
    if (base.isEmpty()) base = QDir::homePath();
    return base + QStringLiteral("/SanaVideo");
}

void MainWindow::setOutputDir(const QString& dir) {
    if (dir.isEmpty()) return;
    outputDir_ = QDir::cleanPath(dir);
    QSettings().setValue(kOutputDirKey, outputDir_);
    updateOutputButton();
    log_->info(tr("run"), tr("Runs write into %1").arg(outputDir_));
}

void MainWindow::chooseOutputDir() {
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Output folder"), outputDir());
    setOutputDir(dir);
}

bool MainWindow::reveal(const QString& path) {
    const QFileInfo info(path);
    const QString folder = info.isDir() ? info.absoluteFilePath() : info.absolutePath();
    if (!QFileInfo::exists(folder)) {
        statusBar()->showMessage(tr("%1 does not exist yet").arg(folder), 5000);
        return false;
    }
    const QUrl url = QUrl::fromLocalFile(folder);
    return options_.openUrl ? options_.openUrl(url) : QDesktopServices::openUrl(url);
}

int MainWindow::batchCount() const {
    return batch_->value();
}

void MainWindow::setBatchCount(int count) {
    batch_->setValue(count);
}

std::vector<sp::GraphIssue> MainWindow::checkBeforeRun() const {
    std::vector<sp::GraphIssue> problems = queue_->executor().issuesForRun(doc_, {});
    std::erase_if(problems, [](const sp::GraphIssue& issue) { return !issue.isError(); });
    return problems;
}

void MainWindow::showProblems(const std::vector<sp::GraphIssue>& issues) {
    QStringList lines, nodes;
    QHash<QString, QStringList> perNode;
    for (const sp::GraphIssue& issue : issues) {
        lines << issueText(issue);
        log_->error(tr("check"), issueText(issue));
        const QString node = QString::fromStdString(issue.nodeId);
        if (node.isEmpty() || !model_->hasNode(node)) continue;
        if (!nodes.contains(node)) nodes << node;
        perNode[node] << nodeIssueText(issue);
    }
    for (auto it = perNode.begin(); it != perNode.end(); ++it)
        model_->setStatus(it.key(), {NodeStatus::State::Invalid, it.value().join(u'\n')});
    banner_->showMessage(Banner::Kind::Error,
                         tr("Not queued: %n problem(s) to fix first", nullptr, int(issues.size())), lines,
                         nodes, QStringLiteral("check"));
    statusBar()->showMessage(tr("Not queued: the graph has problems (see the banner)"), 8000);
}

int MainWindow::runGraph(bool first) {
    if (doc_.nodes().empty()) {
        statusBar()->showMessage(tr("Nothing to run: the graph is empty"), 5000);
        return 0;
    }
    // Marks of an earlier check go; every problem found now is listed at once, and nothing is queued.
    for (const QString& id : model_->nodeIds())
        if (model_->status(id).state == NodeStatus::State::Invalid) model_->setStatus(id, {});
    const std::vector<sp::GraphIssue> problems = checkBeforeRun();
    if (!problems.empty()) {
        showProblems(problems);
        return 0;
    }
    banner_->dismiss();
    return enqueueBatch(first);
}

int MainWindow::enqueueBatch(bool first) {
    const int count = batchCount();
    const QString base = file_.isEmpty() ? tr("untitled") : QFileInfo(file_).completeBaseName();
    sp::RunRequest request;
    request.outputDir = outputDir().toStdString();
    std::vector<std::pair<sp::GraphDocument, QString>> runs;
    const QString stamp = QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-hhmmss-zzz"));
    for (int i = 0; i < count; ++i) {
        sp::GraphDocument doc = doc_;  // a copy notifies nobody
        if (i > 0) offsetSeeds(doc, registry_, i);
        // Long-video nodes get a prompt file of their own, so the prompt track steers them while they run.
        const QString tag = count > 1 ? QStringLiteral("%1_run%2").arg(stamp).arg(i + 1) : stamp;
        for (const QString& problem : promptTrack_->attachPromptFiles(doc, outputDir(), tag))
            log_->warning(tr("run"),
                          tr("The prompt track cannot change this run while it renders: %1").arg(problem));
        runs.emplace_back(std::move(doc),
                          count > 1 ? tr("%1 (%2/%3)").arg(base).arg(i + 1).arg(count) : base);
    }
    // Registered before any of them can start: their events badge this document.
    const QList<int> ids = queue_->enqueueBatch(runs, request, first);
    for (const int id : ids) jobGeneration_.insert(id, generation_);
    const QString where = first ? tr(" at the front") : QString();
    if (count > 1) {
        log_->info(tr("run"), tr("Queued %1 runs of %2 (jobs #%3–#%4, seed +0 … +%5)%6")
                                  .arg(count)
                                  .arg(base)
                                  .arg(ids.first())
                                  .arg(ids.last())
                                  .arg(count - 1)
                                  .arg(where));
    } else {
        log_->info(tr("run"), tr("Queued job #%1 (%2)%3").arg(ids.first()).arg(base, where));
    }
    return ids.first();
}

void MainWindow::cancelRun() {
    if (!queue_->isBusy()) return;
    const int job = queue_->currentJob();
    queue_->cancelCurrent();
    log_->warning(tr("run"), tr("Cancelling job #%1…").arg(job));
}

}  // namespace sv::ui
