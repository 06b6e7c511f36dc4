// FarmMonitor: the farm jobs the editor follows (those submitted from it, and the newest ones under the job
// root) with their per-task state, refreshed every few seconds. Asking the manager (squeue, sacct) and
// reading the job folders happens on a worker thread, so a slow cluster never stalls the window; results
// arrive on the GUI thread with updated().
#pragma once

#include <QObject>
#include <QString>
#include <QStringList>

#include <atomic>
#include <thread>
#include <vector>

#include "plugin/farm/job_status.h"

class QTimer;

namespace sv::ui {

class FarmMonitor : public QObject {
    Q_OBJECT
  public:
    explicit FarmMonitor(QObject* parent = nullptr);
    ~FarmMonitor() override;

    /// The job root whose newest jobs (at most `maxListed`) are shown besides the followed ones.
    void setJobRoot(const QString& root, int maxListed = 20);
    /// Follows a job folder (submitted from here) and refreshes.
    void follow(const QString& jobDir);
    /// Milliseconds between refreshes (default 3000); 0 stops the timer.
    void setInterval(int ms);
    /// Starts a refresh now unless one is running.
    void refresh();
    /// Whether a refresh is running.
    bool isRefreshing() const { return busy_.load(); }

    /// The state of every followed job, newest first, as of the last refresh.
    const std::vector<farm::JobStatus>& jobs() const { return jobs_; }
    const farm::JobStatus* job(const QString& id) const;

    /// Stops a job's active tasks, or one task (-1: all). Returns the error ("" when done). Refreshes.
    QString cancel(const QString& jobDir, int task = -1);
    /// Submits again the job's unfinished ended tasks, or one task. Returns a message for the log ("" when
    /// nothing needed it), or the error prefixed with "error: ". Refreshes.
    QString resubmit(const QString& jobDir, int task = -1);

  signals:
    /// New states arrived (GUI thread).
    void updated();

  private:
    void joinWorker();

    QTimer* timer_ = nullptr;
    QString root_;
    int maxListed_ = 20;
    QStringList followed_;
    std::vector<farm::JobStatus> jobs_;
    std::jthread worker_;
    std::atomic<bool> busy_{false};
};

}  // namespace sv::ui
