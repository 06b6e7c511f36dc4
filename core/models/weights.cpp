#include "models/weights.h"

#include <algorithm>
#include <cmath>
#include <random>

#include "ops/quantize.h"

namespace sv {

int64_t countParameters(std::span<const WeightSpec> specs) {
    int64_t n = 0;
    for (const auto& s : specs) n += s.buffer ? 0 : shapeNumel(s.shape);
    return n;
}

const Tensor& WeightSet::get(std::string_view name) const {
    auto it = tensors_.find(name);
    SV_ASSERT_MSG(it != tensors_.end(), "weight \"", name, "\" was not loaded");
    return it->second;
}

Tensor WeightSet::find(std::string_view name) const {
    auto it = tensors_.find(name);
    return it == tensors_.end() ? Tensor() : it->second;
}

size_t WeightSet::nbytes() const {
    size_t n = 0;
    for (const auto& [k, t] : tensors_) n += t.nbytes() + (t.isQuantized() ? t.quantScales().nbytes() : 0);
    return n;
}

namespace {

// The 8-bit format an eligible weight ends in; F32 stands for "none: the model dtype".
DType eightBitTarget(const WeightSpec& spec, DType stored, WeightStorage storage) {
    if (spec.shape.empty()) return DType::F32;
    DType format = DType::F32;
    switch (storage) {
        case WeightStorage::Int8:
            format = DType::I8;
            break;
        case WeightStorage::Fp8:
            format = fp8StorageFormat(spec.name);
            break;
        case WeightStorage::Auto:
            format = isEightBit(stored) ? stored : DType::F32;
            break;
        case WeightStorage::Float:
            break;
    }
    return format != DType::F32 && eightBitEligible(spec.name, format) ? format : DType::F32;
}

// One weight as the model keeps it: `stored` is the checkpoint's CPU view (8-bit ones with their scales).
Tensor convertWeight(const Tensor& stored, const WeightSpec& spec, const LoadOptions& options) {
    const DType target = eightBitTarget(spec, stored.dtype(), options.storage);
    const Device keep = options.storageDevice.value_or(options.device);
    Tensor src = stored;
    if (stored.isQuantized()) {
        if (target == stored.dtype())  // kept as stored: own the memory rather than pin the mmap
            return keep.isCpu() ? stored.clone() : stored.to(keep);
        src = ops::dequantize(stored, DType::F32);
    }
    if (target == DType::F32) {
        Tensor t = src.to(options.dtype);
        if (!keep.isCpu()) return t.to(keep);
        return t.storage() == stored.storage() ? t.clone() : t;
    }
    // Quantized where the model runs (the float weight crosses the bus in its stored dtype, once), so an
    // offloaded model keeps the very codes and scales a resident one holds.
    return ops::quantizePerChannel(src.to(options.device), target).to(keep);
}

}  // namespace

WeightSet loadWeights(const WeightArchive& archive, std::span<const WeightSpec> specs,
                      const LoadOptions& options, std::string_view component) {
    // Map checkpoint names to declared names (prefix removal).
    std::map<std::string, std::string, std::less<>> fileName;  // declared name -> name in the archive
    std::vector<std::string> unexpected;
    std::map<std::string, const WeightSpec*, std::less<>> declared;
    for (const auto& s : specs) declared[s.name] = &s;
    for (const std::string& stored : archive.names()) {
        std::string_view n = stored;
        for (const auto& p : options.acceptedPrefixes) {
            if (n.substr(0, p.size()) == p && declared.count(n.substr(p.size()))) {
                n.remove_prefix(p.size());
                break;
            }
        }
        if (declared.count(n)) {
            fileName[std::string(n)] = stored;
        } else if (std::find(options.ignored.begin(), options.ignored.end(), n) == options.ignored.end() &&
                   !isQuantizationCompanion(archive, stored)) {
            unexpected.push_back(stored);
        }
    }
    std::vector<std::string> missing, misshaped;
    for (const auto& s : specs) {
        auto it = fileName.find(s.name);
        if (it == fileName.end()) {
            missing.push_back(s.name);
            continue;
        }
        const TensorInfo* info = archive.find(it->second);
        if (info->shape != s.shape)
            misshaped.push_back(concat(s.name, " (stored ", shapeToString(info->shape), ", expected ",
                                       shapeToString(s.shape), ")"));
        else if (!isFloating(info->dtype) && !isEightBit(info->dtype))
            misshaped.push_back(concat(s.name, " (stored as ", dtypeName(info->dtype),
                                       ", expected a float type or 8-bit with scales)"));
    }
    if (!missing.empty() || !unexpected.empty() || !misshaped.empty()) {
        std::string msg =
            concat(archive.source().string(), ": the ", component, " weights do not match its config:");
        auto list = [&](const char* what, const std::vector<std::string>& v) {
            if (v.empty()) return;
            msg += concat("\n  ", v.size(), " ", what, ":");
            for (size_t i = 0; i < v.size() && i < 20; ++i) msg += "\n    " + excerpt(v[i], 200);
            if (v.size() > 20) msg += concat("\n    … and ", v.size() - 20, " more");
        };
        list("missing", missing);
        list("unexpected", unexpected);
        list("with the wrong shape", misshaped);
        throw Error(msg);
    }
    WeightSet set;
    for (const auto& s : specs) {
        const std::string& file = fileName[s.name];
        Tensor stored = archive.get(file);
        if (isEightBit(stored.dtype()))
            stored = attachStoredScales(archive, stored, file, findWeightScale(archive, file));
        set.set(s.name, convertWeight(stored, s, options));
    }
    return set;
}

WeightSet randomWeights(std::span<const WeightSpec> specs, uint64_t seed, DType dtype, Device device) {
    WeightSet set;
    std::mt19937_64 rng(seed);
    for (const auto& s : specs) {
        Tensor t = Tensor::empty(s.shape, DType::F32);
        float* p = t.data<float>();
        const int64_t n = t.numel();
        int64_t fanIn = s.shape.size() >= 2 ? n / s.shape[0] : 0;
        std::normal_distribution<float> dist(0.0f, fanIn > 0 ? 1.0f / std::sqrt(float(fanIn)) : 0.1f);
        for (int64_t i = 0; i < n; ++i) p[i] = dist(rng);
        Tensor out = t.to(dtype);
        if (!device.isCpu()) out = out.to(device);
        set.set(s.name, std::move(out));
    }
    return set;
}

}  // namespace sv
