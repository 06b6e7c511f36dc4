#include "pipelines/video_geometry.h"

#include <cmath>

namespace sv {

namespace {

constexpr ResolutionBin k480[] = {{0.5f, 448, 896},  {0.57f, 480, 832}, {0.68f, 528, 768}, {0.78f, 560, 720},
                                  {1.0f, 624, 624},  {1.13f, 672, 592}, {1.29f, 720, 560}, {1.46f, 768, 528},
                                  {1.67f, 816, 496}, {1.75f, 832, 480}, {2.0f, 896, 448}};
constexpr ResolutionBin k720[] = {{0.5f, 672, 1344},  {0.57f, 704, 1280}, {0.68f, 800, 1152},
                                  {0.78f, 832, 1088}, {1.0f, 960, 960},   {1.13f, 1024, 896},
                                  {1.29f, 1088, 832}, {1.46f, 1152, 800}, {1.67f, 1248, 736},
                                  {1.75f, 1280, 704}, {2.0f, 1344, 672}};

}  // namespace

std::span<const ResolutionBin> resolutionBins(int sampleSize) {
    if (sampleSize == 30) return k480;
    if (sampleSize == 22) return k720;
    fail("resolution binning: no bin table for a transformer with sample_size ", sampleSize,
         " (30 = 480p, 22 = 720p); turn binning off");
}

ResolutionBin closestBin(int sampleSize, int height, int width) {
    SV_CHECK(height > 0 && width > 0, "resolution binning: height and width must be positive");
    auto bins = resolutionBins(sampleSize);
    // diffusers: ratio = float(height / width); the keys are strings parsed to float (Python doubles).
    const double ratio = double(height) / double(width);
    const ResolutionBin* best = &bins[0];
    double bestDist = INFINITY;
    for (const auto& b : bins) {
        double key = std::stod(concat(b.ratio));  // the decimal key as written, in double
        double d = std::abs(key - ratio);
        if (d < bestDist) {
            bestDist = d;
            best = &b;
        }
    }
    return *best;
}

void validateGeometry(const VideoGeometry& g) {
    SV_CHECK(g.frames >= 1 && (g.frames - 1) % g.vaeTemporal == 0, "frames = ", g.frames, " is not ",
             g.vaeTemporal, "k+1 (valid: 1, ", 1 + g.vaeTemporal, ", ", 1 + 2 * g.vaeTemporal, ", …, 81, …)");
    const int hm = g.vaeSpatial * g.patchH, wm = g.vaeSpatial * g.patchW;
    SV_CHECK(g.height > 0 && g.height % hm == 0, "height = ", g.height, " is not a positive multiple of ",
             hm);
    SV_CHECK(g.width > 0 && g.width % wm == 0, "width = ", g.width, " is not a positive multiple of ", wm);
}

}  // namespace sv
