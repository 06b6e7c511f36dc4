#include "plugin/exec/events.h"

#include <cmath>

#include "base/error.h"

namespace sv::plugin {

namespace {
std::string seconds(double s) {
    if (s < 0) return "?";
    if (s < 10) return concat(std::round(s * 10) / 10, " s");
    if (s < 120) return concat(int64_t(std::lround(s)), " s");
    int64_t t = std::lround(s);
    return concat(t / 60, " min ", t % 60, " s");
}

std::string describeUnsanitized(const ExecutionEvent& e) {
    using K = ExecutionEvent::Kind;
    const std::string who = concat("[", excerpt(e.nodeId, 60), "]");
    switch (e.kind) {
        case K::RunStarted:
            return concat("run ", e.runId, " started: ", e.nodes.size(), " node(s)");
        case K::NodeStarted:
            return concat(who, " started (", e.nodeType, ", ", e.index + 1, "/", e.count, ")");
        case K::NodeProgress:
            return concat(who, " step ", e.step, "/", e.total,
                          e.etaSeconds >= 0 ? ", ETA " + seconds(e.etaSeconds) : "");
        case K::NodePreview: {
            // "[sampler] preview step 3/20: 21 frames of 104x60" (never the pixels).
            std::string text = concat(who, " preview");
            if (e.step > 0) text += concat(" step ", e.step, "/", e.total);
            if (!e.image) return text;
            const int n = e.image->frameCount;
            return concat(text, ": ", n, n == 1 ? " frame of " : " frames of ", e.image->width, "x",
                          e.image->height);
        }
        case K::NodeDisplay:
            return concat(who, " display ", e.value.describe());
        case K::NodeLog:
            return concat(who, " ", logLevelName(e.level), ": ", e.message);
        case K::NodeCached:
            return concat(who, " cached (", e.nodeType, ", ", e.index + 1, "/", e.count, ")");
        case K::NodeFinished:
            if (!e.message.empty()) return concat(who, " ", e.message);
            return concat(who, " finished in ", seconds(e.durationSeconds));
        case K::NodeFailed:
            return concat(who, " failed: ", e.message);
        case K::RunFinished:
            return concat("run ", e.runId, " finished in ", seconds(e.durationSeconds));
        case K::RunCancelled:
            return concat("run ", e.runId, " cancelled", e.nodeId.empty() ? "" : " during " + who);
        case K::RunFailed:
            return concat("run ", e.runId, " failed: ", e.message);
    }
    return "?";
}

}  // namespace

std::string describeEvent(const ExecutionEvent& e) {
    // Log lines and messages quote file names and parameters: no control character reaches a terminal.
    return sanitizeMessage(describeUnsanitized(e));
}

EventSink EventQueue::sink() {
    return [this](const ExecutionEvent& e) { push(e); };
}

void EventQueue::push(ExecutionEvent e) {
    {
        std::lock_guard lock(mutex_);
        queue_.push_back(std::move(e));
    }
    cv_.notify_all();
}

std::vector<ExecutionEvent> EventQueue::poll() {
    std::lock_guard lock(mutex_);
    std::vector<ExecutionEvent> out(std::make_move_iterator(queue_.begin()),
                                    std::make_move_iterator(queue_.end()));
    queue_.clear();
    return out;
}

std::optional<ExecutionEvent> EventQueue::waitNext(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    if (!cv_.wait_for(lock, timeout, [&] { return !queue_.empty(); })) return std::nullopt;
    ExecutionEvent e = std::move(queue_.front());
    queue_.pop_front();
    return e;
}

size_t EventQueue::size() const {
    std::lock_guard lock(mutex_);
    return queue_.size();
}

}  // namespace sv::plugin
