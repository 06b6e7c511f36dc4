// MP4 (H.264) output through the FFmpeg libraries, and the small read side the CLI and tests need (metadata,
// stream properties, decoded frames).
//
// Files: H.264 by libx264, yuv420p, CRF 19 and preset "medium" by default, 16 fps by default, tagged BT.709
// (primaries, transfer, matrix) with limited ("tv") range — RGB is converted with the BT.709 matrix to match
// the tags — and "+faststart" (the moov index is moved in front of the media data, so playback can start
// while downloading). The file is written under a temporary name next to the target and renamed at finish(),
// so an exception or a cancel never leaves a half-written file under the requested name.
//
// Metadata: key/value strings go into the MP4's udta/meta box. The keys FFmpeg's MP4 muxer maps to iTunes
// atoms
// ("title", "comment" -> ©cmt, "description", ...) are written as such; if any other key is present, all keys
// are written as QuickTime "mdta" keys instead (movflags use_metadata_tags), which FFmpeg also reads back
// under the same names. The node graph is stored under kGraphMetadataKey = "comment" (©cmt): the iTunes
// comment atom, which FFmpeg, ffprobe, exiftool and most players read (it is also where other node editors
// put their workflow JSON).
//
// Odd sizes: yuv420p needs an even width and height. By default (OddSize::Pad) an odd frame is padded by
// repeating its last column/row, so the video is one pixel wider/taller than the frames; OddSize::Error
// rejects such frames.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <span>
#include <string>

#include "base/tensor.h"
#include "io/output_file.h"

namespace sv::media {

/// The metadata key the node graph JSON is stored under.
inline constexpr const char* kGraphMetadataKey = "comment";

struct VideoWriterOptions {
    int fpsNum = 16;  ///< frame rate = fpsNum / fpsDen
    int fpsDen = 1;
    int crf = 19;                                 ///< libx264 constant rate factor, 0 (lossless) .. 51
    std::string preset = "medium";                ///< libx264 preset (ultrafast .. placebo)
    std::map<std::string, std::string> metadata;  ///< written into the MP4 (see the file comment)
    enum class OddSize { Pad, Error } oddSize = OddSize::Pad;
    /// What finish() does when a file of the name exists by then (output nodes: Refuse).
    io::Overwrite overwrite = io::Overwrite::Replace;
    /// Fragmented MP4 written in place (no temporary file, no "+faststart"): the file under the target name
    /// is a playable video of every fragment written so far, so a long render that crashes still leaves its
    /// finished part (LongSANA flushes a fragment per chunk). flushFragment() ends a fragment: the encoder is
    /// drained and restarted, so every fragment is a closed group of pictures that starts with a key frame.
    /// cancel() and the destructor keep what was pushed (finished as a complete file); a file without frames
    /// is removed.
    bool fragmented = false;
};

/// Streams RGB frames into an MP4 file. Usage: construct, push() every frame, finish(). Destroying the writer
/// without finish() (an exception, a cancel) deletes the temporary file and leaves the target untouched
/// (fragmented writers keep the frames pushed instead, see VideoWriterOptions::fragmented).
class VideoWriter {
  public:
    /// Opens the encoder for frames of width×height. Throws sv::Error naming the file when the folder does
    /// not exist, the encoder is missing, the size or an option is invalid, or the file cannot be created.
    VideoWriter(const std::filesystem::path& path, int width, int height, VideoWriterOptions options = {});
    ~VideoWriter();
    VideoWriter(const VideoWriter&) = delete;
    VideoWriter& operator=(const VideoWriter&) = delete;

    /// One frame: U8 [H, W, 3], or F32 [H, W, 3] in [0, 1] (quantised like diffusers: round half to even).
    void push(const Tensor& frame);
    /// One frame of tightly packed RGB24 bytes (height·width·3).
    void push(std::span<const uint8_t> rgb);
    /// Flushes the encoder, writes the index and renames the file into place. Throws sv::Error on failure
    /// (nothing is left under the target name then). At least one frame must have been pushed.
    void finish();
    /// Fragmented writers: writes every frame pushed so far as a fragment and flushes the file (a no-op when
    /// nothing was pushed since the last one). sv::Error when the writer is not fragmented.
    void flushFragment();
    /// Abandons the file (idempotent). Also what the destructor does when finish() was not reached.
    void cancel() noexcept;

    int64_t framesWritten() const;
    const std::filesystem::path& path() const;
    /// The encoded size (the frame size rounded up to even with OddSize::Pad).
    int encodedWidth() const;
    int encodedHeight() const;

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

/// Writes all frames of a U8 or F32 [F, H, W, 3] tensor to an MP4 file (VideoWriter in one call).
void writeVideo(const std::filesystem::path& path, const Tensor& frames,
                const VideoWriterOptions& options = {});

/// The container-level metadata of an MP4/MOV file (e.g. the graph under kGraphMetadataKey). FFmpeg's own
/// bookkeeping keys (major_brand, minor_version, compatible_brands, encoder) are included as FFmpeg reports
/// them. The file is treated as untrusted: a regular file only (checked before it is opened), read by
/// FFmpeg's MP4/MOV demuxer alone (no format probing) through the file protocol alone. Throws sv::Error
/// naming the file when it cannot be opened or is not an MP4/MOV file.
std::map<std::string, std::string> readVideoMetadata(const std::filesystem::path& path);

struct VideoInfo {
    std::string codec;        ///< FFmpeg codec name, e.g. "h264"
    std::string pixelFormat;  ///< e.g. "yuv420p"
    int width = 0;
    int height = 0;
    int64_t frames = 0;  ///< frames in the first video stream (counted from packets when not stored)
    int fpsNum = 0;      ///< average frame rate of the stream, as a fraction
    int fpsDen = 1;
    double fps() const { return fpsDen ? double(fpsNum) / fpsDen : 0.0; }
    std::string colorPrimaries;  ///< FFmpeg names: "bt709", ...; "unknown" when untagged
    std::string colorTransfer;
    std::string colorSpace;
    std::string colorRange;  ///< "tv" (limited) or "pc" (full)
};

/// Properties of the first video stream. Throws sv::Error naming the file on failure or when it has no video.
VideoInfo probeVideo(const std::filesystem::path& path);

/// Decodes up to maxFrames frames (all when < 0) of the first video stream to U8 RGB [F, H, W, 3], converting
/// with the matrix and range the stream is tagged with (BT.601 limited when untagged). For tests and tools.
Tensor readVideoFrames(const std::filesystem::path& path, int64_t maxFrames = -1);

/// FFmpeg's log threshold is process-wide and defaults to "info", which prints the encoder settings and muxer
/// passes to stderr for every file. The library leaves it alone; an application calls this once: quiet = true
/// keeps only warnings and errors, false restores "info".
void setFfmpegQuiet(bool quiet);

}  // namespace sv::media
