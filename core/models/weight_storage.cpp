#include "models/weight_storage.h"

#include <array>
#include <cmath>

#include "io/safetensors.h"

namespace sv {

namespace {

constexpr std::array<std::string_view, 2> kScaleSuffixes = {"weight_scale", "scale_weight"};
constexpr std::array<std::string_view, 5> kCompanionSuffixes = {"weight_scale", "scale_weight", "input_scale",
                                                                "scale_input", "comfy_quant"};

bool endsWith(std::string_view s, std::string_view suffix) {
    return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// "a.b.weight" → "a.b." (the module's prefix, dot included); "" when the name is not a ".weight".
std::string_view modulePrefix(std::string_view weightName) {
    return endsWith(weightName, ".weight") ? weightName.substr(0, weightName.size() - 6) : std::string_view();
}

// The index segment and the rest: "transformer_blocks.12.attn1.to_q.weight" with head "transformer_blocks."
// → "attn1.to_q.weight"; "" when the name does not have that form.
std::string_view afterLayerIndex(std::string_view name, std::string_view head) {
    if (name.substr(0, head.size()) != head) return {};
    name.remove_prefix(head.size());
    size_t digits = 0;
    while (digits < name.size() && name[digits] >= '0' && name[digits] <= '9') ++digits;
    if (digits == 0 || digits >= name.size() || name[digits] != '.') return {};
    return name.substr(digits + 1);
}

}  // namespace

std::string_view weightStorageName(WeightStorage s) {
    switch (s) {
        case WeightStorage::Auto:
            return "auto";
        case WeightStorage::Float:
            return "float";
        case WeightStorage::Int8:
            return "int8";
        case WeightStorage::Fp8:
            return "fp8";
    }
    SV_ASSERT(false);
}

WeightStorage parseWeightStorage(std::string_view name, std::string_view what) {
    for (WeightStorage s :
         {WeightStorage::Auto, WeightStorage::Float, WeightStorage::Int8, WeightStorage::Fp8})
        if (weightStorageName(s) == name) return s;
    fail(what, ": \"", excerpt(name, 40), "\" is not a weight storage (auto, float, int8 or fp8)");
}

bool eightBitEligible(std::string_view weightName, DType format) {
    static constexpr std::string_view kTransformer[] = {
        "attn1.to_q.weight",       "attn1.to_k.weight",    "attn1.to_v.weight",  "attn1.to_out.0.weight",
        "attn2.to_q.weight",       "attn2.to_k.weight",    "attn2.to_v.weight",  "attn2.to_out.0.weight",
        "ff.conv_inverted.weight", "ff.conv_point.weight", "ff.conv_temp.weight"};
    static constexpr std::string_view kGemma[] = {"self_attn.q_proj.weight", "self_attn.k_proj.weight",
                                                  "self_attn.v_proj.weight", "self_attn.o_proj.weight",
                                                  "mlp.gate_proj.weight",    "mlp.up_proj.weight",
                                                  "mlp.down_proj.weight"};
    const std::string_view block = afterLayerIndex(weightName, "transformer_blocks.");
    if (format == DType::F8E4M3 && block.starts_with("attn2.")) return false;
    for (std::string_view n : kTransformer)
        if (block == n) return true;
    const std::string_view layer = afterLayerIndex(weightName, "layers.");
    for (std::string_view n : kGemma)
        if (layer == n) return true;
    return false;
}

DType fp8StorageFormat(std::string_view weightName) {
    return afterLayerIndex(weightName, "layers.").empty() ? DType::F8E4M3 : DType::I8;
}

std::string findWeightScale(const WeightArchive& archive, std::string_view storedWeightName) {
    const std::string_view prefix = modulePrefix(storedWeightName);
    if (prefix.empty()) return {};
    for (std::string_view suffix : kScaleSuffixes) {
        std::string name = concat(prefix, suffix);
        if (archive.contains(name)) return name;
    }
    return {};
}

bool isQuantizationCompanion(const WeightArchive& archive, std::string_view storedName) {
    if (storedName == "scaled_fp8") return true;
    for (std::string_view suffix : kCompanionSuffixes) {
        if (!endsWith(storedName, concat(".", suffix))) continue;
        const std::string weight = concat(storedName.substr(0, storedName.size() - suffix.size()), "weight");
        const TensorInfo* info = archive.find(weight);
        if (info && isEightBit(info->dtype)) return true;
    }
    return false;
}

Tensor attachStoredScales(const WeightArchive& archive, const Tensor& stored, std::string_view storedName,
                          std::string_view scaleName) {
    const std::string src = archive.source().string();
    SV_CHECK(!scaleName.empty(), src, ": \"", storedName, "\" is stored as ", dtypeName(stored.dtype()),
             " but has no scale tensor (\"", modulePrefix(storedName), "weight_scale\" or \"",
             modulePrefix(storedName), "scale_weight\")");
    SV_CHECK(stored.rank() >= 1, src, ": \"", storedName,
             "\" is an 8-bit scalar; 8-bit weights need an output-channel dim");
    const TensorInfo* info = archive.find(scaleName);
    SV_ASSERT(info != nullptr);
    const int64_t rows = stored.dim(0), n = shapeNumel(info->shape);
    const bool perTensor = n == 1 && info->shape.size() <= 1;
    const bool perRow = info->shape == Shape{rows} || info->shape == Shape{rows, 1};
    SV_CHECK(isFloating(info->dtype) && (perTensor || perRow), src, ": the scale \"", scaleName, "\" of \"",
             storedName, "\" is ", dtypeName(info->dtype), shapeToString(info->shape),
             "; expected a float scalar or [", rows, "] (one scale per output channel)");
    const std::vector<float> values = archive.get(scaleName).toFloatVector();
    for (size_t i = 0; i < values.size(); ++i)
        SV_CHECK(std::isfinite(values[i]), src, ": the scale \"", scaleName, "\" of \"", storedName,
                 "\" holds the non-finite value ", values[i], perRow ? concat(" at row ", i) : std::string());
    Tensor scales = Tensor::empty({rows}, DType::F32);
    float* p = scales.data<float>();
    for (int64_t r = 0; r < rows; ++r) p[r] = values[perTensor ? 0 : size_t(r)];
    return stored.withQuantScales(std::move(scales));
}

}  // namespace sv
