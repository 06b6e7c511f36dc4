// Load LoRA: a model in, the same model with one more LoRA adapter on its transformer out (models/lora.h).
// Chain several for several adapters (they apply in chain order, as set_adapters' list). Unmerged adapters
// share the base weights, so changing the file or the strength re-runs only this node and what follows it.
#include "base/error.h"
#include "model_values.h"
#include "models/lora.h"
#include "pack.h"
#include "plugin/sdk/node.h"

namespace fs = std::filesystem;

namespace sv::nodes {

using namespace plugin;

namespace {

class LoadLoraNode : public Node {
  public:
    ValueMap evaluate(const ValueMap& inputs, const ValueMap& params, NodeContext& ctx) override {
        const Value& in = inputs.get("model");
        const auto& model = in.get<ModelHandle>(kModelTag);
        const std::string& file = params.getString("file");
        const double strength = params.getFloat("strength");
        if (file.empty() || strength == 0.0) {
            ctx.log(LogLevel::Info, file.empty() ? "no LoRA file: the model passes through unchanged"
                                                 : "strength 0: the model passes through unchanged");
            ValueMap out;
            out.set("model", in);
            return out;
        }
        requireComponent(model.models->transformer != nullptr, "transformer", "transformer");
        const LoraMode mode = parseLoraMode(params.getString("mode"), "parameter 'mode'");
        ctx.throwIfCancelled();
        std::shared_ptr<const LoraAdapter> adapter;
        try {
            adapter = std::make_shared<const LoraAdapter>(
                LoraAdapter::load(fs::path(file), model.models->transformer->config()));
        } catch (const Error& e) {
            rethrowForParam("file", e);
        }
        const LoraUse use{adapter, strength};
        auto models = std::make_shared<SanaModels>(*model.models);  // shares every component
        models->transformer = std::make_shared<const SanaTransformer>(
            applyLora(*model.models->transformer, std::span<const LoraUse>(&use, 1), mode));
        auto handle = std::make_shared<ModelHandle>(model);
        handle->models = std::move(models);
        // Unmerged: the adapter's own tensors; merged: a copy of every adapted weight.
        handle->bytes += size_t(adapter->parameterCount()) * dtypeSize(DType::F32);
        ctx.log(LogLevel::Info, concat("LoRA ", adapter->name, ": ", adapter->modules.size(),
                                       " modules at strength ", strength, " (",
                                       adapter->form == LoraAdapter::Form::Original ? "original NVlabs names"
                                                                                    : "diffusers names",
                                       ", ", loraModeName(mode), ")"));
        ValueMap out;
        out.set("model", makeModelValue(std::move(handle)));
        return out;
    }
    std::string fingerprint(const ValueMap& params) const override {
        // A file rewritten under the same name invalidates the cache.
        const std::string& file = params.getString("file");
        return file.empty() ? std::string() : fileFingerprint(fs::path(file));
    }
};

}  // namespace

void registerLoraNodes(NodeRegistry& r) {
    NodeDescriptor d{type::kLoadLora, 1, "Load LoRA", kCategoryLoaders};
    d.help =
        "Adds a LoRA adapter to the model's transformer, as diffusers' load_lora_weights + set_adapters do: "
        "PEFT safetensors in diffusers names (transformer.transformer_blocks.N.attn1.to_q.lora_A.weight) or "
        "the original NVlabs names (blocks.N.attn.qkv…). Chain several nodes to combine adapters. Without a "
        "file the model passes through unchanged.";
    d.inputs = {PortSpec::required("model", port::kModel, "a model with its transformer loaded")};
    d.outputs = {PortSpec::required("model", port::kModel, "the model with the adapter applied")};
    d.params = {
        ParamSpec::path("file", "", PathMode::OpenFile)
            .withFilter("LoRA adapters (*.safetensors)")
            .withHelp("The adapter: a .safetensors file (e.g. pytorch_lora_weights.safetensors), or a folder "
                      "holding one. Empty: no adapter."),
        ParamSpec::real("strength", 1.0)
            .range(-10.0, 10.0)
            .withStep(0.05)
            .withHelp("The adapter's weight (diffusers' set_adapters adapter_weights): the LoRA update is "
                      "scaled by strength · alpha / rank. 0 turns it off."),
        ParamSpec::choice("mode", {"unmerged", "merged"}, "unmerged")
            .withHelp(
                "unmerged: the low-rank update runs beside the shared base weights (switching adapters or "
                "strengths is instant); merged: it is added into a copy of the adapted weights (no "
                "extra work per step, more memory)."),
    };
    r.add<LoadLoraNode>(d);
}

}  // namespace sv::nodes
