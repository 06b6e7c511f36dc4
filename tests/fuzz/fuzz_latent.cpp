// libFuzzer target: arbitrary bytes as a Save Latent file (safetensors from memory, then Load Latent's
// checks). An accepted file's metadata must describe its tensor: frames = 4·(F'−1)+1 or 8·(F'−1)+1 (the Wan
// 2.1 and LTX-2 VAEs; 1 for an image latent) and pixel sizes within 4096, so VAE Decode never allocates for a
// video the file does not hold. Violations abort.
#include <cstddef>
#include <cstdint>
#include <span>

#include "base/error.h"
#include "nodes/latent_value.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace sv::nodes;
    std::shared_ptr<sv::SafetensorsFile> file;
    try {
        file = sv::SafetensorsFile::fromMemory(std::span<const uint8_t>(data, size), "fuzz.safetensors");
        const Latent l = readLatent(*file, "fuzz.safetensors");
        const sv::Shape& s = l.latents.shape();
        const bool framesMatch = l.kind == LatentKind::Image
                                     ? l.frames == 1
                                     : l.frames == 4 * (s.at(2) - 1) + 1 || l.frames == 8 * (s.at(2) - 1) + 1;
        if (!framesMatch || l.width > kMaxLatentPixelSize || l.height > kMaxLatentPixelSize) std::abort();
        (void)l.describe();
    } catch (const sv::Error&) {
    }
    return 0;
}
