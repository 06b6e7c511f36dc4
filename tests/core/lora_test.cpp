// LoRA adapters (models/lora.h) on transformer_tiny with adapters written here: unmerged = merged = the base
// with W + Σ s·B·A computed in double (diffusers' and PEFT's semantics), strengths, stacking, the original
// NVlabs form split as the converter splits base weights, where alpha comes from, and every refusal (keys
// of another model, unknown modules, rank and shape mismatches, unadaptable convolutions, DoRA, biases).
// The parity with diffusers' own LoRA runs is tests/core/lora_parity_test.cpp.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <random>

#include "io/safetensors.h"
#include "models/lora.h"
#include "models/sana_transformer.h"
#include "pipelines/demo_model.h"
#include "support/reference.h"

namespace sv {
namespace {

namespace fs = std::filesystem;

Tensor randomMatrix(Shape shape, uint32_t seed, float stddev) {
    std::mt19937 rng(seed);
    std::normal_distribution<float> d(0.0f, stddev);
    Tensor t = Tensor::empty(std::move(shape), DType::F32);
    for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = d(rng);
    return t;
}

using Entries = std::vector<std::pair<std::string, Tensor>>;

class LoraTest : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        folder_ = test::referenceDir() / "transformer_tiny";
        base_ = std::make_unique<SanaTransformer>(SanaTransformer::load(folder_));
        io_ = test::openIo(folder_);
    }
    static void TearDownTestSuite() {
        base_.reset();
        io_.reset();
    }
    const TransformerConfig& config() const { return base_->config(); }

    /// lora_A [r, in...] and lora_B [out, r, 1...] for one diffusers module, random.
    static void addModule(Entries& e, const std::string& module, const Shape& weight, int64_t rank,
                          uint32_t seed, const std::string& prefix = "transformer.") {
        Shape a = weight, b = {weight[0], rank};
        a[0] = rank;
        for (size_t k = 2; k < weight.size(); ++k) b.push_back(1);
        const int64_t in = shapeNumel(weight) / weight[0];
        e.emplace_back(prefix + module + ".lora_A.weight",
                       randomMatrix(a, seed, 1.0f / std::sqrt(float(in))));
        e.emplace_back(prefix + module + ".lora_B.weight",
                       randomMatrix(b, seed + 1, 0.3f / std::sqrt(float(rank))));
    }
    static Shape weightShape(const std::string& module) {
        return base_->weights().get(module + ".weight").shape();
    }

    /// An adapter on every attention projection of both blocks plus proj_out, a 1×1 feed-forward conv, the
    /// patch embedding, the caption projection and the timestep modulation.
    static Entries broadAdapter(int64_t rank, uint32_t seed) {
        Entries e;
        std::vector<std::string> modules = {"proj_out", "patch_embedding", "caption_projection.linear_1",
                                            "time_embed.linear"};
        for (int i = 0; i < base_->config().numLayers; ++i)
            for (const char* m :
                 {"attn1.to_q", "attn1.to_k", "attn1.to_v", "attn1.to_out.0", "attn2.to_q", "attn2.to_k",
                  "attn2.to_v", "attn2.to_out.0", "ff.conv_inverted", "ff.conv_point"})
                modules.push_back(concat("transformer_blocks.", i, ".", m));
        for (size_t k = 0; k < modules.size(); ++k)
            addModule(e, modules[k], weightShape(modules[k]), rank, seed + 2 * uint32_t(k));
        return e;
    }

    fs::path write(const std::string& name, const Entries& e,
                   const std::map<std::string, std::string>& meta = {}) {
        const fs::path p = dir_.path() / (name + ".safetensors");
        writeSafetensors(p, e, meta);
        return p;
    }

    Tensor run(const SanaTransformer& t) const {
        return t.forward(io_->get("hidden_states"), io_->get("encoder_hidden_states"),
                         io_->get("encoder_attention_mask"), io_->get("timestep"));
    }

