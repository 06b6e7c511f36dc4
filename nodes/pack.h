// Internal interface of the SANA-Video node pack: one registration function per group of nodes, and helpers
// shared between them.
#pragma once

#include <string>
#include <string_view>

#include "plugin/sdk/node_registry.h"

namespace sv::nodes {

/// Type ids of the pack's nodes.
namespace type {
inline constexpr const char* kLoadModel = "sana.load_model";
inline constexpr const char* kTextEncode = "sana.text_encode";
inline constexpr const char* kLoadImage = "sana.load_image";
inline constexpr const char* kImageEncode = "sana.image_encode";
inline constexpr const char* kSampler = "sana.sampler";
inline constexpr const char* kVaeDecode = "sana.vae_decode";
inline constexpr const char* kSaveVideo = "sana.save_video";
inline constexpr const char* kPreviewVideo = "sana.preview_video";
inline constexpr const char* kSaveLatent = "sana.save_latent";
inline constexpr const char* kLoadLatent = "sana.load_latent";
inline constexpr const char* kLoadLora = "sana.load_lora";
}  // namespace type

/// Palette categories.
inline constexpr const char* kCategoryLoaders = "Sana Video/Loaders";
inline constexpr const char* kCategoryConditioning = "Sana Video/Conditioning";
inline constexpr const char* kCategorySampling = "Sana Video/Sampling";
inline constexpr const char* kCategoryLatent = "Sana Video/Latent";
inline constexpr const char* kCategoryOutput = "Sana Video/Output";

void registerModelNodes(plugin::NodeRegistry& r);     // Load Model, Text Encode, Image Encode
void registerSamplingNodes(plugin::NodeRegistry& r);  // Sampler, VAE Decode
void registerIoNodes(plugin::NodeRegistry& r);        // Load Image, Save/Preview Video, Save/Load Latent
void registerLoraNodes(plugin::NodeRegistry& r);      // Load LoRA

/// Throws sv::Error "input 'model': the <what> is not loaded; turn on Load Model's parameter '<param>'" when
/// `loaded` is false.
void requireComponent(bool loaded, std::string_view what, std::string_view param);

/// Wraps an sv::Error thrown while using parameter `param` so that its message names it:
/// "parameter 'folder': <message>" (unchanged when it already names the parameter).
[[noreturn]] void rethrowForParam(std::string_view param, const std::exception& e);

}  // namespace sv::nodes
