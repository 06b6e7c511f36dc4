// libFuzzer target: arbitrary bytes as a video file whose metadata `sanavideo graph-from` reads through
// FFmpeg (media::readVideoMetadata). FFmpeg's demuxers are not instrumented; what is checked is our side:
// every failure becomes sv::Error, and the metadata map is well formed.
#include <cstddef>
#include <cstdint>

#include "base/error.h"
#include "fuzz_support.h"
#include "media/video_writer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static const bool quiet = [] {
        sv::media::setFfmpegQuiet(true);
        return true;
    }();
    (void)quiet;
    const auto path = sv::fuzz::writeInput("input.mp4", data, size);
    try {
        for (const auto& [key, value] : sv::media::readVideoMetadata(path))
            if (key.empty() && value.empty()) continue;
    } catch (const sv::Error&) {
    }
    return 0;
}
