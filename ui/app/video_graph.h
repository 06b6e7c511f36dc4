// Reading the graph that Save Video embeds in the MP4s it writes, so that dropping such a file on the canvas
// restores its graph. The one function the editor calls for this; it needs no FFmpeg: it walks the file's
// ISO-BMFF boxes (moov/udta/meta/ilst and moov/meta/ilst) and returns the first metadata text that is a graph
// document (JSON with "format": "sanavideo.graph"), whatever key it is stored under.
#pragma once

#include <QByteArray>
#include <QString>

namespace sv::ui {

/// The graph JSON embedded in an MP4/MOV file. Returns an empty array and sets `error` (when given) to a
/// message naming the file when it cannot be read or holds no graph. Thread safety: pure (reads the file).
QByteArray graphJsonFromVideo(const QString& path, QString* error = nullptr);

/// Whether `path` looks like a video container by its suffix (mp4, m4v, mov).
bool isVideoFile(const QString& path);

}  // namespace sv::ui
