// LoRA parity against diffusers (the lora_tiny/ fixtures, SV_REFERENCE_DIR honoured; skipped while the set
// has none): the adapters as diffusers' load_lora_weights reads them (scalings), the transformer with
// set_adapters(style), (motion) and (style, motion) at the stored weights, unmerged (every stored
// intermediate) and merged (against fuse_lora's output), the original-form file split into exactly the
// diffusers-form adapter, and the short text-to-video run with both adapters. Every setting comes from
// meta.json.
#include <gtest/gtest.h>

#include <cstdio>
#include <map>

#include "io/json_util.h"
#include "models/lora.h"
#include "models/sana_transformer.h"
#include "pipelines/sana_pipeline.h"
#include "support/reference.h"

namespace sv {
namespace {

namespace fs = std::filesystem;

// The CPU fp32 column of the tolerance table (tests/data/reference/README.md, LoRA rows).
constexpr double kOutputRel = 1e-5;
constexpr double kLatentsRel = 1e-4;  // the pipeline rows

struct LoraFixture {
    fs::path dir;
    nlohmann::json meta;
    std::shared_ptr<SafetensorsFile> io;
    fs::path base;  // the transformer folder the adapters were made on
};

std::optional<LoraFixture> openFixture(std::string& why) {
    LoraFixture f;
    f.dir = test::referenceDir() / "lora_tiny";
    std::error_code ec;
    if (!fs::exists(f.dir / "meta.json", ec)) {
        why =
            concat(f.dir.string(), " is absent (tests/data/reference/tools/make_fixtures.py, section lora)");
        return std::nullopt;
    }
    f.meta = readJsonFile(f.dir / "meta.json");
    f.io = test::openIo(f.dir);
    f.base = (f.dir / f.meta.at("base").get<std::string>()).lexically_normal();
    return f;
}

#define SV_LORA_FIXTURE(f)            \
    std::string why_;                 \
    const auto f = openFixture(why_); \
    if (!f) GTEST_SKIP() << why_;

std::shared_ptr<const LoraAdapter> adapter(const LoraFixture& f, const std::string& name,
                                           const TransformerConfig& config) {
    const std::string file = f.meta.at("adapters").at(name).at("file").get<std::string>();
    return std::make_shared<const LoraAdapter>(LoraAdapter::load(f.dir / file, config));
}

/// The runs of the fixture: tag → adapters and weights (set_adapters).
std::vector<std::pair<std::string, std::vector<std::pair<std::string, double>>>> runs(const LoraFixture& f) {
    const auto w = f.meta.at("adapter_weights").get<std::vector<double>>();
    return {{"style_only", {{"style", 1.0}}},
            {"motion_only", {{"motion", 1.0}}},
            {"combined", {{"style", w.at(0)}, {"motion", w.at(1)}}}};
}

Tensor forwardObserved(const SanaTransformer& t, const SafetensorsFile& io,
                       std::map<std::string, Tensor>& seen) {
    auto observer = [&](std::string_view name, const Tensor& v) { seen[std::string(name)] = v.clone(); };
    return t.forward(io.get("hidden_states"), io.get("encoder_hidden_states"),
                     io.get("encoder_attention_mask"), io.get("timestep"), observer);
}

TEST(LoraParity, ScalingsAreDiffusers) {
    SV_LORA_FIXTURE(f);
    const SanaTransformer base = SanaTransformer::load(f->base);
    const auto& scalings = f->meta.at("peft_scaling_of_attn1_to_q");
    for (const auto& [tag, uses] : runs(*f)) {
        for (const auto& [name, weight] : uses) {
            const auto a = adapter(*f, name, base.config());
            const double expected = scalings.at(tag).at(name).get<double>();
            EXPECT_NEAR(weight * a->modules.at("transformer_blocks.0.attn1.to_q").scaling(), expected,
                        1e-12 * expected)
                << tag << " " << name;
        }
    }
}

TEST(LoraParity, UnmergedAndMergedTransformerMatchDiffusers) {
    SV_LORA_FIXTURE(f);
    const SanaTransformer base = SanaTransformer::load(f->base);
    std::map<std::string, Tensor> seen;
    const Tensor baseOut = forwardObserved(base, *f->io, seen);
    if (f->io->contains("base.output")) {
        SV_EXPECT_CLOSE(baseOut, f->io->get("base.output"), kOutputRel);
    }
    for (const auto& [tag, uses] : runs(*f)) {
        SCOPED_TRACE(tag);
        std::vector<LoraUse> list;
        for (const auto& [name, weight] : uses) list.push_back({adapter(*f, name, base.config()), weight});
        seen.clear();
        const Tensor out = forwardObserved(applyLora(base, list, LoraMode::Unmerged), *f->io, seen);
        int compared = 0;
        for (const TensorInfo& info : f->io->tensors()) {
            if (!info.name.starts_with(tag + ".")) continue;
            const std::string name = info.name.substr(tag.size() + 1);
            ASSERT_TRUE(seen.count(name)) << "no intermediate " << name;
            const test::Diff d = test::compare(seen.at(name), f->io->get(info.name));
            std::printf("    %-32s rel L2 %.3e  max abs %.3e\n", info.name.c_str(), d.relL2, d.maxAbs);
            EXPECT_LE(d.relL2, kOutputRel) << info.name;
            ++compared;
        }
        EXPECT_GT(compared, 0);
        SV_EXPECT_CLOSE(out, f->io->get(tag + ".output"), kOutputRel);
        if (tag == "combined" && f->io->contains("fused.output")) {
            // diffusers' fuse_lora + unload_lora_weights: the merged-weights reference.
            const Tensor merged =
                applyLora(base, list, LoraMode::Merged)
                    .forward(f->io->get("hidden_states"), f->io->get("encoder_hidden_states"),
                             f->io->get("encoder_attention_mask"), f->io->get("timestep"));
            SV_EXPECT_CLOSE(merged, f->io->get("fused.output"), kOutputRel);
        }
    }
}

TEST(LoraParity, OriginalFormIsTheDiffusersAdapterExactly) {
    SV_LORA_FIXTURE(f);
    const auto& motion = f->meta.at("adapters").at("motion");
    if (!motion.contains("original_form")) GTEST_SKIP() << "no original-form file in this set";
    const SanaTransformer base = SanaTransformer::load(f->base);
    const LoraAdapter orig =
        LoraAdapter::load(f->dir / motion.at("original_form").get<std::string>(), base.config());
    const auto diff = adapter(*f, "motion", base.config());
    EXPECT_EQ(orig.form, LoraAdapter::Form::Original);
    ASSERT_EQ(orig.modules.size(), diff->modules.size());
    for (const auto& [name, m] : diff->modules) {
        ASSERT_TRUE(orig.modules.count(name)) << name;
        const LoraAdapter::Module& o = orig.modules.at(name);
        EXPECT_EQ(test::compare(o.down, m.down).maxAbs, 0.0) << name;  // the split rule is exact
        EXPECT_EQ(test::compare(o.up, m.up).maxAbs, 0.0) << name;
        EXPECT_EQ(o.scaling(), m.scaling()) << name;
    }
}

TEST(LoraParity, PipelineRunWithBothAdapters) {
    SV_LORA_FIXTURE(f);
    if (!f->io->contains("pipe.final_latents")) GTEST_SKIP() << "no pipeline run in this set";
    const nlohmann::json& call = f->meta.at("pipeline_call");
    // The components of the 480p tiny pipeline fixture (its scheduler is the one the LoRA run used).
    const fs::path pipeDir = test::referenceDir() / "pipeline_t2v_tiny";
    const nlohmann::json pipeMeta = readJsonFile(pipeDir / "meta.json");
    ASSERT_EQ(pipeMeta.at("scheduler_kind"), call.at("scheduler"));
    ModelLoadOptions o;
    o.textEncoder = false;
    for (const auto& [name, rel] : pipeMeta.at("components").items())
        if (rel.is_string()) o.componentDirs[name] = pipeDir / rel.get<std::string>();
    o.componentDirs["transformer"] = f->base;
    SanaModels models = SanaModels::load(pipeDir, o);
    std::vector<LoraUse> list;
    const auto names = call.at("adapters").get<std::vector<std::string>>();
    const auto weights = call.at("adapter_weights").get<std::vector<double>>();
    for (size_t i = 0; i < names.size(); ++i)
        list.push_back({adapter(*f, names[i], models.transformer->config()), weights[i]});
    models.transformer =
        std::make_shared<const SanaTransformer>(applyLora(*models.transformer, list, LoraMode::Unmerged));

    TextToVideoRequest r;
    r.height = call.at("height").get<int>();
    r.width = call.at("width").get<int>();
    r.frames = call.at("frames").get<int>();
    r.steps = call.at("num_inference_steps").get<int>();
    r.guidanceScale = call.at("guidance_scale").get<double>();
    r.useResolutionBinning = call.at("use_resolution_binning").get<bool>();
    r.complexHumanInstruction = call.at("complex_human_instruction").get<std::vector<std::string>>();
    const SafetensorsFile& io = *f->io;
    r.promptEmbeds = io.get("pipe.prompt_embeds");
    r.promptMask = io.get("pipe.prompt_attention_mask");
    r.negativeEmbeds = io.get("pipe.negative_prompt_embeds");
    r.negativeMask = io.get("pipe.negative_prompt_attention_mask");
    r.latents = io.get("pipe.latents_init");
    std::map<std::string, Tensor> seen;
    r.observer = [&](std::string_view name, const Tensor& t) { seen[std::string(name)] = t.clone(); };
    const VideoResult out = TextToVideoPipeline(std::make_shared<const SanaModels>(std::move(models))).run(r);
    for (int i = 0; i < r.steps; ++i)
        for (const char* what : {"model_input", "model_output", "latents"}) {
            const std::string name = concat("step_", i, ".", what);
            ASSERT_TRUE(seen.count(name)) << name;
            SV_EXPECT_CLOSE(seen.at(name), io.get("pipe." + name), kLatentsRel);
        }
    SV_EXPECT_CLOSE(out.latents, io.get("pipe.final_latents"), kLatentsRel);
    SV_EXPECT_CLOSE(seen.at("decode.input"), io.get("pipe.decode.input"), kLatentsRel);
    EXPECT_LE(test::compare(out.frames, io.get("pipe.frames")).maxAbs, 1e-3);
}

}  // namespace
}  // namespace sv
