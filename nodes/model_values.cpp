#include "model_values.h"

#include "models/gemma2_config.h"
#include "models/transformer_config.h"
#include "models/video_vae.h"

namespace sv::nodes {

namespace {

size_t tensorBytes(const Tensor& t) {
    return t.defined() ? t.nbytes() : 0;
}

bool onDevice(Device d) {
    return d.kind != Device::Kind::Cpu;
}

/// "int8", "fp8" or "int8 and fp8" when the transformer or the text encoder holds 8-bit weights (Load Model's
/// weights option, or an FP8 checkpoint kept as stored), else "": the user sees what the run will use.
std::string eightBitFormats(const SanaModels& m) {
    bool i8 = false, f8 = false;
    auto scan = [&](const WeightSet& w) {
        for (const auto& entry : w.all()) {
            const Tensor& t = entry.second;
            i8 |= t.isQuantized() && t.dtype() == DType::I8;
            f8 |= t.isQuantized() && t.dtype() == DType::F8E4M3;
        }
    };
    if (m.transformer) scan(m.transformer->weights());
    if (m.textEncoder) scan(m.textEncoder->weights());
    return i8 && f8 ? "int8 and fp8" : i8 ? "int8" : f8 ? "fp8" : "";
}

}  // namespace

std::string ModelHandle::describe() const {
    std::string parts;
    auto add = [&](bool on, const char* name) {
        if (!on) return;
        if (!parts.empty()) parts += ", ";
        parts += name;
    };
    add(models->textEncoder != nullptr, "text encoder");
    add(models->transformer != nullptr, "transformer");
    add(models->vae && models->vae->hasEncoder(), "VAE encoder");
    add(models->vae && models->vae->hasDecoder(), "VAE decoder");
    const std::string_view family = models->family();
    const std::string eightBit = eightBitFormats(*models);
    const bool offloaded = models->textEncoder && models->textEncoder->options().offload;
    return concat(models->root.string(), family.empty() ? "" : concat(" (", family, ")"), " on ",
                  onDevice(device) ? "cuda" : "cpu", ": ", parts.empty() ? "no components" : parts, " (",
                  formatBytes(bytes), eightBit.empty() ? "" : concat("; ", eightBit, " weights"),
                  offloaded ? "; text encoder offloaded to host memory" : "", ")");
}

size_t Conditioning::bytes() const {
    return tensorBytes(encoding.embeds) + tensorBytes(encoding.mask) + tensorBytes(encoding.negativeEmbeds) +
           tensorBytes(encoding.negativeMask);
}

size_t estimateModelBytes(const SanaModels& m, DType vaeDtype) {
    // What is resident: the loaded tensors themselves (8-bit weights count 1 byte per value plus their
    // scales), the VAE by its parameter count in the dtype it was loaded in.
    size_t total = 0;
    if (m.transformer) total += m.transformer->weights().nbytes();
    if (m.textEncoder) total += m.textEncoder->weights().nbytes();
    if (m.vae && m.vaeConfig) {
        const int64_t all = countParameters(m.vaeConfig->weightSpecs(VaeParts::Both));
        const int64_t enc = countParameters(m.vaeConfig->weightSpecs(VaeParts::Encoder));
        int64_t n = 0;
        if (m.vae->hasEncoder()) n += enc;
        if (m.vae->hasDecoder()) n += all - enc;
        total += size_t(n) * dtypeSize(vaeDtype);
    }
    return total;
}

plugin::Value makeModelValue(std::shared_ptr<const ModelHandle> model) {
    const plugin::SizeHint hint{model->bytes, onDevice(model->device)};
    return plugin::Value::object(std::string(kModelTag), std::move(model), hint);
}

plugin::Value makeConditioningValue(std::shared_ptr<const Conditioning> c) {
    const plugin::SizeHint hint{c->bytes(),
                                c->encoding.embeds.defined() && onDevice(c->encoding.embeds.device())};
    return plugin::Value::object(std::string(kConditioningTag), std::move(c), hint);
}

}  // namespace sv::nodes
