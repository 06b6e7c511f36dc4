// Reading the graph that Save Video embeds in the MP4s it writes, so that dropping such a file on the canvas
// restores its graph. A thin Qt face of the SDK's reader (plugin/graph/graph_file.h: FFmpeg's MP4 demuxer,
// the file treated as untrusted), which `sanavideo run` and `graph-from` use too.
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