    /// The base with W + Σ s·B·A computed in double here (the merged weights of PEFT's merge, exactly).
    SanaTransformer mergedInDouble(std::span<const LoraUse> uses) const {
        WeightSet w = base_->weights();
        std::map<std::string, std::vector<double>, std::less<>> delta;
        for (const LoraUse& u : uses) {
            for (const auto& [module, m] : u.adapter->modules) {
                const int64_t out = m.up.dim(0), in = m.down.dim(1), r = m.rank();
                auto& d = delta[module];
                d.resize(size_t(out * in), 0.0);
                const double s = u.strength * m.scaling();
                for (int64_t o = 0; o < out; ++o)
                    for (int64_t i = 0; i < in; ++i) {
                        double acc = 0;
                        for (int64_t k = 0; k < r; ++k) acc += m.up.item(o * r + k) * m.down.item(k * in + i);
                        d[size_t(o * in + i)] += s * acc;
                    }
            }
        }
        for (const auto& [module, d] : delta) {
            const Tensor old = w.get(module + ".weight");
            Tensor t = Tensor::empty(old.shape(), DType::F32);
            for (int64_t i = 0; i < old.numel(); ++i) t.data<float>()[i] = float(old.item(i) + d[size_t(i)]);
            w.set(module + ".weight", t);
        }
        return SanaTransformer(config(), std::move(w));
    }

    static inline fs::path folder_;
    static inline std::unique_ptr<SanaTransformer> base_;
    static inline std::shared_ptr<SafetensorsFile> io_;
    test::TempDir dir_;
};

std::map<std::string, std::string> header(const std::string& json) {
    return {{"format", "pt"}, {"lora_adapter_metadata", json}};
}

TEST_F(LoraTest, UnmergedAndMergedEqualTheBaseWithMergedWeights) {
    const fs::path file =
        write("broad", broadAdapter(4, 10), header(R"({"transformer.r": 4, "transformer.lora_alpha": 8.0})"));
    auto adapter = std::make_shared<const LoraAdapter>(LoraAdapter::load(file, config()));
    EXPECT_EQ(adapter->form, LoraAdapter::Form::Diffusers);
    EXPECT_EQ(adapter->modules.size(), size_t(4 + 10 * config().numLayers));
    EXPECT_DOUBLE_EQ(adapter->modules.at("proj_out").scaling(), 2.0);
    const LoraUse uses[] = {{adapter, 0.7}};
    const Tensor base = run(*base_);
    const Tensor unmerged = run(applyLora(*base_, uses, LoraMode::Unmerged));
    const Tensor merged = run(applyLora(*base_, uses, LoraMode::Merged));
    const Tensor reference = run(mergedInDouble(uses));
    EXPECT_GT(test::compare(unmerged, base).relL2, 1e-2) << "the adapter must change the output";
    SV_EXPECT_CLOSE(unmerged, reference, 1e-5);
    SV_EXPECT_CLOSE(merged, reference, 1e-6);
    // The merged weights themselves: W + s·B·A rounded once.
    const SanaTransformer m = applyLora(*base_, uses, LoraMode::Merged);
    const SanaTransformer d = mergedInDouble(uses);
    for (const char* w :
         {"transformer_blocks.1.attn2.to_v.weight", "patch_embedding.weight", "proj_out.weight"})
        EXPECT_LE(test::compare(m.weights().get(w), d.weights().get(w)).maxAbs, 1e-6) << w;
    // Unadapted tensors are shared, not copied.
    EXPECT_EQ(m.weights().get("caption_norm.weight").storage(),
              base_->weights().get("caption_norm.weight").storage());
}

TEST_F(LoraTest, StrengthZeroIsTheBaseAndStackingEqualsOneCall) {
    const auto a =
        std::make_shared<const LoraAdapter>(LoraAdapter::load(write("a", broadAdapter(4, 20)), config()));
    const auto b =
        std::make_shared<const LoraAdapter>(LoraAdapter::load(write("b", broadAdapter(2, 40)), config()));
    const LoraUse zero[] = {{a, 0.0}};
    EXPECT_EQ(test::compare(run(applyLora(*base_, zero, LoraMode::Unmerged)), run(*base_)).maxAbs, 0.0);
    const LoraUse both[] = {{a, 0.7}, {b, 1.3}};
    const LoraUse first[] = {{a, 0.7}}, second[] = {{b, 1.3}};
    const Tensor once = run(applyLora(*base_, both, LoraMode::Unmerged));
    const Tensor stacked =
        run(applyLora(applyLora(*base_, first, LoraMode::Unmerged), second, LoraMode::Unmerged));
    EXPECT_EQ(test::compare(once, stacked).maxAbs, 0.0);
    SV_EXPECT_CLOSE(once, run(mergedInDouble(both)), 1e-5);
    // Merged on top of unmerged keeps the unmerged terms.
    SV_EXPECT_CLOSE(run(applyLora(applyLora(*base_, first, LoraMode::Unmerged), second, LoraMode::Merged)),
                    once, 1e-5);
}

