// LATENT values of the SANA-Video pack: a latent tensor plus the pixel geometry it stands for.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "base/tensor.h"
#include "io/safetensors.h"
#include "plugin/sdk/value.h"

namespace sv::nodes {

inline constexpr std::string_view kLatentTag = "sana.latent";

/// What a LATENT holds.
enum class LatentKind : uint8_t {
    Video,  ///< sampled (or initial) video latents [N, C, F', h, w] in the model's normalised space (Wan 2.1:
            ///< C = 16, H/8, W/8)
    Image,  ///< an encoded conditioning image [1, C, 1, h, w] (normalised): the I2V frame-0 latent
};
std::string_view latentKindName(LatentKind k);  ///< "video", "image"
/// Parses "video" / "image"; throws sv::Error naming `source`.
LatentKind parseLatentKind(std::string_view name, std::string_view source);

struct Latent {
    LatentKind kind = LatentKind::Video;
    Tensor latents;  ///< F32 [N, C, F', h, w] (N videos of a batch) on the CPU or the model's device
    int width = 0;   ///< pixel size the latents decode to (after any resize back)
    int height = 0;
    int frames = 0;  ///< pixel frames: 4·(F'−1)+1 for Video, 1 for Image

    size_t bytes() const { return latents.defined() ? latents.nbytes() : 0; }
    /// "video latent F32[1, 16, 21, 60, 104] for 81×480×832"
    std::string describe() const;
};

/// A LATENT value (tag kLatentTag); GPU-heavy when the tensor lives on a device.
plugin::Value makeLatentValue(std::shared_ptr<const Latent> latent);

/// The safetensors layout of Save Latent / Load Latent: one tensor "latents" (F32) and string metadata
/// (format marker, version, kind, width, height, frames, plus anything in `extra`, e.g. the graph).
inline constexpr std::string_view kLatentFileFormat = "sanavideo.latent";
inline constexpr int kLatentFileVersion = 1;
/// What loadLatentFile accepts without knowing the model: the frame count one of the SANA-Video VAEs decodes
/// the latent frames to (Wan 2.1: 4·(F'−1)+1, LTX-2: 8·(F'−1)+1), a latent grid no larger than a
/// 4096-pixel side at the smallest spatial compression (8×), at most 256 latent channels (Wan 2.1 has 16,
/// LTX-2 128) and a batch of at most 256 videos. VAE Decode then checks the latents against its model's VAE.
inline constexpr int64_t kLatentTemporalScales[] = {4, 8};
inline constexpr int64_t kMinLatentSpatialScale = 8;
inline constexpr int64_t kMaxLatentPixelSize = 4096;
inline constexpr int64_t kMaxLatentChannels = 256;
inline constexpr int64_t kMaxLatentBatch = 256;
void saveLatentFile(const std::filesystem::path& path, const Latent& latent,
                    const std::map<std::string, std::string>& extra = {},
                    io::Overwrite overwrite = io::Overwrite::Replace);
/// Reads a file written by saveLatentFile(); throws sv::Error naming the file and the problem, among them
/// metadata that does not match the tensor (checked before the tensor is copied).
Latent loadLatentFile(const std::filesystem::path& path);
/// loadLatentFile's checks on an opened file (`path` names it in messages); the fuzzer feeds it from memory.
Latent readLatent(const SafetensorsFile& file, const std::filesystem::path& path);

}  // namespace sv::nodes
