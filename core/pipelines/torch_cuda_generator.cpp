#include "pipelines/torch_cuda_generator.h"

#include <algorithm>
#include <charconv>
#include <climits>

#include "backend/device.h"
#include "base/device_hooks.h"
#include "ops/philox_normal.h"

namespace sv {

namespace {

constexpr int64_t kBlockThreads = 256;   // torch's block_size_bound
constexpr int64_t kUnroll = 4;           // curand_normal4
constexpr uint64_t kOffsetsPerCall = 4;  // max_generator_offsets_per_curand_call

void validate(const CudaGeneratorGrid& g, std::string_view what) {
    SV_CHECK(g.multiprocessors >= 1 && g.multiprocessors <= 100000, what, ": ", g.multiprocessors,
             " multiprocessors is not a plausible GPU (1..100000)");
    SV_CHECK(g.threadsPerMultiprocessor >= 256 && g.threadsPerMultiprocessor <= 65536, what, ": ",
             g.threadsPerMultiprocessor, " threads per multiprocessor is not a plausible GPU (256..65536)");
}

}  // namespace

std::string CudaGeneratorGrid::toString() const {
    return concat(multiprocessors, "x", threadsPerMultiprocessor);
}

CudaGeneratorGrid CudaGeneratorGrid::parse(std::string_view text, std::string_view what) {
    CudaGeneratorGrid g;
    const size_t x = text.find('x');
    auto number = [&](std::string_view s, int& out) {
        auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
        return ec == std::errc() && p == s.data() + s.size() && !s.empty();
    };
    SV_CHECK(x != std::string_view::npos && number(text.substr(0, x), g.multiprocessors) &&
                 number(text.substr(x + 1), g.threadsPerMultiprocessor),
             what, ": \"", text,
             "\" is not SMSxTHREADS, the GPU's multiprocessor count and threads per multiprocessor (e.g. "
             "132x2048 for an H100 SXM or H200, 108x2048 for an A100)");
    validate(g, what);
    return g;
}

CudaGeneratorGrid CudaGeneratorGrid::ofDevice(int index) {
    const detail::CudaMultiprocessors m = detail::cudaMultiprocessors(index);
    return {m.count, m.threadsPerMultiprocessor};
}

CudaGeneratorGrid resolveCudaGeneratorGrid(const std::optional<CudaGeneratorGrid>& given, Device device,
                                           std::string_view what) {
    if (given) {
        validate(*given, what);
        return *given;
    }
    if (device.isCuda()) return CudaGeneratorGrid::ofDevice(device.index);
    SV_CHECK(
        device::count(Device::Kind::Cuda) > 0, what,
        ": the CUDA generator's noise depends on the GPU it is drawn on, and this machine has none; give "
        "the SM count and threads per SM of the GPU whose noise to reproduce (e.g. 132x2048 for an H100 "
        "SXM or H200)");
    return CudaGeneratorGrid::ofDevice(0);
}

CudaRandomLaunch cudaRandnLaunch(int64_t numel, const CudaGeneratorGrid& grid) {
    SV_ASSERT(numel >= 1 && grid.maxBlocks() >= 1);
    CudaRandomLaunch l;
    l.blocks = std::min(grid.maxBlocks(), (numel + kBlockThreads - 1) / kBlockThreads);
    const int64_t perPass = kBlockThreads * l.blocks * kUnroll;
    l.counterOffset = uint64_t((numel - 1) / perPass + 1) * kOffsetsPerCall;
    return l;
}

TorchCudaGenerator::TorchCudaGenerator(uint64_t seed, const CudaGeneratorGrid& grid) : grid_(grid) {
    validate(grid, "CUDA generator grid");
    manualSeed(seed);
}

void TorchCudaGenerator::manualSeed(uint64_t seed) {
    seed_ = seed;
    offset_ = 0;
}

Tensor TorchCudaGenerator::randn(const Shape& shape, DType dtype, Device device) {
    for (int64_t d : shape) SV_CHECK(d >= 0, "randn: negative size in shape ", shapeToString(shape));
    SV_CHECK(dtype == DType::F32 || dtype == DType::BF16 || dtype == DType::F16,
             "randn on a CUDA generator: ", "dtype ", dtypeName(dtype),
             " is not supported (F32, BF16 or F16)");
    const int64_t numel = shapeNumel(shape);
    if (numel == 0)
        return Tensor::empty(shape, dtype, device);  // torch returns before touching the generator
    SV_CHECK(1 + (numel - 1) * int64_t(dtypeSize(dtype)) <= int64_t(INT32_MAX),
             "randn on a CUDA generator: ", shapeToString(shape),
             " is beyond 2^31 bytes, where torch splits the launch (not reproduced)");
    const CudaRandomLaunch l = cudaRandnLaunch(numel, grid_);
    Tensor t =
        ops::philoxNormal(shape, dtype, device, {.seed = seed_, .offset = offset_, .blocks = l.blocks});
    // CUDAGeneratorImpl::philox_cuda_state: the offset moves on by the increment rounded up to 4.
    offset_ += (l.counterOffset + 3) / 4 * 4;
    return t;
}

}  // namespace sv
