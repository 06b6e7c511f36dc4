#include "latent_value.h"

#include <charconv>
#include <utility>
#include <vector>

#include "base/error.h"
#include "io/safetensors.h"

namespace sv::nodes {

std::string_view latentKindName(LatentKind k) {
    return k == LatentKind::Image ? "image" : "video";
}

LatentKind parseLatentKind(std::string_view name, std::string_view source) {
    if (name == "video") return LatentKind::Video;
    if (name == "image") return LatentKind::Image;
    fail(source, ": unknown latent kind \"", excerpt(name), "\" (expected \"video\" or \"image\")");
}

std::string Latent::describe() const {
    return concat(latentKindName(kind), " latent ", latents.defined() ? latents.describe() : "(empty)",
                  " for ", frames, "x", height, "x", width);
}

plugin::Value makeLatentValue(std::shared_ptr<const Latent> latent) {
    SV_ASSERT(latent && latent->latents.defined());
    const plugin::SizeHint hint{latent->bytes(), latent->latents.device().kind != Device::Kind::Cpu};
    return plugin::Value::object(std::string(kLatentTag), std::move(latent), hint);
}

void saveLatentFile(const std::filesystem::path& path, const Latent& latent,
                    const std::map<std::string, std::string>& extra, io::Overwrite overwrite) {
    SV_CHECK(latent.latents.defined(), "saving ", path.string(), ": the latent is empty");
    std::map<std::string, std::string> meta = extra;
    meta["format"] = std::string(kLatentFileFormat);
    meta["version"] = std::to_string(kLatentFileVersion);
    meta["kind"] = std::string(latentKindName(latent.kind));
    meta["width"] = std::to_string(latent.width);
    meta["height"] = std::to_string(latent.height);
    meta["frames"] = std::to_string(latent.frames);
    const std::vector<std::pair<std::string, Tensor>> tensors{
        {"latents", latent.latents.to(Device::cpu()).to(DType::F32)}};
    writeSafetensors(path, tensors, meta, overwrite);
}

namespace {

int metaInt(const std::map<std::string, std::string>& meta, const char* key,
            const std::filesystem::path& path) {
    auto it = meta.find(key);
    SV_CHECK(it != meta.end(), path.string(), ": latent file metadata has no \"", key, "\"");
    int v = 0;
    const auto& s = it->second;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    SV_CHECK(ec == std::errc() && end == s.data() + s.size() && v >= 0, path.string(),
             ": latent file metadata \"", key, "\" is not a non-negative integer: \"", excerpt(s), "\"");
    return v;
}

/// The metadata must describe the tensor: the frame count is what its latent frames decode to with one of the
/// VAEs' temporal compressions, and the pixel size one a Sampler can produce. A small file must not make VAE
/// Decode allocate for a video it does not hold (VAE Decode then checks the exact compression of its model).
void checkLatentGeometry(const Latent& l, const TensorInfo& t, const std::filesystem::path& path) {
    const Shape& s = t.shape;
    SV_CHECK(s.size() == 5 && s[0] > 0 && s[0] <= kMaxLatentBatch && s[1] > 0 && s[1] <= kMaxLatentChannels &&
                 s[2] > 0 && s[3] > 0 && s[4] > 0,
             path.string(), ": tensor \"latents\" must be [N, C, F', h, w] with N <= ", kMaxLatentBatch,
             " and C <= ", kMaxLatentChannels, ", got ", shapeToString(s));
    SV_CHECK(l.width > 0 && l.height > 0 && l.width <= kMaxLatentPixelSize && l.height <= kMaxLatentPixelSize,
             path.string(), ": latent file metadata claims ", l.width, "x", l.height, " pixels; width and ",
             "height must be in [1, ", kMaxLatentPixelSize, "]");
    SV_CHECK(s[3] * kMinLatentSpatialScale <= kMaxLatentPixelSize &&
                 s[4] * kMinLatentSpatialScale <= kMaxLatentPixelSize,
             path.string(), ": tensor \"latents\" ", shapeToString(s), " is a larger latent grid than a ",
             kMaxLatentPixelSize, "-pixel video has");
    if (l.kind == LatentKind::Image) {
        SV_CHECK(s[0] == 1 && s[2] == 1 && l.frames == 1, path.string(), ": an image latent is one frame of ",
                 "one image, but the file holds ", shapeToString(s), " and its metadata claims ", l.frames,
                 " frame(s)");
        return;
    }
    std::string decodable;
    for (const int64_t scale : kLatentTemporalScales) {
        const int64_t frames = scale * (s[2] - 1) + 1;
        if (l.frames == frames) return;
        if (decodable != std::to_string(frames))  // one latent frame is one frame for every VAE
            decodable += concat(decodable.empty() ? "" : " or ", frames);
    }
    fail(path.string(), ": latent file metadata claims ", l.frames, " frames, but its tensor ",
         shapeToString(s), " holds ", s[2], " latent frames, which decode to ", decodable);
}

}  // namespace

Latent loadLatentFile(const std::filesystem::path& path) {
    return readLatent(*SafetensorsFile::open(path, io::InputKind::Latent), path);
}

Latent readLatent(const SafetensorsFile& file, const std::filesystem::path& path) {
    const auto& meta = file.metadata();
    auto fmt = meta.find("format");
    SV_CHECK(fmt != meta.end() && fmt->second == kLatentFileFormat, path.string(),
             ": not a Sana Video latent file (metadata \"format\" is not \"", kLatentFileFormat,
             "\"; write it with Save Latent)");
    const int version = metaInt(meta, "version", path);
    SV_CHECK(version <= kLatentFileVersion, path.string(), ": latent file version ", version,
             " is newer than this build supports (", kLatentFileVersion, ")");
    auto kind = meta.find("kind");
    SV_CHECK(kind != meta.end(), path.string(), ": latent file metadata has no \"kind\"");

    Latent out;
    out.kind = parseLatentKind(kind->second, path.string());
    out.width = metaInt(meta, "width", path);
    out.height = metaInt(meta, "height", path);
    out.frames = metaInt(meta, "frames", path);
    SV_CHECK(out.width > 0 && out.height > 0 && out.frames > 0, path.string(),
             ": latent file metadata has a zero width, height or frame count");
    const TensorInfo* info = file.find("latents");
    SV_CHECK(info != nullptr, path.string(), ": no tensor \"latents\"");
    checkLatentGeometry(out, *info, path);  // before the tensor is converted or copied
    // A private copy: the value outlives the mapping of the file.
    out.latents = file.getAs("latents", DType::F32).clone();
    return out;
}

}  // namespace sv::nodes
