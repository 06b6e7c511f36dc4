// libFuzzer target: arbitrary bytes as a safetensors file on disk, opened through the file path (input
// checks, size, mmap) as weights and as a Save Latent file. Either it opens and every tensor reads in full,
// or sv::Error.
#include <cstddef>
#include <cstdint>

#include "base/error.h"
#include "fuzz_support.h"
#include "io/safetensors.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const auto path = sv::fuzz::writeInput("input.safetensors", data, size);
    uint64_t checksum = 0;
    for (const auto kind : {sv::io::InputKind::Weights, sv::io::InputKind::Latent}) {
        try {
            const auto file = sv::SafetensorsFile::open(path, kind);
            for (const auto& info : file->tensors()) {
                const sv::Tensor t = file->get(info.name);
                const auto* p = static_cast<const uint8_t*>(t.rawData());
                for (size_t i = 0; i < t.nbytes(); ++i) checksum += p[i];
            }
        } catch (const sv::Error&) {
        }
    }
    return checksum == 0xdeadbeefcafeull ? 1 : 0;  // keep the reads observable
}
