#include "io/model_folder.h"

#include <algorithm>

#include "io/json_util.h"
#include "models/gemma2_config.h"
#include "models/transformer_config.h"
#include "models/video_vae.h"
#include "models/wan_vae_config.h"
#include "schedulers/scheduler.h"

namespace fs = std::filesystem;

namespace sv {

namespace {

constexpr std::string_view kTransformerClass = "SanaVideoTransformer3DModel";
// LongSANA's causal variant (diffusers PR #12723): same config keys and weights.
constexpr std::string_view kCausalTransformerClass = "SanaVideoCausalTransformer3DModel";
constexpr std::string_view kVaeClass = "AutoencoderKLWan";
constexpr std::string_view kLtx2VaeClass = "AutoencoderKLLTX2Video";

bool endsWith(std::string_view s, std::string_view suffix) {
    return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

bool isTransformerClass(std::string_view cls) {
    return cls == kTransformerClass || cls == kCausalTransformerClass;
}

bool isGemma2Class(std::string_view cls) {
    return cls == "Gemma2Model" || cls == "Gemma2ForCausalLM";
}

bool isKnownScheduler(std::string_view cls) {
    return cls == "DPMSolverMultistepScheduler" || cls == "FlowMatchEulerDiscreteScheduler" ||
           cls == "UniPCMultistepScheduler";
}

// Components are folders named by their key: refuse keys that would leave the model folder.
bool isSafeFolderName(std::string_view name) {
    return !name.empty() && name != "." && name != ".." && name.find('/') == std::string_view::npos &&
           name.find('\\') == std::string_view::npos && name.find('\0') == std::string_view::npos;
}

std::string describe(const ModelComponent& c) {
    return c.isNull() ? std::string("null") : concat(c.className, " (", c.library, ")");
}

// Parses the typed config of the classes this engine implements, so a bad config fails at open().
void validateTyped(const ModelComponent& c) {
    const std::string src = c.configPath.string();
    if (isTransformerClass(c.className)) {
        (void)TransformerConfig::fromJson(c.config, src);
    } else if (c.className == kVaeClass) {
        (void)WanVaeConfig::fromJson(c.config, src);
    } else if (c.className == kLtx2VaeClass) {
        (void)Ltx2VaeConfig::fromJson(c.config, src);
    } else if (isGemma2Class(c.className)) {
        (void)Gemma2Config::fromJson(c.config, src);
    } else if (isKnownScheduler(c.className)) {
        (void)makeScheduler(c.className, c.config, src);
    }
}

}  // namespace

bool ModelComponent::isScheduler() const {
    return endsWith(className, "Scheduler") || name == "scheduler";
}

bool ModelComponent::isTokenizer() const {
    return className.find("Tokenizer") != std::string::npos || name == "tokenizer";
}

ModelFolder ModelFolder::open(const fs::path& dir) {
    std::error_code ec;
    SV_CHECK(fs::is_directory(dir, ec), dir.string(), ": model folder not found (not a directory)");
    ModelFolder m;
    m.root_ = dir;
    const fs::path indexPath = m.modelIndexPath();
    // Only absence is "missing"; a folder, FIFO or device under the name is refused by readJsonFile, by name.
    SV_CHECK(fs::exists(indexPath, ec), indexPath.string(),
             ": missing: not a diffusers model folder (no model_index.json)");
    const std::string src = indexPath.string();
    m.index_ = readJsonFile(indexPath);
    SV_CHECK(m.index_.is_object(), src, ": model_index.json is not a JSON object");
    m.pipelineClass_ = jsonRequire<std::string>(m.index_, "_class_name", src);

    for (auto it = m.index_.begin(); it != m.index_.end(); ++it) {
        const std::string& key = it.key();
        const nlohmann::json& v = it.value();
        if (key.empty() || key[0] == '_') continue;  // _class_name, _diffusers_version, _name_or_path
        // A component is a [library, class] pair, each a string or null. Other values are pipeline settings.
        const bool pairShape = v.is_array() && v.size() == 2;
        const bool pairTypes =
            pairShape && (v[0].is_string() || v[0].is_null()) && (v[1].is_string() || v[1].is_null());
        static constexpr std::string_view kStandard[] = {"transformer", "vae", "text_encoder", "tokenizer",
                                                         "scheduler"};
        const bool standard =
            std::find(std::begin(kStandard), std::end(kStandard), key) != std::end(kStandard);
        if (!pairTypes) {
            SV_CHECK(!standard || v.is_null(), src, ": key \"", key,
                     "\" must be a [library, class] pair (or null), got ",
                     v.is_structured() ? detail::jsonTypeName(v) : excerpt(v.dump()));
            if (standard) m.components_.push_back(ModelComponent{key, "", "", dir / key});
            continue;
        }
        SV_CHECK(isSafeFolderName(key), src, ": component name \"", key, "\" is not a valid folder name");
        ModelComponent c;
        c.name = key;
        c.library = v[0].is_string() ? v[0].get<std::string>() : "";
        c.className = v[1].is_string() ? v[1].get<std::string>() : "";
        SV_CHECK(c.library.empty() == c.className.empty() || c.library.empty(), src, ": component \"", key,
                 "\" has a library but no class");
        c.dir = dir / key;
        if (!c.isNull()) c.present = fs::is_directory(c.dir, ec);
        if (c.present) {
            if (!c.isTokenizer()) {
                c.configPath = c.dir / (c.isScheduler() ? "scheduler_config.json" : "config.json");
                SV_CHECK(fs::exists(c.configPath, ec), c.configPath.string(), ": missing (the config of the ",
                         key, " component, ", describe(c), ")");
                c.config = readJsonFile(c.configPath);
                SV_CHECK(c.config.is_object(), c.configPath.string(), ": config is not a JSON object");
                validateTyped(c);
            }
            for (const auto& e : fs::directory_iterator(c.dir, ec)) {
                const std::string fname = e.path().filename().string();
                if (endsWith(fname, ".safetensors") || endsWith(fname, ".safetensors.index.json"))
                    c.weightFiles.push_back(e.path());
            }
            std::sort(c.weightFiles.begin(), c.weightFiles.end());
        }
        m.components_.push_back(std::move(c));
    }
    return m;
}

const ModelComponent* ModelFolder::find(std::string_view name) const {
    for (const auto& c : components_)
        if (c.name == name) return &c;
    return nullptr;
}

const ModelComponent& ModelFolder::require(std::string_view name) const {
    const ModelComponent* c = find(name);
    SV_CHECK(c, modelIndexPath().string(), ": no component \"", name, "\" is listed");
    SV_CHECK(!c->isNull(), modelIndexPath().string(), ": component \"", name,
             "\" is null (not part of this model)");
    SV_CHECK(c->present, c->dir.string(), ": folder of component \"", name, "\" (", describe(*c),
             ") named by model_index.json is missing");
    return *c;
}

const nlohmann::json& ModelFolder::config(std::string_view name) const {
    const ModelComponent& c = require(name);
    SV_CHECK(!c.configPath.empty(), c.dir.string(), ": component \"", name, "\" has no config file");
    return c.config;
}

namespace {
const ModelComponent& requireClass(const ModelFolder& m, std::string_view name, bool ok,
                                   std::string_view expected) {
    const ModelComponent& c = m.require(name);
    SV_CHECK(ok, m.modelIndexPath().string(), ": component \"", name, "\" is a ", c.className, ", expected ",
             expected);
    return c;
}
}  // namespace

TransformerConfig ModelFolder::transformerConfig(std::string_view name) const {
    const ModelComponent* f = find(name);
    const ModelComponent& c =
        requireClass(*this, name, f && isTransformerClass(f->className), kTransformerClass);
    return TransformerConfig::fromJson(c.config, c.configPath.string());
}

WanVaeConfig ModelFolder::vaeConfig(std::string_view name) const {
    const ModelComponent* f = find(name);
    const ModelComponent& c = requireClass(*this, name, f && f->className == kVaeClass, kVaeClass);
    return WanVaeConfig::fromJson(c.config, c.configPath.string());
}

VideoVaeConfig ModelFolder::videoVaeConfig(std::string_view name) const {
    const ModelComponent* f = find(name);
    const ModelComponent& c = requireClass(*this, name, f && isVideoVaeClass(f->className),
                                           concat(kVaeClass, " or ", kLtx2VaeClass));
    return VideoVaeConfig::fromJson(c.config, c.configPath.string());
}

Gemma2Config ModelFolder::textEncoderConfig(std::string_view name) const {
    const ModelComponent* f = find(name);
    const ModelComponent& c = requireClass(*this, name, f && isGemma2Class(f->className), "Gemma2Model");
    return Gemma2Config::fromJson(c.config, c.configPath.string());
}

std::unique_ptr<Scheduler> ModelFolder::scheduler(std::string_view name) const {
    const ModelComponent& c = require(name);
    SV_CHECK(c.isScheduler() && !c.configPath.empty(), c.dir.string(), ": component \"", name,
             "\" is not a scheduler");
    return makeScheduler(c.className, c.config, c.configPath.string());
}

WeightArchive ModelFolder::weights(std::string_view name) const {
    const ModelComponent& c = require(name);
    SV_CHECK(c.hasWeights(), c.dir.string(), ": component \"", name, "\" has no *.safetensors weights");
    return WeightArchive::open(c.dir);
}

}  // namespace sv
