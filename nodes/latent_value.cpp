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
    fail(source, ": unknown latent kind \"", name, "\" (expected \"video\" or \"image\")");
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
                    const std::map<std::string, std::string>& extra) {
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
    writeSafetensors(path, tensors, meta);
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
             ": latent file metadata \"", key, "\" is not a non-negative integer: \"", s, "\"");
    return v;
}

}  // namespace

Latent loadLatentFile(const std::filesystem::path& path) {
    auto file = SafetensorsFile::open(path);
    const auto& meta = file->metadata();
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
    SV_CHECK(file->contains("latents"), path.string(), ": no tensor \"latents\"");
    // A private copy: the value outlives the mapping of the file.
    out.latents = file->getAs("latents", DType::F32).clone();
    const Shape& s = out.latents.shape();
    SV_CHECK(s.size() == 5 && s[0] == 1 && s[1] > 0 && s[2] > 0 && s[3] > 0 && s[4] > 0, path.string(),
             ": tensor \"latents\" must be [1, C, F', h, w], got ", out.latents.describe());
    if (out.kind == LatentKind::Image)
        SV_CHECK(s[2] == 1, path.string(), ": an image latent must have one latent frame, got ", s[2]);
    return out;
}

}  // namespace sv::nodes
