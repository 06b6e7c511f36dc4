#include "plugin/exec/output_cache.h"

namespace sv::plugin {

std::optional<ValueMap> OutputCache::lookup(uint64_t key) {
    std::lock_guard lock(mutex_);
    auto it = entries_.find(key);
    if (it == entries_.end()) {
        ++stats_.misses;
        return std::nullopt;
    }
    ++stats_.hits;
    it->second.lastUse = ++tick_;
    return it->second.outputs;
}

void OutputCache::insert(uint64_t key, ValueMap outputs) {
    std::lock_guard lock(mutex_);
    if (entries_.count(key)) drop(key);
    Entry e;
    for (const auto& [name, v] : outputs.entries()) {
        e.bytes += v.sizeBytes();
        if (v.gpuHeavy()) e.gpuBytes += v.sizeBytes();
    }
    e.outputs = std::move(outputs);
    e.lastUse = ++tick_;
    stats_.bytes += e.bytes;
    stats_.gpuBytes += e.gpuBytes;
    entries_.emplace(key, std::move(e));
    stats_.entries = entries_.size();
    enforceLimits(inRun_);
}

void OutputCache::pin(uint64_t key) {
    std::lock_guard lock(mutex_);
    pinned_.insert(key);
}

void OutputCache::beginRun() {
    std::lock_guard lock(mutex_);
    inRun_ = true;
}

void OutputCache::endRun() {
    std::lock_guard lock(mutex_);
    inRun_ = false;
    pinned_.clear();
    enforceLimits();
}

std::optional<uint64_t> OutputCache::victim(bool respectPins, bool onlyGpu) const {
    std::optional<uint64_t> best;
    bool bestGpu = false;
    uint64_t bestUse = 0;
    for (const auto& [key, e] : entries_) {
        if (respectPins && pinned_.count(key)) continue;
        bool gpu = e.gpuBytes > 0;
        if (onlyGpu && !gpu) continue;
        // GPU-heavy first, then least recently used.
        bool better = !best || (gpu && !bestGpu) || (gpu == bestGpu && e.lastUse < bestUse);
        if (better) {
            best = key;
            bestGpu = gpu;
            bestUse = e.lastUse;
        }
    }
    return best;
}

size_t OutputCache::drop(uint64_t key) {
    auto it = entries_.find(key);
    if (it == entries_.end()) return 0;
    size_t bytes = it->second.bytes;
    stats_.bytes -= it->second.bytes;
    stats_.gpuBytes -= it->second.gpuBytes;
    entries_.erase(it);
    stats_.entries = entries_.size();
    ++stats_.evictions;
    return bytes;
}

void OutputCache::enforceLimits(bool gpuOnly) {
    for (;;) {
        bool overGpu = limits_.maxGpuBytes > 0 && stats_.gpuBytes > limits_.maxGpuBytes;
        bool over = !gpuOnly && (entries_.size() > limits_.maxEntries ||
                                 (limits_.maxBytes > 0 && stats_.bytes > limits_.maxBytes));
        if (!overGpu && !over) return;
        auto v = victim(true, overGpu && !over);
        if (!v) return;  // everything left is pinned by the running run
        drop(*v);
    }
}

size_t OutputCache::evict(size_t bytesNeeded) {
    std::lock_guard lock(mutex_);
    size_t dropped = 0;
    while (dropped < bytesNeeded) {
        auto v = victim(false, false);
        if (!v) break;
        dropped += drop(*v);
    }
    return dropped;
}

void OutputCache::clear() {
    std::lock_guard lock(mutex_);
    stats_.evictions += entries_.size();
    entries_.clear();
    stats_.entries = 0;
    stats_.bytes = 0;
    stats_.gpuBytes = 0;
}

CacheStats OutputCache::stats() const {
    std::lock_guard lock(mutex_);
    return stats_;
}

void OutputCache::setLimits(CacheLimits limits) {
    std::lock_guard lock(mutex_);
    limits_ = limits;
    enforceLimits(inRun_);
}

}  // namespace sv::plugin