TEST_F(LoraTest, AlphaFromTensorsHeaderPatternsOrRank) {
    Entries e;
    addModule(e, "proj_out", weightShape("proj_out"), 4, 1);
    addModule(e, "transformer_blocks.0.attn1.to_q", weightShape("transformer_blocks.0.attn1.to_q"), 2, 3);
    addModule(e, "transformer_blocks.1.attn1.to_q", weightShape("transformer_blocks.1.attn1.to_q"), 4, 5);
    // No header: alpha = rank (scale 1), as diffusers without metadata.
    LoraAdapter none = LoraAdapter::load(write("none", e), config());
    for (const auto& [m, mod] : none.modules) EXPECT_DOUBLE_EQ(mod.scaling(), 1.0) << m;
    // Header with a rank and an alpha pattern (PEFT's LoraConfig keys, diffusers' "transformer." prefix).
    const auto h = header(R"({"transformer.r": 4, "transformer.lora_alpha": 8,
        "transformer.rank_pattern": {"transformer_blocks.0.attn1.to_q": 2},
        "transformer.alpha_pattern": {"^proj_out": 2}})");
    LoraAdapter patterned = LoraAdapter::load(write("patterned", e, h), config());
    EXPECT_DOUBLE_EQ(patterned.modules.at("proj_out").scaling(), 0.5);
    EXPECT_DOUBLE_EQ(patterned.modules.at("transformer_blocks.0.attn1.to_q").scaling(), 4.0);
    EXPECT_DOUBLE_EQ(patterned.modules.at("transformer_blocks.1.attn1.to_q").scaling(), 2.0);
    // rsLoRA: alpha / √r.
    LoraAdapter rs = LoraAdapter::load(
        write("rs", e,
              header(R"({"transformer.r": 4, "transformer.lora_alpha": 8, "transformer.use_rslora": true,
            "transformer.rank_pattern": {"transformer_blocks.0.attn1.to_q": 2}})")),
        config());
    EXPECT_DOUBLE_EQ(rs.modules.at("proj_out").scaling(), 4.0);
    // A per-module .alpha tensor wins.
    Entries withAlpha = e;
    withAlpha.emplace_back("transformer.proj_out.alpha", Tensor::fromFloats(std::vector<float>{1.0f}, {}));
    LoraAdapter a = LoraAdapter::load(write("alpha", withAlpha, h), config());
    EXPECT_DOUBLE_EQ(a.modules.at("proj_out").scaling(), 0.25);
    // Unprefixed PEFT keys and kohya's lora_down / lora_up names read the same.
    Entries bare;
    for (const auto& [k, t] : e) {
        std::string key = k.substr(12);
        if (key.ends_with(".lora_A.weight")) key.replace(key.size() - 14, 14, ".lora_down.weight");
        bare.emplace_back(key, t);
    }
    LoraAdapter b = LoraAdapter::load(write("bare", bare), config());
    EXPECT_EQ(b.modules.size(), 3u);
    EXPECT_EQ(test::compare(b.modules.at("proj_out").down, none.modules.at("proj_out").down).maxAbs, 0.0);
}

