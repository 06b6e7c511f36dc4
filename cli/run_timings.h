// `--timings FILE.json` of `generate` and `run`: where a graph run's time and memory went, machine-readable,
// for the product benchmark (bench/product_run.sh). Each node's own duration comes from the executor's
// NodeFinished event; the stages are the SANA-Video node types summed (load: Load Model and Load LoRA; text:
// Text Encode; sampling: the Sampler; decode: VAE Decode; write: Save Video and Save Latent). Peak VRAM is
// the engine allocator's peak on CUDA device 0 (tensor memory, not the CUDA context); peak RSS is the
// process's maximum resident set (getrusage), which counts the pages of mapped weight files it touched.
#pragma once

#ifdef SV_CLI_WITH_PLUGIN
#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "plugin/exec/events.h"

namespace CLI {
class App;
class Option;
}  // namespace CLI

namespace sv::cli {

class RunTimings {
  public:
    /// Starts the wall clock (the process's work from here: node packs, graph, run, output).
    explicit RunTimings(std::string command);
    /// Records NodeFinished durations; ignores every other event.
    void onEvent(const plugin::ExecutionEvent& e);
    /// Writes the JSON file (sv::Error naming it when it cannot be written). `runSeconds`: the executor's
    /// whole run; `extras`: more seconds to report by name (e.g. moving the output into place).
    void write(const std::filesystem::path& file, double runSeconds,
               const std::vector<std::pair<std::string, double>>& extras = {}) const;

  private:
    struct NodeTime {
        std::string id, type;
        double seconds = 0.0;
    };
    std::string command_;
    std::chrono::steady_clock::time_point start_;
    std::vector<NodeTime> nodes_;
    // Host memory split as Linux accounts it (/proc/self/status), sampled every 20 ms by sampler_: the most
    // anonymous (heap, staging, host tensors) and file-backed (mapped weight files) resident KiB seen; −1
    // where /proc is unreadable. Issue 12's host-RSS goal counts the anonymous part ("beyond the mapped
    // files").
    std::atomic<int64_t> maxAnonKib_{-1}, maxFileKib_{-1};
    std::jthread sampler_;
};

/// Adds `--timings FILE.json` to `cmd`, storing the path in `file`.
CLI::Option* addTimingsOption(CLI::App& cmd, std::string& file);

}  // namespace sv::cli
#endif  // SV_CLI_WITH_PLUGIN
