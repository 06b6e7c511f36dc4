// The loaded components of a SANA-Video model: what every pipeline stage (sana_stages.h) works on. Loaded
// once from a diffusers folder (Efficient-Large-Model/SANA-Video_2B_480p_diffusers with the Wan 2.1 VAE,
// SANA-Video_2B_720p_diffusers with the LTX-2 VAE, or `sanavideo make-demo-model`) and shared read-only
// (shared_ptr<const>) between the CLI's pipelines and the node editor's nodes.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "base/tensor.h"
#include "models/gemma2.h"
#include "models/sana_transformer.h"
#include "models/video_vae.h"
#include "text/tokenizer.h"

namespace sv {

class Scheduler;

/// A scheduler configuration (class + scheduler_config.json contents). Schedulers are stateful, so every
/// sampling run builds a fresh one from this.
struct SchedulerConfig {
    std::string className;  // "DPMSolverMultistepScheduler", "FlowMatchEulerDiscreteScheduler", ...
    nlohmann::json config;  // the scheduler_config.json object
    std::string source;     // file name for error messages

    /// The short name: dpm, euler or unipc.
    std::string_view shortName() const;
    /// The configured flow shift (DPM/UniPC "flow_shift", FlowMatch "shift"; 1.0 where absent).
    double shift() const;
    /// A fresh scheduler: this configuration, or another scheduler by short name ("" = this one), optionally
    /// with another shift. A different scheduler than the configured one gets SANA-Video's configuration of
    /// it (makeSchedulerByShortName) with `shift`, else this configuration's shift. sv::Error for an unknown
    /// name.
    std::unique_ptr<Scheduler> make(std::string_view shortNameOverride = {},
                                    std::optional<double> shiftOverride = std::nullopt) const;
};

struct ModelLoadOptions {
    /// Device of every component (the CPU, or a CUDA device in CUDA builds).
    Device device = Device::cpu();
    // Weight/activation dtypes. The CPU backend runs F32 only; on CUDA the recommended production dtypes are
    // BF16 for the transformer and the text encoder and F32 for the VAE (diffusers' docs).
    DType transformerDtype = DType::F32;
    DType textEncoderDtype = DType::F32;
    DType vaeDtype = DType::F32;
    /// 8-bit storage of the transformer's and the text encoder's large linear weights
    /// (models/weight_storage.h: eightBitEligible); the VAE is never quantized.
    WeightStorage weights = WeightStorage::Auto;
    // Which components to load (a component that is not loaded stays null; its config is still read).
    bool textEncoder = true;  // tokenizer + Gemma-2 (not needed when prompt embeddings are supplied)
    bool transformer = true;
    bool vaeEncoder = true;  // image-to-video input image
    bool vaeDecoder = true;
    /// Soft-capping off by default (what diffusers runs) and offload: the text encoder's weights kept in host
    /// memory, copied to `device` one layer at a time while encoding (models/gemma2.h).
    Gemma2EncoderOptions gemma;
    /// Component folders to use instead of <dir>/<name> ("transformer", "vae", "text_encoder", "tokenizer",
    /// "scheduler"), e.g. the fixture pipelines whose components live in sibling folders.
    std::map<std::string, std::filesystem::path, std::less<>> componentDirs;
};

struct SanaModels {
    std::filesystem::path root;
    std::string pipelineClass;  // model_index.json _class_name

    std::shared_ptr<const text::Tokenizer> tokenizer;
    std::shared_ptr<const Gemma2Encoder> textEncoder;
    std::shared_ptr<const SanaTransformer> transformer;
    std::shared_ptr<const VideoVae> vae;               // encoder and/or decoder, see ModelLoadOptions
    std::optional<VideoVaeConfig> vaeConfig;           // read even when the VAE is not loaded
    std::shared_ptr<const SchedulerConfig> scheduler;  // null when the folder has no scheduler

    /// Loads the requested components of a diffusers pipeline folder (model_index.json + component folders)
    /// through ModelFolder. sv::Error naming the folder/file for a missing folder, a missing requested
    /// component or a broken config/checkpoint.
    static SanaModels load(const std::filesystem::path& dir, const ModelLoadOptions& options = {});

    // The components, or sv::Error naming the missing one (what a stage needs but was not loaded).
    const text::Tokenizer& requireTokenizer() const;
    const Gemma2Encoder& requireTextEncoder() const;
    const SanaTransformer& requireTransformer() const;
    const VideoVae& requireVaeEncoder() const;
    const VideoVae& requireVaeDecoder() const;
    const SchedulerConfig& requireScheduler() const;
    /// VAE scale factors (time, space) from the VAE config, as diffusers' pipelines read them (Wan:
    /// scale_factor_*, LTX-2: *_compression_ratio; 4, 8 when no config is known).
    int vaeTemporalScale() const;
    int vaeSpatialScale() const;
    /// What height and width must be multiples of: the VAE's spatial scale times the transformer's patch
    /// (16 for 480p Wan + 2×2 patches, 32 for 720p LTX-2 + 1×1; patch 2 assumed without a transformer).
    int sizeMultiple() const;
    /// What Load Model reports: "480p Wan 2.1" or "720p LTX-2" (from the VAE class), "" without a VAE config.
    std::string_view family() const;
};

}  // namespace sv
