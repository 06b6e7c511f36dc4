#include "plugin/exec/executor_thread.h"

namespace sv::plugin {

ExecutorThread::ExecutorThread(Executor& executor) : executor_(executor) {}

ExecutorThread::~ExecutorThread() {
    if (thread_.joinable()) {
        thread_.request_stop();
        thread_.join();
    }
}

void ExecutorThread::start(GraphDocument doc, RunRequest request, EventSink sink) {
    {
        std::lock_guard lock(mutex_);
        SV_CHECK(!running_, "a run is still in progress");
        running_ = true;
        result_.reset();
    }
    if (thread_.joinable()) thread_.join();  // the previous run has ended; reap its thread
    thread_ = std::jthread([this, doc = std::move(doc), request = std::move(request),
                            sink = std::move(sink)](std::stop_token stop) {
        RunResult r;
        try {
            r = executor_.run(doc, request, sink, stop);
        } catch (const std::exception& e) {
            r.status = RunResult::Status::Failed;
            r.message = describeException(e);
        } catch (...) {  // plugin code may throw anything; it must not terminate the host
            r.status = RunResult::Status::Failed;
            r.message = "unknown exception (not a std::exception) during the run";
        }
        {
            std::lock_guard lock(mutex_);
            result_ = std::move(r);
            running_ = false;
        }
        done_.notify_all();
    });
}

void ExecutorThread::cancel() {
    std::lock_guard lock(mutex_);
    if (running_) thread_.request_stop();
}

RunResult ExecutorThread::wait() {
    std::unique_lock lock(mutex_);
    done_.wait(lock, [&] { return !running_; });
    if (result_) return *result_;
    RunResult none;
    none.message = "nothing was run";
    return none;
}

bool ExecutorThread::isRunning() const {
    std::lock_guard lock(mutex_);
    return running_;
}

}  // namespace sv::plugin
