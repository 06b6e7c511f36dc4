// Shared bits of the fuzz targets: a scratch folder of this process (for the readers that take a path) and
// writing the input there.
#pragma once

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace sv::fuzz {

/// A folder private to this process, made once (under $TMPDIR or /tmp).
inline const std::filesystem::path& scratchDir() {
    static const std::filesystem::path dir = [] {
        const char* base = std::getenv("TMPDIR");
        std::string pattern = std::string(base && *base ? base : "/tmp") + "/sv-fuzz-XXXXXX";
        const char* made = ::mkdtemp(pattern.data());
        if (!made) std::abort();
        return std::filesystem::path(made);
    }();
    return dir;
}

/// Writes the input to `name` in the scratch folder (replacing it) and returns its path. The old file is
/// removed first: truncating it instead makes ext4 flush it to disk on close (auto_da_alloc), 10x slower.
inline std::filesystem::path writeInput(const std::string& name, const uint8_t* data, size_t size) {
    const std::filesystem::path p = scratchDir() / name;
    std::error_code ec;
    std::filesystem::remove(p, ec);
    std::ofstream(p, std::ios::binary).write(reinterpret_cast<const char*>(data), std::streamsize(size));
    return p;
}

}  // namespace sv::fuzz
