#include "models/video_vae.h"

#include <algorithm>

#include "io/json_util.h"
#include "io/safetensors.h"
#include "models/ltx2_vae.h"
#include "models/wan_vae.h"
#include "ops/vae_resample.h"

namespace sv {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view kWanClass = "AutoencoderKLWan";
constexpr std::string_view kLtx2Class = "AutoencoderKLLTX2Video";

}  // namespace

Tensor concatFrames(std::span<const Tensor> parts) {
    SV_ASSERT(!parts.empty());
    Shape shape = parts.front().shape();
    shape[2] = 0;
    for (const Tensor& p : parts) shape[2] += p.dim(2);
    Tensor out = Tensor::empty(shape, parts.front().dtype(), parts.front().device());
    int64_t t = 0;
    for (const Tensor& p : parts) {
        out.slice(2, t, t + p.dim(2)).copyFrom(p);
        t += p.dim(2);
    }
    return out;
}

Tensor repeatFrame(const Tensor& x, int64_t index, int64_t count) {
    SV_ASSERT(x.rank() == 5 && index >= 0 && index < x.dim(2) && count >= 1);
    Shape shape = x.shape();
    shape[2] = count;
    Tensor out = Tensor::empty(shape, x.dtype(), x.device());
    const Tensor frame = x.slice(2, index, index + 1);
    for (int64_t t = 0; t < count; ++t) out.slice(2, t, t + 1).copyFrom(frame);
    return out;
}

// ---- VideoVae
// ------------------------------------------------------------------------------------------------

Tensor VideoVae::decode(const Tensor& latents, const VaeObserver& observer) const {
    Tensor video;
    const int64_t total = pixelFrameCount(latents.defined() && latents.rank() == 5 ? latents.dim(2) : 0);
    decodeFrames(
        latents,
        [&](int64_t first, const Tensor& frames) {
            if (!video.defined()) {
                Shape shape = frames.shape();
                shape[2] = total;
                video = Tensor::empty(shape, DType::F32, frames.device());
            }
            SV_ASSERT_MSG(first + frames.dim(2) <= total, className(), "::decode: frame count ",
                          first + frames.dim(2), " exceeds ", total);
            video.slice(2, first, first + frames.dim(2)).copyFrom(frames.to(DType::F32));
        },
        observer);
    return video;
}

void VideoVae::setLatentStatistics(std::vector<float> mean, const std::vector<float>& std) {
    SV_ASSERT(mean.size() == std.size() && !mean.empty());
    std::vector<float> inv;
    for (float s : std) inv.push_back(1.0f / s);
    latentsMean_ = Tensor::fromFloats(mean, {int64_t(mean.size())});
    latentsInvStd_ = Tensor::fromFloats(inv, {int64_t(inv.size())});
}

Tensor VideoVae::computeInput(const Tensor& t, const char* what) const {
    SV_CHECK(t.defined() && isFloating(t.dtype()), className(), ": ", what, " must be a float tensor, got ",
             t.defined() ? t.describe() : std::string("nothing"));
    return t.to(device()).to(dtype()).contiguous();
}

Tensor VideoVae::normalizeLatents(const Tensor& z) const {
    SV_CHECK(z.defined() && z.rank() >= 2 && z.dim(1) == latentChannels(), className(),
             "::normalizeLatents: expected ", latentChannels(), " channels at dim 1, got ",
             z.defined() ? z.describe() : std::string("nothing"));
    return ops::normalizeLatents(computeInput(z, "latents"), latentsMean_, latentsInvStd_);
}

Tensor VideoVae::denormalizeLatents(const Tensor& z) const {
    SV_CHECK(z.defined() && z.rank() >= 2 && z.dim(1) == latentChannels(), className(),
             "::denormalizeLatents: expected ", latentChannels(), " channels at dim 1, got ",
             z.defined() ? z.describe() : std::string("nothing"));
    return ops::denormalizeLatents(computeInput(z, "latents"), latentsMean_, latentsInvStd_);
}

// ---- VideoVaeConfig
// ------------------------------------------------------------------------------------------

VideoVaeConfig VideoVaeConfig::fromJson(const nlohmann::json& j, std::string_view source) {
    const std::string cls = jsonGet<std::string>(j, "_class_name", std::string(kWanClass), source);
    if (cls == kWanClass) return {WanVaeConfig::fromJson(j, source)};
    if (cls == kLtx2Class) return {Ltx2VaeConfig::fromJson(j, source)};
    fail(source, ": VAE class \"", cls, "\" is not supported (", kWanClass, " or ", kLtx2Class, ")");
}

VideoVaeConfig VideoVaeConfig::load(const fs::path& configJson) {
    return fromJson(readJsonFile(configJson), configJson.string());
}

VaeFamily VideoVaeConfig::family() const {
    return std::holds_alternative<WanVaeConfig>(config) ? VaeFamily::Wan : VaeFamily::Ltx2;
}

