// Opening input files that may be hostile. Graphs travel inside MP4s and model folders come from anywhere, so
// a path handed to the engine can name a FIFO (a blocking open(), then a read that never ends), a device such
// as /dev/zero (an endless read) or a multi-gigabyte file posing as a config. Every input (graphs, configs,
// tokenizer files, images, latents, weights) is therefore opened here:
//
//   1. stat() first: anything but a regular file is refused before open(), with a message naming what it is
//      ("is a folder", "is a named pipe (FIFO)", "is a character device") instead of "cannot open";
//   2. open() with O_NONBLOCK, so that a FIFO swapped in after the stat cannot block, then fstat() the
//      descriptor and require the same device and inode, still a regular file;
//   3. the size is checked against the limit of the file's kind before anything is read or mapped.
//
// Reading is chunked and polls an optional cancel check, so a long read can be stopped.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>

namespace sv::io {

/// What an input file is for: picks the noun of messages and the size limit.
enum class InputKind : uint8_t {
    Graph,      ///< a node graph (.json), also a frame folder's graph.json: 16 MiB
    Config,     ///< model_index.json, config.json, scheduler configs, shard indexes: 64 MiB
    Tokenizer,  ///< tokenizer.json / tokenizer.model: 256 MiB (Gemma's tokenizer.json is 17 MB)
    Image,      ///< PNG, JPEG, EXR, TIFF: 1 GiB (the pixel count is checked separately, from the header)
    Latent,     ///< a Save Latent .safetensors file: 4 GiB (mapped, not read)
    Weights,    ///< a weights .safetensors file: no size limit (mapped, not read)
    Video,      ///< an MP4 whose metadata is read (graph-from, drop onto the editor): no size limit
};

/// "graph file", "config file", ... (for messages).
std::string_view inputKindName(InputKind kind);
/// The largest accepted size in bytes (UINT64_MAX: no limit).
uint64_t inputKindLimit(InputKind kind);

/// Returns true when a read should stop; reads then throw sv::Cancelled.
using CancelCheck = std::function<bool()>;

/// A regular file opened read-only; the descriptor is closed on destruction. Move-only.
class InputFile {
  public:
    /// Opens `path` as described in the file comment. Throws sv::Error naming the kind, the path and the real
    /// problem (missing, a folder, a FIFO, a device, a socket, too large, no permission).
    static InputFile open(const std::filesystem::path& path, InputKind kind);

    InputFile(InputFile&& other) noexcept;
    InputFile& operator=(InputFile&& other) noexcept;
    InputFile(const InputFile&) = delete;
    InputFile& operator=(const InputFile&) = delete;
    ~InputFile();

    int fd() const { return fd_; }
    uint64_t size() const { return size_; }
    const std::filesystem::path& path() const { return path_; }
    InputKind kind() const { return kind_; }

    /// Reads the whole file (its size was checked at open), checking `cancelled` between 4 MiB chunks.
    /// Throws sv::Error on a read error or when the file changed size while being read.
    std::string readAll(const CancelCheck& cancelled = {}) const;

  private:
    InputFile(int fd, uint64_t size, std::filesystem::path path, InputKind kind);
    int fd_ = -1;
    uint64_t size_ = 0;
    std::filesystem::path path_;
    InputKind kind_ = InputKind::Config;
};

/// InputFile::open(path, kind).readAll(cancelled): the bytes of a small input file.
std::string readInputFile(const std::filesystem::path& path, InputKind kind,
                          const CancelCheck& cancelled = {});

/// The checks of InputFile::open without keeping the file open: for libraries that take a path (OpenImageIO,
/// FFmpeg). The file is opened non-blocking and closed again, so a FIFO is refused rather than waited on.
void requireInputFile(const std::filesystem::path& path, InputKind kind);

}  // namespace sv::io
