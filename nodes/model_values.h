// MODEL and CONDITIONING values of the SANA-Video pack.
#pragma once

#include <cstddef>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "pipelines/sana_models.h"
#include "pipelines/sana_stages.h"
#include "plugin/sdk/value.h"

namespace sv::nodes {

inline constexpr std::string_view kModelTag = "sana.model";
inline constexpr std::string_view kConditioningTag = "sana.conditioning";

/// A loaded model, shared read-only by every node that uses it.
struct ModelHandle {
    std::shared_ptr<const SanaModels> models;
    Device device;
    size_t bytes = 0;  ///< estimated weight memory (parameters × dtype size of the loaded components)

    std::string describe() const;  ///< "<folder> on cpu: text encoder, transformer, VAE decoder (1.2 GB)"
};

/// Encoded prompts: positive and negative embeddings + masks, ready for classifier-free guidance.
struct Conditioning {
    PromptEncoding encoding;
    std::string prompt;  ///< the positive prompt as given (before motion score / instruction)

    size_t bytes() const;
};

/// Weight memory of the loaded components of `models`: the transformer's and the text encoder's loaded
/// tensors (8-bit weights at 1 byte per value plus their F32 scales), the VAE's parameters in `vaeDtype`.
size_t estimateModelBytes(const SanaModels& models, DType vaeDtype);

plugin::Value makeModelValue(std::shared_ptr<const ModelHandle> model);
plugin::Value makeConditioningValue(std::shared_ptr<const Conditioning> c);

}  // namespace sv::nodes