std::string_view VideoVaeConfig::className() const {
    return family() == VaeFamily::Wan ? kWanClass : kLtx2Class;
}

std::string_view VideoVaeConfig::familyLabel() const {
    return family() == VaeFamily::Wan ? "480p Wan 2.1" : "720p LTX-2";
}

int VideoVaeConfig::latentChannels() const {
    if (const auto* w = std::get_if<WanVaeConfig>(&config)) return w->zDim;
    return std::get<Ltx2VaeConfig>(config).latentChannels;
}

int VideoVaeConfig::temporalCompression() const {
    if (const auto* w = std::get_if<WanVaeConfig>(&config)) return w->scaleFactorTemporal;
    return std::get<Ltx2VaeConfig>(config).temporalCompression;
}

int VideoVaeConfig::spatialCompression() const {
    if (const auto* w = std::get_if<WanVaeConfig>(&config)) return w->scaleFactorSpatial;
    return std::get<Ltx2VaeConfig>(config).spatialCompression;
}

std::vector<WeightSpec> VideoVaeConfig::weightSpecs(VaeParts parts) const {
    if (const auto* w = std::get_if<WanVaeConfig>(&config)) {
        if (parts == VaeParts::Encoder) return wanVaeEncoderWeightSpecs(*w);
        if (parts == VaeParts::Decoder) return wanVaeDecoderWeightSpecs(*w);
        return wanVaeWeightSpecs(*w);
    }
    const auto& l = std::get<Ltx2VaeConfig>(config);
    if (parts == VaeParts::Encoder) return ltx2VaeEncoderWeightSpecs(l);
    if (parts == VaeParts::Decoder) return ltx2VaeDecoderWeightSpecs(l);
    return ltx2VaeWeightSpecs(l);
}

bool isVideoVaeClass(std::string_view className) {
    return className == kWanClass || className == kLtx2Class;
}

fs::path vaeFolder(const fs::path& folderIn, std::string_view className) {
    std::error_code ec;
    fs::path folder = folderIn;
    if (!fs::exists(folder / "config.json", ec) && fs::exists(folder / "vae" / "config.json", ec))
        folder /= "vae";
    SV_CHECK(fs::exists(folder / "config.json", ec), folderIn.string(),
             ": no config.json (expected a diffusers ", className, " folder such as <model>/vae)");
    return folder;
}

WeightSet loadVaeWeights(const fs::path& folder, const VideoVaeConfig& config, VaeParts parts,
                         const LoadOptions& loadOptions) {
    SV_CHECK(loadOptions.device.isCuda() || loadOptions.dtype == DType::F32, folder.string(),
             ": the CPU backend runs the VAE in float32 (asked for ", dtypeName(loadOptions.dtype), ")");
    LoadOptions options = loadOptions;
    const std::vector<WeightSpec> specs = config.weightSpecs(parts);
    if (parts != VaeParts::Both) {
        for (auto& s : config.weightSpecs(VaeParts::Both)) {
            const bool needed = std::any_of(specs.begin(), specs.end(),
                                            [&](const WeightSpec& m) { return m.name == s.name; });
            if (!needed) options.ignored.push_back(std::move(s.name));
        }
    }
    return loadWeights(WeightArchive::open(folder), specs, options, config.className());
}

std::pair<Device, DType> bindVaeWeights(WeightSet& weights, std::span<const WeightSpec> specs,
                                        std::string_view className) {
    Device device;
    DType dtype = DType::F32;
    bool first = true;
    for (const auto& s : specs) {
        SV_CHECK(weights.contains(s.name), className, ": weight \"", s.name, "\" is missing");
        const Tensor& t = weights.get(s.name);
        SV_CHECK(t.shape() == s.shape, className, ": weight \"", s.name, "\" has shape ",
                 shapeToString(t.shape()), ", expected ", shapeToString(s.shape));
        if (first) {
            device = t.device();
            dtype = t.device().isCpu() ? DType::F32 : t.dtype();
            first = false;
        }
        SV_CHECK(t.device() == device, className, ": weight \"", s.name, "\" is on ", t.device().toString(),
                 ", the others on ", device.toString());
        if (t.dtype() != dtype) weights.set(s.name, t.to(dtype));
    }
    return {device, dtype};
}

std::shared_ptr<const VideoVae> loadVideoVae(const fs::path& folderIn, VaeParts parts,
                                             const LoadOptions& options) {
    const fs::path folder = vaeFolder(folderIn, "VAE");
    const VideoVaeConfig config = VideoVaeConfig::load(folder / "config.json");
    if (config.family() == VaeFamily::Wan)
        return std::make_shared<const WanVae>(WanVae::load(folder, parts, options));
    return std::make_shared<const Ltx2Vae>(Ltx2Vae::load(folder, parts, options));
}

}  // namespace sv
