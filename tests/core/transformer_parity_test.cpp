// SanaVideoTransformer3DModel parity against the diffusers fixtures: every transformer_* folder of the
// fixture root (SV_REFERENCE_DIR honoured), every stored intermediate and the output, scalar and per-token
// timesteps; plus the invariances the pipeline relies on (padded text tokens, prepared text reuse) and weight
// loading from bf16/f16, sharded and pipeline-layout folders.
#include <algorithm>
#include <fstream>
#include <iostream>
#include <map>
#include <random>

#include <gtest/gtest.h>

#include "base/half.h"
#include "models/sana_transformer.h"
#include "support/reference.h"

namespace sv {
namespace {

namespace fs = std::filesystem;

// Tolerances: the CPU fp32 column of the table in shared/reference/README.md.
constexpr double kRelTol = 1e-5;
constexpr double kOutputMaxAbsFactor = 1e-4;

bool isInput(const std::string& name) {
    return name == "hidden_states" || name == "encoder_hidden_states" || name == "encoder_attention_mask" ||
           name == "timestep" || name == "pertoken.timestep";
}
bool isDtypeEcho(const std::string& name) {
    return name.ends_with("_f64") || name.find("_dtype_is_f64") != std::string::npos;
}

// Runs the model with an observer and compares every stored tensor "<prefix><name>" that is not an input.
void checkAgainstReference(const SanaTransformer& model, const SafetensorsFile& io, const std::string& prefix,
                           const Tensor& timestep) {
    std::map<std::string, Tensor, std::less<>> seen;
    auto observer = [&](std::string_view name, const Tensor& t) { seen[std::string(name)] = t.clone(); };
    const Tensor out = model.forward(io.get("hidden_states"), io.get("encoder_hidden_states"),
                                     io.get("encoder_attention_mask"), timestep, observer);
    int compared = 0;
    for (const TensorInfo& info : io.tensors()) {
        const std::string& stored = info.name;
        if (isInput(stored) || isDtypeEcho(stored)) continue;
        const bool perToken = stored.starts_with("pertoken.");
        if (perToken != !prefix.empty()) continue;
        const std::string name = stored.substr(prefix.size());
        SCOPED_TRACE(stored);
        auto it = seen.find(name);
        ASSERT_NE(it, seen.end()) << "the forward produced no intermediate named \"" << name << "\"";
        const Tensor ref = io.get(stored);
        ASSERT_EQ(it->second.shape(), ref.shape());
        const test::Diff d = test::compare(it->second, ref);
        std::printf("    %-36s rel L2 %.3e  max abs %.3e  (max |ref| %.3g)\n", stored.c_str(), d.relL2,
                    d.maxAbs, d.refMaxAbs);
        EXPECT_LE(d.relL2, kRelTol);
        if (name == "output") {
            EXPECT_LE(d.maxAbs, kOutputMaxAbsFactor * std::max(1.0, d.refMaxAbs));
            EXPECT_EQ(test::compare(out, ref).maxAbs, d.maxAbs);  // the returned tensor is the observed one
        }
        ++compared;
    }
    EXPECT_GT(compared, 0) << "no reference tensors with prefix \"" << prefix << "\"";
}

TEST(TransformerParity, EveryFixtureMatchesReference) {
    const auto folders = test::referenceFolders("transformer_");
    ASSERT_FALSE(folders.empty()) << "no transformer_* fixtures in " << test::referenceDir();
    for (const fs::path& folder : folders) {
        SCOPED_TRACE(folder.string());
        if (!test::openIo(folder)->contains("output")) continue;  // another layout (LongSANA's full./chunk*.)
        const SanaTransformer model = SanaTransformer::load(folder);
        const auto& c = model.config();
        const auto split = c.ropeSplit();
        std::printf("[fixture %s] layers %d, %d heads x %d (RoPE %d/%d/%d), D %d\n",
                    folder.filename().string().c_str(), c.numLayers, c.numHeads, c.headDim, split[0],
                    split[1], split[2], c.innerDim());
        const auto io = test::openIo(folder);
        checkAgainstReference(model, *io, "", io->get("timestep"));
    }
}

TEST(TransformerParity, PerTokenTimestepMatchesReference) {
    int cases = 0;
    for (const fs::path& folder : test::referenceFolders("transformer_")) {
        SCOPED_TRACE(folder.string());
        const auto io = test::openIo(folder);
        if (!io->contains("pertoken.timestep")) continue;
        std::printf("[fixture %s, per-token timestep]\n", folder.filename().string().c_str());
        const SanaTransformer model = SanaTransformer::load(folder);
        checkAgainstReference(model, *io, "pertoken.", io->get("pertoken.timestep"));
        ++cases;
    }
    if (cases == 0) GTEST_SKIP() << "no fixture with pertoken.timestep";
}

// A per-token timestep that is constant within each sample must give exactly the scalar-timestep result.
TEST(TransformerParity, ConstantPerTokenTimestepEqualsScalar) {
    const fs::path folder = test::referenceFolders("transformer_").at(0);
    const SanaTransformer model = SanaTransformer::load(folder);
    const auto io = test::openIo(folder);
    const Tensor x = io->get("hidden_states"), t = io->get("timestep").to(DType::F32);
    const int64_t B = x.dim(0);
    const auto [pt, ph, pw] = model.config().patchSize;
    const int64_t Ft = x.dim(2) / pt, Ht = x.dim(3) / ph, Wt = x.dim(4) / pw;
    Tensor perToken = Tensor::empty({B, 1, Ft, Ht, Wt}, DType::F32);
    for (int64_t b = 0; b < B; ++b)
        std::fill_n(perToken.data<float>() + b * Ft * Ht * Wt, Ft * Ht * Wt, float(t.item(b)));
    const TransformerTextContext text =
        model.prepareText(io->get("encoder_hidden_states"), io->get("encoder_attention_mask"));
    const Tensor a = model.forward(x, t, text);
    const Tensor b = model.forward(x, perToken, text);
    EXPECT_EQ(test::compare(a, b).maxAbs, 0.0);
    // Integer (DPM-style) timesteps with the same values give the same result too.
    std::vector<int64_t> ints(static_cast<size_t>(B));
    for (int64_t i = 0; i < B; ++i) ints[size_t(i)] = int64_t(std::lround(t.item(i)));
    bool integral = true;
    for (int64_t i = 0; i < B; ++i) integral = integral && double(ints[size_t(i)]) == t.item(i);
    if (integral) {
        EXPECT_EQ(test::compare(a, model.forward(x, Tensor::fromInts(ints, {B}), text)).maxAbs, 0.0);
    }
}

// The prepared text context is reusable across steps: forward(prepared) == the one-call forward.
TEST(TransformerParity, PreparedTextMatchesOneCallForward) {
    const fs::path folder = test::referenceFolders("transformer_").at(0);
    const SanaTransformer model = SanaTransformer::load(folder);
    const auto io = test::openIo(folder);
    const Tensor x = io->get("hidden_states"), e = io->get("encoder_hidden_states");
    const Tensor m = io->get("encoder_attention_mask");
    const TransformerTextContext text = model.prepareText(e, m);
    const int64_t B = x.dim(0);
    for (float tv : {999.0f, 500.0f, 0.0f}) {
        const Tensor t = Tensor::full({B}, tv);
        EXPECT_EQ(test::compare(model.forward(x, t, text), model.forward(x, e, m, t)).maxAbs, 0.0)
            << "t " << tv;
    }
}

// Padded (mask 0) text tokens have exactly no influence; a valid token does (so the check can fail).
TEST(TransformerParity, PaddedTextTokensHaveNoEffect) {
    const fs::path folder = test::referenceFolders("transformer_").at(0);
    const SanaTransformer model = SanaTransformer::load(folder);
    const auto io = test::openIo(folder);
    const Tensor x = io->get("hidden_states"), t = io->get("timestep");
    const Tensor e = io->get("encoder_hidden_states").contiguous();
    Tensor mask = io->get("encoder_attention_mask").to(DType::I64).clone();
    const int64_t B = e.dim(0), L = e.dim(1), Cc = e.dim(2);
    ASSERT_GT(L, 1);
    int64_t padded = 0;
    for (int64_t i = 0; i < mask.numel(); ++i) padded += mask.data<int64_t>()[i] == 0;
    if (padded == 0)  // fixture without padding: pad the last token of every row ourselves
        for (int64_t b = 0; b < B; ++b) mask.data<int64_t>()[b * L + L - 1] = 0;

    const Tensor base = model.forward(x, e, mask, t);
    std::mt19937 rng(7);
    std::normal_distribution<float> dist(0.0f, 5.0f);
    Tensor changed = e.clone();
    int64_t validPos = -1;
    for (int64_t b = 0; b < B; ++b)
        for (int64_t l = 0; l < L; ++l) {
            if (mask.data<int64_t>()[b * L + l] != 0) {
                if (validPos < 0 && l > 0) validPos = b * L + l;
                continue;
            }
            for (int64_t ch = 0; ch < Cc; ++ch) changed.data<float>()[(b * L + l) * Cc + ch] = dist(rng);
        }
    const test::Diff d = test::compare(model.forward(x, changed, mask, t), base);
    std::printf("    padded tokens replaced: max abs change %.3e\n", d.maxAbs);
    EXPECT_EQ(d.maxAbs, 0.0);

    ASSERT_GE(validPos, 0);
    Tensor changedValid = e.clone();
    for (int64_t ch = 0; ch < Cc; ++ch) changedValid.data<float>()[validPos * Cc + ch] += 1.0f;
    EXPECT_GT(test::compare(model.forward(x, changedValid, mask, t), base).maxAbs, 0.0);
}

TEST(TransformerParity, RejectsBadInputs) {
    const fs::path folder = test::referenceFolders("transformer_").at(0);
    const SanaTransformer model = SanaTransformer::load(folder);
    const auto io = test::openIo(folder);
    const Tensor x = io->get("hidden_states"), t = io->get("timestep");
    const Tensor e = io->get("encoder_hidden_states"), m = io->get("encoder_attention_mask");
    const TransformerTextContext text = model.prepareText(e, m);
    const int64_t B = x.dim(0);
    // Odd spatial size (not a multiple of the patch; every size is one for 720p's 1×1×1 patches).
    if (model.config().patchSize[1] > 1) {
        Tensor odd = Tensor::zeros({B, x.dim(1), x.dim(2), x.dim(3) + 1, x.dim(4)}, DType::F32);
        EXPECT_THROW(model.forward(odd, t, text), Error);
    }
    // Wrong channel count.
    EXPECT_THROW(
        model.forward(Tensor::zeros({B, x.dim(1) + 1, x.dim(2), x.dim(3), x.dim(4)}, DType::F32), t, text),
        Error);
    // Timestep count neither B nor B·N.
    EXPECT_THROW(model.forward(x, Tensor::full({B + 1}, 1.0f), text), Error);
    // Batch mismatch between latents and text (one sample more than the text has, any fixture batch).
    Shape more = x.shape();
    more[0] = B + 1;
    EXPECT_THROW(model.forward(Tensor::zeros(more, DType::F32), Tensor::full({B + 1}, 1.0f), text), Error);
    // Mask of the wrong shape; caption features of the wrong width; a mask that is not 0/1.
    const int64_t L = e.dim(1);
    EXPECT_THROW(model.prepareText(e, Tensor::full({B, L + 1}, 1.0f, DType::I64)), Error);
    EXPECT_THROW(model.prepareText(Tensor::zeros({B, L, e.dim(2) + 1}, DType::F32), m), Error);
    Tensor twos = m.to(DType::I64).clone();
    twos.data<int64_t>()[0] = 2;
    EXPECT_THROW(model.prepareText(e, twos), Error);
    // The CPU backend refuses non-F32 compute weights.
    LoadOptions bf16;
    bf16.dtype = DType::BF16;
    EXPECT_THROW(SanaTransformer::load(folder, bf16), Error);
    EXPECT_THROW(SanaTransformer::load(folder / "does_not_exist"), Error);
}

// Writes the fixture weights converted to `dtype`, in a diffusers pipeline layout (root/transformer/),
// optionally sharded with an index, loads them back and checks every tensor is the converted value.
void roundTripWeights(DType dtype, bool sharded) {
    const fs::path folder = test::referenceFolders("transformer_").at(0);
    const WeightArchive src = WeightArchive::open(folder);
    test::TempDir tmp;
    const fs::path dir = tmp.path() / "transformer";
    fs::create_directories(dir);
    fs::copy_file(folder / "config.json", dir / "config.json");
    std::vector<std::pair<std::string, Tensor>> all;
    for (const std::string& n : src.names()) all.emplace_back(n, src.get(n).to(dtype));
    if (!sharded) {
        writeSafetensors(dir / "diffusion_pytorch_model.safetensors", all);
    } else {
        const size_t half = all.size() / 2;
        const std::vector<std::pair<std::string, Tensor>> a(all.begin(), all.begin() + long(half)),
            b(all.begin() + long(half), all.end());
        const std::string fa = "diffusion_pytorch_model-00001-of-00002.safetensors";
        const std::string fb = "diffusion_pytorch_model-00002-of-00002.safetensors";
        writeSafetensors(dir / fa, a);
        writeSafetensors(dir / fb, b);
        std::ofstream idx(dir / "diffusion_pytorch_model.safetensors.index.json");
        idx << "{\"metadata\": {}, \"weight_map\": {";
        for (size_t i = 0; i < all.size(); ++i)
            idx << (i ? "," : "") << "\"" << all[i].first << "\": \"" << (i < half ? fa : fb) << "\"";
        idx << "}}";
    }
    const SanaTransformer model = SanaTransformer::load(tmp.path());  // pipeline root → transformer/
    for (const std::string& n : src.names()) {
        SCOPED_TRACE(n);
        const Tensor& got = model.weights().get(n);
        ASSERT_EQ(got.dtype(), DType::F32);
        const Tensor expect = src.get(n).to(dtype).to(DType::F32);
        ASSERT_EQ(test::compare(got, expect).maxAbs, 0.0);
        if (src.get(n).numel() >
            1) {  // really converted: a reduced-precision copy differs from the f32 original
            EXPECT_GT(test::compare(got, src.get(n)).maxAbs, 0.0);
        }
    }
    // And it runs: the output stays close to the f32 reference (reduced-precision weights, loose bound).
    const auto io = test::openIo(folder);
    const Tensor out = model.forward(io->get("hidden_states"), io->get("encoder_hidden_states"),
                                     io->get("encoder_attention_mask"), io->get("timestep"));
    const test::Diff d = test::compare(out, io->get("output"));
    std::printf("    %s weights%s: output rel L2 vs f32 reference %.3e\n",
                std::string(dtypeName(dtype)).c_str(), sharded ? " (sharded)" : "", d.relL2);
    EXPECT_LT(d.relL2, 0.1);
}

TEST(TransformerLoading, Bf16CheckpointConvertedOnLoad) {
    roundTripWeights(DType::BF16, false);
}
TEST(TransformerLoading, F16ShardedCheckpointConvertedOnLoad) {
    roundTripWeights(DType::F16, true);
}

}  // namespace
}  // namespace sv
