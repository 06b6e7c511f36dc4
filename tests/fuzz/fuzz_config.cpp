// libFuzzer target: arbitrary text as a JSON config (Python dialect: NaN/Infinity allowed). The lenient
// parser and every typed config parser must either accept it or throw sv::Error; accepted configs must give
// weight declarations and, for schedulers, a usable schedule.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "base/error.h"
#include "io/json_util.h"
#include "models/gemma2_config.h"
#include "models/transformer_config.h"
#include "models/wan_vae_config.h"
#include "schedulers/scheduler.h"

namespace {

// Weight declarations of absurd (but accepted) configs can be huge; only build them for plausible sizes.
template <class Config, class Specs>
void parseModel(const nlohmann::json& j, Specs specs, bool buildSpecs) {
    try {
        Config c = Config::fromJson(j, "fuzz/config.json");
        if (buildSpecs) (void)sv::countParameters(specs(c));
    } catch (const sv::Error&) {
    }
}

void parseScheduler(std::string_view cls, const nlohmann::json& j) {
    try {
        auto s = sv::makeScheduler(cls, j, "fuzz/scheduler_config.json");
        for (int n : {1, 2, 7}) {
            s->setTimesteps(n);
            sv::Tensor x = sv::Tensor::full({3}, 0.5f);
            const sv::Tensor v = sv::Tensor::full({3}, -0.25f);
            while (!s->finished()) x = s->step(v, x);
        }
    } catch (const sv::Error&) {
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    nlohmann::json j;
    try {
        j = sv::parseJsonLenient(text, "fuzz/config.json");
    } catch (const sv::Error&) {
        return 0;
    }
    const bool small = size < 4096;
    parseModel<sv::TransformerConfig>(
        j, [](const auto& c) { return sv::transformerWeightSpecs(c); }, small);
    parseModel<sv::WanVaeConfig>(
        j, [](const auto& c) { return sv::wanVaeWeightSpecs(c); }, small);
    parseModel<sv::Gemma2Config>(
        j, [](const auto& c) { return sv::gemma2WeightSpecs(c); }, small);
    for (std::string_view cls :
         {"DPMSolverMultistepScheduler", "FlowMatchEulerDiscreteScheduler", "UniPCMultistepScheduler"})
        parseScheduler(cls, j);
    return 0;
}
