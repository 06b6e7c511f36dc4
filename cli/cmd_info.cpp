// `sanavideo info MODEL_DIR`: the components of a diffusers model folder, their classes, the dtypes of their
// stored weights and their parameter counts computed from the architecture (checked against the weight
// headers where weights exist).
#include <cstdio>
#include <map>
#include <memory>
#include <set>
#include <string>

#include <CLI/CLI.hpp>

#include "base/error.h"
#include "commands.h"
#include "io/model_folder.h"
#include "models/gemma2_config.h"
#include "models/transformer_config.h"
#include "models/video_vae.h"
#include "schedulers/scheduler.h"
#include "terminal_text.h"

namespace sv::cli {

namespace {

/// `s` padded with spaces to `width` bytes (printf's %-Ns).
std::string padRight(std::string s, size_t width) {
    if (s.size() < width) s.append(width - s.size(), ' ');
    return s;
}

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

int runInfo(const std::string& folder) {
    const ModelFolder m = ModelFolder::open(folder);
    printLine(stdout, concat(m.pipelineClass(), "  ", m.root().string()));
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
        printLine(stdout, concat("  ", padRight(c.name, 13), " ", padRight(cls, 44), " ", detail));
    }
    return mismatch ? 1 : 0;
}

}  // namespace

CommandRun setupInfo(CLI::App& cmd) {
    cmd.footer(
        "Lists the components of a diffusers model folder (model_index.json): class, stored weight dtypes "
        "and the parameter count computed from each model's config (checked against the weight headers when "
        "weights are present). Exit code 1 when the folder is invalid or weights do not match the "
        "architecture.");
    auto folder = std::make_shared<std::string>();
    cmd.add_option("MODEL_DIR", *folder, "a diffusers model folder")->required();
    return [folder] { return runInfo(*folder); };
}

}  // namespace sv::cli
