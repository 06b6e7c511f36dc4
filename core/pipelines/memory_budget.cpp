#include "pipelines/memory_budget.h"

#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <initializer_list>
#include <limits>
#include <string_view>

#include "base/device_hooks.h"
#include "base/error.h"
#include "models/ltx2_vae.h"
#include "models/wan_vae.h"

namespace sv {

namespace {

constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();

/// a·b, saturating at UINT64_MAX (a request's sizes come from the user and may be absurd).
uint64_t mul(uint64_t a, uint64_t b) {
    if (a != 0 && b > kMax / a) return kMax;
    return a * b;
}
uint64_t mul(std::initializer_list<uint64_t> factors) {
    uint64_t p = 1;
    for (uint64_t f : factors) p = mul(p, f);
    return p;
}
uint64_t add(uint64_t a, uint64_t b) {
    return b > kMax - a ? kMax : a + b;
}

uint64_t dim(int64_t d) {
    return d > 0 ? uint64_t(d) : 0;
}

/// Adds `bytes` named `what` to the estimate's total for one memory and to its breakdown.
void count(MemoryEstimate& e, bool onDevice, const char* what, uint64_t bytes) {
    (onDevice ? e.deviceBytes : e.hostBytes) = add(onDevice ? e.deviceBytes : e.hostBytes, bytes);
    e.breakdown += concat(e.breakdown.empty() ? "" : ", ", what, " ", formatBytes(bytes));
}

/// SV_MEMORY_LIMIT_MB in bytes, or 0 when unset or not a positive integer.
uint64_t environmentLimit() {
    const char* text = std::getenv("SV_MEMORY_LIMIT_MB");
    if (!text) return 0;
    const std::string_view s(text);
    uint64_t mb = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), mb);
    if (ec != std::errc() || end != s.data() + s.size() || mb == 0) return 0;
    return mul(mb, uint64_t(1) << 20);
}

uint64_t capped(uint64_t bytes, uint64_t limit) {
    if (limit == 0) return bytes;
    return bytes == 0 ? limit : std::min(bytes, limit);
}

}  // namespace

MemoryCapacity memoryCapacity(Device device) {
    const long pages = ::sysconf(_SC_PHYS_PAGES), pageSize = ::sysconf(_SC_PAGE_SIZE);
    const uint64_t host = pages > 0 && pageSize > 0 ? mul(uint64_t(pages), uint64_t(pageSize)) : 0;
    const uint64_t limit = environmentLimit();
    MemoryCapacity c;
    c.hostBytes = capped(host, limit);
    c.deviceBytes = device.isCpu() ? c.hostBytes : capped(detail::cudaDeviceMemory(device.index), limit);
    return c;
}

void checkRopeGrid(const TransformerConfig& tc, std::array<int64_t, 3> grid) {
    static constexpr const char* kAxis[3] = {"frames", "height", "width"};
    for (size_t a = 0; a < 3; ++a) {
        const int64_t tokens = grid[a] / tc.patchSize[a];
        SV_CHECK(tokens >= 1 && tokens <= tc.ropeMaxSeqLen, "the latent grid has ", tokens,
                 " transformer positions along ", kAxis[a], "; the model supports 1 to ", tc.ropeMaxSeqLen,
                 " (rope_max_seq_len): use a smaller size or fewer frames");
    }
}

MemoryEstimate estimateSampling(const TransformerConfig& tc, std::array<int64_t, 5> s, bool guidance,
                                size_t computeBytes) {
    const uint64_t batch = dim(s[0]), rows = guidance ? mul(batch, 2) : batch;
    const uint64_t perVideo = mul({dim(s[1]), dim(s[2]), dim(s[3]), dim(s[4])});
    const uint64_t tokens =
        mul({dim(s[2] / tc.patchSize[0]), dim(s[3] / tc.patchSize[1]), dim(s[4] / tc.patchSize[2])});
    MemoryEstimate e;
    count(e, false, "initial noise", mul({batch, perVideo, 4}));
    // The latents, the model input (rows), its output (rows) and the stepped latents, all F32.
    count(e, true, "latents", mul({add(mul(batch, 2), mul(rows, 2)), perVideo, 4}));
    count(e, true, "RoPE tables", mul({tokens, dim(tc.headDim), 2, 4}));
    // Per token at least the residual stream and one attention output (D each) and the feed-forward's
    // inverted-bottleneck output (2·H, before its GLU halves it).
    const uint64_t width = add(mul(2, dim(tc.innerDim())), mul(2, dim(tc.ffHidden())));
    count(e, true, "transformer activations", mul({rows, tokens, width, computeBytes}));
    return e;
}

DecoderFootprint decoderFootprint(const WanVaeConfig& vae) {
    return {vae.scaleFactorSpatial, vae.scaleFactorTemporal, vae.decoderBaseDim, 4, 1};
}

