// JobHistory: the finished jobs of the queue kept across sessions in one JSON file (by default
// <AppDataLocation>/history.json, the newest kMaxJobs): name, state, times, message, failed node, the files
// written and the graph each one ran — so after a restart a past job can still be reopened, re-queued or its
// file revealed. Pictures are not kept: the files are.
#pragma once

#include <QList>
#include <QString>

#include "run/run_queue.h"

namespace sv::ui {

class JobHistory {
  public:
    static constexpr int kMaxJobs = 50;

    /// History in `path` ("" → <AppDataLocation>/history.json).
    explicit JobHistory(QString path = {});

    const QString& path() const { return path_; }
    /// The jobs saved, oldest first (ids are the queue's to give); unreadable entries are skipped.
    QList<Job> load() const;
    /// Keeps the finished jobs of `jobs` (the newest kMaxJobs), atomically. Returns false when it cannot
    /// write.
    bool save(const QList<Job>& jobs) const;

  private:
    QString path_;
};

}  // namespace sv::ui
