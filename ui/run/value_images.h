// Turning SDK values into pictures for the preview pane: preview images, IMAGE values and VIDEO frames.
#pragma once

#include <QImage>
#include <QList>

#include "plugin/sdk/value.h"

namespace sv::ui {

namespace sp = sv::plugin;

/// The frames of a live preview (8-bit RGB, frameCount pictures) as QImages (deep copies); empty when
/// malformed.
QList<QImage> previewFrames(const sp::PreviewImage& image);
/// An IMAGE payload (float RGB/RGBA in [0, 1], clamped) as a QImage; null when malformed.
QImage imageToQImage(const sp::Image& image);
/// The frames of a VIDEO payload, sharing its pixels (no copy: each QImage keeps the video alive).
QList<QImage> videoFrames(const std::shared_ptr<const sp::Video>& video);

/// Something the preview pane can show.
struct Displayable {
    QList<QImage> frames;
    double fps = 16.0;
    bool isVideo = false;
};
/// IMAGE and VIDEO values as pictures; nullopt for anything else.
std::optional<Displayable> toDisplayable(const sp::Value& value);

}  // namespace sv::ui
