// Gemma-2 text encoder against every gemma2_* fixture folder (transformers Gemma2Model, eager attention,
// fp32): the scaled embeddings, every decoder layer's output and the last hidden state, with soft-capping ON
// (the fixture was made eager). Also: the soft-capping switch really changes the result, and the loader
// accepts a Gemma2ForCausalLM-style "model." prefix, a sharded checkpoint and bf16-stored weights.
#include <gtest/gtest.h>

#include <fstream>
#include <iostream>
#include <map>

#include <nlohmann/json.hpp>

#include "base/half.h"
#include "models/gemma2.h"
#include "support/reference.h"

namespace sv {
namespace {

namespace fs = std::filesystem;

constexpr double kRelTol = 5e-5;        // CPU fp32 row of the tolerance table
constexpr double kMaxAbsFactor = 1e-3;  // max_abs ≤ 1e-3 · max(1, max|ref|)

std::vector<fs::path> gemmaFolders() {
    auto folders = test::referenceFolders("gemma2_");
    EXPECT_FALSE(folders.empty()) << "no gemma2_* folder in " << test::referenceDir();
    return folders;
}

void expectParity(const std::string& name, const Tensor& out, const Tensor& ref) {
    SCOPED_TRACE(name);
    ASSERT_EQ(out.shape(), ref.shape());
    const test::Diff d = test::compare(out, ref);
    std::cout << "    " << name << ": rel L2 " << d.relL2 << ", max abs " << d.maxAbs << " (ref max "
              << d.refMaxAbs << ")\n";
    EXPECT_LE(d.relL2, kRelTol);
    EXPECT_LE(d.maxAbs, kMaxAbsFactor * std::max(1.0, d.refMaxAbs)) << name << ": rel " << d.relL2;
}

struct EncodeRun {
    Tensor out;
    std::map<std::string, Tensor> seen;
};

EncodeRun encodeFixture(const Gemma2Encoder& enc, const SafetensorsFile& io) {
    EncodeRun r;
    r.out =
        enc.encode(io.get("input_ids"), io.get("attention_mask"),
                   [&](std::string_view name, const Tensor& t) { r.seen[std::string(name)] = t.clone(); });
    return r;
}

TEST(Gemma2Parity, EveryStoredTensorWithSoftcap) {
    for (const auto& f : gemmaFolders()) {
        SCOPED_TRACE(f.filename().string());
        const Gemma2Encoder enc = Gemma2Encoder::load(f, {}, {.softcap = true});
        const auto io = test::openIo(f);
        const EncodeRun r = encodeFixture(enc, *io);

        std::vector<std::string> names = {"embeds_scaled"};
        for (int i = 0; i < enc.config().numLayers; ++i) names.push_back(concat("layer_", i));
        names.push_back("last_hidden_state");
        for (const auto& n : names) {
            ASSERT_TRUE(io->contains(n)) << "io.safetensors lacks " << n;
            ASSERT_TRUE(r.seen.count(n)) << "the observer never received " << n;
            expectParity(n, r.seen.at(n), io->get(n));
        }
        EXPECT_EQ(r.seen.size(), names.size());
        expectParity("returned", r.out, io->get("last_hidden_state"));
    }
}

TEST(Gemma2Parity, SoftcapSwitchChangesTheResult) {
    for (const auto& f : gemmaFolders()) {
        SCOPED_TRACE(f.filename().string());
        Gemma2Encoder enc = Gemma2Encoder::load(f);
        EXPECT_FALSE(enc.options().softcap) << "the default must match diffusers (SDPA: no soft-capping)";
        const auto io = test::openIo(f);
        const Tensor ref = io->get("last_hidden_state");
        const Tensor off = encodeFixture(enc, *io).out;
        enc.setOptions({.softcap = true});
        const Tensor on = encodeFixture(enc, *io).out;
        const double relOn = test::compare(on, ref).relL2, relOff = test::compare(off, ref).relL2;
        std::cout << "  " << f.filename().string() << ": softcap on rel " << relOn << ", off rel " << relOff
                  << "\n";
        EXPECT_LE(relOn, kRelTol);
        // The fixture's scores are large (README: dropping the cap moves the output by ~18 %).
        EXPECT_GT(relOff, 1e-2);
        // Embeddings do not depend on the switch.
        EXPECT_EQ(
            test::compare(encodeFixture(enc, *io).seen.at("embeds_scaled"), io->get("embeds_scaled")).maxAbs,
            0.0);
    }
}

std::vector<std::pair<std::string, Tensor>> readAll(const fs::path& file) {
    auto sf = SafetensorsFile::open(file);
    std::vector<std::pair<std::string, Tensor>> out;
    for (const auto& info : sf->tensors()) out.emplace_back(info.name, sf->get(info.name).clone());
    return out;
}

void expectSameOutput(const Gemma2Encoder& a, const Gemma2Encoder& b, const SafetensorsFile& io) {
    const Tensor ids = io.get("input_ids"), mask = io.get("attention_mask");
    const test::Diff d = test::compare(a.encode(ids, mask), b.encode(ids, mask));
    EXPECT_EQ(d.maxAbs, 0.0);
}

TEST(Gemma2Loader, AcceptsCausalLmPrefixAndShards) {
    for (const auto& f : gemmaFolders()) {
        SCOPED_TRACE(f.filename().string());
        const auto plain = readAll(f / "model.safetensors");
        const auto io = test::openIo(f);
        const Gemma2Encoder ref = Gemma2Encoder::load(f, {}, {.softcap = true});

        // One file, Gemma2ForCausalLM names ("model." + name) plus the tied lm_head.
        test::TempDir single;
        fs::copy_file(f / "config.json", single.path() / "config.json");
        std::vector<std::pair<std::string, Tensor>> prefixed;
        for (const auto& [n, t] : plain) prefixed.emplace_back("model." + n, t);
        prefixed.emplace_back("lm_head.weight", ref.weights().get("embed_tokens.weight"));
        writeSafetensors(single.path() / "model.safetensors", prefixed);
        expectSameOutput(ref, Gemma2Encoder::load(single.path(), {}, {.softcap = true}), *io);

        // Two shards with an index, prefixed.
        test::TempDir sharded;
        fs::copy_file(f / "config.json", sharded.path() / "config.json");
        nlohmann::json index = {{"metadata", nlohmann::json::object()},
                                {"weight_map", nlohmann::json::object()}};
        std::vector<std::pair<std::string, Tensor>> shard[2];
        for (size_t i = 0; i < prefixed.size(); ++i) {
            const std::string file = concat("model-0000", i % 2 + 1, "-of-00002.safetensors");
            shard[i % 2].push_back(prefixed[i]);
            index["weight_map"][prefixed[i].first] = file;
        }
        writeSafetensors(sharded.path() / "model-00001-of-00002.safetensors", shard[0]);
        writeSafetensors(sharded.path() / "model-00002-of-00002.safetensors", shard[1]);
        std::ofstream(sharded.path() / "model.safetensors.index.json") << index.dump(2);
        expectSameOutput(ref, Gemma2Encoder::load(sharded.path(), {}, {.softcap = true}), *io);
    }
}

TEST(Gemma2Loader, Bf16CheckpointLoadsAsItsFloatValues) {
    for (const auto& f : gemmaFolders()) {
        SCOPED_TRACE(f.filename().string());
        const auto io = test::openIo(f);
        // The same bf16-representable weights stored once as F32 and once as BF16 must give identical
        // outputs.
        std::vector<std::pair<std::string, Tensor>> asF32, asBf16;
        for (const auto& [n, t] : readAll(f / "model.safetensors")) {
            Tensor r = t.to(DType::F32).contiguous().clone();
            float* p = r.data<float>();
            for (int64_t i = 0; i < r.numel(); ++i) p[i] = roundBf16(p[i]);
            asF32.emplace_back(n, r);
            asBf16.emplace_back(n, t.to(DType::BF16));
        }
        test::TempDir a, b;
        for (const auto* d : {&a, &b}) fs::copy_file(f / "config.json", d->path() / "config.json");
        writeSafetensors(a.path() / "model.safetensors", asF32);
        writeSafetensors(b.path() / "model.safetensors", asBf16);
        ASSERT_EQ(SafetensorsFile::open(b.path() / "model.safetensors")->tensors().at(0).dtype, DType::BF16);
        const Gemma2Encoder fromF32 = Gemma2Encoder::load(a.path());
        const Gemma2Encoder fromBf16 = Gemma2Encoder::load(b.path());
        EXPECT_EQ(fromBf16.weights().get("norm.weight").dtype(), DType::F32);
        expectSameOutput(fromF32, fromBf16, *io);
    }
}

TEST(Gemma2Loader, BadInputsNameTheProblem) {
    const auto folders = gemmaFolders();
    ASSERT_FALSE(folders.empty());
    const fs::path f = folders.front();
    auto expectError = [](auto&& fn, const std::string& needle) {
        try {
            fn();
            ADD_FAILURE() << "expected an sv::Error mentioning " << needle;
        } catch (const Error& e) {
            EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
        }
    };
    test::TempDir empty;
    expectError([&] { Gemma2Encoder::load(empty.path()); }, "config.json");
    LoadOptions bf16;
    bf16.dtype = DType::BF16;
    expectError([&] { Gemma2Encoder::load(f, bf16); }, "float32");

    // A checkpoint missing one tensor: the loader names it.
    test::TempDir partial;
    fs::copy_file(f / "config.json", partial.path() / "config.json");
    auto tensors = readAll(f / "model.safetensors");
    const std::string dropped = tensors.back().first;
    tensors.pop_back();
    writeSafetensors(partial.path() / "model.safetensors", tensors);
    expectError([&] { Gemma2Encoder::load(partial.path()); }, dropped);

    const Gemma2Encoder enc = Gemma2Encoder::load(f);
    const auto io = test::openIo(f);
    const Tensor ids = io->get("input_ids"), mask = io->get("attention_mask");
    // The last id out of range (any fixture batch and length): the error names its position.
    Tensor badIds = ids.clone();
    const int64_t B = ids.dim(0), L = ids.dim(1);
    badIds.data<int64_t>()[B * L - 1] = enc.config().vocabSize;
    expectError([&] { enc.encode(badIds, mask); }, concat("input_ids[", B - 1, ", ", L - 1, "]"));
    expectError([&] { enc.encode(ids.to(DType::F32), mask); }, "input_ids");
    expectError([&] { enc.encode(ids, mask.slice(1, 0, ids.dim(1) - 1)); }, "attention_mask");
    Tensor badMask = mask.clone();
    badMask.data<int64_t>()[0] = 2;
    expectError([&] { enc.encode(ids, badMask); }, "attention_mask[0, 0]");
}

}  // namespace
}  // namespace sv
