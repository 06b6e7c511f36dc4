// Video/latent geometry of the SANA-Video pipelines: resolution binning (diffusers pipeline_sana_video.py's
// ASPECT_RATIO_480_BIN / _720_BIN and VideoProcessor.classify_height_width_bin), size and frame-count rules
// (SanaVideoPipeline.check_inputs), latent shapes (SanaVideoPipeline.prepare_latents).
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string_view>

#include "base/tensor.h"

namespace sv {

struct ResolutionBin {
    float ratio;  // height / width key, as diffusers writes it (0.57, ...)
    int height;
    int width;
};

/// The bin table selected by the transformer's sample_size (30 → 480p, 22 → 720p); throws sv::Error
/// otherwise.
std::span<const ResolutionBin> resolutionBins(int sampleSize);

/// diffusers' classify_height_width_bin: the bin whose ratio key is closest to height/width (first wins on
/// ties).
ResolutionBin closestBin(int sampleSize, int height, int width);

struct VideoGeometry {
    int height = 480;
    int width = 832;
    int frames = 81;
    int vaeTemporal = 4;  // VAE scale factors
    int vaeSpatial = 8;
    int patchH = 2;  // transformer patch (h, w)
    int patchW = 2;

    int latentFrames() const { return (frames - 1) / vaeTemporal + 1; }
    int latentHeight() const { return height / vaeSpatial; }
    int latentWidth() const { return width / vaeSpatial; }
    /// Frames the VAE decodes back: 4·(F'−1)+1.
    int outputFrames() const { return vaeTemporal * (latentFrames() - 1) + 1; }
    Shape latentShape(int64_t batch, int64_t channels) const {
        return {batch, channels, latentFrames(), latentHeight(), latentWidth()};
    }
};

/// Validates a requested size: frames = 1 + k·vaeTemporal (k ≥ 0), height and width positive multiples of
/// vaeSpatial·patch (16 for Wan + 2×2 patches). diffusers additionally demands multiples of 32 after binning,
/// which rejects seven of its own 480p bins (SanaVideoPipeline.check_inputs); we accept every size the model
/// can run. Throws sv::Error naming the parameter.
void validateGeometry(const VideoGeometry& g);

}  // namespace sv
