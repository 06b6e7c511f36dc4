// Weights declared by name and shape (the diffusers/transformers state-dict names), bound at load time. The
// loader is strict: every missing, unexpected or mis-shaped tensor is reported in one sv::Error.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/tensor.h"
#include "io/safetensors.h"
#include "models/weight_storage.h"

namespace sv {

struct WeightSpec {
    std::string name;
    Shape shape;
    /// A persistent buffer (stored with the weights, e.g. the LTX-2 VAE's latents_mean), not a parameter.
    bool buffer = false;
};

/// Elements of the parameters (buffers excluded, as torch's `parameters()`).
int64_t countParameters(std::span<const WeightSpec> specs);

/// Named weights of one model, all on one device in one dtype, except the 8-bit weights that
/// LoadOptions::storage made (ops/quantize.h; only eightBitEligible() names).
class WeightSet {
  public:
    WeightSet() = default;
    /// The tensor named `name`; a missing name is a programmer error (the loader already checked the set).
    const Tensor& get(std::string_view name) const;
    /// The tensor or an undefined Tensor when absent (optional weights such as biases).
    Tensor find(std::string_view name) const;
    bool contains(std::string_view name) const { return tensors_.find(name) != tensors_.end(); }
    void set(std::string name, Tensor t) { tensors_[std::move(name)] = std::move(t); }
    size_t size() const { return tensors_.size(); }
    /// Bytes of every tensor, the scales of 8-bit weights included.
    size_t nbytes() const;
    const std::map<std::string, Tensor, std::less<>>& all() const { return tensors_; }

  private:
    std::map<std::string, Tensor, std::less<>> tensors_;
};

struct LoadOptions {
    DType dtype = DType::F32;  // weights are converted to this dtype on load
    Device device = Device::cpu();
    /// Where the loaded weights are kept when that is not `device`: the host memory of a model that copies
    /// its weights to `device` as it runs them (the offloaded Gemma-2 encoder). Every conversion happens as
    /// it would for `device` (dtype on the host, 8-bit quantization on `device`), so the kept values are
    /// those a resident load holds; the results then move here. Unset: `device`.
    std::optional<Device> storageDevice;
    /// 8-bit storage of the eightBitEligible() weights (models/weight_storage.h); Auto keeps what is stored.
    WeightStorage storage = WeightStorage::Auto;
    /// Prefixes that the checkpoint may put before every name (e.g. "model." for a Gemma2ForCausalLM file).
    std::vector<std::string> acceptedPrefixes;
    /// Checkpoint tensors that are ignored silently (exact names after prefix removal).
    std::vector<std::string> ignored;
};

/// Loads exactly the declared tensors from the archive; `component` names the model in error messages.
/// F32/BF16/F16 stored tensors are converted to options.dtype; I8/F8_E4M3 ones (with their companion scales,
/// weight_storage.h) are kept, requantized or dequantized as options.storage says; eligible float ones are
/// quantized on options.device when the storage is Int8 or Fp8.
WeightSet loadWeights(const WeightArchive& archive, std::span<const WeightSpec> specs,
                      const LoadOptions& options, std::string_view component);

/// Random weights with the declared shapes (N(0, 1/fan_in) for matrices, small values for vectors), for
/// benchmarks and self-made test models. Deterministic in `seed`.
WeightSet randomWeights(std::span<const WeightSpec> specs, uint64_t seed, DType dtype = DType::F32,
                        Device device = Device::cpu());

}  // namespace sv
