#include "media/y4m_writer.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "base/error.h"
#include "base/parallel.h"
#include "pipelines/postprocess.h"

namespace sv::media {

namespace {

// BT.709 limited range, chroma as the mean of each 2×2 block (edge pixels repeated for odd sizes), as the MP4
// writer converts.
void rgbToYuv420(const uint8_t* rgb, int w, int h, uint8_t* out) {
    constexpr float kr = 0.2126f, kb = 0.0722f, kg = 1.0f - kr - kb;
    const int cw = (w + 1) / 2, ch = (h + 1) / 2;
    uint8_t* yp = out;
    uint8_t* up = out + size_t(w) * h;
    uint8_t* vp = up + size_t(cw) * ch;
    parallelFor(ch, 8, [&](int64_t b, int64_t e) {
        for (int64_t by = b; by < e; ++by)
            for (int bx = 0; bx < cw; ++bx) {
                float cb = 0, cr = 0;
                for (int dy = 0; dy < 2; ++dy)
                    for (int dx = 0; dx < 2; ++dx) {
                        const int y = std::min(int(by) * 2 + dy, h - 1), x = std::min(bx * 2 + dx, w - 1);
                        const uint8_t* p = rgb + (size_t(y) * w + x) * 3;
                        const float r = p[0] / 255.0f, g = p[1] / 255.0f, bl = p[2] / 255.0f;
                        const float luma = kr * r + kg * g + kb * bl;
                        yp[size_t(y) * w + x] = uint8_t(std::lround(16.0f + 219.0f * luma));
                        cb += (bl - luma) / (2.0f * (1.0f - kb));
                        cr += (r - luma) / (2.0f * (1.0f - kr));
                    }
                const auto chroma = [](float c) {
                    return uint8_t(std::clamp(std::lround(128.0f + 224.0f * c * 0.25f), 16L, 240L));
                };
                up[size_t(by) * cw + bx] = chroma(cb);
                vp[size_t(by) * cw + bx] = chroma(cr);
            }
    });
}

}  // namespace

Y4mWriter::Y4mWriter(const std::filesystem::path& path, int width, int height, int fpsNum, int fpsDen)
    : path_(path), width_(width), height_(height) {
    SV_CHECK(width >= 1 && height >= 1 && width <= 16384 && height <= 16384, "cannot write '", path.string(),
             "': invalid frame size ", width, "x", height);
    SV_CHECK(fpsNum > 0 && fpsDen > 0, "cannot write '", path.string(), "': invalid frame rate ", fpsNum, "/",
             fpsDen);
    file_.reset(std::fopen(path.string().c_str(), "wb"));
    SV_CHECK(file_ != nullptr, "cannot create '", path.string(), "'");
    const std::string header = concat("YUV4MPEG2 W", width, " H", height, " F", fpsNum, ":", fpsDen,
                                      " Ip A1:1 C420jpeg XCOLORRANGE=LIMITED\n");
    SV_CHECK(std::fwrite(header.data(), 1, header.size(), file_.get()) == header.size(), "cannot write '",
             path.string(), "'");
    yuv_.resize(size_t(width) * height + 2 * size_t((width + 1) / 2) * ((height + 1) / 2));
}

Y4mWriter::~Y4mWriter() = default;

void Y4mWriter::push(const Tensor& frame) {
    SV_CHECK(frame.rank() == 3 && frame.dim(0) == height_ && frame.dim(1) == width_ && frame.dim(2) == 3,
             "cannot write '", path_.string(), "': frame ", frames_, " is ", frame.describe(),
             ", the video is ", width_, "x", height_, " RGB");
    SV_CHECK(frame.dtype() == DType::U8 || isFloating(frame.dtype()), "cannot write '", path_.string(),
             "': frames must be U8 or float, got ", frame.describe());
    const Tensor u8 =
        frame.dtype() == DType::U8 ? frame.to(Device::cpu()).contiguous() : floatFramesToUint8(frame);
    push(std::span<const uint8_t>(u8.data<uint8_t>(), size_t(u8.numel())));
}

void Y4mWriter::push(std::span<const uint8_t> rgb) {
    SV_CHECK(file_ != nullptr, "cannot write '", path_.string(), "': the writer is finished");
    SV_CHECK(rgb.size() == size_t(width_) * height_ * 3, "cannot write '", path_.string(), "': frame has ",
             rgb.size(), " bytes, expected ", width_, "x", height_, "x3");
    rgbToYuv420(rgb.data(), width_, height_, yuv_.data());
    static constexpr char kFrame[] = "FRAME\n";
    SV_CHECK(std::fwrite(kFrame, 1, 6, file_.get()) == 6 &&
                 std::fwrite(yuv_.data(), 1, yuv_.size(), file_.get()) == yuv_.size(),
             "cannot write '", path_.string(), "' (disk full?)");
    ++frames_;
}

void Y4mWriter::flush() {
    if (file_) SV_CHECK(std::fflush(file_.get()) == 0, "cannot write '", path_.string(), "'");
}

void Y4mWriter::finish() {
    if (!file_) return;
    flush();
    SV_CHECK(std::fclose(file_.release()) == 0, "cannot write '", path_.string(), "'");
}

}  // namespace sv::media
