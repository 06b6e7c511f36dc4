// End-to-end pipeline parity against diffusers: every pipeline_* fixture folder (SV_REFERENCE_DIR honoured).
// The pipeline kind, the components (folders relative to the fixture) and every call setting are read from
// model_index.json / meta.json; the prompt embeddings and the initial latents are given as the fixture run
// gave them. Every stored step (model input, timestep, model output, latents), the final latents (rel L2 ≤
// 1e-4), the VAE input, the frames (max abs ≤ 1e-3) and their uint8 bytes (equal wherever the reference is
// not within 1e-3 of a rounding edge) are compared; image-to-video also checks the image preprocessing, the
// image latents, the prepared latents and the conditioning mask.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

#include <gtest/gtest.h>

#include "io/json_util.h"
#include "pipelines/postprocess.h"
#include "pipelines/sana_pipeline.h"
#include "support/reference.h"

namespace sv {
namespace {

namespace fs = std::filesystem;

// The CPU fp32 column of the tolerance table (shared/reference/README.md).
constexpr double kLatentsRel = 1e-4;    // final latents, and every per-step tensor
constexpr double kFramesMaxAbs = 1e-3;  // frames in [0, 1]
constexpr double kRoundingEdge = 1e-3;  // uint8 bytes compared where |ref − (k + ½)/255| > this
constexpr int64_t kMinComparedBytes = 1000;

void report(const std::string& name, const test::Diff& d) {
    std::printf("    %-28s rel L2 %.3e  max abs %.3e  (max |ref| %.3g)\n", name.c_str(), d.relL2, d.maxAbs,
                d.refMaxAbs);
}

void expectRel(const std::string& name, const Tensor& out, const Tensor& ref, double tol) {
    SCOPED_TRACE(name);
    ASSERT_EQ(out.shape(), ref.shape()) << name << ": " << out.describe() << " vs " << ref.describe();
    const test::Diff d = test::compare(out, ref);
    report(name, d);
    EXPECT_LE(d.relL2, tol) << name;
}

void expectExactValues(const std::string& name, const Tensor& out, const Tensor& ref) {
    SCOPED_TRACE(name);
    ASSERT_EQ(out.numel(), ref.numel()) << name;
    for (int64_t i = 0; i < ref.numel(); ++i) ASSERT_EQ(out.item(i), ref.item(i)) << name << " at " << i;
}

struct Fixture {
    fs::path folder;
    nlohmann::json meta;
    nlohmann::json call;
    std::string pipeline;  // model_index.json _class_name
    std::shared_ptr<SafetensorsFile> io;
};

Fixture openFixture(const fs::path& folder) {
    Fixture f;
    f.folder = folder;
    f.meta = readJsonFile(folder / "meta.json");
    f.call = f.meta.at("call");
    f.pipeline = readJsonFile(folder / "model_index.json").at("_class_name").get<std::string>();
    f.io = test::openIo(folder);
    return f;
}

std::shared_ptr<const SanaModels> loadModels(const Fixture& f) {
    ModelLoadOptions o;
    o.textEncoder = false;  // prompt embeddings are given
    for (const auto& [name, rel] : f.meta.at("components").items())
        if (rel.is_string()) o.componentDirs[name] = f.folder / rel.get<std::string>();
    return std::make_shared<const SanaModels>(SanaModels::load(f.folder, o));
}

// Expected uint8 from the reference float frames: numpy's round half to even of x·255 (float32).
uint8_t expectedByte(float x) {
    const float v = std::nearbyint(std::clamp(x, 0.0f, 1.0f) * 255.0f);
    return uint8_t(v);
}

// Distance (in [0, 1] units) from x to the nearest rounding edge of its uint8 byte: the k + ½ boundaries of
// x·255 for k = 0 … 254. Values past an end saturate, so only the edge inside [0, 255] counts.
double distanceToRoundingEdge(float x) {
    const double scaled = double(x) * 255.0;
    const double nearest = std::clamp(std::round(scaled - 0.5), 0.0, 254.0) + 0.5;
    return std::abs(scaled - nearest) / 255.0;
}

void checkFrames(const Tensor& frames, const Tensor& ref) {
    ASSERT_EQ(frames.shape(), ref.shape());
    const test::Diff d = test::compare(frames, ref);
    report("frames", d);
    EXPECT_LE(d.maxAbs, kFramesMaxAbs);
    const Tensor bytes = floatFramesToUint8(frames);
    const std::vector<float> r = ref.toFloatVector();
    const uint8_t* b = bytes.data<uint8_t>();
    int64_t compared = 0, mismatched = 0;
    for (size_t i = 0; i < r.size(); ++i) {
        if (distanceToRoundingEdge(r[i]) <= kRoundingEdge)
            continue;  // either byte is right within the tolerance
        ++compared;
        if (b[i] != expectedByte(r[i])) ++mismatched;
    }
    std::printf("    uint8 frames: %lld of %zu bytes away from a rounding edge, %lld differ\n",
                static_cast<long long>(compared), r.size(), static_cast<long long>(mismatched));
    // The band of ±kRoundingEdge around the edges covers about half of every step (2 · 0.255 of it), so about
    // half of the bytes are compared on any set (fewer or more with the share of saturated pixels). The floor
    // keeps the check from passing on a handful of bytes: kMinComparedBytes, or a quarter of a frame set too
    // small to hold four times that many.
    EXPECT_GE(compared, std::min<int64_t>(kMinComparedBytes, int64_t(r.size()) / 4));
    EXPECT_EQ(mismatched, 0);
}

TEST(PipelineParity, EveryFixtureMatchesDiffusers) {
    const auto folders = test::referenceFolders("pipeline_");
    ASSERT_FALSE(folders.empty()) << "no pipeline_* fixtures in " << test::referenceDir();
    for (const fs::path& folder : folders) {
        SCOPED_TRACE(folder.string());
        const Fixture f = openFixture(folder);
        const bool i2v = f.pipeline == "SanaImageToVideoPipeline";
        ASSERT_TRUE(i2v || f.pipeline == "SanaVideoPipeline") << "unknown pipeline " << f.pipeline;
        std::printf("[fixture %s] %s, %s\n", folder.filename().string().c_str(), f.pipeline.c_str(),
                    f.meta.value("scheduler", "").c_str());
        const auto models = loadModels(f);
        const SafetensorsFile& io = *f.io;

        TextToVideoRequest base;
        base.height = f.call.at("height").get<int>();
        base.width = f.call.at("width").get<int>();
        base.frames = f.call.at("frames").get<int>();
        base.steps = f.call.at("num_inference_steps").get<int>();
        base.guidanceScale = f.call.at("guidance_scale").get<double>();
        base.useResolutionBinning = f.call.at("use_resolution_binning").get<bool>();
        base.complexHumanInstruction = f.call.at("complex_human_instruction").get<std::vector<std::string>>();
        base.promptEmbeds = io.get("prompt_embeds");
        base.promptMask = io.get("prompt_attention_mask");
        base.negativeEmbeds = io.get("negative_prompt_embeds");
        base.negativeMask = io.get("negative_prompt_attention_mask");
        base.latents = io.get("latents_init");
        std::map<std::string, Tensor> seen;
        base.observer = [&](std::string_view name, const Tensor& t) { seen[std::string(name)] = t.clone(); };
        std::vector<double> callbackTimesteps;
        const StepCallback callback = [&](int step, int total, double t, const Tensor&, const Tensor&) {
            EXPECT_EQ(step, int(callbackTimesteps.size()));
            EXPECT_EQ(total, base.steps);
            callbackTimesteps.push_back(t);
            return true;
        };

        VideoResult result;
        if (i2v) {
            ImageToVideoRequest r;
            static_cast<TextToVideoRequest&>(r) = base;
            r.image = io.get("image.uint8");
            // The preprocessing and the image latents, stage by stage.
            const Tensor pre = preprocessImage(r.image, base.height, base.width);
            expectRel("image.preprocessed", pre, io.get("image.preprocessed"), 1e-7);
            EXPECT_EQ(test::compare(pre, io.get("image.preprocessed")).maxAbs, 0.0);
            const VaePosterior posterior = models->requireVaeEncoder().encode(pre.unsqueeze(2));
            expectRel("image_latents.mean", posterior.mean, io.get("image_latents.mean"), 1e-5);
            const Tensor imageLatents = encodeImageLatents(*models, r.image, base.height, base.width);
            expectRel("image_latents.normalized", imageLatents, io.get("image_latents.normalized"), 1e-5);
            result = ImageToVideoPipeline(models).run(r, callback);
        } else {
            result = TextToVideoPipeline(models).run(base, callback);
        }

        // Timesteps as meta.json lists them (and as the callback saw them).
        const auto timesteps = f.meta.at("timesteps").get<std::vector<double>>();
        ASSERT_EQ(callbackTimesteps.size(), timesteps.size());
        for (size_t i = 0; i < timesteps.size(); ++i)
            EXPECT_EQ(float(callbackTimesteps[i]), float(timesteps[i]));

        if (i2v) {
            expectRel("latents_prepared", seen.at("latents_prepared"), io.get("latents_prepared"), 1e-5);
            expectExactValues("conditioning_mask", seen.at("conditioning_mask"), io.get("conditioning_mask"));
        } else {
            expectExactValues("latents_prepared", seen.at("latents_prepared"), io.get("latents_init"));
        }
        int steps = 0;
        for (int i = 0; io.contains(concat("step_", i, ".latents")); ++i, ++steps) {
            for (const char* what : {"model_input", "model_output", "latents"}) {
                const std::string name = concat("step_", i, ".", what);
                ASSERT_TRUE(seen.count(name)) << "the pipeline produced no " << name;
                expectRel(name, seen.at(name), io.get(name), kLatentsRel);
            }
            const std::string tname = concat("step_", i, ".timestep");
            ASSERT_TRUE(seen.count(tname));
            expectExactValues(tname, seen.at(tname), io.get(tname));
        }
        EXPECT_EQ(steps, base.steps);
        EXPECT_EQ(steps, f.meta.at("num_transformer_calls").get<int>());

        expectRel("final_latents", result.latents, io.get("final_latents"), kLatentsRel);
        expectRel("decode.input", seen.at("decode.input"), io.get("decode.input"), kLatentsRel);
        ASSERT_TRUE(result.frames.defined());
        checkFrames(result.frames, io.get("frames"));
    }
}

}  // namespace
}  // namespace sv
