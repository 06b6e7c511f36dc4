// SHA-256 (FIPS 180-4) of byte buffers and files, for checking fixtures and downloaded files against known
// digests.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>

namespace sv {

/// Incremental SHA-256: update() any number of times, then digest() once.
class Sha256 {
  public:
    Sha256();
    void update(std::span<const uint8_t> bytes);
    void update(std::string_view text) {
        update(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
    }
    /// The 32-byte digest. The object must not be updated afterwards.
    std::array<uint8_t, 32> digest();
    /// The digest as 64 lower-case hexadecimal characters.
    std::string hexDigest();

  private:
    void block(const uint8_t* p);

    std::array<uint32_t, 8> h_;
    std::array<uint8_t, 64> buffer_{};
    size_t bufferLen_ = 0;
    uint64_t totalBytes_ = 0;
    bool finished_ = false;
};

/// Lower-case hex SHA-256 of a byte buffer.
std::string sha256Hex(std::span<const uint8_t> bytes);
/// Lower-case hex SHA-256 of a file's contents; throws sv::Error naming the file when it cannot be read.
std::string sha256HexOfFile(const std::filesystem::path& path);

}  // namespace sv
