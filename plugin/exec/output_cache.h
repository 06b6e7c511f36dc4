// Internal to the executor: the bounded cache of node outputs keyed by evaluation key. Thread-safe.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <set>
#include <unordered_map>

#include "plugin/exec/executor.h"

namespace sv::plugin {

class OutputCache {
  public:
    explicit OutputCache(CacheLimits limits) : limits_(limits) {}

    /// The outputs stored under `key` (marks them recently used; counts a hit or a miss).
    std::optional<ValueMap> lookup(uint64_t key);
    /// Stores outputs, then evicts down to the limits, sparing pinned keys.
    void insert(uint64_t key, ValueMap outputs);
    /// While a run is active only the GPU byte limit is enforced on insert (so entries that the run is about
    /// to reuse further down are not dropped by its own inserts); endRun() forgets the pins and trims to
    /// every limit.
    void beginRun();
    void endRun();
    /// Keys spared by limit enforcement (those of the running run). Explicit evict() ignores pins.
    void pin(uint64_t key);

    size_t evict(size_t bytesNeeded);
    void clear();
    CacheStats stats() const;
    void setLimits(CacheLimits limits);

  private:
    struct Entry {
        ValueMap outputs;
        size_t bytes = 0;
        size_t gpuBytes = 0;
        uint64_t lastUse = 0;
    };
    /// The next entry to drop: GPU-heavy ones first, then least recently used; `onlyGpu` restricts to
    /// GPU-heavy ones.
    std::optional<uint64_t> victim(bool respectPins, bool onlyGpu) const;
    size_t drop(uint64_t key);
    void enforceLimits(bool gpuOnly = false);

    mutable std::mutex mutex_;
    CacheLimits limits_;
    std::unordered_map<uint64_t, Entry> entries_;
    std::set<uint64_t> pinned_;
    uint64_t tick_ = 0;
    bool inRun_ = false;
    CacheStats stats_;
};

}  // namespace sv::plugin
