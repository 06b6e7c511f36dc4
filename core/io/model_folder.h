// A diffusers model folder: model_index.json names the pipeline class and its components as [library, class]
// pairs; each component lives in the sub-folder of the same name with its config.json (scheduler_config.json
// for schedulers; tokenizers have no config) and, for models, its safetensors weights.
//
// open() reads model_index.json and every present component's config and validates the configs of the classes
// this engine implements (SanaVideoTransformer3DModel, AutoencoderKLWan, AutoencoderKLLTX2Video, Gemma2Model,
// the three schedulers).
// A component whose folder is absent is recorded, not an error (the fixture pipelines and config-only folders
// have no text encoder or tokenizer); require() and the typed accessors report it, naming the folder.
#pragma once

#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "io/safetensors.h"

namespace sv {

class Scheduler;
struct TransformerConfig;
struct WanVaeConfig;
struct VideoVaeConfig;
struct Gemma2Config;

struct ModelComponent {
    std::string name;       // the key in model_index.json, also the folder name
    std::string library;    // "diffusers", "transformers"; empty for a null entry
    std::string className;  // "SanaVideoTransformer3DModel", ...; empty for a null entry ([null, null])
    std::filesystem::path dir;
    bool present = false;              // dir exists
    std::filesystem::path configPath;  // empty when the component has no config file (tokenizers)
    nlohmann::json config;             // the parsed config (null when there is none)
    std::vector<std::filesystem::path>
        weightFiles;  // *.safetensors and *.safetensors.index.json in dir, sorted

    bool isNull() const { return className.empty(); }
    bool hasWeights() const { return !weightFiles.empty(); }
    bool isScheduler() const;
    bool isTokenizer() const;
};

class ModelFolder {
  public:
    /// Reads and validates the folder. sv::Error (naming the file and key) when the folder or
    /// model_index.json is missing or invalid, or when a present component's config file is missing, not
    /// valid JSON, or fails its typed validation.
    static ModelFolder open(const std::filesystem::path& dir);

    const std::filesystem::path& root() const { return root_; }
    std::filesystem::path modelIndexPath() const { return root_ / "model_index.json"; }
    const nlohmann::json& modelIndex() const { return index_; }
    /// model_index.json's _class_name ("SanaVideoPipeline", "SanaImageToVideoPipeline").
    const std::string& pipelineClass() const { return pipelineClass_; }
    /// Components in model_index.json order (sorted by name, as diffusers writes them).
    const std::vector<ModelComponent>& components() const { return components_; }
    /// The named component or nullptr when model_index.json does not list it.
    const ModelComponent* find(std::string_view name) const;
    /// The named component, listed, not null and present on disk; sv::Error naming the folder otherwise.
    const ModelComponent& require(std::string_view name) const;
    std::filesystem::path componentPath(std::string_view name) const { return require(name).dir; }
    /// The component's raw config JSON; sv::Error when it has none.
    const nlohmann::json& config(std::string_view name) const;

    // Typed configs of the standard SANA-Video component names; sv::Error when absent or of another class.
    TransformerConfig transformerConfig(std::string_view name = "transformer") const;
    WanVaeConfig vaeConfig(std::string_view name = "vae") const;
    /// The VAE config of either implemented class (AutoencoderKLWan, AutoencoderKLLTX2Video).
    VideoVaeConfig videoVaeConfig(std::string_view name = "vae") const;
    Gemma2Config textEncoderConfig(std::string_view name = "text_encoder") const;
    std::unique_ptr<Scheduler> scheduler(std::string_view name = "scheduler") const;
    /// The component's weights (single file or sharded index); sv::Error when it has none.
    WeightArchive weights(std::string_view name) const;

  private:
    std::filesystem::path root_;
    nlohmann::json index_;
    std::string pipelineClass_;
    std::vector<ModelComponent> components_;
};

}  // namespace sv
