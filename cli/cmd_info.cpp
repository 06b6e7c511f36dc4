// `sanavideo info MODEL_DIR`: the components of a diffusers model folder, their classes, the dtypes of their
// stored weights and their parameter counts computed from the architecture (checked against the weight
// headers where weights exist).
#include <cstdio>
#include <map>
#include <set>
#include <string>

#include "base/error.h"
#include "commands.h"
#include "io/model_folder.h"
#include "models/gemma2_config.h"
#include "models/transformer_config.h"
#include "models/video_vae.h"
#include "schedulers/scheduler.h"

namespace sv::cli {

namespace {

std::string withThousands(int64_t v) {
    std::string digits = std::to_string(v < 0 ? -v : v);
    std::string out;
    for (size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
        out += digits[i];
    }
    return v < 0 ? "-" + out : out;
}

// The declared weights of the classes this engine implements (empty for others), plus the checkpoint name
// prefixes the loader accepts.
std::vector<WeightSpec> architectureSpecs(const ModelFolder& m, const ModelComponent& c,
                                          std::vector<std::string>& prefixes) {
    if (c.className == "SanaVideoTransformer3DModel" || c.className == TransformerConfig::kCausalClassName)
        return transformerWeightSpecs(m.transformerConfig(c.name));
    if (isVideoVaeClass(c.className)) return m.videoVaeConfig(c.name).weightSpecs();
    if (c.className == "Gemma2Model" || c.className == "Gemma2ForCausalLM") {
        prefixes = {"model."};
        return gemma2WeightSpecs(m.textEncoderConfig(c.name));
    }
    return {};
}

// Weight headers against the declared weights: dtypes, parameter total, missing / unexpected / mis-shaped
// names.
std::string describeWeights(const ModelFolder& m, const ModelComponent& c,
                            const std::vector<WeightSpec>& specs, const std::vector<std::string>& prefixes,
                            bool& mismatch) {
    WeightArchive a = m.weights(c.name);
    std::map<std::string, int> dtypes;
    int64_t stored = 0;
    for (const auto& name : a.names()) {
        const TensorInfo* t = a.find(name);
        ++dtypes[std::string(dtypeName(t->dtype))];
        stored += shapeNumel(t->shape);
    }
    std::string out = "weights ";
    bool first = true;
    for (const auto& [dt, n] : dtypes) {
        out +=
            concat(first ? "" : " + ", dt, dtypes.size() > 1 ? concat(" (", n, " tensors)") : std::string());
        first = false;
    }
    out += concat(", ", withThousands(stored), " parameters in ", c.weightFiles.size(), " file(s)");
    if (specs.empty()) return out;

    std::set<std::string> matched;
    int missing = 0, misshaped = 0;
    std::string firstProblem;
    for (const auto& s : specs) {
        const TensorInfo* t = a.find(s.name);
        for (size_t p = 0; !t && p < prefixes.size(); ++p) t = a.find(prefixes[p] + s.name);
        if (!t) {
            ++missing;
            if (firstProblem.empty()) firstProblem = concat("missing ", s.name);
            continue;
        }
        matched.insert(t->name);
        if (t->shape != s.shape) {
            ++misshaped;
            if (firstProblem.empty())
                firstProblem =
                    concat(s.name, " is ", shapeToString(t->shape), ", expected ", shapeToString(s.shape));
        }
    }
    const size_t unexpected = a.names().size() - matched.size();
    if (missing == 0 && misshaped == 0 && unexpected == 0) return out + " (match the architecture)";
    mismatch = true;
    return out + concat(" (MISMATCH: ", missing, " missing, ", misshaped, " wrong shape, ", unexpected,
                        " unexpected", firstProblem.empty() ? "" : "; " + firstProblem, ")");
}

std::string schedulerSummary(const ModelFolder& m, const ModelComponent& c) {
    const nlohmann::json& j = c.config;
    std::string out;
    for (const char* key : {"flow_shift", "shift", "solver_order", "solver_type", "prediction_type"}) {
        auto it = j.find(key);
        if (it != j.end() && !it->is_null() && !it->is_structured())
            out += concat(out.empty() ? "" : ", ", key, " ",
                          it->is_string() ? it->get<std::string>() : it->dump());
    }
    try {
        (void)m.scheduler(c.name);
    } catch (const Error& e) {
        out += concat(out.empty() ? "" : "; ", "not supported: ", e.what());
    }
    return out;
}

std::string tokenizerFiles(const ModelComponent& c) {
    std::string out;
    std::error_code ec;
    for (const char* f :
         {"tokenizer.json", "tokenizer.model", "tokenizer_config.json", "special_tokens_map.json"})
        if (std::filesystem::exists(c.dir / f, ec)) out += concat(out.empty() ? "" : ", ", f);
    return out.empty() ? std::string("no tokenizer files found") : out;
}

void printUsage() {
    std::printf(
        "usage: sanavideo info MODEL_DIR\n\n"
        "Lists the components of a diffusers model folder (model_index.json): class, stored weight dtypes "
        "and\n"
        "the parameter count computed from each model's config (checked against the weight headers when "
        "weights\n"
        "are present). Exit code 1 when the folder is invalid or weights do not match the architecture.\n");
}

}  // namespace

int runInfo(Args args) {
    if (args.size() == 1 && (args[0] == "--help" || args[0] == "-h")) {
        printUsage();
        return 0;
    }
    if (args.size() != 1 || args[0].starts_with("-")) {
        printUsage();
        return 2;
    }
    const ModelFolder m = ModelFolder::open(args[0]);
    std::printf("%s  %s\n", m.pipelineClass().c_str(), m.root().string().c_str());
    bool mismatch = false;
    for (const ModelComponent& c : m.components()) {
        std::string cls = c.isNull() ? std::string("(none)") : concat(c.className, " (", c.library, ")");
        std::string detail;
        if (c.isNull()) {
            detail = "not part of this model";
        } else if (!c.present) {
            detail = concat("folder missing (", c.dir.string(), ")");
        } else if (c.isScheduler()) {
            detail = schedulerSummary(m, c);
        } else if (c.isTokenizer()) {
            detail = tokenizerFiles(c);
        } else {
            std::vector<std::string> prefixes;
            const std::vector<WeightSpec> specs = architectureSpecs(m, c, prefixes);
            detail = specs.empty() ? std::string("parameters unknown (class not implemented)")
                                   : concat(withThousands(countParameters(specs)), " parameters");
            if (isVideoVaeClass(c.className))
                detail = concat(m.videoVaeConfig(c.name).familyLabel(), " VAE, ", detail);
            detail += ", ";
            detail += c.hasWeights() ? describeWeights(m, c, specs, prefixes, mismatch)
                                     : "no weights (config only)";
        }
        std::printf("  %-13s %-44s %s\n", c.name.c_str(), cls.c_str(), detail.c_str());
    }
    return mismatch ? 1 : 0;
}

}  // namespace sv::cli
