// LoRA on the CUDA backend against the lora_tiny/ fixtures (SV_REFERENCE_DIR honoured): the transformer on
// the GPU in fp32 and bf16 with diffusers' set_adapters runs, unmerged (the low-rank terms in the weights'
// dtype, as PEFT runs them) and merged (against fuse_lora's output), with the "GPU fp32" / "GPU bf16" LoRA
// rows of the tolerance table; and the CPU-vs-CUDA merged weights. Skipped without a GPU or the fixture set.
#include <gtest/gtest.h>

#include <cstdio>

#include "backend/device.h"
#include "io/json_util.h"
#include "models/lora.h"
#include "models/sana_transformer.h"
#include "support/reference.h"

namespace sv {
namespace {

namespace fs = std::filesystem;

constexpr double kF32Rel = 1e-3;   // GPU fp32 column
constexpr double kBf16Rel = 2e-2;  // GPU bf16 column

TEST(CudaLora, TransformerWithAdaptersMatchesDiffusers) {
    if (!device::available(Device::cuda())) GTEST_SKIP() << "no CUDA GPU present";
    const fs::path dir = test::referenceDir() / "lora_tiny";
    if (!fs::exists(dir / "meta.json")) GTEST_SKIP() << dir << " is absent";
    const auto meta = readJsonFile(dir / "meta.json");
    const auto io = test::openIo(dir);
    const fs::path base = (dir / meta.at("base").get<std::string>()).lexically_normal();
    const auto w = meta.at("adapter_weights").get<std::vector<double>>();
    for (DType dt : {DType::F32, DType::BF16}) {
        LoadOptions o;
        o.device = Device::cuda();
        o.dtype = dt;
        const SanaTransformer model = SanaTransformer::load(base, o);
        auto adapter = [&](const char* name) {
            const std::string file = meta.at("adapters").at(name).at("file").get<std::string>();
            return std::make_shared<const LoraAdapter>(LoraAdapter::load(dir / file, model.config()));
        };
        const std::vector<LoraUse> uses = {{adapter("style"), w.at(0)}, {adapter("motion"), w.at(1)}};
        const double tol = dt == DType::F32 ? kF32Rel : kBf16Rel;
        for (LoraMode mode : {LoraMode::Unmerged, LoraMode::Merged}) {
            const SanaTransformer t = applyLora(model, uses, mode);
            const Tensor out = t.forward(io->get("hidden_states"), io->get("encoder_hidden_states"),
                                         io->get("encoder_attention_mask"), io->get("timestep"));
            const std::string ref =
                mode == LoraMode::Merged && io->contains("fused.output") ? "fused.output" : "combined.output";
            const test::Diff d = test::compare(out, io->get(ref));
            std::printf("    %s %s vs %s: rel L2 %.3e  max abs %.3e\n", dtypeName(dt).data(),
                        loraModeName(mode).data(), ref.c_str(), d.relL2, d.maxAbs);
            EXPECT_LE(d.relL2, tol) << dtypeName(dt) << " " << loraModeName(mode);
        }
        // Merged weights: the GPU's fold equals the CPU's (both f32 accumulation, one rounding).
        if (dt == DType::F32) {
            const SanaTransformer cpu = applyLora(SanaTransformer::load(base), uses, LoraMode::Merged);
            const SanaTransformer gpu = applyLora(model, uses, LoraMode::Merged);
            const char* name = "transformer_blocks.0.attn1.to_q.weight";
            SV_EXPECT_CLOSE(gpu.weights().get(name), cpu.weights().get(name), 1e-6);
        }
    }
}

}  // namespace
}  // namespace sv
