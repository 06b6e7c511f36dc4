// safetensors files: memory-mapped, header validated before any tensor byte is touched, tensors returned as
// zero-copy CPU views that keep the mapping alive. Sharded checkpoints (*.safetensors.index.json) are read
// through WeightArchive.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/tensor.h"
#include "io/input_file.h"
#include "io/output_file.h"

namespace sv {

struct TensorInfo {
    std::string name;
    DType dtype = DType::F32;
    Shape shape;
    uint64_t begin = 0;  // byte offsets into the data section
    uint64_t end = 0;
};

class SafetensorsFile : public std::enable_shared_from_this<SafetensorsFile> {
  public:
    /// Opens (io::InputFile: a regular file, within the kind's size limit; weights have none) and validates
    /// the file; throws sv::Error naming the file and the problem.
    static std::shared_ptr<SafetensorsFile> open(const std::filesystem::path& path,
                                                 io::InputKind kind = io::InputKind::Weights);
    /// Validates an in-memory image (used by the fuzzer); the bytes must outlive the object.
    static std::shared_ptr<SafetensorsFile> fromMemory(std::span<const uint8_t> bytes, std::string source);

    ~SafetensorsFile();
    SafetensorsFile(const SafetensorsFile&) = delete;
    SafetensorsFile& operator=(const SafetensorsFile&) = delete;

    const std::filesystem::path& path() const { return path_; }
    const std::vector<TensorInfo>& tensors() const { return tensors_; }
    const std::map<std::string, std::string>& metadata() const { return metadata_; }
    const TensorInfo* find(std::string_view name) const;
    bool contains(std::string_view name) const { return find(name) != nullptr; }

    /// Zero-copy CPU view of the named tensor in its stored dtype (a copy if the bytes are misaligned).
    /// Throws sv::Error if absent.
    Tensor get(std::string_view name) const;
    /// The tensor converted to dtype (a copy unless the stored dtype already matches).
    Tensor getAs(std::string_view name, DType dtype) const { return get(name).to(dtype); }

  private:
    SafetensorsFile() = default;
    void parse(std::span<const uint8_t> bytes);

    std::filesystem::path path_;
    std::string source_;
    void* map_ = nullptr;
    size_t mapSize_ = 0;
    const uint8_t* data_ = nullptr;  // start of the data section
    std::vector<TensorInfo> tensors_;
    std::map<std::string, size_t, std::less<>> index_;
    std::map<std::string, std::string> metadata_;
};

/// A model's weights: one safetensors file, or a sharded set described by `<stem>.safetensors.index.json`.
class WeightArchive {
  public:
    /// `path` is a .safetensors file, an .index.json file, or a folder holding exactly one of
    /// `*.safetensors.index.json` / `*.safetensors` (preferring the index when both exist).
    static WeightArchive open(const std::filesystem::path& path);

    std::vector<std::string> names() const;
    const TensorInfo* find(std::string_view name) const;
    bool contains(std::string_view name) const { return find(name) != nullptr; }
    Tensor get(std::string_view name) const;
    const std::filesystem::path& source() const { return source_; }

    /// Builds an archive from an index's tensor -> shard-file map (shards relative to the index's folder).
    static WeightArchive fromIndexMap(const std::filesystem::path& indexPath,
                                      const std::map<std::string, std::string>& tensorToShard);

  private:
    std::filesystem::path source_;
    std::vector<std::shared_ptr<SafetensorsFile>> files_;
    std::map<std::string, size_t, std::less<>> where_;  // tensor name -> index into files_
};

/// Writes tensors (any device, any layout; written contiguous in their dtype) to a safetensors file. Writes
/// to a temporary name first and renames, so an interrupted write never leaves a truncated file under `path`.
/// `overwrite` says what happens when a file of the name exists by then (output nodes: Refuse).
void writeSafetensors(const std::filesystem::path& path,
                      std::span<const std::pair<std::string, Tensor>> tensors,
                      const std::map<std::string, std::string>& metadata = {},
                      io::Overwrite overwrite = io::Overwrite::Replace);

}  // namespace sv
