// libFuzzer target: arbitrary bytes as an MP4/MOV file dropped on the editor (ui/app/video_graph.cpp walks
// the ISO-BMFF boxes itself to find the embedded graph). It must return a graph or an error message, never
// crash or read out of bounds. (The frontend is moving this onto FFmpeg; fuzz_video_metadata covers that
// reader.)
#include <cstddef>
#include <cstdint>

#include "app/video_graph.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const auto path = sv::fuzz::writeInput("input.mp4", data, size);
    QString error;
    const QByteArray graph = sv::ui::graphJsonFromVideo(QString::fromStdString(path.string()), &error);
    if (graph.isEmpty() == error.isEmpty()) std::abort();  // exactly one of them
    return 0;
}
