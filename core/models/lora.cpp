// LoRA adapter files and their application to the SANA-Video transformer (models/lora.h).
#include "models/lora.h"

#include <algorithm>
#include <optional>

#include <nlohmann/json.hpp>

#include "io/safetensors.h"
#include "models/sana_transformer.h"
#include "ops/lincomb.h"
#include "ops/linear.h"

namespace fs = std::filesystem;

namespace sv {

namespace {

constexpr std::string_view kDefaultWeightName = "pytorch_lora_weights.safetensors";  // diffusers' file name

// NVlabs/Sana module → diffusers module(s), as scripts/convert_sana_video_to_diffusers.py renames (and, for
// qkv / kv_linear, chunks) the base weights. Block modules carry the prefix blocks.{i}. →
// transformer_blocks.{i}.
struct OriginalName {
    std::string_view original;
    std::vector<std::string_view> parts;
};
const std::vector<OriginalName>& originalBlockNames() {
    static const std::vector<OriginalName> kNames = {
        {"attn.qkv", {"attn1.to_q", "attn1.to_k", "attn1.to_v"}},
        {"attn.proj", {"attn1.to_out.0"}},
        {"cross_attn.q_linear", {"attn2.to_q"}},
        {"cross_attn.kv_linear", {"attn2.to_k", "attn2.to_v"}},
        {"cross_attn.proj", {"attn2.to_out.0"}},
        {"mlp.inverted_conv.conv", {"ff.conv_inverted"}},
        {"mlp.depth_conv.conv", {"ff.conv_depth"}},
        {"mlp.point_conv.conv", {"ff.conv_point"}},
        {"mlp.t_conv", {"ff.conv_temp"}},
    };
    return kNames;
}
const std::vector<OriginalName>& originalGlobalNames() {
    static const std::vector<OriginalName> kNames = {
        {"x_embedder.proj", {"patch_embedding"}},
        {"t_embedder.mlp.0", {"time_embed.emb.timestep_embedder.linear_1"}},
        {"t_embedder.mlp.2", {"time_embed.emb.timestep_embedder.linear_2"}},
        {"t_block.1", {"time_embed.linear"}},
        {"y_embedder.y_proj.fc1", {"caption_projection.linear_1"}},
        {"y_embedder.y_proj.fc2", {"caption_projection.linear_2"}},
        {"final_layer.linear", {"proj_out"}},
    };
    return kNames;
}

bool isOriginalName(std::string_view module) {
    if (module.starts_with("blocks.")) return true;
    for (const OriginalName& n : originalGlobalNames())
        if (module == n.original) return true;
    return false;
}

/// The diffusers modules an original-form module becomes (empty when it has no counterpart).
std::vector<std::string> diffusersParts(std::string_view module) {
    for (const OriginalName& n : originalGlobalNames())
        if (module == n.original) return {n.parts.begin(), n.parts.end()};
    if (!module.starts_with("blocks.")) return {};
    const size_t dot = module.find('.', 7);
    if (dot == std::string_view::npos) return {};
    const std::string_view index = module.substr(7, dot - 7), rest = module.substr(dot + 1);
    if (index.empty() ||
        !std::all_of(index.begin(), index.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return {};
    for (const OriginalName& n : originalBlockNames()) {
        if (rest != n.original) continue;
        std::vector<std::string> out;
        for (std::string_view p : n.parts) out.push_back(concat("transformer_blocks.", index, ".", p));
        return out;
    }
    return {};
}

// ---- the file: tensors by module and role

enum class Role { Down, Up, Alpha };

struct RawModule {
    Tensor down, up;  // as stored
    std::optional<double> alpha;
    std::string downKey, upKey;
};

/// Splits a tensor name into its module and role; nullopt for names that are not LoRA tensors.
std::optional<std::pair<std::string, Role>> splitKey(std::string_view key) {
    static const std::pair<std::string_view, Role> kSuffixes[] = {
        {".lora_A.weight", Role::Down}, {".lora_B.weight", Role::Up}, {".lora_down.weight", Role::Down},
        {".lora_up.weight", Role::Up},  {".alpha", Role::Alpha},
    };
    for (const auto& [suffix, role] : kSuffixes)
        if (key.ends_with(suffix))
            return std::pair{std::string(key.substr(0, key.size() - suffix.size())), role};
    return std::nullopt;
}

/// Removes the prefixes a diffusers or PEFT file puts before the transformer's module names.
std::string_view stripPrefix(std::string_view key) {
    for (std::string_view p : {"transformer.", "base_model.model."})
        if (key.starts_with(p)) return key.substr(p.size());
    return key;
}

std::map<std::string, RawModule, std::less<>> readModules(const SafetensorsFile& file) {
    const std::string src = file.path().string();
    std::map<std::string, RawModule, std::less<>> modules;
    std::vector<std::string> foreign;
    for (const TensorInfo& info : file.tensors()) {
        const std::string_view key = stripPrefix(info.name);
        SV_CHECK(key.find("lora_magnitude_vector") == std::string_view::npos, src, ": ", info.name,
                 " is a DoRA magnitude; DoRA adapters are not supported");
        SV_CHECK(!key.ends_with(".lora_B.bias") && !key.ends_with(".lora_up.bias"), src, ": ", info.name,
                 " is a LoRA bias (PEFT lora_bias); adapters with biases are not supported");
        for (std::string_view other : {"text_encoder.", "unet.", "lora_te", "lora_unet"})
            SV_CHECK(!key.starts_with(other), src, ": ", info.name,
                     " adapts another component (the text encoder or a UNet); SANA-Video adapters adapt the "
                     "transformer only");
        const auto split = splitKey(key);
        if (!split) {
            foreign.push_back(info.name);
            continue;
        }
        RawModule& m = modules[split->first];
        const Tensor t = file.get(info.name);
        if (split->second == Role::Alpha) {
            SV_CHECK(t.numel() == 1 && isFloating(t.dtype()), src, ": ", info.name, " is ", t.describe(),
                     ", expected one float (the module's alpha)");
            m.alpha = t.item(0);
        } else {
            SV_CHECK(isFloating(t.dtype()) && t.rank() >= 2, src, ": ", info.name, " is ", t.describe(),
                     ", expected a float matrix");
            (split->second == Role::Down ? m.down : m.up) = t;
            (split->second == Role::Down ? m.downKey : m.upKey) = info.name;
        }
    }
    if (!foreign.empty()) {
        std::string list;
        for (size_t i = 0; i < foreign.size() && i < 5; ++i) list += "\n  " + foreign[i];
        fail(src, ": ", foreign.size(), " tensor(s) are not LoRA weights (expected <module>.lora_A.weight, ",
             "<module>.lora_B.weight, optionally <module>.alpha):", list, foreign.size() > 5 ? "\n  …" : "");
    }
    SV_CHECK(!modules.empty(), src, ": no LoRA tensors in the file");
    return modules;
}

// ---- the header: PEFT's LoraConfig as diffusers stores it

struct LoraHeader {
    bool present = false;
    std::optional<int64_t> r;
    std::optional<double> alpha;
    std::vector<std::pair<std::string, int64_t>> rankPattern;
    std::vector<std::pair<std::string, double>> alphaPattern;
    bool rslora = false;
};

LoraHeader readHeader(const SafetensorsFile& file) {
    LoraHeader h;
    const auto it = file.metadata().find("lora_adapter_metadata");
    if (it == file.metadata().end()) return h;
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(it->second);
    } catch (const std::exception& e) {
        fail(file.path().string(), ": the lora_adapter_metadata header entry is not JSON (", e.what(), ")");
    }
    SV_CHECK(j.is_object(), file.path().string(),
             ": the lora_adapter_metadata header entry is not an object");
    // diffusers prefixes every key with the component ("transformer.r"); the original form has none.
    nlohmann::json cfg = nlohmann::json::object();
    for (const auto& [k, v] : j.items()) {
        if (k.starts_with("transformer."))
            cfg[k.substr(12)] = v;
        else if (k.find('.') == std::string::npos && !cfg.contains(k))
            cfg[k] = v;
    }
    const std::string src = file.path().string();
    try {
        if (cfg.contains("r") && !cfg["r"].is_null()) h.r = cfg["r"].get<int64_t>();
        if (cfg.contains("lora_alpha") && !cfg["lora_alpha"].is_null())
            h.alpha = cfg["lora_alpha"].get<double>();
        if (cfg.contains("rank_pattern") && cfg["rank_pattern"].is_object())
            for (const auto& [k, v] : cfg["rank_pattern"].items())
                h.rankPattern.emplace_back(k, v.get<int64_t>());
        if (cfg.contains("alpha_pattern") && cfg["alpha_pattern"].is_object())
            for (const auto& [k, v] : cfg["alpha_pattern"].items())
                h.alphaPattern.emplace_back(k, v.get<double>());
        if (cfg.contains("use_rslora") && cfg["use_rslora"].is_boolean())
            h.rslora = cfg["use_rslora"].get<bool>();
        SV_CHECK(!(cfg.contains("use_dora") && cfg["use_dora"].is_boolean() && cfg["use_dora"].get<bool>()),
                 src, ": the adapter is DoRA (use_dora), which is not supported");
    } catch (const nlohmann::json::exception& e) {
        fail(src, ": malformed lora_adapter_metadata (", e.what(), ")");
    }
    h.present = h.r.has_value() || h.alpha.has_value();
    return h;
}

/// PEFT's get_pattern_key, with the pattern read literally: a key matches a module that equals it or ends in
/// ".<key>"; a key starting with '^' must match the whole name.
template <class T>
std::optional<T> patternValue(const std::vector<std::pair<std::string, T>>& patterns,
                              std::string_view module) {
    for (const auto& [key, value] : patterns) {
        const bool anchored = key.starts_with('^');
        const std::string_view k = anchored ? std::string_view(key).substr(1) : std::string_view(key);
        if (module == k || (!anchored && module.ends_with(concat(".", k)))) return value;
    }
    return std::nullopt;
}

// ---- the transformer's modules

struct Target {
    Shape weight;  // the base weight's shape
    bool adaptable = false;
    int64_t out() const { return weight[0]; }
    int64_t in() const { return shapeNumel(weight) / weight[0]; }
};

/// Every module with a weight matrix or kernel, by diffusers name. Adaptable: the ones the transformer runs
/// as a linear map (linear layers, the 1×1 feed-forward convolutions, the patch embedding whose kernel equals
/// its stride); the depthwise and temporal convolutions are not.
std::map<std::string, Target, std::less<>> targets(const TransformerConfig& config) {
    std::map<std::string, Target, std::less<>> out;
    for (const WeightSpec& s : transformerWeightSpecs(config)) {
        if (!s.name.ends_with(".weight") || s.shape.size() < 2) continue;
        Target t{s.shape};
        const bool pointwise =
            std::all_of(s.shape.begin() + 2, s.shape.end(), [](int64_t k) { return k == 1; });
        t.adaptable = pointwise || s.name == "patch_embedding.weight";
        out.emplace(s.name.substr(0, s.name.size() - 7), std::move(t));
    }
    return out;
}

/// A hint for keys that fit no module: what they look like.
std::string familyHint(const std::vector<std::string>& modules) {
    auto any = [&](std::string_view needle) {
        return std::any_of(modules.begin(), modules.end(),
                           [&](const std::string& m) { return m.find(needle) != std::string::npos; });
    };
    if (any("single_transformer_blocks") || any("double_blocks") || any("single_blocks"))
        return " They look like a Flux-style transformer's.";
    if (any("down_blocks") || any("up_blocks") || any("mid_block"))
        return " They look like a UNet's (Stable Diffusion).";
    if (any("self_attn") || any("ffn.")) return " They look like a Wan-style transformer's.";
    return "";
}

std::string listOf(const std::vector<std::string>& items) {
    std::string s;
    for (size_t i = 0; i < items.size() && i < 12; ++i) s += "\n    " + items[i];
    if (items.size() > 12) s += concat("\n    … and ", items.size() - 12, " more");
    return s;
}

fs::path resolveFile(const fs::path& path) {
    std::error_code ec;
    if (!fs::is_directory(path, ec)) {
        SV_CHECK(fs::exists(path, ec), path.string(), ": no such LoRA file");
        return path;
    }
    if (fs::exists(path / kDefaultWeightName, ec)) return path / kDefaultWeightName;
    std::vector<fs::path> found;
    for (const auto& e : fs::directory_iterator(path, ec))
        if (e.path().extension() == ".safetensors") found.push_back(e.path());
    SV_CHECK(found.size() == 1, path.string(), ": expected ", kDefaultWeightName,
             " or exactly one .safetensors file in the folder, found ", found.size());
    return found.front();
}

/// What does not fit, collected over every module so one error names them all.
struct LoadProblems {
    std::vector<std::string> unmatched, unadaptable, mismatched, incomplete;
};

/// sv::Error listing every problem (none: returns).
void refuseProblems(const std::string& src, size_t modules, const TransformerConfig& config,
                    const LoadProblems& p) {
    if (!p.unmatched.empty() && p.unmatched.size() == modules) {
        fail(src, ": none of its ", modules, " modules exist in the SANA-Video transformer (e.g. ",
             p.unmatched.front(), "); it was made for another model.", familyHint(p.unmatched));
    }
    std::string msg;
    if (!p.unmatched.empty())
        msg += concat("\n  ", p.unmatched.size(), " module(s) that match no transformer module (",
                      config.numLayers, " blocks):", listOf(p.unmatched));
    if (!p.unadaptable.empty())
        msg += concat("\n  ", p.unadaptable.size(),
                      " module(s) that cannot take a LoRA here:", listOf(p.unadaptable));
    if (!p.mismatched.empty())
        msg += concat("\n  ", p.mismatched.size(), " rank or shape mismatch(es):", listOf(p.mismatched));
    if (!p.incomplete.empty())
        msg += concat("\n  ", p.incomplete.size(), " incomplete module(s):", listOf(p.incomplete));
    SV_CHECK(msg.empty(), src, ": the LoRA does not fit this transformer:", msg);
}

/// A module's alpha: its own .alpha tensor, else the PEFT header's (rank/alpha patterns, then r/lora_alpha),
/// else the rank (diffusers without metadata: scale 1). nullopt, with the problem noted, when the header's
/// rank disagrees with the tensors'.
std::optional<double> moduleAlpha(const RawModule& m, const LoraHeader& header, const std::string& module,
                                  int64_t rank, std::vector<std::string>& mismatched) {
    if (m.alpha) return *m.alpha;
    if (!header.present) return double(rank);
    const int64_t expected = patternValue(header.rankPattern, module).value_or(header.r.value_or(rank));
    if (expected != rank) {
        mismatched.push_back(
            concat(module, ": the header says rank ", expected, ", the tensors have ", rank));
        return std::nullopt;
    }
    return patternValue(header.alphaPattern, module).value_or(header.alpha.value_or(double(rank)));
}

/// A [k, ...] tensor as an F32 CPU matrix [k, rest] that owns its memory.
Tensor asMatrix(const Tensor& t) {
    return t.to(DType::F32).contiguous().clone().view({t.dim(0), -1});
}

}  // namespace

LoraAdapter LoraAdapter::load(const fs::path& path, const TransformerConfig& config) {
    LoraAdapter a;
    a.source = resolveFile(path);
    a.name = a.source.filename() == kDefaultWeightName ? a.source.parent_path().filename().string()
                                                       : a.source.stem().string();
    const auto file = SafetensorsFile::open(a.source);
    const std::string src = a.source.string();
    const auto raw = readModules(*file);
    const LoraHeader header = readHeader(*file);
    const auto modelTargets = targets(config);

    size_t original = 0;
    for (const auto& [m, r] : raw) original += isOriginalName(m);
    SV_CHECK(original == 0 || original == raw.size(), src,
             ": mixes original NVlabs module names (blocks.N.…) with diffusers names");
    a.form = original ? Form::Original : Form::Diffusers;

    LoadProblems problems;
    auto& [unmatched, unadaptable, mismatched, incomplete] = problems;
    for (const auto& [module, m] : raw) {
        if (!m.down.defined() || !m.up.defined()) {
            incomplete.push_back(
                concat(module, m.down.defined() ? " (lora_B missing)" : " (lora_A missing)"));
            continue;
        }
        const Tensor down = asMatrix(m.down), up = asMatrix(m.up);
        const int64_t rank = down.dim(0);
        if (up.dim(1) != rank) {
            mismatched.push_back(concat(module, ": lora_A ", shapeToString(m.down.shape()), " has rank ",
                                        rank, " but lora_B ", shapeToString(m.up.shape()), " has ",
                                        up.dim(1)));
            continue;
        }
        const std::optional<double> alpha = moduleAlpha(m, header, module, rank, problems.mismatched);
        if (!alpha) continue;
        const std::vector<std::string> parts =
            a.form == Form::Original ? diffusersParts(module) : std::vector<std::string>{module};
        if (parts.empty()) {
            unmatched.push_back(module);
            continue;
        }
        if (up.dim(0) % int64_t(parts.size()) != 0) {
            mismatched.push_back(concat(module, ": lora_B has ", up.dim(0), " rows, not ", parts.size(),
                                        " equal blocks for ", parts.size(), " fused projections"));
            continue;
        }
        const int64_t rows = up.dim(0) / int64_t(parts.size());
        for (size_t k = 0; k < parts.size(); ++k) {
            const auto t = modelTargets.find(parts[k]);
            if (t == modelTargets.end()) {
                unmatched.push_back(parts[k] == module ? module : concat(module, " → ", parts[k]));
                continue;
            }
            if (!t->second.adaptable) {
                unadaptable.push_back(
                    concat(parts[k], " (a ", shapeToString(t->second.weight), " convolution)"));
                continue;
            }
            const bool inputFits =
                down.dim(1) == t->second.in() && (m.down.rank() == 2 || m.down.dim(1) == t->second.weight[1]);
            if (!inputFits || rows != t->second.out()) {
                mismatched.push_back(concat(parts[k], ": lora_A ", shapeToString(m.down.shape()), ", lora_B ",
                                            shapeToString(m.up.shape()), " do not fit its weight ",
                                            shapeToString(t->second.weight)));
                continue;
            }
            Module out;
            out.down = down;  // an original fused layer's A is shared by its parts (copied by the converter)
            out.up =
                parts.size() == 1 ? up : up.slice(0, int64_t(k) * rows, int64_t(k + 1) * rows).contiguous();
            out.alpha = *alpha;
            out.rslora = header.rslora;
            a.modules.emplace(parts[k], std::move(out));
        }
    }
    refuseProblems(src, raw.size(), config, problems);
    return a;
}

int64_t LoraAdapter::parameterCount() const {
    int64_t n = 0;
    for (const auto& [name, m] : modules) n += m.down.numel() + m.up.numel();
    return n;
}

std::string_view loraModeName(LoraMode m) {
    return m == LoraMode::Merged ? "merged" : "unmerged";
}

LoraMode parseLoraMode(std::string_view name, std::string_view what) {
    if (name == "unmerged") return LoraMode::Unmerged;
    if (name == "merged") return LoraMode::Merged;
    fail(what, ": \"", name, "\" is not a LoRA mode (unmerged or merged)");
}

namespace {

/// W + Σ scale·B·A for one module, computed in F32 on the weight's device and rounded once to its dtype.
Tensor mergedWeight(const Tensor& weight, const std::vector<LoraTerm>& terms, std::string_view module) {
    SV_CHECK(
        weight.dtype() == DType::F32 || weight.dtype() == DType::BF16 || weight.dtype() == DType::F16, module,
        ": merged LoRA needs a float weight (this one is ", dtypeName(weight.dtype()),
        isEightBit(weight.dtype()) ? ": 8-bit weights, from --weights int8/fp8 or an FP8 checkpoint" : "",
        "); apply the adapter unmerged, or load the model with float weights");
    const Device dev = weight.device();
    const int64_t out = weight.dim(0), in = weight.numel() / out;
    std::vector<Tensor> inputs = {weight.contiguous().view({out, in})};
    std::vector<double> coefs = {1.0};
    for (const LoraTerm& t : terms) {
        const Tensor a = t.down.to(dev).to(DType::F32), b = t.up.to(dev).to(DType::F32);
        inputs.push_back(ops::linear(b, a.transpose(0, 1).contiguous()));  // B·A [out, in]
        coefs.push_back(double(t.scale));
    }
    return ops::linearCombination(coefs, inputs).to(weight.dtype()).view(weight.shape());
}

}  // namespace

SanaTransformer applyLora(const SanaTransformer& base, std::span<const LoraUse> adapters, LoraMode mode) {
    const WeightSet& weights = base.weights();
    const Tensor& ref = weights.get("proj_out.weight");
    LoraTerms added;  // this call's terms, F32 on the CPU
    for (const LoraUse& use : adapters) {
        SV_ASSERT(use.adapter != nullptr);
        SV_CHECK(std::isfinite(use.strength), use.adapter->source.string(), ": the strength ", use.strength,
                 " is not a finite number");
        for (const auto& [module, m] : use.adapter->modules) {
            const Tensor w = weights.find(module + ".weight");
            SV_CHECK(
                w.defined() && w.dim(0) == m.up.dim(0) && w.numel() / w.dim(0) == m.down.dim(1),
                use.adapter->source.string(), ": ", module, " does not fit this transformer (",
                w.defined() ? concat("weight ", shapeToString(w.shape())) : std::string("no such module"),
                "); the adapter was read for another configuration");
            added[module].push_back({m.down, m.up, float(use.strength * m.scaling())});
        }
    }
    const std::shared_ptr<const LoraTerms>& existing = base.loraTerms();
    if (mode == LoraMode::Merged) {
        WeightSet merged = weights;  // shares every tensor; the adapted ones are replaced below
        for (const auto& [module, terms] : added) {
            const std::string name = module + ".weight";
            merged.set(name, mergedWeight(weights.get(name), terms, module));
        }
        return SanaTransformer(base.config(), std::move(merged), existing);
    }
    auto terms = std::make_shared<LoraTerms>(existing ? *existing : LoraTerms{});
    for (auto& [module, list] : added)
        for (LoraTerm& t : list)
            (*terms)[module].push_back(
                {t.down.to(ref.dtype()).to(ref.device()), t.up.to(ref.dtype()).to(ref.device()), t.scale});
    return SanaTransformer(base.config(), weights, std::move(terms));
}

}  // namespace sv
