// Load Image, Save Video, Preview Video, Save Latent, Load Latent.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>
#include <fstream>
#include <map>
#include <numeric>
#include <string_view>

#include "base/error.h"
#include "latent_value.h"
#include "media/image_io.h"
#include "media/temp_file.h"
#include "media/video_writer.h"
#include "media/y4m_writer.h"
#include "pack.h"
#include "plugin/sdk/node.h"
#include "plugin/sdk/output_path.h"

namespace fs = std::filesystem;

namespace sv::nodes {

using namespace plugin;

namespace {

fs::path requirePath(const ValueMap& params, const char* name, const char* what) {
    const std::string& p = params.getString(name);
    SV_CHECK(!p.empty(), "parameter '", name, "' is empty: choose ", what);
    return fs::path(p);
}

// ---- Load Image
// --------------------------------------------------------------------------------------------

class LoadImageNode : public Node {
  public:
    ValueMap evaluate(const ValueMap&, const ValueMap& params, NodeContext& ctx) override {
        const fs::path path = requirePath(params, "path", "an image file");
        media::LoadedImage loaded;
        try {
            loaded = media::loadImage(path);
        } catch (const Error& e) {
            rethrowForParam("path", e);
        }
        auto img = std::make_shared<Image>();
        img->height = int(loaded.rgb.dim(0));
        img->width = int(loaded.rgb.dim(1));
        img->channels = 3;
        img->pixels = loaded.rgb.contiguous().toFloatVector();
        std::string note = concat(path.filename().string(), ": ", img->width, "x", img->height, " ",
                                  loaded.format, ", ", loaded.sourceChannels, " channel(s), ",
                                  loaded.sourceBits, " bit", loaded.sourceFloat ? " float" : "");
        if (loaded.sourceLinear) note += ", scene-linear converted to sRGB (values above 1 clipped)";
        if (loaded.droppedAlpha) note += ", alpha dropped";
        if (loaded.orientation != 1) note += concat(", EXIF orientation ", loaded.orientation, " applied");
        ctx.log(LogLevel::Info, note);
        ValueMap out;
        out.set("image", Value::image(std::move(img)));
        return out;
    }
    std::string fingerprint(const ValueMap& params) const override {
        return fileFingerprint(params.getString("path"));
    }
};

// ---- Load Video
// --------------------------------------------------------------------------------------------

// The clip is untrusted input: a regular file of bounded size, and its decoded frames bounded before any is
// decoded (probeVideo reads the header only).
constexpr uintmax_t kMaxVideoFileBytes = uintmax_t(4) << 30;
constexpr int64_t kMaxDecodedBytes = int64_t(8) << 30;
constexpr int kMaxVideoSide = 8192;

class LoadVideoNode : public Node {
  public:
    ValueMap evaluate(const ValueMap&, const ValueMap& params, NodeContext& ctx) override {
        const fs::path path = requirePath(params, "path", "an MP4 file");
        std::error_code ec;
        SV_CHECK(fs::is_regular_file(path, ec), "parameter 'path': ", path.string(),
                 fs::exists(path, ec) ? " is not a regular file" : ": no such file");
        const uintmax_t size = fs::file_size(path, ec);
        SV_CHECK(!ec && size <= kMaxVideoFileBytes, "parameter 'path': ", path.string(), " is larger than ",
                 kMaxVideoFileBytes >> 30, " GiB");
        media::setFfmpegQuiet(true);
        auto video = std::make_shared<Video>();
        try {
            const media::VideoInfo info = media::probeVideo(path);
            SV_CHECK(info.width > 0 && info.height > 0 && info.width <= kMaxVideoSide &&
                         info.height <= kMaxVideoSide,
                     path.string(), ": ", info.width, "x", info.height, " is not a supported frame size");
            SV_CHECK(info.frames > 0 && info.frames * info.width * info.height * 3 <= kMaxDecodedBytes,
                     path.string(), ": ", info.frames, " frames of ", info.width, "x", info.height,
                     " exceed the decoding limit of ", kMaxDecodedBytes >> 30, " GiB");
            ctx.throwIfCancelled();
            const Tensor frames = media::readVideoFrames(path, info.frames).contiguous();  // U8 [F, H, W, 3]
            SV_CHECK(frames.dim(0) > 0, path.string(), ": no frame could be decoded");
            video->frameCount = int(frames.dim(0));
            video->height = int(frames.dim(1));
            video->width = int(frames.dim(2));
            video->fps = info.fps() > 0 ? info.fps() : 16.0;
            video->rgb.assign(frames.data<uint8_t>(), frames.data<uint8_t>() + frames.numel());
        } catch (const Error& e) {
            rethrowForParam("path", e);
        }
        ctx.log(LogLevel::Info, concat(path.filename().string(), ": ", video->frameCount, " frames, ",
                                       video->width, "x", video->height, ", ", video->fps, " fps"));
        ValueMap out;
        out.set("video", Value::video(std::move(video)));
        return out;
    }
    std::string fingerprint(const ValueMap& params) const override {
        return fileFingerprint(params.getString("path"));
    }
};

// ---- Save Video / Preview Video
// --------------------------------------------------------------------------------

/// fps as a fraction: integers exactly, NTSC rates (23.976, 29.97, ...) as N·1000/1001, others in 1/1000.
std::pair<int, int> fpsFraction(double fps) {
    if (std::fabs(fps - std::round(fps)) < 1e-9) return {int(std::lround(fps)), 1};
    const double ntsc = fps * 1.001;
    if (std::fabs(ntsc - std::round(ntsc)) < 1e-3) return {int(std::lround(ntsc)) * 1000, 1001};
    int num = int(std::lround(fps * 1000.0));
    int g = std::gcd(num, 1000);
    return {num / g, 1000 / g};
}

Tensor frameTensor(const Video& v, int i) {
    Tensor t = Tensor::empty({v.height, v.width, 3}, DType::U8);
    auto src = v.frame(i);
    std::memcpy(t.data<uint8_t>(), src.data(), src.size());
    return t;
}

/// Writes `text` under a temporary name and moves it into place, never over an existing file.
void writeNewTextFile(const fs::path& path, std::string_view text) {
    media::TempTarget file(path, io::Overwrite::Refuse);
    {
        std::ofstream f(file.temp(), std::ios::binary | std::ios::trunc);
        f.write(text.data(), std::streamsize(text.size()));
        f.close();
        SV_CHECK(bool(f), "cannot write ", path.string());
    }
    file.commit();
}

/// Save Video's "tags": KEY=VALUE lines into the MP4's metadata (blank lines skipped).
void addTags(std::map<std::string, std::string>& metadata, const std::string& text) {
    size_t start = 0;
    while (start < text.size()) {
        size_t end = text.find('\n', start);
        if (end == std::string::npos) end = text.size();
        const std::string line = text.substr(start, end - start);
        start = end + 1;
        if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
        const size_t eq = line.find('=');
        const std::string key = line.substr(0, eq);
        const bool keyOk =
            eq != std::string::npos && !key.empty() && std::all_of(key.begin(), key.end(), [](char c) {
                return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
            });
        SV_CHECK(keyOk, "parameter 'tags': \"", line, "\" is not KEY=VALUE (KEY: letters, digits, '_')");
        SV_CHECK(key != media::kGraphMetadataKey, "parameter 'tags': the key ", key,
                 " is reserved for the node graph");
        metadata[key] = line.substr(eq + 1);
    }
}

/// Raw YUV4MPEG2 (4:2:0), which needs no media library: what builds without FFmpeg write. The stream has no
/// room for the graph. The writer fills the file as it goes, so a cancel or an error removes the partial
/// file.
void writeY4m(const fs::path& path, const Video& video, double fps, NodeContext& ctx) {
    const auto [num, den] = fpsFraction(fps);
    try {
        media::Y4mWriter writer(path, video.width, video.height, num, den);
        for (int i = 0; i < video.frameCount; ++i) {
            ctx.throwIfCancelled();
            writer.push(video.frame(i));
            ctx.progress(i + 1, video.frameCount);
        }
        writer.finish();
    } catch (...) {
        std::error_code ec;
        fs::remove(path, ec);
        throw;
    }
}

class SaveVideoNode : public Node {
  public:
    ValueMap evaluate(const ValueMap& inputs, const ValueMap& params, NodeContext& ctx) override {
        auto video = inputs.get("video").toVideo();
        SV_CHECK(video->frameCount > 0 && video->width > 0 && video->height > 0,
                 "input 'video' has no frames");
        const std::string& format = params.getString("format");
        double fps = params.getFloat("fps");
        if (fps <= 0) fps = video->fps;
        SV_CHECK(fps > 0, "parameter 'fps': the video has no frame rate; set one");
        const bool singleFile = format == "mp4" || format == "y4m";
        const fs::path path = resolveOutputPath(ctx.outputDir(), params.getString("filename"),
                                                singleFile ? "." + format : "", "filename");
        const int n = video->frameCount;
        if (format == "mp4") {
            media::setFfmpegQuiet(true);  // keep the encoder's banner out of the run log; warnings still show
            media::VideoWriterOptions opt;
            std::tie(opt.fpsNum, opt.fpsDen) = fpsFraction(fps);
            opt.crf = int(params.getInt("crf"));
            addTags(opt.metadata, params.getString("tags"));
            opt.metadata[media::kGraphMetadataKey] = ctx.graphJson();
            opt.overwrite = io::Overwrite::Refuse;
            media::VideoWriter writer(path, video->width, video->height, opt);
            for (int i = 0; i < n; ++i) {
                ctx.throwIfCancelled();  // the writer's destructor removes the unfinished file
                writer.push(video->frame(i));
                ctx.progress(i + 1, n);
            }
            writer.finish();
        } else if (format == "y4m") {
            writeY4m(path, *video, fps, ctx);
        } else {
            media::ImageSequenceOptions opt;
            opt.extension = format;
            opt.overwrite = io::Overwrite::Refuse;
            media::ImageSequenceWriter writer(path, opt);
            for (int i = 0; i < n; ++i) {
                ctx.throwIfCancelled();
                writer.write(frameTensor(*video, i));
                ctx.progress(i + 1, n);
            }
            writeNewTextFile(path / "graph.json", ctx.graphJson());
        }
        ctx.log(LogLevel::Info, concat("wrote ", path.string(), " (", n, " frames, ", video->width, "x",
                                       video->height, ", ", fps, " fps)"));
        ctx.display(inputs.get("video"));
        ValueMap out;
        out.set("path", Value::fromString(path.string()));
        return out;
    }
};

class PreviewVideoNode : public Node {
  public:
    ValueMap evaluate(const ValueMap& inputs, const ValueMap&, NodeContext& ctx) override {
        auto video = inputs.get("video").toVideo();
        ctx.display(inputs.get("video"));
        ctx.log(LogLevel::Info, concat("preview: ", video->frameCount, " frames, ", video->width, "x",
                                       video->height, " at ", video->fps, " fps"));
        return {};
    }
};

// ---- Save Latent / Load Latent
// ---------------------------------------------------------------------------------

class SaveLatentNode : public Node {
  public:
    ValueMap evaluate(const ValueMap& inputs, const ValueMap& params, NodeContext& ctx) override {
        const auto& latent = inputs.getObject<Latent>("latent", kLatentTag);
        const fs::path path =
            resolveOutputPath(ctx.outputDir(), params.getString("filename"), ".safetensors", "filename");
        saveLatentFile(path, latent, {{"graph", ctx.graphJson()}}, io::Overwrite::Refuse);
        ctx.log(LogLevel::Info, concat("wrote ", path.string(), ": ", latent.describe()));
        ValueMap out;
        out.set("path", Value::fromString(path.string()));
        return out;
    }
};

class LoadLatentNode : public Node {
  public:
    ValueMap evaluate(const ValueMap&, const ValueMap& params, NodeContext& ctx) override {
        const fs::path path = requirePath(params, "path", "a .safetensors file written by Save Latent");
        std::shared_ptr<Latent> latent;
        try {
            latent = std::make_shared<Latent>(loadLatentFile(path));
        } catch (const Error& e) {
            rethrowForParam("path", e);
        }
        ctx.log(LogLevel::Info, concat(path.filename().string(), ": ", latent->describe()));
        ValueMap out;
        out.set("latent", makeLatentValue(std::move(latent)));
        return out;
    }
    std::string fingerprint(const ValueMap& params) const override {
        return fileFingerprint(params.getString("path"));
    }
};

void registerSaveVideo(NodeRegistry& r) {
    {
        NodeDescriptor d{type::kSaveVideo, 1, "Save Video", kCategoryOutput};
        d.help =
            "Writes a video into the output folder: MP4 (H.264, yuv420p, BT.709) with the node graph "
            "embedded in its metadata (read it back with `sanavideo graph-from`), a raw Y4M stream (needs no "
            "media library; no graph inside), or a PNG/EXR frame sequence in a folder (with the graph next "
            "to the frames as graph.json).";
        d.isOutput = true;
        d.inputs = {PortSpec::required("video", PortType::Video, "the frames to write")};
        d.outputs = {
            PortSpec::required("path", PortType::String, "the file (MP4, Y4M) or folder (sequence) written")};
        d.params = {
            ParamSpec::outputFile("filename", "sana_{counter:05}")
                .withHelp("File name in the output folder (sub-folders allowed, never outside it); {counter} "
                          "or {counter:05} counts up to the first unused name, and an existing file is never "
                          "replaced. The extension follows the format."),
            ParamSpec::choice("format", {"mp4", "png", "exr", "y4m"}, "mp4")
                .withHelp("mp4: H.264 file; png: 8-bit frame sequence; exr: half-float scene-linear frame "
                          "sequence; y4m: raw YUV4MPEG2 4:2:0 file, written without any media library."),
            ParamSpec::integer("crf", 19).range(0, 51).showOnNode(false).withHelp(
                "H.264 constant rate factor (mp4 only): 0 is lossless, 19 visually near-lossless, 51 worst."),
            ParamSpec::real("fps", 0.0)
                .range(0.0, 240.0)
                .withStep(1.0)
                .showOnNode(false)
                .withHelp(
                    "Frame rate of the file (mp4, y4m); 0 keeps the video's own rate (16 for SANA-Video)."),
            ParamSpec::text("tags", "")
                .asMultiline()
                .withHelp("Extra MP4 metadata tags, one KEY=VALUE per line (e.g. prompt=a red fox); KEY is "
                          "letters, digits and '_'. `sanavideo generate` records its settings here."),
        };
        r.add<SaveVideoNode>(d);
    }
}

}  // namespace

void registerIoNodes(NodeRegistry& r) {
    {
        NodeDescriptor d{type::kLoadImage, 1, "Load Image", kCategoryLoaders};
        d.help =
            "Loads a PNG, JPEG, EXR or TIFF image (through OpenImageIO) as sRGB RGB in [0, 1]: the "
            "conditioning image of image-to-video. Scene-linear float images are encoded with the sRGB "
            "curve, greyscale is expanded to RGB, alpha is dropped and the EXIF orientation applied.";
        d.outputs = {PortSpec::required("image", PortType::Image, "the image, RGB float")};
        d.params = {ParamSpec::path("path", "", PathMode::OpenFile)
                        .withFilter("Images (*.png *.jpg *.jpeg *.exr *.tif *.tiff)")
                        .withHelp("The image file to load.")};
        r.add<LoadImageNode>(d);
    }
    {
        NodeDescriptor d{type::kLoadVideo, 1, "Load Video", kCategoryLoaders};
        d.help =
            "Reads the frames of a video file (MP4/MOV; e.g. a clip to continue with Last Frame and Append "
            "Video). Files above 4 GiB or 8 GiB of decoded frames are refused.";
        d.outputs = {PortSpec::required("video", PortType::Video, "the frames (8-bit RGB) and frame rate")};
        d.params = {ParamSpec::path("path", "", PathMode::OpenFile).withHelp("The video file to load.")};
        r.add<LoadVideoNode>(d);
    }
    registerSaveVideo(r);
    {
        NodeDescriptor d{type::kPreviewVideo, 1, "Preview Video", kCategoryOutput};
        d.help = "Shows a video in the editor's preview pane without writing a file.";
        d.isOutput = true;
        d.inputs = {PortSpec::required("video", PortType::Video, "the frames to show")};
        r.add<PreviewVideoNode>(d);
    }
    {
        NodeDescriptor d{type::kSaveLatent, 1, "Save Latent", kCategoryLatent};
        d.help =
            "Writes latents to a .safetensors file in the output folder (with their geometry and the "
            "graph as metadata), so a long sampling run is never lost to a later failure; Load Latent "
            "reads it back.";
        d.isOutput = true;
        d.inputs = {PortSpec::required("latent", port::kLatent, "the latents to keep")};
        d.outputs = {PortSpec::required("path", PortType::String, "the file written")};
        d.params = {
            ParamSpec::outputFile("filename", "sana_latent_{counter:05}")
                .withHelp("File name in the output folder (sub-folders allowed, never outside it); {counter} "
                          "or {counter:05} counts up to the first unused name, and an existing file is never "
                          "replaced. The extension is .safetensors.")};
        r.add<SaveLatentNode>(d);
    }
    {
        NodeDescriptor d{type::kLoadLatent, 1, "Load Latent", kCategoryLatent};
        d.help = "Reads latents written by Save Latent (e.g. to decode a finished sampling run again).";
        d.outputs = {PortSpec::required("latent", port::kLatent, "the latents of the file")};
        d.params = {ParamSpec::path("path", "", PathMode::OpenFile)
                        .withFilter("Latents (*.safetensors)")
                        .withHelp("A .safetensors file written by Save Latent.")};
        r.add<LoadLatentNode>(d);
    }
}

}  // namespace sv::nodes
