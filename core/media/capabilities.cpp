#include "media/capabilities.h"

namespace sv::media {

bool haveVideoWriter() {
#ifdef SV_HAVE_FFMPEG
    return true;
#else
    return false;
#endif
}

bool haveImageIO() {
#ifdef SV_HAVE_OIIO
    return true;
#else
    return false;
#endif
}

std::string describeCapabilities() {
    std::string s = "video (MP4/H.264): ";
    s += haveVideoWriter() ? "yes" : "no (built without FFmpeg)";
    s += ", images (PNG/JPEG/EXR/TIFF): ";
    s += haveImageIO() ? "yes" : "no (built without OpenImageIO)";
    return s;
}

}  // namespace sv::media
