// LoRA adapters for the SANA-Video transformer, as diffusers' SanaLoraLoaderMixin loads them and PEFT applies
// them (Ref: diffusers loaders/lora_pipeline.py SanaLoraLoaderMixin, loaders/peft.py load_lora_adapter,
// utils/peft_utils.py get_peft_kwargs / _create_lora_config; PEFT tuners/lora/layer.py Linear.forward,
// Linear.merge, get_delta_weight, set_scale).
//
// Files: safetensors with PEFT keys, in diffusers module names
// (`transformer.transformer_blocks.{i}.attn1.to_q.lora_A.weight` [r, in] / `.lora_B.weight` [out, r]; the
// `transformer.` prefix optional) or in the original NVlabs/Sana names (`blocks.{i}.attn.qkv.lora_A.weight`,
// mapped as scripts/convert_sana_video_to_diffusers.py maps the base weights: a fused layer's lora_A is
// copied to every part, its lora_B cut into equal row blocks in q, k, v order;
// tests/data/reference/README.md, lora_tiny). alpha: a per-module `<module>.alpha` tensor, else the
// `lora_adapter_metadata` header entry (PEFT's LoraConfig: r, lora_alpha, rank_pattern, alpha_pattern,
// use_rslora), else alpha = rank (scale 1, as diffusers without metadata). PEFT's scaling is alpha / r (alpha
// / √r with use_rslora), times the strength (set_adapters' weight).
//
// Applied unmerged — y = W x + b + Σᵢ scaleᵢ·Bᵢ(Aᵢ x), the adapters in the given order, each term rounded
// as PEFT rounds it; the base weights are shared, so switching adapters or strengths costs nothing — or
// merged — W' = W + Σᵢ scaleᵢ·Bᵢ·Aᵢ computed in float32 and rounded once to the weight dtype (diffusers'
// fuse_lora; no extra work per step). Quantized base weights (when they exist) take unmerged adapters only:
// the low-rank terms run in the activation dtype beside whatever runs the base projection.
#pragma once

#include <cmath>
#include <filesystem>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/tensor.h"
#include "models/transformer_config.h"

namespace sv {

class SanaTransformer;

/// One low-rank update of one module: y += scale · up(down(x)).
struct LoraTerm {
    Tensor down;      // lora_A [r, in] (a convolution's kernel is flattened into `in`)
    Tensor up;        // lora_B [out, r]
    float scale = 1;  // strength · alpha / r: PEFT's `scaling`
};

/// The unmerged low-rank terms of a transformer by diffusers module name ("transformer_blocks.0.attn1.to_q"),
/// each module's terms in adapter order.
using LoraTerms = std::map<std::string, std::vector<LoraTerm>, std::less<>>;

/// An adapter file read and mapped onto the modules of one transformer configuration.
struct LoraAdapter {
    enum class Form { Diffusers, Original };
    struct Module {
        Tensor down, up;  // F32 on the CPU: [r, in], [out, r]
        double alpha = 0;
        bool rslora = false;
        int64_t rank() const { return down.dim(0); }
        /// PEFT's scaling at strength 1: alpha / r (alpha / √r with use_rslora).
        double scaling() const { return rslora ? alpha / std::sqrt(double(rank())) : alpha / double(rank()); }
    };

    std::filesystem::path source;  // the .safetensors file
    std::string name;              // its stem (the folder's name for pytorch_lora_weights.safetensors)
    Form form = Form::Diffusers;
    std::map<std::string, Module, std::less<>> modules;  // by diffusers module name

    /// Reads `path` (a .safetensors file, or a folder holding pytorch_lora_weights.safetensors or exactly one
    /// .safetensors file) for a transformer of `config`. sv::Error naming the file for: no LoRA tensors,
    /// keys that match no module (with a hint when they look like another model family's), a module that
    /// cannot take a LoRA here (the depthwise and temporal convolutions), A without B, rank mismatches
    /// (A vs B, the header's r / rank_pattern), shapes that do not fit the module, DoRA or LoRA biases.
    static LoraAdapter load(const std::filesystem::path& path, const TransformerConfig& config);

    /// Total number of adapter parameters.
    int64_t parameterCount() const;
};

/// How adapters are applied (see the header comment).
enum class LoraMode { Unmerged, Merged };
std::string_view loraModeName(LoraMode m);
LoraMode parseLoraMode(std::string_view name, std::string_view what);

/// One adapter at a strength (diffusers' set_adapters weight).
struct LoraUse {
    std::shared_ptr<const LoraAdapter> adapter;
    double strength = 1.0;
};

/// `base` with the adapters applied (on top of any it already has). Shares every tensor it does not change:
/// unmerged adds low-rank terms (converted to the transformer's dtype and device); merged replaces each
/// adapted weight. sv::Error when an adapter was made for another configuration's shapes, or when merged
/// mode meets a weight that is not float.
SanaTransformer applyLora(const SanaTransformer& base, std::span<const LoraUse> adapters, LoraMode mode);

}  // namespace sv
