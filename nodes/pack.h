// Internal interface of the SANA-Video node pack: one registration function per group of nodes, and helpers
// shared between them.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/tensor.h"
#include "pipelines/sana_stages.h"
#include "pipelines/video_geometry.h"
#include "plugin/sdk/node_registry.h"
#include "plugin/sdk/value.h"

namespace sv::nodes {

/// Type ids of the pack's nodes.
namespace type {
inline constexpr const char* kLoadModel = "sana.load_model";
inline constexpr const char* kTextEncode = "sana.text_encode";
inline constexpr const char* kLoadImage = "sana.load_image";
inline constexpr const char* kLoadVideo = "sana.load_video";
inline constexpr const char* kImageEncode = "sana.image_encode";
inline constexpr const char* kSampler = "sana.sampler";
inline constexpr const char* kVaeDecode = "sana.vae_decode";
inline constexpr const char* kSaveVideo = "sana.save_video";
inline constexpr const char* kPreviewVideo = "sana.preview_video";
inline constexpr const char* kSaveLatent = "sana.save_latent";
inline constexpr const char* kLoadLatent = "sana.load_latent";
inline constexpr const char* kLongVideo = "sana.long_video";
inline constexpr const char* kLastFrame = "sana.last_frame";
inline constexpr const char* kAppendVideo = "sana.append_video";
inline constexpr const char* kLoadLora = "sana.load_lora";
}  // namespace type

/// Port types of the pack's opaque values (registered by registerPortTypes; the object tags are in
/// model_values.h and latent_value.h).
namespace port {
inline const plugin::PortType kModel{"MODEL"};
inline const plugin::PortType kConditioning{"CONDITIONING"};
inline const plugin::PortType kLatent{"LATENT"};
}  // namespace port

/// Palette categories.
inline constexpr const char* kCategoryLoaders = "Sana Video/Loaders";
inline constexpr const char* kCategoryConditioning = "Sana Video/Conditioning";
inline constexpr const char* kCategorySampling = "Sana Video/Sampling";
inline constexpr const char* kCategoryLatent = "Sana Video/Latent";
inline constexpr const char* kCategoryOutput = "Sana Video/Output";

void registerPortTypes(plugin::NodeRegistry& r);      // MODEL, CONDITIONING, LATENT
void registerModelNodes(plugin::NodeRegistry& r);     // Load Model, Text Encode, Image Encode
void registerSamplingNodes(plugin::NodeRegistry& r);  // Sampler, VAE Decode
void registerIoNodes(plugin::NodeRegistry& r);        // Load Image, Save/Preview Video, Save/Load Latent
void registerLongNodes(plugin::NodeRegistry& r);      // Long Video (LongSANA), Last Frame, Append Video
void registerLoraNodes(plugin::NodeRegistry& r);      // Load LoRA

/// A live preview of an x0 estimate [N, C, F', h, w] at step `step` of `total`: the linear latent → RGB map
/// of every latent frame of the first video (the channel mean as grey for other latent spaces).
plugin::PreviewImage latentPreview(const Tensor& x0, int64_t step, int64_t total);

/// Throws sv::Error "input 'model': the <what> is not loaded; turn on Load Model's parameter '<param>'" when
/// `loaded` is false.
void requireComponent(bool loaded, std::string_view what, std::string_view param);

/// A video width or height parameter: 16..4096 on a grid of 16 (the VAE's 8x downscaling and the
/// transformer's 2x2 patches), checked when a graph is validated. The Sampler and Image Encode share it.
plugin::ParamSpec sizeParam(std::string name, int64_t def, std::string help);

/// The size a node works at from its parameters 'width', 'height' and 'resolution_binning': the requested
/// size, or with binning the closest of the model's trained sizes (logged as "resolution binning: <verb> at
/// WxH"). The Sampler and Image Encode share it, so the same settings give the same size.
GenerationSize resolveSize(const SanaModels& models, const plugin::ValueMap& params, plugin::NodeContext& ctx,
                           std::string_view verb);

/// generationGeometry() (the model's size and frame rules: 480p 16 / 4k+1, 720p 32 / 8k+1) with its error
/// naming the parameter it is about ("parameter 'height': height = 48 is not a positive multiple of 32").
VideoGeometry checkedGeometry(const SanaModels& models, const GenerationSize& size, int frames);

/// "0.9, 0.5, 0.1" (commas and/or spaces) → numbers; empty → none. sv::Error naming the parameter.
std::vector<double> parseNumberList(const std::string& text, const char* param);

/// Wraps an sv::Error thrown while using parameter `param` so that its message names it:
/// "parameter 'folder': <message>" (unchanged when it already names the parameter).
[[noreturn]] void rethrowForParam(std::string_view param, const std::exception& e);

}  // namespace sv::nodes
