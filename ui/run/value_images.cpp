#include "run/value_images.h"

#include <algorithm>
#include <cmath>

namespace sv::ui {

QList<QImage> previewFrames(const sp::PreviewImage& image) {
    QList<QImage> frames;
    if (!image.isValid()) return frames;
    frames.reserve(image.frameCount);
    const size_t line = size_t(image.width) * 3;
    for (int f = 0; f < image.frameCount; ++f) {
        const uint8_t* src = image.frame(f).data();
        QImage out(image.width, image.height, QImage::Format_RGB888);
        for (int y = 0; y < image.height; ++y) std::copy_n(src + size_t(y) * line, line, out.scanLine(y));
        frames.append(std::move(out));
    }
    return frames;
}

QImage imageToQImage(const sp::Image& image) {
    const int c = image.channels;
    if (image.width <= 0 || image.height <= 0 || (c != 3 && c != 4) ||
        image.pixels.size() != size_t(image.width) * image.height * c)
        return {};
    QImage out(image.width, image.height, c == 4 ? QImage::Format_RGBA8888 : QImage::Format_RGB888);
    for (int y = 0; y < image.height; ++y) {
        uchar* line = out.scanLine(y);
        const float* src = image.pixels.data() + size_t(y) * image.width * c;
        for (int i = 0; i < image.width * c; ++i)
            line[i] = uchar(std::lround(std::clamp(src[i], 0.0f, 1.0f) * 255.0f));
    }
    return out;
}

namespace {
void releaseVideo(void* info) {
    delete static_cast<std::shared_ptr<const sp::Video>*>(info);
}
}  // namespace

QList<QImage> videoFrames(const std::shared_ptr<const sp::Video>& video) {
    QList<QImage> frames;
    if (!video || video->width <= 0 || video->height <= 0 || video->frameCount <= 0 ||
        video->rgb.size() < video->frameBytes() * size_t(video->frameCount))
        return frames;
    frames.reserve(video->frameCount);
    for (int i = 0; i < video->frameCount; ++i) {
        const uchar* data = video->rgb.data() + video->frameBytes() * size_t(i);
        frames.append(QImage(data, video->width, video->height, video->width * 3, QImage::Format_RGB888,
                             releaseVideo, new std::shared_ptr<const sp::Video>(video)));
    }
    return frames;
}

std::optional<Displayable> toDisplayable(const sp::Value& value) {
    if (auto video = value.as<sp::Video>(sp::kVideoTag)) {
        Displayable d;
        d.frames = videoFrames(video);
        d.fps = video->fps > 0 ? video->fps : 16.0;
        d.isVideo = true;
        if (!d.frames.isEmpty()) return d;
    }
    if (auto image = value.as<sp::Image>(sp::kImageTag)) {
        QImage img = imageToQImage(*image);
        if (!img.isNull()) return Displayable{{img}, 16.0, false};
    }
    return std::nullopt;
}

}  // namespace sv::ui
