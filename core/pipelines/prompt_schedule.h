// Prompts over time for LongSANA: which prompt each chunk of a long generation uses, changeable while it
// renders. The node editor's prompt track and the CLI's "<split>" prompts both end up here.
//
// Ref: NVlabs/Sana inference_video_scripts/inference_sana_video.py (a prompt line split on "<split>" gives
// one condition per chunk; LongLiveFlowEuler.sample takes condition[chunk_idx]). Here a schedule maps chunk
// indices to prompts: an entry holds from its chunk until the next entry.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sv {

/// The prompt split token of NVlabs/Sana's long-video prompts.
inline constexpr std::string_view kPromptSplitToken = "<split>";

/// Thread-safe: set() may be called from any thread while the pipeline reads promptFor() on its own.
class PromptSchedule {
  public:
    PromptSchedule() = default;
    /// One prompt for every chunk.
    explicit PromptSchedule(std::string prompt);
    PromptSchedule(const PromptSchedule&) = delete;
    PromptSchedule& operator=(const PromptSchedule&) = delete;

    /// "a<split>b<split>c" over `chunks` chunks: segment i (trimmed) from chunk ⌊i·chunks / K⌋ on, so K ==
    /// chunks gives one prompt per chunk as the reference does. sv::Error for an empty segment or more
    /// segments than chunks.
    void setSplitText(std::string_view text, int64_t chunks);
    /// Replaces every entry with the lines of a prompt file: "CHUNK: prompt" (from chunk CHUNK on); blank
    /// lines and lines starting with '#' are skipped. sv::Error naming the line for anything else. Lets a
    /// prompt change be made while a long video renders (the CLI re-reads the file before every chunk).
    void setLines(std::string_view text);
    /// From `firstChunk` on (until the next entry), use `prompt`; replaces an entry at the same chunk. Chunks
    /// already rendered keep their prompt; the pipeline reads the schedule at the start of every chunk.
    void set(int64_t firstChunk, std::string prompt);
    /// The prompt of a chunk (the entry at or before it; the first entry before any). sv::Error when empty.
    std::string promptFor(int64_t chunk) const;
    /// (first chunk, prompt) in chunk order.
    std::vector<std::pair<int64_t, std::string>> entries() const;
    bool empty() const;
    /// Increases on every change (lets a reader notice edits cheaply).
    uint64_t revision() const;

  private:
    mutable std::mutex mutex_;
    std::map<int64_t, std::string> entries_;
    uint64_t revision_ = 0;
};

/// A prompt file ("CHUNK: prompt" lines, PromptSchedule::setLines) applied to a schedule whenever it changed
/// on disk: call refresh() before every chunk, and edits made while a long video renders reach the later
/// chunks.
class PromptFileWatcher {
  public:
    /// The schedule must outlive the watcher.
    PromptFileWatcher(std::filesystem::path path, PromptSchedule& schedule);
    /// Re-reads the file when its modification time changed since the last read (always the first time);
    /// returns whether it did. sv::Error for an unreadable first read or a malformed file.
    bool refresh();

  private:
    std::filesystem::path path_;
    PromptSchedule& schedule_;
    std::filesystem::file_time_type stamp_{};
    bool read_ = false;
};

/// Splits text on kPromptSplitToken, trimming spaces around each segment.
std::vector<std::string> splitPrompts(std::string_view text);

}  // namespace sv