TEST_F(LoraTest, OriginalFormSplitsLikeTheConverter) {
    const int64_t D = config().innerDim(), r = 2;
    const int64_t P = weightShape("proj_out")[0];
    Entries orig;
    for (int i = 0; i < config().numLayers; ++i) {
        const std::string b = concat("blocks.", i, ".");
        orig.emplace_back(b + "attn.qkv.lora_A.weight", randomMatrix({r, D}, 100 + i, 0.1f));
        orig.emplace_back(b + "attn.qkv.lora_B.weight", randomMatrix({3 * D, r}, 200 + i, 0.1f));
        orig.emplace_back(b + "cross_attn.kv_linear.lora_A.weight", randomMatrix({r, D}, 300 + i, 0.1f));
        orig.emplace_back(b + "cross_attn.kv_linear.lora_B.weight", randomMatrix({2 * D, r}, 400 + i, 0.1f));
        orig.emplace_back(b + "attn.proj.lora_A.weight", randomMatrix({r, D}, 500 + i, 0.1f));
        orig.emplace_back(b + "attn.proj.lora_B.weight", randomMatrix({D, r}, 600 + i, 0.1f));
    }
    orig.emplace_back("final_layer.linear.lora_A.weight", randomMatrix({r, D}, 700, 0.1f));
    orig.emplace_back("final_layer.linear.lora_B.weight", randomMatrix({P, r}, 701, 0.1f));
    const auto meta = header(R"({"r": 2, "lora_alpha": 3, "target_modules": ["attn.qkv"]})");
    const LoraAdapter o = LoraAdapter::load(write("orig", orig, meta), config());
    EXPECT_EQ(o.form, LoraAdapter::Form::Original);
    EXPECT_EQ(o.modules.size(), size_t(config().numLayers * 6 + 1));
    // The split by hand: A copied, B cut into row blocks in q, k, v (k, v) order.
    Entries split;
    for (int i = 0; i < config().numLayers; ++i) {
        const std::string b = concat("blocks.", i, "."),
                          t = concat("transformer.transformer_blocks.", i, ".");
        auto find = [&](const std::string& k) {
            for (const auto& [key, v] : orig)
                if (key == k) return v;
            return Tensor();
        };
        const char* qkv[] = {"attn1.to_q", "attn1.to_k", "attn1.to_v"};
        for (int k = 0; k < 3; ++k) {
            split.emplace_back(t + qkv[k] + ".lora_A.weight", find(b + "attn.qkv.lora_A.weight"));
            split.emplace_back(t + qkv[k] + ".lora_B.weight",
                               find(b + "attn.qkv.lora_B.weight").slice(0, k * D, (k + 1) * D));
        }
        const char* kv[] = {"attn2.to_k", "attn2.to_v"};
        for (int k = 0; k < 2; ++k) {
            split.emplace_back(t + kv[k] + ".lora_A.weight", find(b + "cross_attn.kv_linear.lora_A.weight"));
            split.emplace_back(t + kv[k] + ".lora_B.weight",
                               find(b + "cross_attn.kv_linear.lora_B.weight").slice(0, k * D, (k + 1) * D));
        }
        split.emplace_back(t + "attn1.to_out.0.lora_A.weight", find(b + "attn.proj.lora_A.weight"));
        split.emplace_back(t + "attn1.to_out.0.lora_B.weight", find(b + "attn.proj.lora_B.weight"));
    }
    split.emplace_back("transformer.proj_out.lora_A.weight", orig[orig.size() - 2].second);
    split.emplace_back("transformer.proj_out.lora_B.weight", orig.back().second);
    const LoraAdapter s = LoraAdapter::load(
        write("split", split, header(R"({"transformer.r": 2, "transformer.lora_alpha": 3})")), config());
    ASSERT_EQ(s.modules.size(), o.modules.size());
    for (const auto& [m, mod] : s.modules) {
        ASSERT_TRUE(o.modules.count(m)) << m;
        EXPECT_EQ(test::compare(o.modules.at(m).down, mod.down).maxAbs, 0.0) << m;
        EXPECT_EQ(test::compare(o.modules.at(m).up, mod.up).maxAbs, 0.0) << m;
        EXPECT_DOUBLE_EQ(o.modules.at(m).scaling(), 1.5) << m;
    }
}

void expectError(const std::function<void()>& f, const std::string& needle) {
    try {
        f();
        ADD_FAILURE() << "no error; expected one mentioning \"" << needle << "\"";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    }
}

