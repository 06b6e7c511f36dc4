// The executor: plans the part of a graph needed for the requested outputs, evaluates it in topological order
// with a bounded output cache, reports events, supports cancellation.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <stop_token>
#include <string>
#include <vector>

#include "plugin/exec/events.h"
#include "plugin/graph/graph_document.h"
#include "plugin/graph/validation.h"
#include "plugin/sdk/node_registry.h"

namespace sv::plugin {

struct RunRequest {
    /// Node ids to compute (with everything they depend on). Empty: every node whose descriptor isOutput;
    /// when the graph has none, every node without outgoing links.
    std::vector<std::string> targets;
    /// Where output nodes write (created when missing). Empty: the current directory.
    std::filesystem::path outputDir;
};

struct RunResult {
    enum class Status : uint8_t { Finished, Cancelled, Failed, Invalid };
    Status status = Status::Failed;
    std::string failedNode;          ///< Failed: the node id; Cancelled: the node that was running, if any
    std::string message;             ///< Failed: the node's error; Invalid: formatIssues() of the errors
    std::vector<GraphIssue> issues;  ///< validation issues (errors and warnings) of the planned part
    std::map<std::string, ValueMap>
        outputs;  ///< outputs of the target nodes (evaluated, cached or bypassed), by node id
    std::vector<std::string> evaluated;  ///< nodes that actually ran, in order
    std::vector<std::string> cached;     ///< nodes served from the cache, in order
    double durationSeconds = 0.0;

    bool ok() const { return status == Status::Finished; }
};

struct CacheLimits {
    size_t maxEntries = 256;  ///< node evaluations kept
    size_t maxBytes = 0;      ///< total size hint of cached values; 0 = unlimited
    size_t maxGpuBytes = 0;   ///< total size of gpuHeavy values; 0 = unlimited
};

struct CacheStats {
    size_t entries = 0;
    size_t bytes = 0;
    size_t gpuBytes = 0;
    uint64_t hits = 0;
    uint64_t misses = 0;
    uint64_t evictions = 0;
};

/// Runs graphs. One run at a time (run() serializes on an internal mutex); the cache persists across runs and
/// is shared by all of them. evict(), clearCache(), cacheStats() and setCacheLimits() may be called from any
/// thread.
///
/// Cache key of a node = hash(type id, descriptor version, every parameter (defaults filled in),
/// Node::fingerprint, and for each connected input: port name + the input value's hash). Object outputs get
/// an identity derived from that key, so downstream keys stay equal when upstream is recomputed identically.
/// Hence changing a sampler's seed re-runs the sampler and its downstream only; changing the prompt re-runs
/// text encoding but not model loading.
///
/// Bypassed nodes are not evaluated: each output takes the value of the first connected input whose type can
/// feed it (canConvert), in input order; an output without such an input is missing (a required consumer then
/// fails).
///
/// A node error stops the run (RunFailed, nodeId + message); cached results of earlier nodes stay.
/// Cancellation is polled by nodes through NodeContext::isCancelled() and checked between nodes; the running
/// node's result is discarded.
class Executor {
  public:
    explicit Executor(const NodeRegistry& registry, CacheLimits limits = {});
    ~Executor();
    Executor(const Executor&) = delete;
    Executor& operator=(const Executor&) = delete;

    /// Validates the planned part (errors in unplanned nodes are ignored; document-level errors and unknown
    /// node types anywhere are not, since an unknown node might be an output node) and runs it on the calling
    /// thread. Never throws for graph or node problems: they end up in the result and events. `sink` may be
    /// empty; `stop` cancels.
    RunResult run(const GraphDocument& doc, const RunRequest& request, const EventSink& sink = {},
                  std::stop_token stop = {});

    /// The nodes run() would evaluate for `request`, in order (dependencies first). Throws sv::Error for
    /// unknown targets or a cycle among the planned nodes.
    std::vector<std::string> plan(const GraphDocument& doc, const RunRequest& request) const;

    /// Drops cached entries, GPU-heavy ones first then least recently used, until `bytesNeeded` bytes were
    /// dropped or the cache is empty. Returns the bytes dropped.
    size_t evict(size_t bytesNeeded);
    void clearCache();
    CacheStats cacheStats() const;
    void setCacheLimits(CacheLimits limits);

    const NodeRegistry& registry() const { return registry_; }

  private:
    struct Cache;
    class Context;
    class Run;
    const NodeRegistry& registry_;
    std::unique_ptr<Cache> cache_;
    std::mutex runMutex_;
    uint64_t nextRunId_ = 1;
};

}  // namespace sv::plugin
