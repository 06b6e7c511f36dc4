#ifdef SV_CLI_WITH_PLUGIN
#include "generate_options.h"

#include <cstdint>

#include <nlohmann/json.hpp>

#include "base/error.h"

using namespace sv::plugin;

namespace sv::cli {

// Generated from resources/graphs/*.json (cli/CMakeLists.txt).
std::span<const uint8_t> textToVideoGraph();
std::span<const uint8_t> imageToVideoGraph();

std::span<const GraphOption> generateOptions() {
    static const std::vector<GraphOption> kOptions = {
        {"--model",
         "DIR",
         "model folder (e.g. SANA-Video_2B_480p_diffusers, or make-demo-model's)",
         {{"load_model", "folder"}},
         {}},
        {"--prompt", "TEXT", "what to generate", {{"text_encode", "prompt"}}, {}},
        {"--negative-prompt",
         "TEXT",
         "what to avoid (default: the SANA-Video example's, as in the default graph)",
         {{"text_encode", "negative_prompt"}},
         {}},
        {"--image",
         "PATH",
         "image-to-video: the first frame (PNG, JPEG, EXR, TIFF, ...)",
         {{"load_image", "path"}},
         {}},
        {"--height",
         "N",
         "output height, a multiple of 16",
         {{"sampler", "height"}, {"image_encode", "height"}},
         {}},
        {"--width",
         "N",
         "output width, a multiple of 16",
         {{"sampler", "width"}, {"image_encode", "width"}},
         {}},
        {"--frames", "N", "number of frames, 4k+1", {{"sampler", "frames"}}, {}},
        {"--steps", "N", "denoising steps", {{"sampler", "steps"}}, {}},
        {"--guidance",
         "G",
         "classifier-free guidance scale (<= 1 turns it off)",
         {{"sampler", "guidance"}},
         {}},
        {"--seed",
         "N",
         "noise seed, as torch.Generator(\"cpu\").manual_seed(N) (0 .. 2^53-1)",
         {{"sampler", "seed"}},
         {}},
        {"--scheduler", "NAME", "model (the folder's) | dpm | euler | unipc", {{"sampler", "scheduler"}}, {}},
        {"--flow-shift",
         "S",
         "scheduler flow shift (0: the model folder's, 8 for SANA-Video)",
         {{"sampler", "flow_shift"}},
         {}},
        {"--motion-score",
         "M",
         "appends \" motion score: M.\" to the prompt (0: nothing)",
         {{"text_encode", "motion_score"}},
         {}},
        {"--no-motion-score",
         {},
         "no motion-score suffix (the same as --motion-score 0)",
         {{"text_encode", "motion_score"}},
         "0"},
        {"--no-chi", {}, "no complex-human-instruction prefix", {{"text_encode", "instruction"}}, "false"},
        {"--no-binning",
         {},
         "generate at the requested size (default: the closest resolution bin, resized back to the requested "
         "size, as diffusers)",
         {{"sampler", "resolution_binning"}, {"image_encode", "resolution_binning"}},
         "false"},
        {"--fps", "N", "frame rate of the video", {{"vae_decode", "fps"}}, {}},
        {"--device",
         "auto|cpu|cuda[:N]",
         "where the models run (auto: the first CUDA GPU when one is present, else the CPU)",
         {{"load_model", "device"}},
         {}},
        {"--dtype",
         "auto|f32|bf16|f16",
         "transformer and text-encoder dtype (auto: bf16 on CUDA, f32 on the CPU; the VAE always runs in "
         "f32)",
         {{"load_model", "transformer_dtype"}, {"load_model", "text_encoder_dtype"}},
         {}},
    };
    return kOptions;
}

std::string defaultGraphText(bool imageToVideo) {
    const auto bytes = imageToVideo ? imageToVideoGraph() : textToVideoGraph();
    return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

void setParam(GraphDocument& doc, const NodeRegistry& registry, const ParamRef& target, std::string_view text,
              std::string_view flag) {
    const GraphNode* node = doc.findNode(target.node);
    if (!node) return;
    const NodeDescriptor* d = registry.find(node->type);
    SV_CHECK(d != nullptr, flag, ": the default graph's node '", target.node, "' has the unknown type '",
             node->type, "' (is the SANA-Video node pack installed?)");
    const ParamSpec* spec = d->findParam(target.param);
    SV_ASSERT_MSG(spec != nullptr, "the default graph's ", node->type, " has no parameter ", target.param);
    std::string problem;
    std::optional<nlohmann::json> value = spec->tryParseText(text, problem);
    if (value) problem = spec->checkValue(spec->fromJson(*value));
    SV_CHECK(problem.empty(), flag, ": ", problem);
    doc.setParam(std::string(target.node), std::string(target.param), std::move(*value));
}

std::string effectiveValue(const GraphDocument& doc, const NodeRegistry& registry, const ParamRef& target) {
    const GraphNode* node = doc.findNode(target.node);
    const NodeDescriptor* d = node ? registry.find(node->type) : nullptr;
    const ParamSpec* spec = d ? d->findParam(target.param) : nullptr;
    if (!spec) return {};
    auto it = node->params.find(std::string(target.param));
    return ParamSpec::toJson(spec->fromJson(it == node->params.end() ? nlohmann::json() : *it)).dump();
}

std::vector<std::string> describeSettings(const GraphDocument& doc, const NodeRegistry& registry) {
    std::vector<std::string> lines;
    for (const GraphOption& o : generateOptions()) {
        const ParamRef& first = o.targets.front();
        if (!doc.findNode(first.node)) continue;
        std::string value = effectiveValue(doc, registry, first);
        if (o.valueName
                .empty()) {  // a flag: shown when in effect and no value option shows the same parameter
            if (o.flagValue != "0" && value == nlohmann::json(o.flagValue == "true").dump())
                lines.push_back(std::string(o.flag));
            continue;
        }
        if (o.flag == "--device" && value != "\"cpu\"") {
            const std::string index = effectiveValue(doc, registry, {"load_model", "cuda_device"});
            if (!index.empty() && index != "0")
                value = concat(nlohmann::json::parse(value).get<std::string>(), ":", index);
        }
        lines.push_back(concat(o.flag, " ", value));
    }
    return lines;
}

}  // namespace sv::cli
#endif  // SV_CLI_WITH_PLUGIN
