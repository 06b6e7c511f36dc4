#include "run/run_queue.h"

#include <QFileInfo>
#include <QTimer>

#include <algorithm>

#include "base/error.h"

namespace sv::ui {

double NodeProgress::fraction() const {
    return total > 0 ? std::clamp(double(step) / double(total), 0.0, 1.0) : 0.0;
}

double Job::progress() const {
    if (state == State::Finished) return 1.0;
    if (plan.isEmpty()) return 0.0;
    const double node = currentNode.isEmpty() ? 0.0 : nodeProgress.fraction();
    return std::clamp((nodesDone + node) / double(plan.size()), 0.0, 1.0);
}

QStringList runMessageLines(const std::string& message) {
    QStringList lines;
    for (QString line : QString::fromStdString(message).split(u'\n', Qt::SkipEmptyParts)) {
        for (const QString& prefix : {QStringLiteral("error: "), QStringLiteral("warning: ")})
            if (line.startsWith(prefix)) line = line.mid(prefix.size());
        lines << line;
    }
    return lines;
}

QString jobStateName(Job::State s) {
    switch (s) {
        case Job::State::Queued:
            return QObject::tr("queued");
        case Job::State::Running:
            return QObject::tr("running");
        case Job::State::Finished:
            return QObject::tr("finished");
        case Job::State::Failed:
            return QObject::tr("failed");
        case Job::State::Cancelled:
            return QObject::tr("cancelled");
    }
    return {};
}

RunQueue::RunQueue(const sp::NodeRegistry& registry, QObject* parent)
    : QObject(parent),
      registry_(registry),
      executor_(std::make_unique<sp::Executor>(registry)),
      worker_(std::make_unique<sp::ExecutorThread>(*executor_)) {
    qRegisterMetaType<sp::ExecutionEvent>();
}

RunQueue::~RunQueue() {
    // Stop and join the worker before the QObject goes: its sink posts to this object.
    worker_->cancel();
    worker_.reset();
}

int RunQueue::enqueue(const sp::GraphDocument& doc, const QString& name, const sp::RunRequest& request,
                      bool first) {
    return enqueueBatch({{doc, name}}, request, first).value(0);
}

QList<int> RunQueue::enqueueBatch(const std::vector<std::pair<sp::GraphDocument, QString>>& runs,
                                  const sp::RunRequest& request, bool first) {
    // Front of the queue = right after the running job; the runs keep their order there.
    int at = int(jobs_.size());
    if (first) {
        at = 0;
        while (at < jobs_.size() && jobs_[at].state != Job::State::Queued) ++at;
    }
    QList<int> ids;
    for (const auto& [doc, name] : runs) {
        Job job;
        job.id = nextId_++;
        job.name = name;
        job.doc = std::make_shared<const sp::GraphDocument>(doc);
        job.request = request;
        job.queuedAt = QDateTime::currentDateTime();
        ids << job.id;
        jobs_.insert(at++, std::move(job));
    }
    for (const int id : ids) emit jobAdded(id);
    startNext();
    return ids;
}

Job* RunQueue::find(int id) {
    for (Job& j : jobs_)
        if (j.id == id) return &j;
    return nullptr;
}

const Job* RunQueue::job(int id) const {
    for (const Job& j : jobs_)
        if (j.id == id) return &j;
    return nullptr;
}

void RunQueue::cancel(int jobId) {
    Job* j = find(jobId);
    if (!j) return;
    if (j->state == Job::State::Running) {
        worker_->cancel();
        return;
    }
    if (j->state == Job::State::Queued) {
        j->state = Job::State::Cancelled;
        j->message = tr("removed from the queue");
        j->finishedAt = QDateTime::currentDateTime();
        emit jobChanged(jobId);
        emit jobEnded(jobId);
    }
}

void RunQueue::cancelCurrent() {
    if (current_) cancel(current_);
}

int RunQueue::requeue(int jobId) {
    const Job* j = job(jobId);
    if (!j) return 0;
    return enqueue(*j->doc, j->name, j->request);
}

void RunQueue::addPastJobs(QList<Job> jobs) {
    QList<int> ids;
    for (int i = 0; i < jobs.size(); ++i) {
        if (!jobs[i].isDone() || !jobs[i].doc) continue;
        jobs[i].id = nextId_++;
        ids << jobs[i].id;
        jobs_.insert(int(ids.size()) - 1, std::move(jobs[i]));
    }
    for (const int id : ids) emit jobAdded(id);
}

void RunQueue::clearFinished() {
    for (int i = int(jobs_.size()) - 1; i >= 0; --i) {
        if (!jobs_[i].isDone()) continue;
        const int id = jobs_[i].id;
        jobs_.removeAt(i);
        emit jobRemoved(id);
    }
}

void RunQueue::startNext() {
    if (current_) return;
    if (worker_->isRunning()) {
        // The previous run reported its end but its thread is still returning: try again shortly.
        if (!startPending_) {
            startPending_ = true;
            QTimer::singleShot(5, this, [this] {
                startPending_ = false;
                startNext();
            });
        }
        return;
    }
    Job* next = nullptr;
    for (Job& j : jobs_)
        if (j.state == Job::State::Queued) {
            next = &j;
            break;
        }
    if (!next) return;
    next->state = Job::State::Running;
    next->startedAt = QDateTime::currentDateTime();
    current_ = next->id;
    const int id = next->id;
    // Called on the worker thread: hop to the GUI thread. Pending calls die with this object.
    sp::EventSink sink = [this, id](const sp::ExecutionEvent& e) {
        QMetaObject::invokeMethod(
            this, [this, id, e] { onEvent(id, e); }, Qt::QueuedConnection);
    };
    try {
        worker_->start(*next->doc, next->request, std::move(sink));
    } catch (const sv::Error& e) {
        next->state = Job::State::Failed;
        next->message = QString::fromUtf8(e.what());
        next->finishedAt = QDateTime::currentDateTime();
        current_ = 0;
        emit jobChanged(id);
        emit jobEnded(id);
        QTimer::singleShot(0, this, &RunQueue::startNext);
        return;
    }
    emit jobChanged(id);
    emit busyChanged(true);
}

QString RunQueue::nodeType(const Job& j, const QString& nodeId) const {
    const sp::GraphNode* n = j.doc ? j.doc->findNode(nodeId.toStdString()) : nullptr;
    return n ? QString::fromStdString(n->type) : QString();
}

void RunQueue::noteOutputs(Job& j, const sp::ExecutionEvent& e) const {
    // What output nodes return as text is where they wrote (Save Video's "path"): kept to reveal or copy.
    const sp::NodeDescriptor* d = registry_.find(e.nodeType);
    if (!d || !d->isOutput) return;
    for (const auto& [port, value] : e.outputs.entries()) {
        if (value.kind() != sp::Value::Kind::String) continue;
        const QString path = QString::fromStdString(value.toString());
        if (!path.isEmpty() && QFileInfo::exists(path) && !j.outputFiles.contains(path))
            j.outputFiles << path;
    }
}

bool RunQueue::apply(Job& j, const sp::ExecutionEvent& e) {
    using K = sp::ExecutionEvent::Kind;
    switch (e.kind) {
        case K::RunStarted:
            j.plan.clear();
            for (const std::string& n : e.nodes) j.plan << QString::fromStdString(n);
            return false;
        case K::NodeStarted:
            j.currentNode = QString::fromStdString(e.nodeId);
            j.nodeProgress = {};
            j.nodeStartedAt = QDateTime::currentDateTime();
            return false;
        case K::NodeProgress:
            j.nodeProgress = {e.step, e.total, e.etaSeconds};
            return false;
        case K::NodeCached:
        case K::NodeFinished:
            ++j.nodesDone;
            if (e.kind == K::NodeCached) ++j.nodesCached;
            if (e.kind == K::NodeFinished && e.message.empty())  // not bypassed: it ran
                typeSeconds_.insert(QString::fromStdString(e.nodeType), e.durationSeconds);
            noteOutputs(j, e);
            j.currentNode.clear();
            j.nodeProgress = {};
            return false;
        case K::NodeFailed:
            j.failedNode = QString::fromStdString(e.nodeId);
            j.message = QString::fromStdString(e.message);
            return false;
        case K::RunFinished:
            j.state = Job::State::Finished;
            return true;
        case K::RunCancelled:
            j.state = Job::State::Cancelled;
            j.message = tr("cancelled");
            return true;
        case K::RunFailed:
            j.state = Job::State::Failed;
            if (!e.nodeId.empty()) j.failedNode = QString::fromStdString(e.nodeId);
            j.message = runMessageLines(e.message).join(u'\n');
            return true;
        default:
            return false;
    }
}

void RunQueue::onEvent(int jobId, const sp::ExecutionEvent& e) {
    using K = sp::ExecutionEvent::Kind;
    Job* j = find(jobId);
    if (!j) return;
    const bool ended = apply(*j, e);
    if (ended) {
        j->currentNode.clear();
        j->finishedAt = QDateTime::currentDateTime();
        if (current_ == jobId) current_ = 0;
    }
    emit executionEvent(jobId, e);
    if (e.kind != K::NodePreview && e.kind != K::NodeLog) emit jobChanged(jobId);
    if (ended) {
        emit jobEnded(jobId);
        startNext();
        if (!current_) emit busyChanged(false);
    }
}

double RunQueue::progress(int jobId) const {
    const Job* j = job(jobId);
    if (!j) return 0.0;
    if (j->state != Job::State::Running || j->plan.isEmpty()) return j->progress();
    double total = 0.0, done = 0.0;
    for (int i = 0; i < j->plan.size(); ++i) {
        const double t = lastDuration(nodeType(*j, j->plan[i]));
        if (t < 0) return j->progress();  // a node never ran: count nodes instead
        total += t;
        if (i < j->nodesDone) done += t;
        if (i == j->nodesDone && !j->currentNode.isEmpty()) done += t * j->nodeProgress.fraction();
    }
    return total > 0 ? std::clamp(done / total, 0.0, 1.0) : j->progress();
}

double RunQueue::etaSeconds(int jobId) const {
    const Job* j = job(jobId);
    if (!j || j->state != Job::State::Running || !j->startedAt.isValid()) return -1.0;
    const QDateTime now = QDateTime::currentDateTime();
    double left = 0.0;
    bool known = true;
    int next = j->nodesDone;
    if (!j->currentNode.isEmpty()) {
        ++next;
        const double last = lastDuration(nodeType(*j, j->currentNode));
        if (j->nodeProgress.etaSeconds >= 0) {
            left += j->nodeProgress.etaSeconds;
        } else if (last >= 0) {
            left += std::max(0.0, last - j->nodeStartedAt.msecsTo(now) / 1000.0);
        } else {
            known = false;
        }
    }
    for (int i = next; i < j->plan.size() && known; ++i) {
        const double t = lastDuration(nodeType(*j, j->plan[i]));
        known = t >= 0;
        left += std::max(t, 0.0);
    }
    if (known && !j->plan.isEmpty()) return left;
    // Some node never ran in this session: extrapolate the time spent over the progress made.
    const double p = j->progress();
    if (p <= 0.02) return j->nodeProgress.etaSeconds >= 0 ? left : -1.0;
    const double elapsed = j->startedAt.msecsTo(now) / 1000.0;
    return std::max(elapsed / p * (1.0 - p), left);
}

}  // namespace sv::ui
