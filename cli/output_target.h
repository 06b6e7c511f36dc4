// Where `sanavideo generate --out` puts its result. The graph's Save Video node writes into a private staging
// folder next to the target; only a finished run moves the result into place, so a failed or cancelled run
// (Ctrl-C, SIGTERM, SIGHUP) leaves nothing behind: no partial file, no staging folder, no folder it created.
// An existing file is never replaced without --overwrite. `--out -` stages the Y4M stream in the temporary
// folder and copies it to stdout once the run has finished.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

namespace sv::cli {

class OutputTarget {
  public:
    /// Checks `out`: an .mp4 or .y4m file in an existing folder, "-" (a Y4M stream on stdout, which must not
    /// be a terminal), or a frame sequence — a folder (PNG frames frame_0000.png, ...) or a pattern such as
    /// frames/%04d.png or shot_%03d.exr. Throws sv::Error "--out: ...".
    OutputTarget(const std::string& out, bool overwrite);
    /// Removes the staging folder and any folder the target created, unless commit() ran.
    ~OutputTarget();
    OutputTarget(const OutputTarget&) = delete;
    OutputTarget& operator=(const OutputTarget&) = delete;

    /// Save Video's format: "mp4", "y4m", "png" or "exr".
    const std::string& format() const { return format_; }
    bool isSequence() const { return format_ == "png" || format_ == "exr"; }
    /// `--out -`: the Y4M stream goes to stdout (so messages must not).
    bool toStdout() const { return out_ == "-"; }
    const std::string& text() const { return out_; }

    /// Throws sv::Error "--out: <file> exists (add --overwrite to replace it)" when a file the result would
    /// take exists (the MP4, or one of `frames` frames or graph.json of a sequence) and --overwrite was not
    /// given.
    void checkFree(int64_t frames) const;
    /// Creates the staging folder (and a missing sequence folder); returns it. The graph writes "<stem>"
    /// there.
    std::filesystem::path stage();
    /// The name Save Video writes in the staging folder (without the extension it adds).
    static constexpr const char* kStem = "video";
    /// Moves the result from the staging folder into place (a sequence: its `frames` frames and graph.json;
    /// `--out -`: copies the stream to stdout).
    void commit(int64_t frames);

  private:
    std::filesystem::path sequenceFolder() const;
    void place(const std::filesystem::path& from, const std::filesystem::path& to) const;

    std::string out_;
    bool overwrite_ = false;
    std::string format_;
    std::filesystem::path staging_;
    std::filesystem::path createdFolder_;  // the outermost folder stage() created, if any
    bool committed_ = false;
};

}  // namespace sv::cli
