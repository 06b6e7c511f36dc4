// libFuzzer target: arbitrary bytes as a safetensors image. Parsing must either succeed or throw sv::Error,
// and every tensor of an accepted image must be readable in full (ASan catches any read past the image).
#include <cstddef>
#include <cstdint>
#include <span>

#include "base/error.h"
#include "io/safetensors.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::shared_ptr<sv::SafetensorsFile> file;
    try {
        file = sv::SafetensorsFile::fromMemory(std::span<const uint8_t>(data, size), "fuzz.safetensors");
    } catch (const sv::Error&) {
        return 0;
    }
    uint64_t checksum = 0;
    for (const auto& info : file->tensors()) {
        sv::Tensor t = file->get(info.name);
        // Touch every byte of the view.
        const auto* p = static_cast<const uint8_t*>(t.rawData());
        for (size_t i = 0; i < t.nbytes(); ++i) checksum += p[i];
        if (sv::isFloating(info.dtype) && t.numel() <= (1 << 16)) {
            for (float v : t.to(sv::DType::F32).toFloatVector()) checksum += v == v ? 1 : 0;
        }
    }
    try {
        file->get("certainly not a tensor name");
    } catch (const sv::Error&) {
    }
    return checksum == 0xdeadbeefcafeull ? 1 : 0;  // keep the reads observable
}
