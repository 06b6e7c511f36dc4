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

/// The reference negative prompt of every SANA-Video example (spec §1.10).
const char* const kReferenceNegativePrompt =
    "A chaotic sequence with misshapen, deformed limbs in heavy motion blur, sudden disappearance, jump "
    "cuts, "
    "jerky movements, rapid shot changes, frames out of sync, inconsistent character shapes, temporal "
    "artifacts, jitter, and ghosting effects, creating a disorienting visual experience.";

namespace {

using Clock = std::chrono::steady_clock;

// ---- Load Model
// ------------------------------------------------------------------------------------------------

Device parseDevice(const std::string& name) {
    const bool cuda = device::available(Device::cuda());
    if (name == "auto") return cuda ? Device::cuda(0) : Device::cpu();
    if (name == "cuda") {
        SV_CHECK(cuda,
                 "parameter 'device': cuda is not available (this build has no CUDA backend or no GPU "
                 "was found); choose cpu or auto");
        return Device::cuda(0);
    }
    return Device::cpu();
}

/// "auto": bf16 on a GPU (the recommended inference dtype), f32 on the CPU (the CPU backend's dtype).
DType parseDtype(const std::string& name, Device device, const char* param) {
    if (name == "auto") return device.kind == Device::Kind::Cpu ? DType::F32 : DType::BF16;
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
                 "parameter 'folder' is empty: choose a SANA-Video diffusers model folder "
                 "(e.g. SANA-Video_2B_480p_diffusers, or one made by `sanavideo "
                 "make-demo-model DIR`)");
        ModelLoadOptions o;
        o.device = parseDevice(params.getString("device"));
        o.transformerDtype = parseDtype(params.getString("transformer_dtype"), o.device, "transformer_dtype");
        o.textEncoderDtype =
            parseDtype(params.getString("text_encoder_dtype"), o.device, "text_encoder_dtype");
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
        handle->bytes = estimateModelBytes(*handle->models, o.transformerDtype, o.textEncoderDtype);
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

void checkSize(const ValueMap& params, const char* name, int multiple) {
    const int64_t v = params.getInt(name);
    SV_CHECK(v % multiple == 0, "parameter '", name, "': ", v, " is not a multiple of ", multiple,
             " (the VAE's ", multiple / 2, "x downscaling and the transformer's 2x2 patches)");
}

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
        requireComponent(model.models->vae && model.models->vae->hasEncoder(), "VAE encoder", "vae_encoder");
        const int multiple = 2 * model.models->vaeSpatialScale();
        checkSize(params, "width", multiple);
        checkSize(params, "height", multiple);
        const int width = int(params.getInt("width"));
        const int height = int(params.getInt("height"));
        const auto image = inputs.get("image").toImage();
        ctx.throwIfCancelled();
        auto latent = std::make_shared<Latent>();
        latent->kind = LatentKind::Image;
        latent->latents = encodeImageLatents(*model.models, imageTensor(*image), height, width);
        latent->width = width;
        latent->height = height;
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

}  // namespace

void registerModelNodes(NodeRegistry& r) {
    {
        NodeDescriptor d{type::kLoadModel, 1, "Load Model", kCategoryLoaders};
        d.help =
            "Loads a SANA-Video model from a diffusers folder (model_index.json with transformer, vae, "
            "text_encoder, tokenizer and scheduler) onto a device. The loaded components stay resident "
            "while the result is cached; leave out the ones a graph does not need to save memory.";
        d.outputs = {PortSpec::required("model", PortType::Model, "the loaded model")};
        d.params = {
            ParamSpec::path("folder", "", PathMode::Folder)
                .withHelp("The diffusers model folder, e.g. SANA-Video_2B_480p_diffusers or one written by "
                          "`sanavideo make-demo-model DIR`."),
            ParamSpec::choice("device", {"auto", "cpu", "cuda"}, "auto")
                .withHelp("Where the model runs: auto picks the GPU when the build has CUDA and one is "
                          "present, else the CPU."),
            ParamSpec::choice("transformer_dtype", {"auto", "bf16", "f16", "f32"}, "auto")
                .withHelp("Weight dtype of the transformer: auto is bf16 on a GPU, f32 on the CPU (the CPU "
                          "backend runs f32 only)."),
            ParamSpec::choice("text_encoder_dtype", {"auto", "bf16", "f16", "f32"}, "auto")
                .withHelp("Weight dtype of the Gemma-2 text encoder: auto is bf16 on a GPU, f32 on the CPU."),
            ParamSpec::boolean("text_encoder", true)
                .withHelp("Load and keep the tokenizer and Gemma-2 text encoder resident (Text Encode needs "
                          "them)."),
            ParamSpec::boolean("transformer", true)
                .withHelp("Load and keep the diffusion transformer resident (Sampler needs it)."),
            ParamSpec::boolean("vae_encoder", true)
                .withHelp("Load and keep the VAE encoder resident (Image Encode needs it; text-to-video does "
                          "not)."),
            ParamSpec::boolean("vae_decoder", true)
                .withHelp("Load and keep the VAE decoder resident (VAE Decode needs it)."),
        };
        r.add<LoadModelNode>(d);
    }
    {
        NodeDescriptor d{type::kTextEncode, 1, "Text Encode", kCategoryConditioning};
        d.help =
            "Encodes the prompt and the negative prompt with Gemma-2 as SANA-Video does: lower-cased, "
            "with the motion score appended and the complex human instruction in front of the prompt.";
        d.inputs = {PortSpec::required("model", PortType::Model, "a model with its text encoder loaded")};
        d.outputs = {PortSpec::required("conditioning", PortType::Conditioning,
                                        "prompt and negative prompt embeddings")};
        d.params = {
            ParamSpec::text(
                "prompt",
                "A small fluffy white cat slowly settling into a curled position on a warm, sunny "
                "windowsill, surrounded by pots of blooming red flowers.")
                .asMultiline()
                .withHelp("What the video shows. SANA-Video lower-cases it."),
            ParamSpec::text("negative_prompt", kReferenceNegativePrompt)
                .asMultiline()
                .withHelp("What to steer away from (used with guidance > 1). The default is the negative "
                          "prompt of every SANA-Video example."),
            ParamSpec::integer("motion_score", 30)
                .range(0, 100)
                .withHelp(
                    "Appended to the prompt as \" motion score: N.\" (higher: more motion; the examples "
                    "use 30). 0 turns it off."),
            ParamSpec::boolean("instruction", true)
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
                .withHelp("Text tokens kept per prompt (max_sequence_length); longer prompts are cut."),
        };
        r.add<TextEncodeNode>(d);
    }
    {
        NodeDescriptor d{type::kImageEncode, 1, "Image Encode", kCategoryConditioning};
        d.help =
            "Resizes the image to width×height (Lanczos, no crop) and encodes it with the VAE: the "
            "first-frame latent of image-to-video. Connect it to the Sampler's latent input; the "
            "Sampler's size must match.";
        d.inputs = {PortSpec::required("model", PortType::Model, "a model with its VAE encoder loaded"),
                    PortSpec::required("image", PortType::Image, "the first frame")};
        d.outputs = {PortSpec::required("latent", PortType::Latent, "the image latent")};
        d.params = {
            ParamSpec::integer("width", 832)
                .range(16, 4096)
                .withStep(16)
                .withHelp("Width the image is resized to: the video's width (a multiple of 16)."),
            ParamSpec::integer("height", 480)
                .range(16, 4096)
                .withStep(16)
                .withHelp("Height the image is resized to: the video's height (a multiple of 16)."),
        };
        r.add<ImageEncodeNode>(d);
    }
}

}  // namespace sv::nodes
