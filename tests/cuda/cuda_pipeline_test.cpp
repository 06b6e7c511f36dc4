// The text-to-video and image-to-video pipelines with every model on the GPU against every pipeline_* fixture
// (SV_REFERENCE_DIR honoured), in fp32 and bf16, with the "GPU fp32" / "GPU bf16" columns of the tolerance
// table (shared/reference/README.md): final latents rel ≤ 1e-3 / 4e-2, frames rel ≤ 3e-3 / 3e-2 and max abs
// ≤ 1e-2 / 0.1. Settings, components and inputs are read from the fixture files. Skipped without a GPU.
#include <cstdio>
#include <map>

#include <gtest/gtest.h>

#include "backend/device.h"
#include "io/json_util.h"
#include "pipelines/sana_pipeline.h"
#include "support/reference.h"

namespace sv {
namespace {

namespace fs = std::filesystem;

struct Tolerances {
    double latents, framesRel, framesMaxAbs, imageLatents;
};

test::Diff report(const std::string& name, const Tensor& out, const Tensor& ref) {
    const test::Diff d = test::compare(out, ref);
    std::printf("    %-28s rel L2 %.3e  max abs %.3e  (max |ref| %.3g)\n", name.c_str(), d.relL2, d.maxAbs,
                d.refMaxAbs);
    return d;
}

void runFixtures(DType dt, const Tolerances& tol) {
    if (!device::available(Device::cuda())) GTEST_SKIP() << "no CUDA GPU present";
    const auto folders = test::referenceFolders("pipeline_");
    ASSERT_FALSE(folders.empty()) << "no pipeline_* fixtures in " << test::referenceDir();
    for (const fs::path& folder : folders) {
        SCOPED_TRACE(folder.string());
        const nlohmann::json meta = readJsonFile(folder / "meta.json");
        const nlohmann::json& call = meta.at("call");
        const std::string pipeline =
            readJsonFile(folder / "model_index.json").at("_class_name").get<std::string>();
        const bool i2v = pipeline == "SanaImageToVideoPipeline";
        std::printf("[%s, %s, %s]\n", folder.filename().string().c_str(), pipeline.c_str(),
                    std::string(dtypeName(dt)).c_str());
        const auto io = test::openIo(folder);

        ModelLoadOptions o;
        o.textEncoder = false;  // prompt embeddings are given
        o.device = Device::cuda();
        o.transformerDtype = o.vaeDtype = dt;
        for (const auto& [name, rel] : meta.at("components").items())
            if (rel.is_string()) o.componentDirs[name] = folder / rel.get<std::string>();
        const auto models = std::make_shared<const SanaModels>(SanaModels::load(folder, o));
        ASSERT_TRUE(models->requireTransformer().weights().get("proj_out.weight").device().isCuda());

        TextToVideoRequest base;
        base.height = call.at("height").get<int>();
        base.width = call.at("width").get<int>();
        base.frames = call.at("frames").get<int>();
        base.steps = call.at("num_inference_steps").get<int>();
        base.guidanceScale = call.at("guidance_scale").get<double>();
        base.useResolutionBinning = call.at("use_resolution_binning").get<bool>();
        base.complexHumanInstruction = call.at("complex_human_instruction").get<std::vector<std::string>>();
        base.promptEmbeds = io->get("prompt_embeds");
        base.promptMask = io->get("prompt_attention_mask");
        base.negativeEmbeds = io->get("negative_prompt_embeds");
        base.negativeMask = io->get("negative_prompt_attention_mask");
        base.latents = io->get("latents_init");
        std::map<std::string, Tensor> seen;
        base.observer = [&](std::string_view name, const Tensor& t) {
            seen[std::string(name)] = t.to(Device::cpu()).to(DType::F32);
        };

        VideoResult result;
        if (i2v) {
            ImageToVideoRequest r;
            static_cast<TextToVideoRequest&>(r) = base;
            r.image = io->get("image.uint8");
            const Tensor imageLatents = encodeImageLatents(*models, r.image, base.height, base.width);
            EXPECT_LE(
                report("image_latents.normalized", imageLatents, io->get("image_latents.normalized")).relL2,
                tol.imageLatents);
            result = ImageToVideoPipeline(models).run(r, {});
        } else {
            result = TextToVideoPipeline(models).run(base, {});
        }
        for (int i = 0; io->contains(concat("step_", i, ".latents")); ++i) {
            for (const char* what : {"model_output", "latents"}) {
                const std::string name = concat("step_", i, ".", what);
                ASSERT_TRUE(seen.count(name)) << name;
                EXPECT_LE(report(name, seen.at(name), io->get(name)).relL2, tol.latents) << name;
            }
        }
        EXPECT_LE(report("final_latents", result.latents, io->get("final_latents")).relL2, tol.latents);
        EXPECT_LE(report("decode.input", seen.at("decode.input"), io->get("decode.input")).relL2,
                  tol.latents);
        ASSERT_TRUE(result.frames.defined());
        const test::Diff d = report("frames", result.frames, io->get("frames"));
        EXPECT_LE(d.relL2, tol.framesRel);
        EXPECT_LE(d.maxAbs, tol.framesMaxAbs);
    }
}

TEST(CudaPipeline, Fp32) {
    runFixtures(DType::F32, {1e-3, 3e-3, 1e-2, 1e-5});
}

TEST(CudaPipeline, Bf16) {
    runFixtures(DType::BF16, {4e-2, 3e-2, 0.1, 5e-2});
}

}  // namespace
}  // namespace sv
