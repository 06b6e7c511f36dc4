// LongSANA against the diffusers PR #12723 reference fixtures (tests/data/reference/LONGSANA.md; the set
// under $SV_REFERENCE_DIR honoured; skipped when a set has none): the causal transformer chunk by chunk with
// the cache protocol (every output, intermediate and saved cache), every transformer call of a real pipeline
// run from its recorded inputs, and the pipelines (-1 and windowed cache, prompt switch, absolute RoPE) end
// to end. Every shape and setting comes from the fixture files. Tolerances: README "Tolerances for the new
// fixtures".
#include <cstdio>
#include <map>
#include <optional>

#include <gtest/gtest.h>

#include "io/json_util.h"
#include "models/sana_transformer.h"
#include "models/wan_vae.h"
#include "pipelines/long_video.h"
#include "support/reference.h"

namespace sv {
namespace {

namespace fs = std::filesystem;

constexpr double kCallTol = 1e-5;      // per call: outputs, intermediates, caches
constexpr double kPipelineTol = 1e-4;  // final latents

test::Diff expectClose(const std::string& name, const Tensor& out, const Tensor& ref, double tol) {
    const test::Diff d = test::compare(out, ref);
    std::printf("    %-44s rel L2 %.3e  max abs %.3e\n", name.c_str(), d.relL2, d.maxAbs);
    EXPECT_LE(d.relL2, tol) << name;
    return d;
}

// The reference's per-block cache [vk, k_sum, temporal_cache] (absent entries not stored) → ours.
CausalCache cacheFrom(const SafetensorsFile& io, const std::string& prefix, int blocks) {
    CausalCache c(static_cast<size_t>(blocks));
    for (int j = 0; j < blocks; ++j) {
        const std::string p = concat(prefix, ".block", j, ".");
        if (io.contains(p + "vk")) c[size_t(j)].attention.vk = io.get(p + "vk");
        if (io.contains(p + "k_sum")) {
            const Tensor k = io.get(p + "k_sum");  // [B, heads, 1, d]
            c[size_t(j)].attention.kSum = k.view({k.dim(0), k.dim(1), k.dim(3)});
        }
        if (io.contains(p + "temporal_cache"))  // [B, D, 1, P] → [B, 1, P, D]
            c[size_t(j)].temporal = io.get(p + "temporal_cache").permute({0, 2, 3, 1}).contiguous();
    }
    return c;
}

void compareCache(const SafetensorsFile& io, const std::string& prefix, const CausalCache& ours) {
    for (size_t j = 0; j < ours.size(); ++j) {
        const std::string p = concat(prefix, ".block", j, ".");
        const auto& b = ours[j];
        expectClose(p + "vk", b.attention.vk, io.get(p + "vk"), kCallTol);
        const Tensor k = io.get(p + "k_sum");
        expectClose(p + "k_sum", b.attention.kSum, k.view({k.dim(0), k.dim(1), k.dim(3)}), kCallTol);
        expectClose(p + "temporal_cache", b.temporal.permute({0, 3, 1, 2}), io.get(p + "temporal_cache"),
                    kCallTol);
    }
}

TEST(LongSanaParity, TransformerChunksWithTheCacheProtocol) {
    const auto folders = test::referenceFolders("transformer_longsana");
    if (folders.empty()) GTEST_SKIP() << "no transformer_longsana* fixtures in " << test::referenceDir();
    for (const fs::path& folder : folders) {
        SCOPED_TRACE(folder.string());
        const SanaTransformer model = SanaTransformer::load(folder);
        ASSERT_TRUE(model.config().causal) << "config _class_name is not the causal class";
        const auto io = test::openIo(folder);
        const Tensor x = io->get("hidden_states"), t = io->get("timestep");
        const TransformerTextContext text =
            model.prepareText(io->get("encoder_hidden_states"), io->get("encoder_attention_mask"));
        std::printf("[%s] full forward without cache\n", folder.filename().string().c_str());
        expectClose("full.output", model.forward(x, t, text), io->get("full.output"), kCallTol);
        const int64_t chunks = io->get("split").numel();
        for (int64_t c = 0; c < chunks; ++c) {
            const std::string p = concat("chunk", c);
            std::printf("[%s] %s\n", folder.filename().string().c_str(), p.c_str());
            const CausalCache context = cacheFrom(*io, p + ".cache_in", model.config().numLayers);
            CausalCache saved;
            std::map<std::string, Tensor, std::less<>> seen;
            const Tensor out =
                model.forward(io->get(p + ".hidden_states"), t, text, CausalStep{&context, &saved, 0},
                              [&](std::string_view n, const Tensor& v) { seen[std::string(n)] = v.clone(); });
            expectClose(p + ".output", out, io->get(p + ".output"), kCallTol);
            for (const auto& [name, value] : seen)
                if (name.starts_with("block_") && io->contains(p + "." + name))
                    expectClose(p + "." + name, value, io->get(p + "." + name), kCallTol);
            compareCache(*io, p + ".cache_out", saved);
        }
    }
}

struct PipelineFixture {
    fs::path folder;
    nlohmann::json meta;
    std::shared_ptr<SafetensorsFile> io;
};

std::optional<PipelineFixture> pipelineFixture(const std::string& name) {
    const fs::path folder = test::referenceDir() / name;
    std::error_code ec;
    if (!fs::exists(folder / "io.safetensors", ec)) return std::nullopt;
    return PipelineFixture{folder, readJsonFile(folder / "meta.json"), test::openIo(folder)};
}

// The models of a LongSANA fixture: its transformer folder and the tiny VAE.
SanaModels fixtureModels(const PipelineFixture& f) {
    SanaModels m;
    const std::string tr = f.meta.at("transformer").get<std::string>();
    m.transformer = std::make_shared<SanaTransformer>(SanaTransformer::load(f.folder / tr));
    const auto vae =
        std::make_shared<WanVae>(WanVae::load(test::referenceDir() / "vae_tiny", WanVaeParts::Decoder));
    m.vaeConfig = VideoVaeConfig{vae->config()};
    m.vae = vae;
    return m;
}

// The request a fixture's run made (sizes, steps, chunks, window, seed, given latents and embeddings).
LongVideoRequest fixtureRequest(const PipelineFixture& f, bool absoluteRope) {
    const SafetensorsFile& io = *f.io;
    LongVideoRequest r;
    const Tensor lat = io.get("latents_init");
    r.latents = lat;
    r.height = int(lat.dim(3)) * 8, r.width = int(lat.dim(4)) * 8;
    r.frames = int(1 + 4 * (lat.dim(2) - 1));
    r.useResolutionBinning = false;
    r.seed = f.meta.at("generator_seed").get<uint64_t>();
    r.steps = f.meta.at("denoising_step_list").get<std::vector<double>>();
    const std::vector<int64_t> idx = f.meta.at("chunk_indices").get<std::vector<int64_t>>();
    r.chunkFrames = f.meta.value("base_chunk_frames", int(idx.size() > 2 ? idx[2] - idx[1] : idx[1]));
    r.cachedChunks = f.meta.value("num_cached_blocks", -1);
    r.guidanceScale = f.meta.contains("call") ? f.meta["call"].value("guidance_scale", 1.0) : 1.0;
    r.chunkLocalRope = !absoluteRope;
    r.decode = false;
    if (io.contains("prompt_embeds")) {
        r.promptEmbeds = io.get("prompt_embeds");
        r.promptMask = io.get("prompt_attention_mask");
    } else {
        for (int64_t c = 0; c + 1 < int64_t(idx.size()); ++c)
            r.chunkPromptEmbeds[c] = {io.get(concat("chunk", c, ".prompt_embeds")),
                                      io.get(concat("chunk", c, ".prompt_attention_mask"))};
    }
    return r;
}

// Runs the fixture's request; compares every chunk's final latents and the final latents.
void runPipelineFixture(const std::string& name, bool absoluteRope) {
    const auto f = pipelineFixture(name);
    if (!f) GTEST_SKIP() << "no " << name << " in " << test::referenceDir();
    std::printf("[%s]\n", name.c_str());
    const SanaModels models = fixtureModels(*f);
    const LongVideoRequest r = fixtureRequest(*f, absoluteRope);
    std::vector<Tensor> chunks;
    LongVideoCallbacks cb;
    cb.onChunk = [&](int64_t, const Tensor& l) { chunks.push_back(l.clone()); };
    const LongVideoPlan plan = generateLongVideo(models, r, cb);
    EXPECT_EQ(plan.chunkBounds, f->meta.at("chunk_indices").get<std::vector<int64_t>>());
    const Tensor ref = f->io->get("final_latents");
    Tensor all = Tensor::empty(ref.shape(), DType::F32);
    for (size_t c = 0; c < chunks.size(); ++c)
        all.slice(2, plan.chunkBounds[c], plan.chunkBounds[c + 1]).copyFrom(chunks[c]);
    expectClose("final_latents", all, ref, kPipelineTol);
}

TEST(LongSanaParity, PipelineRun) {
    runPipelineFixture("longsana_pipeline_tiny", false);
}

TEST(LongSanaParity, PipelineRunWithAWindowOfOneChunk) {
    runPipelineFixture("longsana_pipeline_window_tiny", false);
}

TEST(LongSanaParity, PromptSwitchBetweenChunks) {
    runPipelineFixture("longsana_switch_tiny", false);
}

TEST(LongSanaParity, AbsoluteRopePositions) {
    runPipelineFixture("longsana_absrope_tiny", true);
}

// Every recorded transformer call of the pipeline run, from its recorded inputs and cache.
TEST(LongSanaParity, EveryPipelineCallFromItsInputs) {
    const auto f = pipelineFixture("longsana_pipeline_tiny");
    if (!f) GTEST_SKIP() << "no longsana_pipeline_tiny in " << test::referenceDir();
    const SanaModels models = fixtureModels(*f);
    const SanaTransformer& model = *models.transformer;
    const TransformerTextContext text =
        model.prepareText(f->io->get("prompt_embeds"), f->io->get("prompt_attention_mask"));
    const int64_t chunks = int64_t(f->meta.at("chunk_indices").size()) - 1;
    const size_t steps = f->meta.at("denoising_step_list").size();
    int calls = 0;
    for (int64_t c = 0; c < chunks; ++c) {
        const std::string p = concat("chunk", c);
        const CausalCache context = cacheFrom(*f->io, p + ".cache_in", model.config().numLayers);
        for (size_t s = 0; s <= steps; ++s) {
            const std::string call = s == steps ? p + ".cache_pass" : concat(p, ".step", s);
            CausalCache saved;
            const Tensor out =
                model.forward(f->io->get(call + ".hidden_states"), f->io->get(call + ".timestep"), text,
                              CausalStep{&context, s == steps ? &saved : nullptr, 0});
            expectClose(call + ".output", out, f->io->get(call + ".output"), kCallTol);
            if (s == steps) compareCache(*f->io, p + ".cache_out", saved);
            ++calls;
        }
    }
    EXPECT_EQ(calls, int(f->meta.at("calls").size()));
}

// `sanavideo info` counts from the declared weights: the full-size LongSANA config must give the reference's
// instantiated count (full_size/meta.json), which equals the 480p SANA-Video transformer's.
TEST(LongSanaParity, FullSizeParameterCount) {
    const fs::path dir = test::referenceDir() / "full_size";
    std::error_code ec;
    if (!fs::exists(dir / "transformer_longsana" / "config.json", ec))
        GTEST_SKIP() << "no full_size/transformer_longsana in " << test::referenceDir();
    const TransformerConfig c = TransformerConfig::load(dir / "transformer_longsana" / "config.json");
    EXPECT_TRUE(c.causal);
    const int64_t count = countParameters(transformerWeightSpecs(c));
    std::printf("LongSANA 2B 480p transformer: %lld parameters\n", (long long)count);
    EXPECT_EQ(count, 2056862144);
    if (fs::exists(dir / "meta.json", ec)) {
        const nlohmann::json meta = readJsonFile(dir / "meta.json");
        if (meta.contains("transformer_longsana_params")) {
            EXPECT_EQ(count, meta["transformer_longsana_params"].get<int64_t>());
        }
    }
}

}  // namespace
}  // namespace sv
