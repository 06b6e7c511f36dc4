// The video VAE of a SANA-Video pipeline, whichever class the model folder holds: AutoencoderKLWan (Wan 2.1,
// the 480p models) or AutoencoderKLLTX2Video (LTX-2, the 720p model). The pipelines see only this interface:
// compression ratios, latent statistics, encode (image-to-video) and streaming decode.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <span>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/tensor.h"
#include "models/ltx2_vae_config.h"
#include "models/wan_vae_config.h"
#include "models/weights.h"

namespace sv {

/// Receives named module outputs once per streamed chunk, under diffusers' module names. Concatenating one
/// module's outputs along time gives its output over the whole video.
using VaeObserver = std::function<void(std::string_view module, const Tensor& output)>;

/// Receives decoded pixel frames [B, C, n, H, W] (Wan: clamped to [−1, 1]; LTX-2: as decoded); `firstFrame`
/// is the index of the chunk's first frame.
using VaeFrameSink = std::function<void(int64_t firstFrame, const Tensor& frames)>;

struct VaePosterior {
    Tensor moments;  // the encoder's output (Wan: quant_conv) = [mean ; logvar before the clamp]
    Tensor mean;     // [B, z, F', h, w] (the posterior mode, used by image-to-video)
    Tensor logvar;   // [B, z, F', h, w], clamped to [−30, 20]
};

enum class VaeParts { Encoder = 1, Decoder = 2, Both = 3 };
enum class VaeFamily { Wan, Ltx2 };

class VideoVae {
  public:
    virtual ~VideoVae() = default;

    virtual VaeFamily family() const = 0;
    /// diffusers' class name: "AutoencoderKLWan" or "AutoencoderKLLTX2Video".
    virtual std::string_view className() const = 0;
    virtual Device device() const = 0;
    virtual DType dtype() const = 0;
    virtual bool hasEncoder() const = 0;
    virtual bool hasDecoder() const = 0;

    /// Latent channels (Wan z_dim, LTX-2 latent_channels).
    virtual int latentChannels() const = 0;
    /// The pipelines' vae_scale_factor_temporal / _spatial (Wan scale_factor_*, LTX-2 *_compression_ratio).
    virtual int temporalCompression() const = 0;
    virtual int spatialCompression() const = 0;
    /// Pixel frames decoded from F' latent frames.
    virtual int64_t pixelFrameCount(int64_t latentFrames) const = 0;

    /// video [B, C, F, H, W] in [−1, 1] (any float dtype and device) → the posterior, on the weights' device.
    virtual VaePosterior encode(const Tensor& video, const VaeObserver& observer = {}) const = 0;
    /// Streaming decode of latents [B, z, F', h, w] (not normalised): `sink` gets the pixel frames in order,
    /// in chunks, as soon as they are decoded (F32 or the VAE's dtype, on its device).
    virtual void decodeFrames(const Tensor& latents, const VaeFrameSink& sink,
                              const VaeObserver& observer = {}) const = 0;
    /// decodeFrames collected into one F32 video [B, C, pixelFrameCount(F'), H, W].
    Tensor decode(const Tensor& latents, const VaeObserver& observer = {}) const;

    /// (z − latents_mean) · float(1 / latents_std) per channel (the pipeline's image-latent normalisation).
    Tensor normalizeLatents(const Tensor& z) const;
    /// z / float(1 / latents_std) + latents_mean per channel (before decode; diffusers divides by the
    /// reciprocal).
    Tensor denormalizeLatents(const Tensor& z) const;

  protected:
    /// The per-channel statistics (latentChannels() values each, std > 0).
    void setLatentStatistics(std::vector<float> mean, const std::vector<float>& std);
    /// t on the weights' device in their dtype, contiguous (sv::Error when t is not a float tensor).
    Tensor computeInput(const Tensor& t, const char* what) const;

  private:
    Tensor latentsMean_;    // [z]
    Tensor latentsInvStd_;  // [z] = float(1) / float(std)
};

/// The config of either VAE class, chosen by config.json's `_class_name` (absent: AutoencoderKLWan, the
/// older fixture folders' class).
struct VideoVaeConfig {
    std::variant<WanVaeConfig, Ltx2VaeConfig> config;

    static VideoVaeConfig fromJson(const nlohmann::json& j, std::string_view source);
    static VideoVaeConfig load(const std::filesystem::path& configJson);

    VaeFamily family() const;
    std::string_view className() const;
    /// "480p Wan 2.1" or "720p LTX-2": what Load Model and `info` report.
    std::string_view familyLabel() const;
    int latentChannels() const;
    int temporalCompression() const;
    int spatialCompression() const;
    std::vector<WeightSpec> weightSpecs(VaeParts parts = VaeParts::Both) const;
};

/// The frames of `parts` ([B, C, n_i, H, W], one dtype and device) concatenated along time.
Tensor concatFrames(std::span<const Tensor> parts);
/// Frame `index` of x [B, C, T, H, W] repeated `count` times: [B, C, count, H, W] (the replicate padding).
Tensor repeatFrame(const Tensor& x, int64_t index, int64_t count);

/// The folder holding a VAE's config.json: `folder` itself or its vae/ (a pipeline folder); sv::Error naming
/// `className` otherwise.
std::filesystem::path vaeFolder(const std::filesystem::path& folder, std::string_view className);
/// The weights of `parts` from a VAE folder (the other half's tensors, when present, are skipped); sv::Error
/// for a CPU load in another dtype than F32 or any missing / unexpected / mis-shaped tensor.
WeightSet loadVaeWeights(const std::filesystem::path& folder, const VideoVaeConfig& config, VaeParts parts,
                         const LoadOptions& options);
/// Checks that `weights` hold every spec with its shape, all on one device, and converts them to one dtype
/// (F32 on the CPU, else the first weight's). Returns that device and dtype.
std::pair<Device, DType> bindVaeWeights(WeightSet& weights, std::span<const WeightSpec> specs,
                                        std::string_view className);

/// Whether this VAE class is one the engine implements.
bool isVideoVaeClass(std::string_view className);

/// Loads a diffusers `vae/` folder (or a pipeline folder holding one) of either class; only the requested
/// half is loaded. The CPU backend runs F32; CUDA runs the weights in options.dtype.
std::shared_ptr<const VideoVae> loadVideoVae(const std::filesystem::path& folder,
                                             VaeParts parts = VaeParts::Both,
                                             const LoadOptions& options = {});

}  // namespace sv
