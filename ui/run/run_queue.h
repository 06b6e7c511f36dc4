// RunQueue: the editor's render queue. Jobs are snapshots of the document (edits made later do not affect
// them), run one at a time by the SDK's Executor on a worker thread. Executor events travel to the GUI thread
// through queued calls, so the window never waits; the queue keeps per-job progress (node k of N, step,
// overall fraction, ETA) and re-emits every event for the panels (canvas badges, preview, log).
#pragma once

#include <QDateTime>
#include <QList>
#include <QObject>
#include <QString>
#include <QStringList>

#include <filesystem>
#include <memory>

#include "plugin/exec/executor.h"
#include "plugin/exec/executor_thread.h"

namespace sv::ui {

namespace sp = sv::plugin;

struct Job {
    enum class State : quint8 { Queued, Running, Finished, Failed, Cancelled };
    int id = 0;
    QString name;
    State state = State::Queued;
    std::shared_ptr<const sp::GraphDocument> doc;
    sp::RunRequest request;

    QStringList plan;       ///< node ids in evaluation order (from runStarted)
    int nodesDone = 0;      ///< finished or cached nodes
    QString currentNode;    ///< the running node ("" between nodes)
    qint64 step = 0;        ///< the running node's step
    qint64 steps = 0;       ///< the running node's step count (0: unknown)
    double nodeEta = -1.0;  ///< seconds left in the running node (< 0: unknown)
    QString message;        ///< error or cancellation text
    QString failedNode;
    QDateTime queuedAt, startedAt, finishedAt;

    /// Overall progress in [0, 1]: finished nodes plus the running node's fraction.
    double progress() const;
    /// Seconds left for the whole job, extrapolated from the time spent (< 0 while unknown).
    double etaSeconds() const;
    bool isDone() const {
        return state == State::Finished || state == State::Failed || state == State::Cancelled;
    }
};

QString jobStateName(Job::State s);

class RunQueue : public QObject {
    Q_OBJECT
  public:
    explicit RunQueue(const sp::NodeRegistry& registry, QObject* parent = nullptr);
    ~RunQueue() override;

    /// Queues a snapshot of `doc` (at the front when `first`). Returns the job id.
    int enqueue(const sp::GraphDocument& doc, const QString& name, const sp::RunRequest& request,
                bool first = false);
    /// Stops the running job (within one node step) or removes a queued one.
    void cancel(int jobId);
    /// Stops the running job, if any.
    void cancelCurrent();
    /// Re-queues a finished job's snapshot; returns the new id (0 when unknown).
    int requeue(int jobId);
    /// Forgets finished jobs.
    void clearFinished();

    const QList<Job>& jobs() const { return jobs_; }
    const Job* job(int id) const;
    /// The running job's id, 0 when idle.
    int currentJob() const { return current_; }
    bool isBusy() const { return current_ != 0; }
    sp::Executor& executor() { return *executor_; }

  signals:
    void jobAdded(int jobId);
    void jobChanged(int jobId);
    void jobRemoved(int jobId);
    /// Every executor event of a job, on the GUI thread, in order.
    void executionEvent(int jobId, const sp::ExecutionEvent& event);
    /// A job ended (finished, failed or cancelled).
    void jobEnded(int jobId);
    /// The queue became idle or busy.
    void busyChanged(bool busy);

  private:
    void startNext();
    void onEvent(int jobId, const sp::ExecutionEvent& event);
    Job* find(int id);

    std::unique_ptr<sp::Executor> executor_;
    std::unique_ptr<sp::ExecutorThread> worker_;
    QList<Job> jobs_;
    int nextId_ = 1;
    int current_ = 0;
    bool startPending_ = false;
};

}  // namespace sv::ui

Q_DECLARE_METATYPE(sv::plugin::ExecutionEvent)
