#include "pipelines/sana_models.h"

#include "io/json_util.h"
#include "io/model_folder.h"
#include "schedulers/scheduler.h"

namespace fs = std::filesystem;

namespace sv {

// ---- SchedulerConfig
// -----------------------------------------------------------------------------------------

std::string_view SchedulerConfig::shortName() const {
    return schedulerShortName(className);
}

double SchedulerConfig::shift() const {
    const char* key = className == "FlowMatchEulerDiscreteScheduler" ? "shift" : "flow_shift";
    return jsonGet<double>(config, key, 1.0, source);
}

std::unique_ptr<Scheduler> SchedulerConfig::make(std::string_view shortNameOverride,
                                                 std::optional<double> shiftOverride) const {
    if (!shortNameOverride.empty() && shortNameOverride != shortName())
        return makeSchedulerByShortName(shortNameOverride, shiftOverride.value_or(shift()));
    if (!shiftOverride) return makeScheduler(className, config, source);
    nlohmann::json j = config;
    j[className == "FlowMatchEulerDiscreteScheduler" ? "shift" : "flow_shift"] = *shiftOverride;
    return makeScheduler(className, j, concat(source, " (with flow shift ", *shiftOverride, ")"));
}

// ---- SanaModels
// ----------------------------------------------------------------------------------------------

namespace {

// The folder of a component: the override, or the model folder's own (sv::Error when it is missing).
fs::path componentDir(const ModelFolder& folder, const ModelLoadOptions& o, std::string_view name) {
    if (auto it = o.componentDirs.find(name); it != o.componentDirs.end()) {
        std::error_code ec;
        SV_CHECK(fs::is_directory(it->second, ec), it->second.string(), ": folder given for the ", name,
                 " component not found");
        return it->second;
    }
    return folder.componentPath(name);
}

bool available(const ModelFolder& folder, const ModelLoadOptions& o, std::string_view name) {
    if (o.componentDirs.count(name)) return true;
    const ModelComponent* c = folder.find(name);
    return c && !c->isNull() && c->present;
}

}  // namespace

SanaModels SanaModels::load(const fs::path& dir, const ModelLoadOptions& o) {
    const ModelFolder folder = ModelFolder::open(dir);
    SanaModels m;
    m.root = dir;
    m.pipelineClass = folder.pipelineClass();

    if (o.textEncoder) {
        m.tokenizer = text::loadTokenizer(componentDir(folder, o, "tokenizer"));
        LoadOptions lo;
        lo.dtype = o.textEncoderDtype;
        lo.device = o.device;
        lo.storage = o.weights;
        m.textEncoder = std::make_shared<const Gemma2Encoder>(
            Gemma2Encoder::load(componentDir(folder, o, "text_encoder"), lo, o.gemma));
    }
    if (o.transformer) {
        LoadOptions lo;
        lo.dtype = o.transformerDtype;
        lo.device = o.device;
        lo.storage = o.weights;
        m.transformer = std::make_shared<const SanaTransformer>(
            SanaTransformer::load(componentDir(folder, o, "transformer"), lo));
    }
    if (available(folder, o, "vae")) {
        const fs::path vaeDir = componentDir(folder, o, "vae");
        m.vaeConfig = VideoVaeConfig::load(vaeDir / "config.json");
        const int parts =
            (o.vaeEncoder ? int(VaeParts::Encoder) : 0) | (o.vaeDecoder ? int(VaeParts::Decoder) : 0);
        if (parts != 0) {
            LoadOptions lo;
            lo.dtype = o.vaeDtype;
            lo.device = o.device;
            m.vae = loadVideoVae(vaeDir, VaeParts(parts), lo);
        }
    } else if (o.vaeEncoder || o.vaeDecoder) {
        (void)componentDir(folder, o, "vae");  // throws, naming the missing folder
    }
    if (m.transformer && m.vaeConfig) {
        const int channels = m.transformer->config().inChannels;
        SV_CHECK(channels == m.vaeConfig->latentChannels(), dir.string(), ": the transformer takes ",
                 channels, " latent channels but the VAE (", m.vaeConfig->className(), ") has ",
                 m.vaeConfig->latentChannels());
    }
    if (auto it = o.componentDirs.find("scheduler"); it != o.componentDirs.end()) {
        const fs::path cfg = it->second / "scheduler_config.json";
        auto sc = std::make_shared<SchedulerConfig>();
        sc->config = readJsonFile(cfg);
        sc->source = cfg.string();
        sc->className = jsonRequire<std::string>(sc->config, "_class_name", sc->source);
        (void)sc->make();  // validates
        m.scheduler = std::move(sc);
    } else if (available(folder, o, "scheduler")) {
        const ModelComponent& c = folder.require("scheduler");
        auto sc = std::make_shared<SchedulerConfig>();
        sc->className = c.className;  // model_index.json decides the class, as in diffusers
        sc->config = c.config;
        sc->source = c.configPath.string();
        m.scheduler = std::move(sc);
    }
    return m;
}

const text::Tokenizer& SanaModels::requireTokenizer() const {
    SV_CHECK(tokenizer, root.string(), ": the tokenizer is not loaded (prompts need it)");
    return *tokenizer;
}

const Gemma2Encoder& SanaModels::requireTextEncoder() const {
    SV_CHECK(textEncoder, root.string(), ": the text encoder is not loaded (prompts need it)");
    return *textEncoder;
}

const SanaTransformer& SanaModels::requireTransformer() const {
    SV_CHECK(transformer, root.string(), ": the transformer is not loaded (sampling needs it)");
    return *transformer;
}

const VideoVae& SanaModels::requireVaeEncoder() const {
    SV_CHECK(vae && vae->hasEncoder(), root.string(),
             ": the VAE encoder is not loaded (image-to-video needs it)");
    return *vae;
}

const VideoVae& SanaModels::requireVaeDecoder() const {
    SV_CHECK(vae && vae->hasDecoder(), root.string(), ": the VAE decoder is not loaded (decoding needs it)");
    return *vae;
}

const SchedulerConfig& SanaModels::requireScheduler() const {
    SV_CHECK(scheduler, root.string(), ": the model has no scheduler; name one (dpm, euler or unipc)");
    return *scheduler;
}

int SanaModels::vaeTemporalScale() const {
    return vaeConfig ? vaeConfig->temporalCompression() : 4;
}
int SanaModels::vaeSpatialScale() const {
    return vaeConfig ? vaeConfig->spatialCompression() : 8;
}
int SanaModels::sizeMultiple() const {
    return vaeSpatialScale() * (transformer ? transformer->config().patchSize[1] : 2);
}
std::string_view SanaModels::family() const {
    return vaeConfig ? vaeConfig->familyLabel() : std::string_view();
}

}  // namespace sv
