#include "run/run_queue.h"

#include <QTimer>

#include <algorithm>

#include "base/error.h"

namespace sv::ui {

double Job::progress() const {
    if (state == State::Finished) return 1.0;
    if (plan.isEmpty()) return 0.0;
    double node = 0.0;
    if (!currentNode.isEmpty() && steps > 0) node = std::clamp(double(step) / double(steps), 0.0, 1.0);
    return std::clamp((nodesDone + node) / plan.size(), 0.0, 1.0);
}

double Job::etaSeconds() const {
    if (state != State::Running || !startedAt.isValid()) return -1.0;
    const double p = progress();
    if (p <= 0.02) return nodeEta;
    const double elapsed = startedAt.msecsTo(QDateTime::currentDateTime()) / 1000.0;
    const double overall = elapsed / p * (1.0 - p);
    return nodeEta >= 0 ? std::max(overall, nodeEta) : overall;
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
    Job job;
    job.id = nextId_++;
    job.name = name;
    job.doc = std::make_shared<const sp::GraphDocument>(doc);
    job.request = request;
    job.queuedAt = QDateTime::currentDateTime();
    // Front of the queue = right after the running job.
    int at = int(jobs_.size());
    if (first) {
        at = 0;
        while (at < jobs_.size() && jobs_[at].state != Job::State::Queued) ++at;
    }
    jobs_.insert(at, std::move(job));
    const int id = jobs_[at].id;
    emit jobAdded(id);
    startNext();
    return id;
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

void RunQueue::onEvent(int jobId, const sp::ExecutionEvent& e) {
    using K = sp::ExecutionEvent::Kind;
    Job* j = find(jobId);
    if (!j) return;
    bool ended = false;
    switch (e.kind) {
        case K::RunStarted:
            j->plan.clear();
            for (const std::string& n : e.nodes) j->plan << QString::fromStdString(n);
            break;
        case K::NodeStarted:
            j->currentNode = QString::fromStdString(e.nodeId);
            j->step = j->steps = 0;
            j->nodeEta = -1.0;
            break;
        case K::NodeProgress:
            j->step = e.step;
            j->steps = e.total;
            j->nodeEta = e.etaSeconds;
            break;
        case K::NodeCached:
        case K::NodeFinished:
            ++j->nodesDone;
            j->currentNode.clear();
            j->step = j->steps = 0;
            j->nodeEta = -1.0;
            break;
        case K::NodeFailed:
            j->failedNode = QString::fromStdString(e.nodeId);
            j->message = QString::fromStdString(e.message);
            break;
        case K::RunFinished:
            j->state = Job::State::Finished;
            ended = true;
            break;
        case K::RunCancelled:
            j->state = Job::State::Cancelled;
            j->message = tr("cancelled");
            ended = true;
            break;
        case K::RunFailed:
            j->state = Job::State::Failed;
            if (!e.nodeId.empty()) j->failedNode = QString::fromStdString(e.nodeId);
            j->message = QString::fromStdString(e.message);
            ended = true;
            break;
        default:
            break;
    }
    emit executionEvent(jobId, e);
    if (e.kind != K::NodePreview && e.kind != K::NodeLog) emit jobChanged(jobId);
    if (ended) {
        j->currentNode.clear();
        j->finishedAt = QDateTime::currentDateTime();
        if (current_ == jobId) current_ = 0;
        emit jobChanged(jobId);
        emit jobEnded(jobId);
        startNext();
        if (!current_) emit busyChanged(false);
    }
}

}  // namespace sv::ui
