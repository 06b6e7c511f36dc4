// libFuzzer target: arbitrary text as a diffusers model_index.json (in a folder of its own, opened with
// ModelFolder::open) and as a sharded checkpoint's *.safetensors.index.json (WeightArchive::open). Either is
// accepted or refused with sv::Error; component folders never leave the model folder. The folder holds a
// real "scheduler" component (config and weights listed) and the index's folder a real shard holding
// "a.weight", so accepted documents reach the configs, the shard files and the tensor look-ups.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "base/error.h"
#include "fuzz_support.h"
#include "io/model_folder.h"
#include "io/safetensors.h"

namespace {

namespace fs = std::filesystem;

/// The fixed files around the fuzzed document, made once.
const fs::path& prepareFolders() {
    static const fs::path model = [] {
        const fs::path dir = sv::fuzz::scratchDir() / "model";
        fs::create_directories(dir / "scheduler");
        std::ofstream(dir / "scheduler" / "scheduler_config.json")
            << R"({"_class_name": "FlowMatchEulerDiscreteScheduler", "num_train_timesteps": 1000,
                  "shift": 8.0})";
        const std::vector<std::pair<std::string, sv::Tensor>> tensors = {
            {"a.weight", sv::Tensor::full({2}, 1.0f)}};
        sv::writeSafetensors(sv::fuzz::scratchDir() / "model-00001-of-00002.safetensors", tensors);
        return dir;
    }();
    return model;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const fs::path& model = prepareFolders();
    sv::fuzz::writeInput("model/model_index.json", data, size);
    try {
        const sv::ModelFolder folder = sv::ModelFolder::open(model);
        for (const auto& c : folder.components()) {
            if (c.dir.parent_path() != model) std::abort();  // a component outside the model folder
        }
    } catch (const sv::Error&) {
    }
    const fs::path index = sv::fuzz::writeInput("model.safetensors.index.json", data, size);
    try {
        const sv::WeightArchive archive = sv::WeightArchive::open(index);
        for (const auto& name : archive.names()) (void)archive.get(name);
    } catch (const sv::Error&) {
    }
    return 0;
}