TEST_F(LoraTest, RefusesWhatDoesNotFit) {
    const TransformerConfig& c = config();
    auto load = [&](const Entries& e, const std::map<std::string, std::string>& meta = {}) {
        return [&c, p = write("bad", e, meta)] { (void)LoraAdapter::load(p, c); };
    };
    Entries flux;
    addModule(flux, "single_transformer_blocks.0.attn.to_q", {64, 64}, 4, 1);
    expectError(load(flux), "another model");
    expectError(load(flux), "Flux");
    Entries beyond;
    addModule(beyond, "transformer_blocks.0.attn1.to_q", weightShape("transformer_blocks.0.attn1.to_q"), 4,
              1);
    addModule(beyond, "transformer_blocks.7.attn1.to_q", weightShape("transformer_blocks.0.attn1.to_q"), 4,
              3);
    expectError(load(beyond), "transformer_blocks.7.attn1.to_q");
    const Entries ranks = {
        {"transformer.proj_out.lora_A.weight", randomMatrix({4, 64}, 1, 0.1f)},
        {"transformer.proj_out.lora_B.weight", randomMatrix({weightShape("proj_out")[0], 3}, 2, 0.1f)}};
    expectError(load(ranks), "has rank 4 but lora_B");
    Entries fine;
    addModule(fine, "proj_out", weightShape("proj_out"), 4, 1);
    expectError(load(fine, header(R"({"transformer.r": 8, "transformer.lora_alpha": 8})")),
                "header says rank 8");
    Entries wide;
    addModule(wide, "proj_out", {weightShape("proj_out")[0], 65}, 4, 1);
    expectError(load(wide), "do not fit its weight");
    Entries temporal;
    addModule(temporal, "transformer_blocks.0.ff.conv_temp", weightShape("transformer_blocks.0.ff.conv_temp"),
              2, 1);
    expectError(load(temporal), "cannot take a LoRA");
    Entries half = fine;
    half.pop_back();
    expectError(load(half), "lora_B missing");
    Entries dora = fine;
    dora.emplace_back("transformer.proj_out.lora_magnitude_vector", randomMatrix({64}, 1, 1.0f));
    expectError(load(dora), "DoRA");
    expectError(load(fine, header(R"({"transformer.r": 4, "transformer.use_dora": true})")), "DoRA");
    Entries bias = fine;
    bias.emplace_back("transformer.proj_out.lora_B.bias",
                      randomMatrix({weightShape("proj_out")[0]}, 1, 1.0f));
    expectError(load(bias), "bias");
    Entries junk = fine;
    junk.emplace_back("transformer.proj_out.weight", randomMatrix(weightShape("proj_out"), 1, 1.0f));
    expectError(load(junk), "not LoRA weights");
    Entries te;
    addModule(te, "text_model.layers.0.q_proj", {64, 64}, 4, 1, "text_encoder.");
    expectError(load(te), "text encoder");
    Entries mixed = fine;
    addModule(mixed, "blocks.0.attn.proj", {64, 64}, 4, 7, "");
    expectError(load(mixed), "mixes");
    expectError([&] { (void)LoraAdapter::load(dir_.path() / "absent.safetensors", c); }, "no such LoRA file");
    // An adapter read for one configuration does not apply to another one's shapes.
    const auto adapter = std::make_shared<const LoraAdapter>(LoraAdapter::load(write("ok", fine), c));
    // The 720p demo transformer (1x1x1 patches, 128 latent channels, the demo's own width) has another
    // proj_out than any 480p fixture configuration.
    const std::vector<uint8_t> tokenizer = test::tinyTokenizerBytes();
    writeDemoModel(dir_.path() / "demo720", tokenizer, 0, DemoFamily::Ltx720p);
    const SanaTransformer other = SanaTransformer::load(dir_.path() / "demo720" / "transformer");
    ASSERT_NE(other.weights().get("proj_out.weight").shape(), weightShape("proj_out"));
    const LoraUse uses[] = {{adapter, 1.0}};
    expectError([&] { (void)applyLora(other, uses, LoraMode::Unmerged); }, "another configuration");
}

TEST_F(LoraTest, FolderHoldsDiffusersFileName) {
    Entries e;
    addModule(e, "proj_out", weightShape("proj_out"), 2, 1);
    fs::create_directories(dir_.path() / "my_style");
    writeSafetensors(dir_.path() / "my_style" / "pytorch_lora_weights.safetensors", e);
    const LoraAdapter a = LoraAdapter::load(dir_.path() / "my_style", config());
    EXPECT_EQ(a.name, "my_style");
    EXPECT_EQ(a.parameterCount(), 2 * weightShape("proj_out")[1] + 2 * weightShape("proj_out")[0]);
    EXPECT_EQ(parseLoraMode("merged", "x"), LoraMode::Merged);
    EXPECT_EQ(loraModeName(LoraMode::Unmerged), "unmerged");
    EXPECT_THROW(parseLoraMode("fused", "x"), Error);
}

}  // namespace
}  // namespace sv