DecoderFootprint decoderFootprint(const Ltx2VaeConfig& vae) {
    const int64_t widest = vae.decoderBlockOutChannels.empty() ? 0 : vae.decoderBlockOutChannels.front();
    return {vae.spatialCompression, vae.temporalCompression, widest, vae.temporalCompression,
            std::max<int64_t>(1, vae.patchSize)};
}

MemoryEstimate estimateDecoding(const DecoderFootprint& vae, std::array<int64_t, 5> s, int64_t outH,
                                int64_t outW, bool keepFrames) {
    const uint64_t batch = dim(s[0]);
    const uint64_t height = mul(dim(s[3]), dim(vae.spatial));
    const uint64_t width = mul(dim(s[4]), dim(vae.spatial));
    const uint64_t frames = add(mul(dim(s[2] - 1), dim(vae.temporal)), 1);
    const uint64_t oh = outH > 0 ? uint64_t(outH) : height, ow = outW > 0 ? uint64_t(outW) : width;
    const uint64_t down = dim(vae.downscale);
    MemoryEstimate e;
    count(e, true, "latents", mul({batch, dim(s[1]), dim(s[2]), dim(s[3]), dim(s[4]), 4}));
    // A convolution's input and output at the decoder's widest resolution, F32.
    count(e, true, "VAE activations",
          mul({2, batch, dim(vae.channels), dim(vae.chunkFrames), height / down, width / down, 4}));
    // Kept as F32 [B, F, H, W, 3], or by the frame sink as bytes (one video).
    count(e, false, "decoded frames",
          keepFrames ? mul({batch, frames, oh, ow, 3, 4}) : mul({frames, oh, ow, 3}));
    return e;
}

void checkMemory(const MemoryEstimate& need, const MemoryCapacity& capacity, bool onHost,
                 std::string_view what) {
    const char* advice = "; use a smaller size or fewer frames (SV_MEMORY_LIMIT_MB sets a lower limit)";
    if (onHost) {
        const uint64_t total = add(need.deviceBytes, need.hostBytes);
        SV_CHECK(capacity.hostBytes == 0 || total <= capacity.hostBytes, what, " needs about ",
                 formatBytes(total), " of memory (", need.breakdown, "), more than the ",
                 formatBytes(capacity.hostBytes), " this machine has", advice);
        return;
    }
    SV_CHECK(capacity.deviceBytes == 0 || need.deviceBytes <= capacity.deviceBytes, what, " needs about ",
             formatBytes(need.deviceBytes), " of GPU memory (", need.breakdown, "), more than the GPU's ",
             formatBytes(capacity.deviceBytes), advice);
    SV_CHECK(capacity.hostBytes == 0 || need.hostBytes <= capacity.hostBytes, what, " needs about ",
             formatBytes(need.hostBytes), " of host memory (", need.breakdown, "), more than the ",
             formatBytes(capacity.hostBytes), " this machine has", advice);
}

void checkSamplingMemory(const SanaModels& models, const VideoGeometry& g, int64_t batch, bool guidance) {
    const SanaTransformer& transformer = models.requireTransformer();
    // proj_out is never 8-bit (models/weight_storage.h), so its dtype is the compute dtype.
    const Tensor& ref = transformer.weights().get("proj_out.weight");
    const Device device = ref.device();
    const DType compute = ref.dtype();
    const TransformerConfig& tc = transformer.config();
    const Shape s = g.latentShape(batch, tc.inChannels);
    checkMemory(
        estimateSampling(tc, {s[0], s[1], s[2], s[3], s[4]}, guidance, dtypeSize(compute)),
        memoryCapacity(device), device.isCpu(),
        concat("sampling ", batch, " video(s) of ", g.width, "x", g.height, ", ", g.frames, " frames"));
}

void checkDecodingMemory(const SanaModels& models, const Shape& latents, int64_t outH, int64_t outW,
                         bool keepFrames) {
    const VideoVae& vae = models.requireVaeDecoder();
    SV_CHECK(latents.size() == 5, "latents to decode must be [N, C, F', h, w], got ", shapeToString(latents));
    const auto* wan = dynamic_cast<const WanVae*>(&vae);
    const auto* ltx = dynamic_cast<const Ltx2Vae*>(&vae);
    SV_ASSERT_MSG(wan || ltx, "no memory footprint for the VAE class ", vae.className());
    const MemoryEstimate need = estimateDecoding(
        wan ? decoderFootprint(wan->config()) : decoderFootprint(ltx->config()),
        {latents[0], latents[1], latents[2], latents[3], latents[4]}, outH, outW, keepFrames);
    checkMemory(need, memoryCapacity(vae.device()), vae.device().isCpu(),
                concat("decoding latents ", shapeToString(latents)));
}

}  // namespace sv
