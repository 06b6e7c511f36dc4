// libFuzzer target: arbitrary bytes as an MP4 whose embedded node graph is read — what `sanavideo run
// CLIP.mp4`, `sanavideo graph-from` and a video dropped on the editor do, all through
// plugin/graph/graph_file.h (embeddedGraphText: the file checks, FFmpeg's MP4/MOV demuxer for the metadata,
// the graph-document test), then GraphDocument::parse as loadGraphFile does. FFmpeg itself is not
// instrumented; what is checked is our side: every failure is sv::Error, and an accepted text is a graph
// document that parses or is refused cleanly.
#include <cstddef>
#include <cstdint>
#include <string>

#include "base/error.h"
#include "fuzz_support.h"
#include "media/video_writer.h"
#include "plugin/graph/graph_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static const bool quiet = [] {
        sv::media::setFfmpegQuiet(true);
        return true;
    }();
    (void)quiet;
    const auto path = sv::fuzz::writeInput("input.mp4", data, size);
    std::string text;
    try {
        text = sv::plugin::embeddedGraphText(path);
    } catch (const sv::Error&) {
        return 0;
    }
    if (text.empty() || text.size() > sv::plugin::kMaxGraphBytes) std::abort();
    try {
        (void)sv::plugin::GraphDocument::parse(text, path.string());
    } catch (const sv::Error&) {
    }
    return 0;
}
