// Execution events and a thread-safe queue for them.
//
// The executor calls an EventSink from its worker thread, synchronously, in order. A sink must be quick and
// thread-safe; the UI wraps it into a Qt queued connection, tests and simple clients use EventQueue and poll.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "plugin/sdk/node.h"
#include "plugin/sdk/value.h"
#include "plugin/sdk/value_map.h"

namespace sv::plugin {

struct ExecutionEvent {
    enum class Kind : uint8_t {
        RunStarted,    ///< nodes: the planned nodes in evaluation order
        NodeStarted,   ///< nodeId, nodeType, index/count (position in the plan)
        NodeProgress,  ///< step, total, etaSeconds (< 0 while unknown)
        NodePreview,   ///< image (frameCount pictures), step/total: the step it shows (0 while unknown)
        NodeDisplay,  ///< value (a node asked the preview pane to show it; repeated when it is served cached)
        NodeLog,      ///< level, message
        NodeCached,   ///< outputs (served from the cache; the node did not run)
        NodeFinished,  ///< outputs, durationSeconds
        NodeFailed,    ///< message (the node's error), durationSeconds
        RunFinished,   ///< durationSeconds
        RunCancelled,  ///< nodeId: the node that was running ("" between nodes)
        RunFailed,     ///< nodeId + message: the failing node; or nodeId "" and message = validation problems
    };
    Kind kind = Kind::RunStarted;
    uint64_t runId = 0;
    std::string nodeId;
    std::string nodeType;
    int index = 0;  ///< NodeStarted/Cached/Finished: position in the plan (0-based)
    int count = 0;  ///< number of planned nodes
    int64_t step = 0;
    int64_t total = 0;
    double etaSeconds = -1.0;
    double durationSeconds = 0.0;
    LogLevel level = LogLevel::Info;
    std::string message;
    std::shared_ptr<const PreviewImage> image;
    Value value;
    ValueMap outputs;
    std::vector<std::string> nodes;
};

/// One human-readable line ("[sampler] step 12/50, ETA 31 s"); what the CLI prints. Control characters from
/// node ids, file names or messages are escaped (sanitizeMessage).
std::string describeEvent(const ExecutionEvent& e);

using EventSink = std::function<void(const ExecutionEvent&)>;

/// A thread-safe FIFO of events: give sink() to the executor, poll from another thread.
class EventQueue {
  public:
    /// A sink pushing into this queue (the queue must outlive the run).
    EventSink sink();
    void push(ExecutionEvent e);
    /// Every queued event, oldest first; empties the queue.
    std::vector<ExecutionEvent> poll();
    /// The oldest event, waiting up to `timeout`; nullopt on timeout.
    std::optional<ExecutionEvent> waitNext(std::chrono::milliseconds timeout);
    size_t size() const;

  private:
    mutable std::mutex mutex_;
    std::condition_variable cv_;
    std::deque<ExecutionEvent> queue_;
};

}  // namespace sv::plugin
