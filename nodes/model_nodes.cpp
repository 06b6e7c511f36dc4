// Load Model, Text Encode, Image Encode.
#include <chrono>

#include "backend/device.h"
#include "base/error.h"
#include "latent_value.h"
#include "model_values.h"
#include "pack.h"
#include "plugin/sdk/node.h"

namespace fs = std::filesystem;

namespace sv::nodes {

using namespace plugin;

namespace {

using Clock = std::chrono::steady_clock;

// ---- Load Model
// ------------------------------------------------------------------------------------------------

/// The device policy of every front end: "auto" is the CUDA device `index` when the build has CUDA and a GPU
/// is present, else the CPU.
Device parseDevice(const std::string& name, int index) {
    const bool cuda = device::available(Device::cuda());
    if (name == "auto") return cuda ? Device::cuda(index) : Device::cpu();
    if (name == "cuda") {
        SV_CHECK(cuda,
                 "parameter 'device': cuda is not available (this build has no CUDA backend or no GPU was "
                 "found); choose cpu or auto");
        return Device::cuda(index);
    }
    return Device::cpu();
}

/// "auto": `onGpu` on a GPU (bf16 for the transformer and the text encoder, f32 for the VAE: the dtypes
/// diffusers recommends), f32 on the CPU (the CPU backend's dtype).
DType parseDtype(const std::string& name, Device device, const char* param, DType onGpu = DType::BF16) {
    if (name == "auto") return device.kind == Device::Kind::Cpu ? DType::F32 : onGpu;
    const DType d = name == "bf16" ? DType::BF16 : name == "f16" ? DType::F16 : DType::F32;
    SV_CHECK(device.kind != Device::Kind::Cpu || d == DType::F32, "parameter '", param,
             "': the CPU backend runs in ", "f32 only, got ", name, " (choose f32 or auto)");
    return d;
}

class LoadModelNode : public Node {
  public:
    ValueMap evaluate(const ValueMap&, const ValueMap& params, NodeContext& ctx) override {
        const std::string& folder = params.getString("folder");
        SV_CHECK(!folder.empty(),
                 "parameter 'folder' is empty: choose a SANA-Video diffusers model folder (e.g. "
                 "SANA-Video_2B_480p_diffusers, or one made by `sanavideo make-demo-model DIR`)");
        ModelLoadOptions o;
        o.device = parseDevice(params.getString("device"), int(params.getInt("cuda_device")));
        o.transformerDtype = parseDtype(params.getString("transformer_dtype"), o.device, "transformer_dtype");
        o.textEncoderDtype =
            parseDtype(params.getString("text_encoder_dtype"), o.device, "text_encoder_dtype");
        o.vaeDtype = parseDtype(params.getString("vae_dtype"), o.device, "vae_dtype", DType::F32);
        o.weights = parseWeightStorage(params.getString("weights"), "parameter 'weights'");
        o.gemma.offload = params.getBool("offload_text_encoder");
        o.textEncoder = params.getBool("text_encoder");
        o.transformer = params.getBool("transformer");
        o.vaeEncoder = params.getBool("vae_encoder");
        o.vaeDecoder = params.getBool("vae_decoder");
        ctx.throwIfCancelled();
        const auto start = Clock::now();
        auto handle = std::make_shared<ModelHandle>();
        try {
            handle->models = std::make_shared<const SanaModels>(SanaModels::load(fs::path(folder), o));
        } catch (const Error& e) {
            rethrowForParam("folder", e);
        }
        handle->device = o.device;
        handle->bytes = estimateModelBytes(*handle->models, o.vaeDtype);
        const double secs = std::chrono::duration<double>(Clock::now() - start).count();
        ctx.log(LogLevel::Info, concat("loaded ", handle->describe(), " in ", secs, " s"));
        ValueMap out;
        out.set("model", makeModelValue(std::move(handle)));
        return out;
    }
    std::string fingerprint(const ValueMap& params) const override {
        // A model re-exported into the same folder invalidates the cache through its index file.
        return fileFingerprint(fs::path(params.getString("folder")) / "model_index.json");
    }
};

// ---- Text Encode
// ---------------------------------------------------------------------------------------------

/// The prompt text as one prompt, or one prompt per non-empty line (a batch).
std::vector<std::string> promptsOf(const std::string& text, bool perLine) {
    if (!perLine) return {text};
    std::vector<std::string> out;
    size_t pos = 0;
    while (pos <= text.size()) {
        const size_t nl = text.find('\n', pos);
        std::string line = text.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.find_first_not_of(" \t") != std::string::npos) out.push_back(std::move(line));
        if (nl == std::string::npos) break;
        pos = nl + 1;
    }
    SV_CHECK(!out.empty(), "parameter 'prompt': no prompt (every line is empty)");
    return out;
}

class TextEncodeNode : public Node {
  public:
    ValueMap evaluate(const ValueMap& inputs, const ValueMap& params, NodeContext& ctx) override {
        const auto& model = inputs.getObject<ModelHandle>("model", kModelTag);
        requireComponent(model.models->textEncoder != nullptr, "text encoder", "text_encoder");
        SV_CHECK(!params.getString("prompt").empty(), "parameter 'prompt' is empty: describe the video");
        PromptRequest req;
        req.prompts = promptsOf(params.getString("prompt"), params.getBool("one_prompt_per_line"));
        req.numVideosPerPrompt = int(params.getInt("num_videos"));
        req.negativePrompts = {params.getString("negative_prompt")};
        if (const int64_t m = params.getInt("motion_score"); m > 0) req.motionScore = int(m);
        if (!params.getBool("instruction")) req.complexHumanInstruction = std::vector<std::string>{};
        req.maxSequenceLength = int(params.getInt("max_length"));
        req.classifierFreeGuidance = true;  // the Sampler decides on guidance; keep the negative ready
        ctx.throwIfCancelled();
        auto c = std::make_shared<Conditioning>();
        c->encoding = encodePrompts(*model.models, req);
        c->prompt = req.prompts.front();
        ctx.log(LogLevel::Info,
                concat("encoded prompt: ", c->encoding.embeds.describe(),
                       req.motionScore ? concat(" (motion score ", *req.motionScore, ")") : ""));
        ValueMap out;
        out.set("conditioning", makeConditioningValue(std::move(c)));
        return out;
    }
};

// ---- Image Encode
// --------------------------------------------------------------------------------------------

Tensor imageTensor(const Image& img) {
    SV_CHECK(img.width > 0 && img.height > 0 && (img.channels == 3 || img.channels == 4) &&
                 img.pixels.size() == size_t(img.width) * size_t(img.height) * size_t(img.channels),
             "input 'image': malformed image (", img.width, "x", img.height, "x", img.channels, ")");
    Tensor t = Tensor::empty({img.height, img.width, 3}, DType::F32);
    float* dst = t.data<float>();
    const size_t n = size_t(img.width) * size_t(img.height);
    for (size_t i = 0; i < n; ++i)
        for (int c = 0; c < 3; ++c) dst[i * 3 + c] = img.pixels[i * size_t(img.channels) + size_t(c)];
    return t;
}

class ImageEncodeNode : public Node {
  public:
    ValueMap evaluate(const ValueMap& inputs, const ValueMap& params, NodeContext& ctx) override {
        const auto& model = inputs.getObject<ModelHandle>("model", kModelTag);
        const SanaModels& m = *model.models;
        requireComponent(m.vae && m.vae->hasEncoder(), "VAE encoder", "vae_encoder");
        const GenerationSize size = resolveSize(m, params, ctx, "encoding");
        (void)checkedGeometry(m, size, 1);  // the model's size rules
        const int width = size.width, height = size.height;
        const auto image = inputs.get("image").toImage();
        ctx.throwIfCancelled();
        auto latent = std::make_shared<Latent>();
        latent->kind = LatentKind::Image;
        latent->latents = encodeImageLatents(m, imageTensor(*image), height, width);
        latent->width = size.outputWidth;  // the video is resized back to the requested size after decoding
        latent->height = size.outputHeight;
        latent->frames = 1;
        if (image->width * height != image->height * width)
            ctx.log(LogLevel::Warning,
                    concat("the ", image->width, "x", image->height, " image is stretched to ", width, "x",
                           height, " (its aspect ratio differs)"));
        ctx.log(LogLevel::Info, latent->describe());
        ValueMap out;
        out.set("latent", makeLatentValue(std::move(latent)));
        return out;
    }
};

void registerLoadModel(NodeRegistry& r) {
    NodeDescriptor d{type::kLoadModel, 1, "Load Model", kCategoryLoaders};
    d.help =
        "Loads a SANA-Video model from a diffusers folder (model_index.json with transformer, vae, "
        "text_encoder, tokenizer and scheduler) onto a device. The loaded components stay resident while the "
        "result is cached; leave out the ones a graph does not need to save memory.";
    d.outputs = {PortSpec::required("model", port::kModel, "the loaded model")};
    d.params = {
        ParamSpec::path("folder", "", PathMode::Folder)
            .withHelp("The diffusers model folder, e.g. SANA-Video_2B_480p_diffusers or one written by "
                      "`sanavideo make-demo-model DIR`."),
        ParamSpec::choice("device", {"auto", "cpu", "cuda"}, "auto")
            .withHelp("Where the model runs: auto picks the GPU when the build has CUDA and one is "
                      "present, else the CPU."),
        ParamSpec::integer("cuda_device", 0)
            .range(0, 63)
            .showOnNode(false)
            .withHelp("Which GPU (0: the first) when the device is cuda, or auto on a machine with CUDA."),
        ParamSpec::choice("transformer_dtype", {"auto", "bf16", "f16", "f32"}, "auto")
            .showOnNode(false)
            .withHelp("Weight dtype of the transformer: auto is bf16 on a GPU, f32 on the CPU (the CPU "
                      "backend runs f32 only)."),
        ParamSpec::choice("text_encoder_dtype", {"auto", "bf16", "f16", "f32"}, "auto")
            .showOnNode(false)
            .withHelp("Weight dtype of the Gemma-2 text encoder: auto is bf16 on a GPU, f32 on the CPU."),
        ParamSpec::choice("vae_dtype", {"auto", "f32", "bf16", "f16"}, "auto")
            .showOnNode(false)
            .withHelp(
                "Weight and activation dtype of the VAE: auto is f32 (diffusers' recommended, exact "
                "setting); bf16 decodes about 5x faster on a GPU (480x832x81 on an H200: 2.2 s "
                "instead of 10.7 s) within bf16 accuracy (rel <= 5e-2, tests/data/reference/README.md). The "
                "CPU backend runs f32 only."),
        ParamSpec::choice("weights", {"auto", "float", "int8", "fp8"}, "auto")
            .withHelp("Storage of the transformer's and the text encoder's large linear weights (attention "
                      "and feed-forward projections): int8 or fp8 quantize them per output channel at load "
                      "(about half the memory of bf16; slightly different outputs), auto keeps what the "
                      "folder stores (an FP8 checkpoint stays FP8, others use the dtypes above), float "
                      "dequantizes an FP8 checkpoint to the dtypes above."),
        ParamSpec::boolean("offload_text_encoder", false)
            .showOnNode(false)
            .withHelp("Keep the Gemma-2 text encoder's weights in host memory and copy one layer at a time "
                      "to the GPU while a prompt is encoded, so they take no GPU memory during sampling and "
                      "decoding (about 5 GB in bf16, 3 GB with 8-bit weights). Encoding gets slower by the "
                      "copies; the embeddings are identical. For GPUs too small to keep it resident."),
        ParamSpec::boolean("text_encoder", true)
            .showOnNode(false)
            .withHelp("Load and keep the tokenizer and Gemma-2 text encoder resident (Text Encode needs "
                      "them)."),
        ParamSpec::boolean("transformer", true)
            .showOnNode(false)
            .withHelp("Load and keep the diffusion transformer resident (Sampler needs it)."),
        ParamSpec::boolean("vae_encoder", true)
            .showOnNode(false)
            .withHelp("Load and keep the VAE encoder resident (Image Encode needs it; text-to-video does "
                      "not)."),
        ParamSpec::boolean("vae_decoder", true)
            .showOnNode(false)
            .withHelp("Load and keep the VAE decoder resident (VAE Decode needs it)."),
    };
    r.add<LoadModelNode>(d);
}

void registerTextEncode(NodeRegistry& r) {
    NodeDescriptor d{type::kTextEncode, 1, "Text Encode", kCategoryConditioning};
    d.help =
        "Encodes the prompt and the negative prompt with Gemma-2 as SANA-Video does: lower-cased, with the "
        "motion score appended and the complex human instruction in front of the prompt.";
    d.inputs = {PortSpec::required("model", port::kModel, "a model with its text encoder loaded")};
    d.outputs = {
        PortSpec::required("conditioning", port::kConditioning, "prompt and negative prompt embeddings")};
    d.params = {
        ParamSpec::text("prompt", "").asMultiline().withHelp("What the video shows (required)."),
        ParamSpec::text("negative_prompt", "")
            .asMultiline()
            .withHelp("What to steer away from (used with guidance > 1). diffusers' default is none; the "
                      "default graphs carry the negative prompt of the SANA-Video examples."),
        ParamSpec::integer("motion_score", 0)
            .range(0, 100)
            .withHelp("Appended to the prompt as \" motion score: N.\" (higher: more motion; the SANA-Video "
                      "examples and the default graphs use 30). 0 (diffusers' default) appends nothing."),
        ParamSpec::boolean("instruction", true)
            .showOnNode(false)
            .withHelp("Put SANA's complex human instruction in front of the prompt (the pipeline's "
                      "default; it shapes the text embedding through Gemma's causal attention)."),
        ParamSpec::boolean("one_prompt_per_line", false)
            .withHelp("Treat every non-empty line of 'prompt' as its own prompt: one batch of several "
                      "videos (the negative prompt applies to each)."),
        ParamSpec::integer("num_videos", 1)
            .range(1, 64)
            .withHelp("Videos per prompt (diffusers' num_videos_per_prompt), each from its own noise."),
        ParamSpec::integer("max_length", 300)
            .range(2, 1024)
            .showOnNode(false)
            .withHelp("Text tokens kept per prompt (max_sequence_length); longer prompts are cut."),
    };
    r.add<TextEncodeNode>(d);
}

void registerImageEncode(NodeRegistry& r) {
    NodeDescriptor d{type::kImageEncode, 1, "Image Encode", kCategoryConditioning};
    d.help =
        "Resizes the image to width×height (Lanczos, no crop; with resolution binning to the closest trained "
        "size, as diffusers does) and encodes it with the VAE: the first-frame latent of image-to-video. "
        "Connect it to the Sampler's latent input: the Sampler then generates at this size.";
    d.inputs = {PortSpec::required("model", port::kModel, "a model with its VAE encoder loaded"),
                PortSpec::required("image", PortType::Image, "the first frame")};
    d.outputs = {PortSpec::required("latent", port::kLatent, "the image latent")};
    d.params = {
        sizeParam(
            "width", 832,
            "Width of the video (a multiple of 16; 32 for 720p models): the Sampler takes its size from "
            "this latent."),
        sizeParam(
            "height", 480,
            "Height of the video (a multiple of 16; 32 for 720p models): the Sampler takes its size from "
            "this latent."),
        ParamSpec::boolean("resolution_binning", true)
            .showOnNode(false)
            .withHelp(
                "Encode at the closest of the model's trained sizes (diffusers' use_resolution_binning, "
                "its default); the Sampler generates at the size of this latent and resizes back."),
    };
    r.add<ImageEncodeNode>(d);
}

}  // namespace

void registerModelNodes(NodeRegistry& r) {
    registerLoadModel(r);
    registerTextEncode(r);
    registerImageEncode(r);
}

}  // namespace sv::nodes
