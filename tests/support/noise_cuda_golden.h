// The noise_cuda/ goldens (tests/data/reference/README.md): torch.randn on a CUDA generator, read for the CPU
// emulation test (tests/core/cuda_randn_test.cpp) and the cuRAND test on the GPU
// (tests/cuda/cuda_randn_test.cpp). Header-only; every case comes from randn_cuda.json.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/half.h"
#include "base/tensor.h"
#include "io/json_util.h"
#include "io/safetensors.h"
#include "pipelines/torch_cuda_generator.h"
#include "support/reference.h"

namespace sv::test {

/// The golden folder, or nullopt (with a message for GTEST_SKIP) while the set has none.
inline std::optional<std::filesystem::path> noiseCudaDir(std::string& why) {
    const std::filesystem::path dir = referenceDir() / "noise_cuda";
    std::error_code ec;
    if (std::filesystem::exists(dir / "randn_cuda.json", ec)) return dir;
    why = concat(dir.string(),
                 " is absent: the CUDA-generator goldens are made on a GPU machine by "
                 "tests/data/reference/tools/make_fixtures.py (section noise_cuda)");
    return std::nullopt;
}

struct NoiseCudaCase {
    std::string key;  // "seed{S}.{dtype}.shape{AxB..}"
    uint64_t seed = 0;
    Shape shape;
    DType dtype = DType::F32;
    int64_t numel = 0;
    std::string sha256;
    uint64_t offsetBefore = 0, offsetAfter = 0;
    int64_t blocks = 0;  // policy.grid
    uint64_t counterOffset = 0;
    bool full = false;  // the whole tensor is stored (else samples at sample_index)
};

inline DType noiseDtype(const std::string& torchName) {
    if (torchName == "float32") return DType::F32;
    if (torchName == "bfloat16") return DType::BF16;
    if (torchName == "float16") return DType::F16;
    fail("noise_cuda: unknown dtype ", torchName);
}

inline std::vector<NoiseCudaCase> noiseCudaCases(const nlohmann::json& doc) {
    std::vector<NoiseCudaCase> out;
    for (const auto& c : doc.at("cases")) {
        NoiseCudaCase k;
        k.key = c.at("key").get<std::string>();
        k.seed = c.at("seed").get<uint64_t>();
        k.shape = c.at("shape").get<Shape>();
        k.dtype = noiseDtype(c.at("dtype").get<std::string>());
        k.numel = c.at("numel").get<int64_t>();
        k.sha256 = c.at("sha256").get<std::string>();
        k.offsetBefore = c.at("offset_before").get<uint64_t>();
        k.offsetAfter = c.at("offset_after").get<uint64_t>();
        k.blocks = c.at("policy").at("grid").get<int64_t>();
        k.counterOffset = c.at("policy").at("counter_offset").get<uint64_t>();
        k.full = !c.contains("sample_step");
        out.push_back(std::move(k));
    }
    return out;
}

/// The grid of the GPU the goldens were drawn on.
inline CudaGeneratorGrid noiseCudaGrid(const nlohmann::json& doc) {
    const auto& d = doc.at("device");
    return {d.at("multi_processor_count").get<int>(), d.at("max_threads_per_multi_processor").get<int>()};
}

/// A float value's position on the integer line of its dtype's bit patterns (monotonic in the value), so
/// that the difference of two positions counts ulps.
inline int64_t orderedBits(double v, DType dtype) {
    if (dtype == DType::F32) {
        int32_t i;
        const auto f = float(v);
        std::memcpy(&i, &f, 4);
        return i < 0 ? int64_t(INT32_MIN) - i : i;
    }
    const uint16_t h = dtype == DType::BF16 ? floatToBf16(float(v)) : floatToF16(float(v));
    const int32_t i = h & 0x7fff;
    return (h & 0x8000) ? -i : i;
}

/// Bit equality and distance statistics of out against ref (same numel; compared as dtype values).
struct UlpStats {
    /// Elements farther than this from the reference count as `outliers` (unless they are within 1 ulp of a
    /// 16-bit dtype, where the rounding of a nearby float32 value can step over a boundary).
    double absTolerance = 0;
    int64_t count = 0, bitEqual = 0, maxUlps = 0, outliers = 0;
    double maxAbs = 0;
    void add(double out, double ref, DType dtype) {
        ++count;
        const int64_t d = std::llabs(orderedBits(out, dtype) - orderedBits(ref, dtype));
        const double diff = std::fabs(out - ref);
        if (d == 0) ++bitEqual;
        if (diff > absTolerance && (dtype == DType::F32 || d > 1)) ++outliers;
        maxUlps = std::max(maxUlps, d);
        maxAbs = std::max(maxAbs, diff);
    }
    void merge(const UlpStats& o) {
        count += o.count, bitEqual += o.bitEqual, outliers += o.outliers;
        maxUlps = std::max(maxUlps, o.maxUlps), maxAbs = std::max(maxAbs, o.maxAbs);
    }
    std::string describe() const {
        return concat(bitEqual, " of ", count, " bit-equal, max ", maxUlps, " ulps, max |diff| ", maxAbs,
                      outliers ? concat(", ", outliers, " beyond ", absTolerance) : std::string());
    }
};

/// The little-endian bytes torch hashes: the tensor's own storage (F32: 4 bytes, BF16/F16: 2 per value).
inline std::span<const uint8_t> rawBytes(const Tensor& contiguousCpu) {
    return {static_cast<const uint8_t*>(contiguousCpu.rawData()), contiguousCpu.nbytes()};
}

}  // namespace sv::test
