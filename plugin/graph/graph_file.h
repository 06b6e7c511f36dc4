// Graphs from files: a graph document (JSON), or the graph an output node embedded in what it wrote — an
// MP4's metadata (Save Video), a frame-sequence folder's graph.json (Save Video), a .safetensors file's
// metadata (Save Latent). The one reader the CLI (`run`, `graph-from`) and the editor (dropping a video)
// share.
//
// Files are untrusted data: only regular files (and folders) are opened, so a FIFO or a device cannot block
// or flood the reader; graph text is capped at kMaxGraphBytes; MP4 metadata is read by FFmpeg's MP4/MOV
// demuxer alone (no format probing, no nested resources); every error names the file and what is wrong.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>

#include "plugin/graph/graph_document.h"

namespace sv::plugin {

/// The largest graph document accepted from a file (far above any real graph).
inline constexpr size_t kMaxGraphBytes = size_t(16) << 20;

/// Whether `file` is a kind that can carry an embedded graph by its name: a folder, or a .mp4, .m4v, .mov or
/// .safetensors file. Thread safety: pure.
bool mayEmbedGraph(const std::filesystem::path& file);

/// The graph document text embedded in `file` (see the file comment). Throws sv::Error naming the file when
/// it is missing, not a regular file or folder, unreadable, holds no graph, holds text that is not a graph
/// document (no "format": "sanavideo.graph"), or a graph above kMaxGraphBytes. Thread safety: reads the file
/// only.
std::string embeddedGraphText(const std::filesystem::path& file);

/// A graph from `file`: its embedded graph when mayEmbedGraph(file), else the file as a graph document
/// (JSON). Throws sv::Error as embeddedGraphText() and GraphDocument::parse() do.
GraphDocument loadGraphFile(const std::filesystem::path& file);

}  // namespace sv::plugin
