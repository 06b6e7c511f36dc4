// Raw video out without any media library: YUV4MPEG2 (".y4m", 4:2:0, BT.709 limited range like the MP4
// writer), which FFmpeg and most players read. It is what the lean GPU binaries (core + CUDA only, no FFmpeg)
// write: `ffmpeg -i clip.y4m clip.mp4` makes an MP4 of it elsewhere. Frames go to the file as they come, so a
// crash leaves every complete frame written before it.
#pragma once

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <span>
#include <vector>

#include "base/tensor.h"

namespace sv::media {

class Y4mWriter {
  public:
    /// Creates (truncates) the file and writes the stream header. sv::Error naming the file on failure.
    Y4mWriter(const std::filesystem::path& path, int width, int height, int fpsNum = 16, int fpsDen = 1);
    ~Y4mWriter();
    Y4mWriter(const Y4mWriter&) = delete;
    Y4mWriter& operator=(const Y4mWriter&) = delete;

    /// One frame: U8 [H, W, 3], or F32 [H, W, 3] in [0, 1] (quantised like diffusers: round half to even).
    void push(const Tensor& frame);
    /// One frame of packed RGB24 bytes (height·width·3).
    void push(std::span<const uint8_t> rgb);
    /// Hands everything written so far to the operating system.
    void flush();
    /// Flushes and closes the file (also done by the destructor, which never throws).
    void finish();
    int64_t framesWritten() const { return frames_; }
    const std::filesystem::path& path() const { return path_; }

  private:
    struct FileCloser {
        void operator()(std::FILE* f) const { std::fclose(f); }
    };
    std::filesystem::path path_;
    int width_, height_;
    std::unique_ptr<std::FILE, FileCloser> file_;
    std::vector<uint8_t> yuv_;
    int64_t frames_ = 0;
};

}  // namespace sv::media
