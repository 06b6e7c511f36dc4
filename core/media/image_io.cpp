#include "media/image_io.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>
#include <vector>

#include "base/error.h"
#include "io/input_file.h"
#include "media/pixels.h"
#include "media/temp_file.h"

#ifdef SV_HAVE_OIIO
#include <OpenImageIO/imageio.h>
#endif

namespace fs = std::filesystem;

namespace sv::media {
namespace {

std::string lower(std::string s) {
    for (char& c : s) c = char(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

enum class FileFormat { Png, Jpeg, Tiff, Exr };

FileFormat formatForExtension(const std::string& ext, const fs::path& path) {
    const std::string e = lower(ext.empty() || ext[0] != '.' ? ext : ext.substr(1));
    if (e == "png") return FileFormat::Png;
    if (e == "jpg" || e == "jpeg") return FileFormat::Jpeg;
    if (e == "tif" || e == "tiff") return FileFormat::Tiff;
    if (e == "exr") return FileFormat::Exr;
    fail("cannot write image '", path.string(), "': unsupported extension '", ext,
         "' (use .png, .jpg, .tif or .exr)");
}

/// Display orientation from the EXIF code (1..8): output pixel (r, c) reads the stored pixel returned here.
[[maybe_unused]] Tensor reorient(const Tensor& img, int orientation) {  // unused without OpenImageIO
    if (orientation < 2 || orientation > 8) return img;
    const int64_t H = img.dim(0), W = img.dim(1), C = img.dim(2);
    const bool swap = orientation >= 5;
    const int64_t oh = swap ? W : H, ow = swap ? H : W;
    Tensor out = Tensor::empty({oh, ow, C}, img.dtype());
    const size_t es = dtypeSize(img.dtype());
    const auto* src = static_cast<const uint8_t*>(img.rawData());
    auto* dst = static_cast<uint8_t*>(out.rawData());
    for (int64_t r = 0; r < oh; ++r)
        for (int64_t c = 0; c < ow; ++c) {
            int64_t sr = r, sc = c;
            switch (orientation) {
                case 2:
                    sc = W - 1 - c;
                    break;  // mirrored horizontally
                case 3:
                    sr = H - 1 - r;
                    sc = W - 1 - c;
                    break;  // rotated 180°
                case 4:
                    sr = H - 1 - r;
                    break;  // mirrored vertically
                case 5:
                    sr = c;
                    sc = r;
                    break;  // transposed
                case 6:
                    sr = H - 1 - c;
                    sc = r;
                    break;  // needs 90° clockwise
                case 7:
                    sr = H - 1 - c;
                    sc = W - 1 - r;
                    break;  // transversed
                case 8:
                    sr = c;
                    sc = W - 1 - r;
                    break;  // needs 90° counter-clockwise
            }
            std::memcpy(dst + size_t((r * ow + c) * C) * es, src + size_t((sr * W + sc) * C) * es,
                        size_t(C) * es);
        }
    return out;
}

}  // namespace

#ifdef SV_HAVE_OIIO

LoadedImage loadImage(const fs::path& path) {
    const std::string name = path.string();
    io::requireInputFile(path, io::InputKind::Image);  // a folder, FIFO or device is refused by name
    OIIO::ImageSpec config;
    config.attribute("oiio:UnassociatedAlpha", 1);  // keep straight-alpha colours as stored
    auto in = OIIO::ImageInput::open(name, &config);
    if (!in) fail("cannot read image '", name, "': ", OIIO::geterror());
    const OIIO::ImageSpec& spec = in->spec();
    SV_CHECK(spec.width > 0 && spec.height > 0 && spec.depth <= 1 && spec.nchannels > 0 &&
                 spec.nchannels <= kMaxImageChannels,
             "cannot read image '", name, "': unsupported geometry ", spec.width, "x", spec.height, "x",
             spec.depth, " with ", spec.nchannels, " channels");
    // Checked on the header, before a pixel is decoded: a small compressed file can claim gigapixels.
    SV_CHECK(int64_t(spec.width) * spec.height <= kMaxImagePixels, "cannot read image '", name,
             "': ", spec.width, "x", spec.height, " (", int64_t(spec.width) * spec.height / 1000000,
             " megapixels) is larger than the ", kMaxImagePixels / 1000000,
             " megapixels an input image may have (e.g. 8192x4096); scale it down first");

    LoadedImage img;
    img.format = in->format_name();
    img.sourceChannels = spec.nchannels;
    img.sourceBits = int(spec.format.size()) * 8;
    img.sourceFloat = spec.format.is_floating_point();
    const int colour = spec.nchannels >= 3 ? 3 : 1;
    img.droppedAlpha = spec.nchannels == 2 || spec.nchannels >= 4 || spec.alpha_channel >= 0;
    img.orientation = spec.get_int_attribute("Orientation", 1);
    const std::string cs = lower(spec.get_string_attribute("oiio:ColorSpace"));
    const bool taggedEncoded = cs == "srgb" || cs == "rec709" || cs.rfind("gammacorrected", 0) == 0;
    const bool taggedLinear =
        cs == "linear" || cs == "scene_linear" || cs == "lin_srgb" || cs == "lin_rec709";
    img.sourceLinear = img.sourceFloat ? !taggedEncoded : taggedLinear;
    const bool is8 = spec.format == OIIO::TypeDesc::UINT8 && spec.channelformats.empty();

    const int64_t H = spec.height, W = spec.width, n = H * W;
    Tensor u8, f32;
    if (is8) {
        std::vector<uint8_t> buf(size_t(n * colour));
        if (!in->read_image(0, 0, 0, colour, OIIO::TypeDesc::UINT8, buf.data()))
            fail("cannot read image '", name, "': ", in->geterror());
        u8 = Tensor::empty({H, W, 3}, DType::U8);
        uint8_t* d = u8.data<uint8_t>();
        for (int64_t i = 0; i < n; ++i)
            for (int c = 0; c < 3; ++c) d[i * 3 + c] = buf[size_t(i * colour + (colour == 3 ? c : 0))];
    } else {
        std::vector<float> buf(size_t(n * colour));
        if (!in->read_image(0, 0, 0, colour, OIIO::TypeDesc::FLOAT, buf.data()))
            fail("cannot read image '", name, "': ", in->geterror());
        f32 = Tensor::empty({H, W, 3}, DType::F32);
        float* d = f32.data<float>();
        for (int64_t i = 0; i < n; ++i)
            for (int c = 0; c < 3; ++c) {
                const float v = buf[size_t(i * colour + (colour == 3 ? c : 0))];
                d[i * 3 + c] =
                    img.sourceLinear ? linearToSrgb(v) : (std::isnan(v) ? 0.0f : std::clamp(v, 0.0f, 1.0f));
            }
    }
    if (in->has_error()) fail("cannot read image '", name, "': ", in->geterror());
    if (u8.defined()) {
        img.rgb8 = reorient(u8, img.orientation);
        img.rgb = toFloat01(img.rgb8);
    } else {
        img.rgb = reorient(f32, img.orientation);
    }
    return img;
}

void saveImage(const fs::path& path, const Tensor& rgb, io::Overwrite overwrite) {
    const std::string name = path.string();
    checkRgbTensor(rgb, "image '" + name + "'", false);
    const FileFormat fmt = formatForExtension(path.extension().string(), path);
    const int64_t H = rgb.dim(0), W = rgb.dim(1);
    SV_CHECK(H <= (1 << 20) && W <= (1 << 20), "cannot write image '", name, "': too large");

    const char* oiioFormat = fmt == FileFormat::Png    ? "png"
                             : fmt == FileFormat::Jpeg ? "jpeg"
                             : fmt == FileFormat::Tiff ? "tiff"
                                                       : "openexr";
    OIIO::TypeDesc fileType = OIIO::TypeDesc::UINT8, dataType = OIIO::TypeDesc::UINT8;
    Tensor data;
    if (fmt == FileFormat::Exr) {
        fileType = OIIO::TypeDesc::HALF;
        dataType = OIIO::TypeDesc::FLOAT;
        Tensor f = rgb.dtype() == DType::U8 ? toFloat01(rgb) : rgb.contiguous().clone();
        float* p = f.data<float>();
        for (int64_t i = 0; i < f.numel(); ++i)
            p[i] = srgbToLinear(std::isnan(p[i]) ? 0.0f : std::clamp(p[i], 0.0f, 1.0f));
        data = f;
    } else if (fmt == FileFormat::Tiff && rgb.dtype() == DType::F32) {
        fileType = OIIO::TypeDesc::UINT16;
        dataType = OIIO::TypeDesc::FLOAT;
        data = rgb.contiguous().clone();
        float* p = data.data<float>();
        for (int64_t i = 0; i < data.numel(); ++i)
            p[i] = std::isnan(p[i]) ? 0.0f : std::clamp(p[i], 0.0f, 1.0f);
    } else {
        data = toUint8(rgb);
    }

    TempTarget file(path, overwrite);
    auto out = OIIO::ImageOutput::create(oiioFormat);
    if (!out)
        fail("cannot write image '", name, "': OpenImageIO has no ", oiioFormat,
             " writer: ", OIIO::geterror());
    OIIO::ImageSpec spec(int(W), int(H), 3, fileType);
    spec.attribute("oiio:ColorSpace", fmt == FileFormat::Exr ? "Linear" : "sRGB");
    if (fmt == FileFormat::Jpeg) spec.attribute("Compression", "jpeg:95");
    if (fmt == FileFormat::Exr) spec.attribute("compression", "zip");
    if (!out->open(file.temp().string(), spec)) fail("cannot write image '", name, "': ", out->geterror());
    const bool ok = out->write_image(dataType, data.rawData());
    const bool closed = out->close();
    if (!ok || !closed) fail("cannot write image '", name, "': ", out->geterror());
    out.reset();
    file.commit();
}

#else  // built without OpenImageIO

LoadedImage loadImage(const fs::path& path) {
    fail("cannot read image '", path.string(), "': this build has no OpenImageIO (image files disabled)");
}
void saveImage(const fs::path& path, const Tensor&, io::Overwrite) {
    fail("cannot write image '", path.string(), "': this build has no OpenImageIO (image files disabled)");
}

#endif

bool isImageSequenceTarget(const fs::path& path) {
    const std::string s = path.string();
    if (s.empty()) return false;
    if (s.back() == '/' || s.back() == char(fs::path::preferred_separator)) return true;
    if (path.filename().string().find('%') != std::string::npos) return true;
    std::error_code ec;
    return fs::is_directory(path, ec);
}

ImageSequenceWriter::ImageSequenceWriter(const fs::path& target, ImageSequenceOptions options)
    : first_(options.firstIndex), overwrite_(options.overwrite) {
    const std::string name = target.string();
    SV_CHECK(!name.empty(), "image sequence: empty output path");
    SV_CHECK(first_ >= 0, "image sequence '", name, "': the first frame number must be >= 0, got ", first_);
    const std::string file = target.filename().string();
    std::string ext;
    if (file.find('%') != std::string::npos) {  // a pattern: parse its one frame-number conversion
        dir_ = target.has_parent_path() ? target.parent_path() : fs::path(".");
        int conversions = 0;
        std::string* part = &prefix_;
        for (size_t i = 0; i < file.size(); ++i) {
            if (file[i] != '%') {
                *part += file[i];
                continue;
            }
            SV_CHECK(i + 1 < file.size(), "image sequence '", name, "': the pattern ends with a lone '%'");
            if (file[i + 1] == '%') {
                *part += '%';
                ++i;
                continue;
            }
            size_t j = i + 1;
            int width = 0;
            if (j + 1 < file.size() && file[j] == '0' &&
                std::isdigit(static_cast<unsigned char>(file[j + 1]))) {
                width = file[j + 1] - '0';
                j += 2;
            }
            SV_CHECK(j < file.size() && file[j] == 'd' && (width >= 1 || j == i + 1), "image sequence '",
                     name,
                     "': only %d or %0Nd (N = 1-9) may appear in the pattern (use %% for a percent sign)");
            SV_CHECK(++conversions == 1, "image sequence '", name,
                     "': the pattern holds more than one frame number");
            digits_ = width;
            part = &suffix_;
            i = j;
        }
        SV_CHECK(conversions == 1, "image sequence '", name, "': the pattern holds no %d or %0Nd");
        const size_t dot = suffix_.rfind('.');
        ext = dot == std::string::npos ? std::string() : suffix_.substr(dot);
        SV_CHECK(!ext.empty(), "image sequence '", name,
                 "': the pattern has no file extension (e.g. frame_%04d.png)");
    } else {
        dir_ = target;
        prefix_ = "frame_";
        digits_ = 4;
        ext = options.extension.empty() || options.extension[0] == '.' ? options.extension
                                                                       : "." + options.extension;
        suffix_ = ext;
    }
    formatForExtension(ext, target);
    std::error_code ec;
    fs::create_directories(dir_, ec);
    SV_CHECK(fs::is_directory(dir_, ec), "image sequence '", name, "': cannot create folder '", dir_.string(),
             "'");
}

fs::path ImageSequenceWriter::pathFor(int64_t index) const {
    std::string num = std::to_string(first_ + index);
    if (int(num.size()) < digits_) num.insert(0, size_t(digits_) - num.size(), '0');
    return dir_ / (prefix_ + num + suffix_);
}

fs::path ImageSequenceWriter::write(const Tensor& frame) {
    const fs::path p = pathFor(written_);
    saveImage(p, frame, overwrite_);
    ++written_;
    return p;
}

std::vector<fs::path> writeImageSequence(const fs::path& target, const Tensor& frames,
                                         const ImageSequenceOptions& options) {
    checkRgbTensor(frames, "frames for '" + target.string() + "'", true);
    SV_CHECK(frames.rank() == 4, "image sequence '", target.string(), "': expected frames [F, H, W, 3], got ",
             frames.describe());
    ImageSequenceWriter w(target, options);
    std::vector<fs::path> out;
    for (int64_t f = 0; f < frames.dim(0); ++f) out.push_back(w.write(frames.select(0, f)));
    return out;
}

}  // namespace sv::media
