#ifdef SV_CLI_WITH_PLUGIN
#include "generate_options.h"

#include <algorithm>
#include <cstdint>

#include <nlohmann/json.hpp>

#include "base/error.h"

using namespace sv::plugin;

namespace sv::cli {

// Generated from resources/graphs/*.json (cli/CMakeLists.txt).
std::span<const uint8_t> textToVideoGraph();
std::span<const uint8_t> imageToVideoGraph();

namespace {

// The option table in five parts (one entry per option): what to make, how to make it, where and how the
// models load, batches and the advanced sampling settings, LongSANA's.
std::vector<GraphOption> subjectOptions() {
    constexpr std::string_view C = kCommonGroup;
    return {
        {"--model",
         "DIR",
         "model folder: SANA-Video 480p or 720p (diffusers layout), LongSANA (runs the long-video graph), or "
         "make-demo-model's",
         {{"load_model", "folder"}},
         {},
         C},
        {"--prompt",
         "TEXT",
         "what to generate; several --prompt make one batch (one video each); LongSANA: parts separated by "
         "<split> follow each other over the chunks",
         {{"text_encode", "prompt"}, {"long_video", "prompt"}},
         {},
         C,
         true},
        {"--negative-prompt",
         "TEXT",
         "what to avoid (default: the SANA-Video example's, as in the default graph)",
         {{"text_encode", "negative_prompt"}, {"long_video", "negative_prompt"}},
         {},
         C},
        {"--image",
         "PATH",
         "image-to-video: the first frame (PNG, JPEG, EXR, TIFF, ...)",
         {{"load_image", "path"}},
         {},
         C},
        {"--height",
         "N",
         "output height: a multiple of 16 (480p models) or of 32 (720p models)",
         {{"sampler", "height"}, {"image_encode", "height"}, {"long_video", "height"}},
         {},
         C},
        {"--width",
         "N",
         "output width: a multiple of 16 (480p models) or of 32 (720p models)",
         {{"sampler", "width"}, {"image_encode", "width"}, {"long_video", "width"}},
         {},
         C},
        {"--frames",
         "N",
         "number of frames: 4k+1 (480p models, LongSANA) or 8k+1 (720p models)",
         {{"sampler", "frames"}, {"long_video", "frames"}},
         {},
         C},
    };
}

std::vector<GraphOption> samplingOptions() {
    constexpr std::string_view C = kCommonGroup;
    return {
        {"--steps", "N", "denoising steps", {{"sampler", "steps"}}, {}, C},
        {"--guidance",
         "G",
         "classifier-free guidance scale (<= 1 turns it off)",
         {{"sampler", "guidance"}, {"long_video", "guidance"}},
         {},
         C},
        {"--seed",
         "N",
         "noise seed, as torch.Generator(\"cpu\").manual_seed(N) (0 .. 2^53-1; see --generator)",
         {{"sampler", "seed"}, {"long_video", "seed"}},
         {},
         C},
        {"--scheduler",
         "NAME",
         "model (the folder's) | dpm | euler | unipc",
         {{"sampler", "scheduler"}},
         {},
         C},
        {"--flow-shift",
         "S",
         "scheduler flow shift (0: the model folder's, 8 for SANA-Video; LongSANA: applied to --step-list, "
         "default 1)",
         {{"sampler", "flow_shift"}, {"long_video", "shift"}},
         {},
         C},
        {"--motion-score",
         "M",
         "appends \" motion score: M.\" to the prompt (0: nothing)",
         {{"text_encode", "motion_score"}, {"long_video", "motion_score"}},
         {},
         C},
        {"--no-motion-score",
         {},
         "no motion-score suffix (the same as --motion-score 0)",
         {{"text_encode", "motion_score"}, {"long_video", "motion_score"}},
         "0",
         C},
        {"--no-chi",
         {},
         "no complex-human-instruction prefix",
         {{"text_encode", "instruction"}, {"long_video", "instruction"}},
         "false",
         C},
        {"--no-binning",
         {},
         "generate at the requested size (default: the closest resolution bin, resized back to the requested "
         "size, as diffusers; LongSANA never bins)",
         {{"sampler", "resolution_binning"},
          {"image_encode", "resolution_binning"},
          {"long_video", "resolution_binning"}},
         "false",
         C},
        {"--fps", "N", "frame rate of the video", {{"vae_decode", "fps"}, {"long_video", "fps"}}, {}, C},
    };
}

std::vector<GraphOption> modelOptions() {
    constexpr std::string_view C = kCommonGroup;
    return {
        {"--device",
         "auto|cpu|cuda[:N]",
         "where the models run (auto: the first CUDA GPU when one is present, else the CPU)",
         {{"load_model", "device"}},
         {},
         C},
        {"--dtype",
         "auto|f32|bf16|f16",
         "transformer and text-encoder dtype (auto: bf16 on CUDA, f32 on the CPU; the VAE: --vae-dtype)",
         {{"load_model", "transformer_dtype"}, {"load_model", "text_encoder_dtype"}},
         {},
         C},
        {"--vae-dtype", "auto|f32|bf16|f16", kVaeDtypeHelp, {{"load_model", "vae_dtype"}}, {}, C},
        {"--weights",
         "auto|float|int8|fp8",
         "storage of the transformer's and text encoder's attention and feed-forward weights: int8 or fp8 "
         "quantize them per output channel at load (about half the memory of bf16, slightly different "
         "video; fp8 also runs the transformer's matrix products on FP8 tensor cores on Ada, Hopper and "
         "later GPUs); auto keeps what the folder stores (an FP8 checkpoint stays FP8); float dequantizes it",
         {{"load_model", "weights"}},
         {},
         C},
        {"--offload-text-encoder",
         {},
         "keep the text encoder's weights in host memory and copy them to the GPU one layer at a time while "
         "the prompt is encoded: ~5 GB (bf16) or ~3 GB (--weights int8|fp8) less GPU memory during sampling "
         "and decoding, slower encoding, identical embeddings",
         {{"load_model", "offload_text_encoder"}},
         "true",
         C},
    };
}

std::vector<GraphOption> batchOptions() {
    constexpr std::string_view B = kBatchGroup;
    return {
        {"--num-videos",
         "N",
         "videos per prompt; several videos are written as numbered files next to --out (name_001.mp4, "
         "name_002.mp4, ... taking the next free numbers, never overwriting)",
         {{"text_encode", "num_videos"}},
         {},
         B},
        {"--generator",
         "cpu|cuda",
         "which torch.Generator --seed seeds: cpu, or cuda as diffusers' SANA-Video examples (emulated "
         "without a GPU)",
         {{"sampler", "generator"}},
         {},
         B},
        {"--cuda-grid",
         "SMSxTHREADS",
         "the GPU whose CUDA-generator noise to reproduce: SM count x threads per SM (H100/H200: 132x2048; "
         "default: the GPU in use)",
         {{"sampler", "cuda_grid"}},
         {},
         B},
        {"--sigmas",
         "S1,S2,...",
         "custom sigmas (diffusers' sigmas=; the step count follows them; FlowMatch Euler takes them)",
         {{"sampler", "sigmas"}},
         {},
         B},
        {"--timesteps",
         "T1,T2,...",
         "custom timesteps (diffusers' timesteps=; not with --sigmas)",
         {{"sampler", "timesteps"}},
         {},
         B},
        {"--lora",
         "FILE[:STRENGTH]",
         "a LoRA adapter (PEFT safetensors, diffusers or original NVlabs names) at STRENGTH (default 1); "
         "repeat for several, applied in order",
         {{"load_lora", "file"}},
         {},
         B,
         true},
        {"--lora-mode",
         "unmerged|merged",
         "unmerged: adapters run beside the base weights; merged: folded into them (faster steps)",
         {{"load_lora", "mode"}},
         {},
         B},
    };
}

std::vector<GraphOption> longOptions() {
    constexpr std::string_view L = kLongGroup;
    return {
        {"--chunk-frames",
         "N",
         "LongSANA: latent frames per chunk (4 video frames each)",
         {{"long_video", "chunk_frames"}},
         {},
         L},
        {"--cached-chunks",
         "N",
         "LongSANA: how many earlier chunks the state remembers (-1: all)",
         {{"long_video", "cached_chunks"}},
         {},
         L},
        {"--prompt-file",
         "FILE",
         "LongSANA: \"CHUNK: prompt\" lines re-read before every chunk (edit it while the video renders)",
         {{"long_video", "prompt_file"}},
         {},
         L},
        {"--step-list",
         "T1,T2,...",
         "LongSANA: the denoising timesteps of every chunk (descending in (0, 1000])",
         {{"long_video", "step_list"}},
         {},
         L},
        {"--sigma-source",
         "diffusers|nvlabs",
         "LongSANA: each step's sigma from the shifted timestep (diffusers) or NVlabs/Sana's training table",
         {{"long_video", "sigma_source"}},
         {},
         L},
        {"--rope",
         "absolute|chunk",
         "LongSANA: RoPE frame positions, absolute (NVlabs/Sana) or chunk-local (diffusers PR #12723)",
         {{"long_video", "rope"}},
         {},
         L},
    };
}

}  // namespace

std::span<const GraphOption> generateOptions() {
    static const std::vector<GraphOption> kOptions = [] {
        std::vector<GraphOption> all;
        for (auto part : {subjectOptions(), samplingOptions(), modelOptions(), batchOptions(), longOptions()})
            all.insert(all.end(), part.begin(), part.end());
        return all;
    }();
    return kOptions;
}

// Generated from resources/graphs/*.json (cli/CMakeLists.txt).
std::span<const uint8_t> longVideoGraph();

std::string defaultGraphText(GraphKind kind) {
    const auto bytes = kind == GraphKind::ImageToVideo ? imageToVideoGraph()
                       : kind == GraphKind::LongVideo  ? longVideoGraph()
                                                       : textToVideoGraph();
    return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

std::string_view graphName(GraphKind kind) {
    return kind == GraphKind::ImageToVideo ? "image-to-video graph"
           : kind == GraphKind::LongVideo  ? "long-video graph"
                                           : "text-to-video graph";
}

std::string_view baseNodeId(std::string_view id) {
    const size_t u = id.rfind('_');
    if (u == std::string_view::npos || u + 1 == id.size()) return id;
    for (char c : id.substr(u + 1))
        if (c < '0' || c > '9') return id;
    return id.substr(0, u);
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

void setDeviceParams(GraphDocument& doc, const NodeRegistry& registry, std::string_view text,
                     std::string_view flag) {
    const bool indexed = text.starts_with("cuda:");
    setParam(doc, registry, {"load_model", "device"}, indexed ? "cuda" : text, flag);
    if (indexed) setParam(doc, registry, {"load_model", "cuda_device"}, text.substr(5), flag);
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
        auto present = std::find_if(o.targets.begin(), o.targets.end(),
                                    [&](const ParamRef& t) { return doc.findNode(t.node) != nullptr; });
        if (present == o.targets.end()) continue;
        const ParamRef& first = *present;
        std::string value = effectiveValue(doc, registry, first);
        if (o.valueName
                .empty()) {  // a flag: shown when in effect and no value option shows the same parameter
            if (o.flagValue != "0" && value == nlohmann::json(o.flagValue == "true").dump())
                lines.push_back(std::string(o.flag));
            continue;
        }
        if (value == "\"\"") continue;  // an empty text: not set (no file, no custom list)
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
