// What file formats this build can read and write (depends on FFmpeg / OpenImageIO being found at build
// time).
#pragma once

#include <string>

namespace sv::media {

bool haveVideoWriter();  // MP4 (H.264) through FFmpeg
bool haveImageIO();      // PNG/JPEG/EXR/TIFF through OpenImageIO
std::string describeCapabilities();

}  // namespace sv::media
