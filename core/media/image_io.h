// Image files through OpenImageIO: loading any PNG/JPEG/EXR/TIFF (and whatever else the OIIO build reads) as
// RGB for the model, saving single images, and writing frame sequences.
//
// Colour handling on load (the model expects sRGB-encoded RGB in [0, 1], like the uint8 PIL images diffusers
// uses):
// - 8-bit integer images are taken as stored (sRGB-encoded); the exact uint8 pixels are also returned,
// because the
//   image-to-video path resizes the uint8 image with PIL's Lanczos (ops::resizeLanczosPil).
// - 16/32-bit integer images are normalised to [0, 1] and taken as sRGB-encoded (no uint8 copy: quantise with
//   toUint8 when one is needed).
// - Floating-point images (EXR, float TIFF) are scene-linear unless the file says otherwise
// ("oiio:ColorSpace" is
//   sRGB); linear values are encoded with the sRGB curve and clamped to [0, 1] (no tone mapping: values above
//   1 clip).
// - Greyscale is replicated to RGB. Alpha is dropped without compositing — the same as PIL's `convert("RGB")`
// in
//   diffusers' `load_image` — and read unassociated (not premultiplied), so straight-alpha PNG/TIFF colours
//   are kept as stored. EXR stores premultiplied colour, so dropping its alpha amounts to compositing over
//   black.
// - The EXIF/TIFF orientation tag is applied (like diffusers' `load_image`, which calls `exif_transpose`).
//
// Saving (saveImage, ImageSequenceWriter) takes U8 or F32 [H, W, 3] pixels, F32 meaning sRGB-encoded [0, 1].
// The extension picks the format: .png (8-bit), .jpg/.jpeg (8-bit, quality 95), .tif/.tiff (8-bit from U8,
// 16-bit from F32), .exr (half float, scene-linear: the sRGB curve is undone). Every file is written under a
// temporary name and renamed when complete.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "base/tensor.h"
#include "io/output_file.h"

namespace sv::media {

struct LoadedImage {
    Tensor rgb;              ///< F32 [H, W, 3], sRGB-encoded, in [0, 1]
    Tensor rgb8;             ///< U8 [H, W, 3] when the file stores 8 bits per channel; undefined otherwise
    std::string format;      ///< OIIO's format name: "png", "jpeg", "openexr", "tiff", ...
    int sourceChannels = 0;  ///< channels in the file (1 grey, 2 grey+alpha, 3 RGB, 4 RGBA, ...)
    int sourceBits = 0;      ///< bits per channel in the file (8, 16, 32; 16 for half float)
    bool sourceFloat = false;
    bool sourceLinear = false;  ///< converted from scene-linear with the sRGB curve
    bool droppedAlpha = false;
    int orientation = 1;  ///< EXIF orientation found in the file (1 = as stored), already applied
};

/// The largest input image in pixels (2^25, e.g. 8192x4096: well above the 4096x4096 a video can have) and in
/// channels. Checked on the file's header before any pixel is decoded: loading takes up to ~36 bytes per
/// pixel (file buffer, float copy, orientation), so the budget bounds it near 1.2 GB.
inline constexpr int64_t kMaxImagePixels = int64_t(1) << 25;
inline constexpr int kMaxImageChannels = 64;

/// Loads an image file as RGB (see the file comment). Throws sv::Error naming the file and OIIO's reason when
/// it is missing, unreadable, truncated or corrupt, and the real problem when the path is not a regular file
/// (io::InputKind::Image) or the header claims more than kMaxImagePixels pixels.
LoadedImage loadImage(const std::filesystem::path& path);

/// Writes one RGB image (U8, or F32 sRGB-encoded [0, 1]; [H, W, 3]); the format follows the extension (see
/// the file comment). Throws sv::Error naming the file for an unknown extension, a bad tensor or a write
/// failure; nothing is left under the name then.
void saveImage(const std::filesystem::path& path, const Tensor& rgb,
               io::Overwrite overwrite = io::Overwrite::Replace);

/// Whether `path` names a frame-sequence target rather than a single file: it contains a frame-number pattern
/// (%d, %0Nd), ends with a path separator, or is an existing folder.
bool isImageSequenceTarget(const std::filesystem::path& path);

struct ImageSequenceOptions {
    std::string extension = "png";  ///< for folder targets: png, jpg, tif or exr
    int64_t firstIndex = 0;         ///< number of the first frame
    /// For every frame file (output nodes: Refuse, so a frame never replaces an existing file).
    io::Overwrite overwrite = io::Overwrite::Replace;
};

/// Writes frames as numbered image files. The target is either a folder (files `frame_0000.png`,
/// `frame_0001.png`,
/// ... inside it, extension from the options) or a pattern whose file name holds exactly one `%d` or `%0Nd`
/// (N 1-9) and maybe `%%` for a literal percent sign (e.g. `out/shot_%05d.exr`; its extension picks the
/// format). The folder is created when missing. Each file is complete or absent: a cancelled run leaves the
/// frames written so far.
class ImageSequenceWriter {
  public:
    /// Throws sv::Error naming the target for a bad pattern, an unknown extension or a folder that cannot be
    /// created.
    explicit ImageSequenceWriter(const std::filesystem::path& target, ImageSequenceOptions options = {});

    /// Writes the next frame (U8 or F32 [H, W, 3]) and returns its path.
    std::filesystem::path write(const Tensor& frame);
    /// The file name of frame `index` (counting from firstIndex).
    std::filesystem::path pathFor(int64_t index) const;
    int64_t framesWritten() const { return written_; }

  private:
    std::filesystem::path dir_;
    std::string prefix_, suffix_;  // file name = prefix_ + zero-padded number + suffix_
    int digits_ = 0;
    int64_t first_ = 0;
    io::Overwrite overwrite_ = io::Overwrite::Replace;
    int64_t written_ = 0;
};

/// Writes every frame of a U8 or F32 [F, H, W, 3] tensor through an ImageSequenceWriter; returns the paths.
std::vector<std::filesystem::path> writeImageSequence(const std::filesystem::path& target,
                                                      const Tensor& frames,
                                                      const ImageSequenceOptions& options = {});

}  // namespace sv::media
