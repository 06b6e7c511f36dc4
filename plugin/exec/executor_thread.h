// Running an Executor on a worker thread.
#pragma once

#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>

#include "plugin/exec/executor.h"

namespace sv::plugin {

/// One run at a time on a std::jthread. Events reach `sink` on the worker thread. The destructor cancels and
/// joins.
///
///   ExecutorThread worker(executor);
///   worker.start(doc, {}, queue.sink());   // doc is copied: edits made meanwhile do not affect the run
///   ...
///   worker.cancel();                        // returns at once; the run ends within one node step
///   RunResult r = worker.wait();
class ExecutorThread {
  public:
    explicit ExecutorThread(Executor& executor);
    ~ExecutorThread();
    ExecutorThread(const ExecutorThread&) = delete;
    ExecutorThread& operator=(const ExecutorThread&) = delete;

    /// Starts a run of a copy of `doc`. Throws sv::Error when a run is still in progress (wait() for it
    /// first). A finished previous run's result is discarded.
    void start(GraphDocument doc, RunRequest request, EventSink sink = {});
    /// Asks the current run to stop (no-op when idle).
    void cancel();
    /// Blocks until the current run ended and returns its result (the last result again when idle; a default
    /// "failed" result when nothing ever ran).
    RunResult wait();
    /// True between start() and the end of that run.
    bool isRunning() const;

  private:
    Executor& executor_;
    std::jthread thread_;
    mutable std::mutex mutex_;
    std::condition_variable done_;
    bool running_ = false;
    std::optional<RunResult> result_;
};

}  // namespace sv::plugin
