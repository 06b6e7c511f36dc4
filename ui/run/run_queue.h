// RunQueue: the editor's render queue. Jobs are snapshots of the document (edits made later do not affect
// them), run one at a time by the SDK's Executor on a worker thread. Executor events travel to the GUI thread
// through queued calls, so the window never waits; the queue keeps per-job progress (node k of N, the running
// node's step, overall fraction, ETA, files written) and re-emits every event for the panels (canvas badges,
// preview, log).
//
// Job::nodeProgress is the editor's one copy of per-node progress: the canvas badge, the queue row and the
// status bar all read it.
#pragma once

#include <QDateTime>
#include <QHash>
#include <QList>
#include <QObject>
#include <QString>
#include <QStringList>

#include <filesystem>
#include <memory>
#include <utility>
#include <vector>

#include "plugin/exec/executor.h"
#include "plugin/exec/executor_thread.h"

namespace sv::ui {

namespace sp = sv::plugin;

/// Progress of the running node of a job.
struct NodeProgress {
    qint64 step = 0;
    qint64 total = 0;          ///< 0: unknown
    double etaSeconds = -1.0;  ///< seconds left in the node (< 0: unknown)
    /// step / total in [0, 1] (0 while unknown).
    double fraction() const;
};

struct Job {
    enum class State : quint8 { Queued, Running, Finished, Failed, Cancelled };
    int id = 0;
    QString name;
    State state = State::Queued;
    std::shared_ptr<const sp::GraphDocument> doc;
    sp::RunRequest request;

    QStringList plan;           ///< node ids in evaluation order (from runStarted)
    int nodesDone = 0;          ///< finished or cached nodes (plan[nodesDone] runs next)
    int nodesCached = 0;        ///< of which served from the cache
    QString currentNode;        ///< the running node ("" between nodes)
    NodeProgress nodeProgress;  ///< the running node's progress
    QDateTime nodeStartedAt;    ///< when the running node started
    QStringList outputFiles;    ///< files and folders written by output nodes (their STRING outputs)
    QString message;            ///< error or cancellation text
    QString failedNode;
    QDateTime queuedAt, startedAt, finishedAt;

    /// Overall progress in [0, 1] by node count: finished nodes plus the running node's fraction.
    double progress() const;
    bool isDone() const {
        return state == State::Finished || state == State::Failed || state == State::Cancelled;
    }
};

QString jobStateName(Job::State s);
/// The lines of an executor message without the "error: " / "warning: " that formatIssues puts in front of
/// each (the log, the banner and the queue say it is an error already).
QStringList runMessageLines(const std::string& message);

class RunQueue : public QObject {
    Q_OBJECT
  public:
    explicit RunQueue(const sp::NodeRegistry& registry, QObject* parent = nullptr);
    ~RunQueue() override;

    /// Queues a snapshot of `doc` (at the front when `first`). Returns the job id.
    int enqueue(const sp::GraphDocument& doc, const QString& name, const sp::RunRequest& request,
                bool first = false);
    /// Queues several snapshots (with their job names) one after the other, at the end or at the front;
    /// returns their ids in that order.
    QList<int> enqueueBatch(const std::vector<std::pair<sp::GraphDocument, QString>>& runs,
                            const sp::RunRequest& request, bool first = false);
    /// Stops the running job (within one node step) or removes a queued one.
    void cancel(int jobId);
    /// Stops the running job, if any.
    void cancelCurrent();
    /// Re-queues a finished job's snapshot; returns the new id (0 when unknown).
    int requeue(int jobId);
    /// Forgets finished jobs.
    void clearFinished();
    /// Adds finished jobs of an earlier session (JobHistory), before the others, with ids of this queue.
    void addPastJobs(QList<Job> jobs);

    const QList<Job>& jobs() const { return jobs_; }
    const Job* job(int id) const;
    /// The running job's id, 0 when idle.
    int currentJob() const { return current_; }
    bool isBusy() const { return current_ != 0; }
    sp::Executor& executor() { return *executor_; }

    /// Seconds left for the whole running job (< 0 while unknown, and for jobs not running): the running
    /// node's ETA plus what each node still to come took when it last ran (by node type), else an
    /// extrapolation of the time spent over the progress made.
    double etaSeconds(int jobId) const;
    /// Overall progress of a job in [0, 1], weighted by what each planned node took when it last ran when
    /// that is known for all of them, else by node count (Job::progress).
    double progress(int jobId) const;
    /// How long nodes of a type took when they last ran (< 0: never ran in this session).
    double lastDuration(const QString& nodeType) const { return typeSeconds_.value(nodeType, -1.0); }

  signals:
    void jobAdded(int jobId);
    void jobChanged(int jobId);
    void jobRemoved(int jobId);
    /// Every executor event of a job, on the GUI thread, in order (after the job's fields were updated).
    void executionEvent(int jobId, const sp::ExecutionEvent& event);
    /// A job ended (finished, failed or cancelled).
    void jobEnded(int jobId);
    /// The queue became idle or busy.
    void busyChanged(bool busy);

  private:
    void startNext();
    void onEvent(int jobId, const sp::ExecutionEvent& event);
    /// Updates `j` for a node event; returns whether the job ended.
    bool apply(Job& j, const sp::ExecutionEvent& e);
    void noteOutputs(Job& j, const sp::ExecutionEvent& e) const;
    QString nodeType(const Job& j, const QString& nodeId) const;
    Job* find(int id);

    const sp::NodeRegistry& registry_;
    std::unique_ptr<sp::Executor> executor_;
    std::unique_ptr<sp::ExecutorThread> worker_;
    QList<Job> jobs_;
    QHash<QString, double> typeSeconds_;  // node type → seconds its last evaluation took
    int nextId_ = 1;
    int current_ = 0;
    bool startPending_ = false;
};

}  // namespace sv::ui

Q_DECLARE_METATYPE(sv::plugin::ExecutionEvent)
