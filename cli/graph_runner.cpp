#ifdef SV_CLI_WITH_PLUGIN
#include "graph_runner.h"

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <iterator>
#include <string>

#include "plugin/exec/executor_thread.h"

namespace sv::cli {

using namespace sv::plugin;

namespace {

// The one piece of process-global state: the signal that arrived, set by the handler (async-signal-safe,
// lock-free atomic) and read by the thread that cancels the run.
std::atomic<int> gSignal{0};
static_assert(std::atomic<int>::is_always_lock_free);

constexpr int kCancelSignals[] = {SIGINT, SIGTERM, SIGHUP};

extern "C" void onCancelSignal(int sig) {
    gSignal.store(sig);
    std::signal(sig, SIG_DFL);  // a second signal of the same kind kills at once
}

bool printable(const ExecutionEvent& e) {
    using K = ExecutionEvent::Kind;
    return e.kind != K::NodePreview && e.kind != K::NodeDisplay && e.kind != K::RunFailed;
}

void printIndented(const std::string& text) {
    size_t start = 0;
    while (start < text.size()) {
        size_t end = text.find('\n', start);
        if (end == std::string::npos) end = text.size();
        std::fprintf(stderr, "  %s\n", text.substr(start, end - start).c_str());
        start = end + 1;
    }
}

}  // namespace

CancelSignals::CancelSignals() {
    static_assert(std::size(kCancelSignals) == std::size(decltype(previous_){}));
    gSignal.store(0);
    for (size_t i = 0; i < std::size(kCancelSignals); ++i)
        previous_[i] = std::signal(kCancelSignals[i], onCancelSignal);
}

CancelSignals::~CancelSignals() {
    for (size_t i = 0; i < std::size(kCancelSignals); ++i)
        std::signal(kCancelSignals[i], previous_[i] == SIG_ERR ? SIG_DFL : previous_[i]);
}

bool CancelSignals::requested() const {
    return gSignal.load() != 0;
}

int CancelSignals::signal() const {
    return gSignal.load();
}

RunResult runGraphWithProgress(Executor& executor, const GraphDocument& doc, const RunRequest& request,
                               const CancelSignals& signals, std::string_view cmd,
                               const EventSink& extraSink) {
    EventQueue events;
    EventSink sink = events.sink();
    if (extraSink) {
        sink = [queueSink = std::move(sink), &extraSink](const ExecutionEvent& e) {
            extraSink(e);
            queueSink(e);
        };
    }
    ExecutorThread worker(executor);
    worker.start(doc, request, sink);
    bool cancelSent = false;
    while (worker.isRunning() || events.size() > 0) {
        if (signals.requested() && !cancelSent) {
            std::fprintf(stderr, "sanavideo %.*s: interrupted, cancelling...\n", int(cmd.size()), cmd.data());
            worker.cancel();
            cancelSent = true;
        }
        auto e = events.waitNext(std::chrono::milliseconds(50));
        if (e && printable(*e)) std::fprintf(stderr, "%s\n", describeEvent(*e).c_str());
    }
    return worker.wait();
}

int reportRunResult(const RunResult& result, std::string_view cmdView,
                    const std::filesystem::path& graphPath) {
    const std::string cmd(cmdView);
    for (const auto& issue : result.issues)
        if (!issue.isError())
            std::fprintf(stderr, "sanavideo %s: warning: %s\n", cmd.c_str(), issue.message.c_str());
    switch (result.status) {
        case RunResult::Status::Finished:
            std::fprintf(stderr, "sanavideo %s: done in %.1f s (%zu node(s) run, %zu cached)\n", cmd.c_str(),
                         result.durationSeconds, result.evaluated.size(), result.cached.size());
            return 0;
        case RunResult::Status::Cancelled:
            std::fprintf(stderr, "sanavideo %s: cancelled\n", cmd.c_str());
            return 130;
        case RunResult::Status::Invalid:
            std::fprintf(stderr, "sanavideo %s: the graph %s is invalid:\n", cmd.c_str(),
                         graphPath.string().c_str());
            printIndented(result.message);
            return 1;
        case RunResult::Status::Failed:
            if (result.failedNode.empty())
                std::fprintf(stderr, "sanavideo %s: error: %s\n", cmd.c_str(), result.message.c_str());
            else
                std::fprintf(stderr, "sanavideo %s: error: node '%s' failed: %s\n", cmd.c_str(),
                             result.failedNode.c_str(), result.message.c_str());
            return 1;
    }
    return 1;
}

}  // namespace sv::cli
#endif  // SV_CLI_WITH_PLUGIN
