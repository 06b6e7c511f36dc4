// The prompt track of a long-video node, without widgets: its rows ("from chunk N: prompt"), their text form
// (the "CHUNK: prompt" lines of the node's prompt_track parameter and of prompt files), the node's chunk
// layout, and the atomic file writes that steer a running node. The Prompt Track panel (prompt_track_panel)
// shows and edits it.
//
// A node takes part when its descriptor has the parameters prompt_track, prompt_file, prompt, frames and
// chunk_frames (the SANA pack's Long Video). ui/ does not link the engine, so the chunk layout is restated
// here from core/pipelines/long_sampler.cpp longVideoChunks (the first chunk takes the remainder) and
// video_geometry.h latentFrames (the Wan VAE packs 4 frames per latent frame after the first); the panel
// shows the node's own chunk count (its progress total) once it runs.
#pragma once

#include <QList>
#include <QString>

#include <optional>

namespace sv::plugin {
struct NodeDescriptor;
}

namespace sv::ui {

/// One prompt change: from chunk `chunk` (0-based, as the node counts) until the next row.
struct PromptRow {
    qint64 chunk = 0;
    QString prompt;
    friend bool operator==(const PromptRow&, const PromptRow&) = default;
};
using PromptRows = QList<PromptRow>;

/// Whether nodes of this type have a prompt track (see the file comment).
bool hasPromptTrack(const sv::plugin::NodeDescriptor& d);

/// Parses "CHUNK: prompt" lines as the node does (core/pipelines/prompt_schedule.cpp
/// PromptSchedule::setLines): blank lines and '#' lines skipped, a later line for the same chunk wins.
/// Rows sorted by chunk; nullopt with `error` naming the line for anything else.
std::optional<PromptRows> parsePromptRows(const QString& text, QString* error = nullptr);
/// The lines of `rows` ("" for none); a prompt's line breaks become spaces (one line per row).
QString promptRowsText(const PromptRows& rows);
/// A prompt as it can be stored in a row: line breaks and surrounding spaces removed.
QString normalizedPrompt(const QString& prompt);
/// The rows the node makes of a "<split>" prompt over `chunks` chunks: part i from chunk ⌊i·chunks / K⌋
/// (PromptSchedule::setSplitText); empty when it has empty parts or more parts than chunks.
PromptRows splitPromptRows(const QString& prompt, qint64 chunks);
/// `rows` with `row` in it (replacing a row at the same chunk), in chunk order.
PromptRows withRow(PromptRows rows, const PromptRow& row);
/// The index of the row that covers `chunk` (the last row at or before it; -1 when there is none).
int rowForChunk(const PromptRows& rows, qint64 chunk);

/// The chunks of a long video of `frames` frames in chunks of `chunkFrames` latent frames.
struct ChunkLayout {
    qint64 latentFrames = 1;
    qint64 chunkFrames = 1;
    qint64 chunks = 1;
    static ChunkLayout of(qint64 frames, qint64 chunkFrames);
    /// The first video frame of chunk `c`.
    qint64 firstFrame(qint64 c) const;
};

/// Writes `text` to `path` through a temporary file in the same folder renamed over it (QSaveFile), so a
/// reader sees the old file or the new one, never half of one; the new file's modification time differs
/// from the old one's (the node notices a change by it). False with `error` when it could not.
bool writeFileAtomically(const QString& path, const QByteArray& text, QString* error);

}  // namespace sv::ui
