// Where `sanavideo generate --out` puts its result. The graph's Save Video node writes into a private staging
// folder next to the target; only a finished run moves the result into place, so a failed or cancelled run
// (Ctrl-C, SIGTERM, SIGHUP) leaves nothing behind: no partial file, no staging folder, no folder it created.
// An existing file is never replaced without --overwrite. `--out -` stages the Y4M stream in the temporary
// folder and copies it to stdout once the run has finished.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace sv::cli {

class OutputTarget {
  public:
    /// Staged: the result appears only when the run succeeded. Direct: the graph writes the file in place
    /// while it runs (LongSANA's growing MP4, or a Y4M stream), and a cancelled run keeps what it wrote.
    enum class Placement { Staged, Direct };
    /// Checks `out`: an .mp4 or .y4m file in an existing folder, "-" (a Y4M stream on stdout, which must not
    /// be a terminal; Staged only), or a frame sequence — a folder (PNG frames frame_0000.png, ...) or a
    /// pattern such as frames/%04d.png or shot_%03d.exr (Staged only). Throws sv::Error "--out: ...".
    OutputTarget(const std::string& out, bool overwrite, Placement placement = Placement::Staged);
    /// Removes the staging folder and any folder the target created, unless commit() ran.
    ~OutputTarget();
    OutputTarget(const OutputTarget&) = delete;
    OutputTarget& operator=(const OutputTarget&) = delete;

    /// Save Video's format: "mp4", "y4m", "png" or "exr".
    const std::string& format() const { return format_; }
    /// How many videos the run writes (default 1). Several are numbered "<stem>_001.mp4", ... taking the
    /// next free numbers; a frame sequence takes one video only (sv::Error "--out: several videos ...").
    void setVideoCount(int64_t videos);
    int64_t videoCount() const { return videos_; }
    /// The name Save Video of video `index` (0-based) writes in the staging folder, without the extension.
    std::string stagedStem(int64_t index) const;
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
    /// `--out -`: copies the stream to stdout). Returns where each video went (Direct: --out itself).
    std::vector<std::string> commit(int64_t frames);

  private:
    std::filesystem::path sequenceFolder() const;
    void place(const std::filesystem::path& from, const std::filesystem::path& to) const;
    std::vector<std::string> commitNumbered();

    std::string out_;
    bool overwrite_ = false;
    std::string format_;
    std::filesystem::path staging_;
    std::filesystem::path createdFolder_;  // the outermost folder stage() created, if any
    bool committed_ = false;
    Placement placement_ = Placement::Staged;
    int64_t videos_ = 1;
};

/// Where `generate --save-latents FILE` puts the sampled latents: Save Latent writes "<kStem>.safetensors" in
/// the run's staging folder (--out's, or this target's own with --no-decode) and only a finished run moves
/// it into place, by --out's rules: a .safetensors file in an existing folder, never replacing a file
/// without --overwrite.
class LatentsTarget {
  public:
    /// Throws sv::Error "--save-latents: ..." for another extension, "-" or a missing folder.
    LatentsTarget(const std::string& path, bool overwrite);
    ~LatentsTarget();
    LatentsTarget(const LatentsTarget&) = delete;
    LatentsTarget& operator=(const LatentsTarget&) = delete;

    /// The name Save Latent writes in the staging folder (without the extension it adds).
    static constexpr const char* kStem = "latents";
    /// Throws sv::Error "--save-latents: <file> exists (add --overwrite to replace it)".
    void checkFree() const;
    /// A staging folder of its own, next to the file (when no video is written); returns it.
    std::filesystem::path stage();
    /// Moves "<kStem>.safetensors" from `stagingFolder` into place; returns the path.
    const std::string& commit(const std::filesystem::path& stagingFolder);

  private:
    std::string path_;
    bool overwrite_ = false;
    std::filesystem::path staging_;
};

/// Moves `from` to `to`; without `overwrite` never over an existing file, not even one that appeared
/// meanwhile (link()); across file systems through a copy next to `to`. sv::Error "<flag>: ...".
void placeFile(const std::filesystem::path& from, const std::filesystem::path& to, bool overwrite,
               std::string_view flag);

}  // namespace sv::cli
