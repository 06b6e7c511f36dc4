// A NodeContext for unit tests of nodes (no executor): records progress, previews, displays and log lines,
// and can be told to report cancellation after a number of progress calls.
#pragma once

#include <atomic>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "plugin/sdk/node.h"

namespace sv::plugin {

class TestNodeContext : public NodeContext {
  public:
    explicit TestNodeContext(std::filesystem::path outputDir = std::filesystem::temp_directory_path(),
                             std::string nodeId = "test")
        : outputDir_(std::move(outputDir)), nodeId_(std::move(nodeId)) {}

    void progress(int64_t k, int64_t n) override;
    void preview(PreviewImage image) override { previews.push_back(std::move(image)); }
    void display(const Value& value) override { displayed.push_back(value); }
    bool isCancelled() const override { return cancelled.load(); }
    void log(LogLevel level, std::string_view text) override { logs.emplace_back(level, std::string(text)); }
    const std::filesystem::path& outputDir() const override { return outputDir_; }
    const std::string& nodeId() const override { return nodeId_; }
    uint64_t cacheKey() const override { return key; }
    const std::string& graphJson() const override { return graph; }
    size_t releaseCachedMemory(size_t) override { return 0; }

    std::vector<std::pair<int64_t, int64_t>> progressCalls;
    std::vector<PreviewImage> previews;
    std::vector<Value> displayed;
    std::vector<std::pair<LogLevel, std::string>> logs;
    std::atomic<bool> cancelled{false};
    /// When >= 0: isCancelled() turns true once this many progress calls were made.
    int64_t cancelAfterProgressCalls = -1;
    uint64_t key = 0;
    std::string graph = "{}";

  private:
    std::filesystem::path outputDir_;
    std::string nodeId_;
};

}  // namespace sv::plugin
