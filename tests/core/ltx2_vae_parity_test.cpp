// AutoencoderKLLTX2Video against the diffusers fixtures: every fixture folder whose config.json names the
// class (SV_REFERENCE_DIR honoured; skipped with a message while no such folder exists): posterior, decoded
// video, every stored module output (hooks), either half alone and batch independence. Plus, independent of
// the fixtures: the streamed decoder's bounded memory and the config rules.
#include <filesystem>
#include <iostream>
#include <map>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "io/json_util.h"
#include "models/ltx2_vae.h"
#include "support/reference.h"

namespace sv {
namespace {

namespace fs = std::filesystem;
constexpr double kTol = 1e-5;  // tolerance table: VAE encode mean/logvar, decode, CPU fp32

std::vector<fs::path> ltxFolders() {
    return test::referenceFoldersOfClass("", "AutoencoderKLLTX2Video");
}

#define SV_SKIP_WITHOUT_LTX_FIXTURES(folders)                                                 \
    if ((folders).empty())                                                                    \
    GTEST_SKIP() << "no AutoencoderKLLTX2Video fixture folder under " << test::referenceDir() \
                 << " yet (the generator's LTX-2 VAE set)"

// Observer outputs per module, concatenated along time.
struct HookRecorder {
    std::map<std::string, std::vector<Tensor>> chunks;
    VaeObserver observer() {
        return [this](std::string_view name, const Tensor& t) {
            chunks[std::string(name)].push_back(t.to(Device::cpu()).to(DType::F32));
        };
    }
    Tensor get(const std::string& name) const {
        auto it = chunks.find(name);
        return it == chunks.end() ? Tensor() : concatFrames(it->second);
    }
};

int compareHooks(const SafetensorsFile& io, const HookRecorder& hooks, std::string_view prefix) {
    int compared = 0;
    for (const TensorInfo& info : io.tensors()) {
        const std::string& name = info.name;
        if (!name.starts_with("hook.") || name.ends_with(".ncalls")) continue;
        // hook.<module>, or hook.encode.<module> / hook.decode.<module> (vae_ltx2_tiny's names)
        std::string module = name.substr(5);
        for (const char* pass : {"encode.", "decode."})
            if (module.starts_with(pass)) module = module.substr(std::string_view(pass).size());
        if (!module.starts_with(prefix)) continue;
        SCOPED_TRACE(module);
        const Tensor mine = hooks.get(module), ref = io.get(name);
        if (!mine.defined()) {
            ADD_FAILURE() << "the observer never reported module " << module;
            continue;
        }
        const test::Diff d = test::compare(mine, ref);
        std::cout << "    hook " << module << ": rel L2 " << d.relL2 << ", max abs " << d.maxAbs << "\n";
        EXPECT_LE(d.relL2, kTol) << module;
        ++compared;
    }
    return compared;
}

TEST(Ltx2VaeParity, EncodeMatchesDiffusers) {
    const auto folders = ltxFolders();
    SV_SKIP_WITHOUT_LTX_FIXTURES(folders);
    int checked = 0;
    for (const fs::path& folder : folders) {
        SCOPED_TRACE(folder.filename().string());
        std::cout << "[ fixture  ] " << folder.filename().string() << "\n";
        auto io = test::openIo(folder);
        if (!io->contains("encode.input")) continue;
        ++checked;
        const Ltx2Vae vae = Ltx2Vae::load(folder, VaeParts::Encoder);
        HookRecorder hooks;
        const VaePosterior post = vae.encode(io->get("encode.input"), hooks.observer());
        SV_EXPECT_CLOSE(post.mean, io->get("encode.mean"), kTol);
        SV_EXPECT_CLOSE(post.logvar, io->get("encode.logvar"), kTol);
        if (io->contains("encode.h")) {
            SV_EXPECT_CLOSE(post.moments, io->get("encode.h"), kTol);
        }
        EXPECT_GT(compareHooks(*io, hooks, "encoder"), 0);
        // The first frame alone (what image-to-video encodes).
        if (io->contains("encode_image.input")) {
            const VaePosterior one = vae.encode(io->get("encode_image.input"));
            SV_EXPECT_CLOSE(one.mean, io->get("encode_image.mean"), kTol);
            SV_EXPECT_CLOSE(one.logvar, io->get("encode_image.logvar"), kTol);
        }
        // The statistics the pipelines use are the buffers (copied into the io file): (z − mean) ·
        // float(1/std).
        if (io->contains("latents_mean")) {
            const Tensor z = io->get("encode.mean");
            const std::vector<float> mean = io->get("latents_mean").toFloatVector(),
                                     stdv = io->get("latents_std").toFloatVector();
            std::vector<float> v = z.toFloatVector();
            const int64_t C = z.dim(1), S = z.numel() / (z.dim(0) * C);
            for (size_t i = 0; i < v.size(); ++i) {
                const size_t c = size_t((int64_t(i) / S) % C);
                v[i] = (v[i] - mean[c]) * (1.0f / stdv[c]);
            }
            EXPECT_EQ(test::compare(vae.normalizeLatents(z), Tensor::fromFloats(v, z.shape())).maxAbs, 0.0);
        }
    }
    EXPECT_GT(checked, 0) << "no LTX-2 VAE fixture holds encode.input (tensor names as in vae_tiny/)";
}

TEST(Ltx2VaeParity, StreamedDecodeMatchesDiffusers) {
    const auto folders = ltxFolders();
    SV_SKIP_WITHOUT_LTX_FIXTURES(folders);
    int checked = 0;
    for (const fs::path& folder : folders) {
        SCOPED_TRACE(folder.filename().string());
        auto io = test::openIo(folder);
        if (!io->contains("decode.latents")) continue;
        ++checked;
        const Ltx2Vae vae = Ltx2Vae::load(folder, VaeParts::Decoder);
        const Tensor z = io->get("decode.latents"), ref = io->get("decode.output");
        ASSERT_EQ(ref.dim(2), vae.pixelFrameCount(z.dim(2)));
        HookRecorder hooks;
        Tensor video = Tensor::zeros(ref.shape(), DType::F32);
        int64_t next = 0, chunks = 0;
        vae.decodeFrames(
            z,
            [&](int64_t first, const Tensor& frames) {
                ASSERT_EQ(first, next);
                ASSERT_LE(first + frames.dim(2), video.dim(2));
                video.slice(2, first, first + frames.dim(2)).copyFrom(frames);
                next += frames.dim(2);
                ++chunks;
            },
            hooks.observer());
        EXPECT_EQ(next, ref.dim(2));
        SV_EXPECT_CLOSE(video, ref, kTol);
        std::cout << "    decoded " << next << " frames in " << chunks << " chunks\n";
        EXPECT_GT(compareHooks(*io, hooks, "decoder"), 0);
    }
    EXPECT_GT(checked, 0) << "no LTX-2 VAE fixture holds decode.latents (tensor names as in vae_tiny/)";
}

// Batch entries are independent (B = 2 of a fixture's latents vs each alone); catches a batch stride slip in
// any kernel, on any fixture set.
TEST(Ltx2VaeParity, BatchEntriesAreIndependent) {
    const auto folders = ltxFolders();
    SV_SKIP_WITHOUT_LTX_FIXTURES(folders);
    const Ltx2Vae vae = Ltx2Vae::load(folders.front());
    auto io = test::openIo(folders.front());
    const Tensor z1 = io->get("decode.latents")
                          .slice(0, 0, 1)
                          .slice(2, 0, std::min<int64_t>(2, io->get("decode.latents").dim(2)));
    Shape shape = z1.shape();
    shape[0] = 2;
    Tensor z2 = Tensor::empty(shape, DType::F32);
    z2.slice(0, 0, 1).copyFrom(z1);
    std::vector<float> other = z1.toFloatVector();
    for (float& v : other) v = 0.5f * v - 0.25f;
    z2.slice(0, 1, 2).copyFrom(Tensor::fromFloats(other, z1.shape()));
    const Tensor both = vae.decode(z2);
    EXPECT_LE(test::compare(both.slice(0, 0, 1), vae.decode(z2.slice(0, 0, 1))).relL2, 1e-6);
    EXPECT_LE(test::compare(both.slice(0, 1, 2), vae.decode(z2.slice(0, 1, 2))).relL2, 1e-6);
}

TEST(Ltx2VaeParity, BadInputsAreErrors) {
    const auto folders = ltxFolders();
    SV_SKIP_WITHOUT_LTX_FIXTURES(folders);
    const Ltx2Vae vae = Ltx2Vae::load(folders.front());
    const int64_t z = vae.latentChannels(), s = vae.config().spatialCompression;
    EXPECT_THROW(vae.encode(Tensor::zeros({1, 3, 1, s / 2, s}, DType::F32)), Error);  // not a multiple
    EXPECT_THROW(vae.encode(Tensor::zeros({1, 3, 2, s, s}, DType::F32)), Error);      // 2 frames: not 1 + 8k
    EXPECT_THROW(vae.encode(Tensor::zeros({1, 4, 1, s, s}, DType::F32)), Error);
    EXPECT_THROW(vae.decode(Tensor::zeros({1, z + 1, 1, 2, 2}, DType::F32)), Error);
    EXPECT_THROW(vae.decode(Tensor::zeros({1, z, 1, 2, 2}, DType::I64)), Error);
}

// ---- independent of the fixtures
// ---------------------------------------------------------------------------------

Ltx2VaeConfig smallConfig(bool causal) {
    Ltx2VaeConfig c;
    c.latentChannels = 8;
    c.blockOutChannels = {16, 32, 64, 128};
    c.decoderBlockOutChannels = {8, 16, 32};
    c.layersPerBlock = {1, 1, 1, 1, 1};
    c.decoderLayersPerBlock = {1, 1, 1, 1};
    c.patchSize = 2;
    c.decoderCausal = causal;
    return c;
}

Tensor randomLatents(int64_t channels, int64_t frames, int64_t h, int64_t w) {
    std::mt19937 rng(3);
    std::normal_distribution<float> nd;
    std::vector<float> v(size_t(channels * frames * h * w));
    for (float& x : v) x = nd(rng);
    return Tensor::fromFloats(v, {1, channels, frames, h, w});
}

// The streamed decoder holds a few frames per level, not the video: its peak does not grow with the frame
// count and stays far below the decoded video's size.
TEST(Ltx2VaeMemory, StreamedDecodePeakIsBounded) {
    for (bool causal : {false, true}) {
        SCOPED_TRACE(causal ? "causal decoder" : "non-causal decoder");
        const Ltx2VaeConfig c = smallConfig(causal);
        WeightSet w = randomWeights(ltx2VaeDecoderWeightSpecs(c), 11);
        w.set("latents_std", Tensor::full({c.latentChannels}, 1.0f));
        const Ltx2Vae vae(c, std::move(w), VaeParts::Decoder);
        auto peak = [&](int64_t frames, int64_t& outBytes) {
            const Tensor z = randomLatents(c.latentChannels, frames, 4, 4);
            resetHostTensorPeak();
            const int64_t base = hostTensorMemory().current;
            int64_t produced = 0;
            vae.decodeFrames(z, [&](int64_t, const Tensor& f) { produced += f.dim(2); });
            EXPECT_EQ(produced, vae.pixelFrameCount(frames));
            EXPECT_EQ(hostTensorMemory().current, base) << "the decoder leaked tensors";
            outBytes = produced * 3 * 64 * 64 * 4;
            return hostTensorMemory().peak - base;
        };
        // Past the first frames (the pipeline of delays filling up) the peak stays put.
        int64_t out12 = 0, out24 = 0;
        const int64_t p12 = peak(12, out12), p24 = peak(24, out24);
        std::cout << "[ memory   ] streamed decode peak: 12 latent frames " << p12 << " B, 24: " << p24
                  << " B (outputs " << out12 << " / " << out24 << " B)\n";
        EXPECT_LT(p24 - p12, (out24 - out12) / 16);
        EXPECT_LT(p24, out24);
    }
}

// A causal decoder decodes a prefix of the latents to exactly a prefix of the video (every conv sees only the
// past); the non-causal one (LTX-2's) lets the next latent frame change the frames before it.
TEST(Ltx2VaeStreaming, CausalityFollowsTheConfig) {
    for (bool causal : {false, true}) {
        SCOPED_TRACE(causal ? "causal decoder" : "non-causal decoder");
        const Ltx2VaeConfig c = smallConfig(causal);
        WeightSet w = randomWeights(ltx2VaeDecoderWeightSpecs(c), 5);
        w.set("latents_std", Tensor::full({c.latentChannels}, 1.0f));
        const Ltx2Vae vae(c, std::move(w), VaeParts::Decoder);
        const Tensor z = randomLatents(c.latentChannels, 5, 3, 2);
        const Tensor full = vae.decode(z);
        ASSERT_EQ(full.dim(2), 33);
        if (causal) {
            // Causal: a prefix of the latents decodes to a prefix of the video.
            const Tensor prefix = vae.decode(z.slice(2, 0, 2));
            EXPECT_EQ(test::compare(prefix, full.slice(2, 0, prefix.dim(2))).maxAbs, 0.0);
        } else {
            // Non-causal: the last latent frame changes the frames before it.
            const Tensor prefix = vae.decode(z.slice(2, 0, 2));
            EXPECT_GT(test::compare(prefix, full.slice(2, 0, prefix.dim(2))).maxAbs, 0.0);
        }
    }
}

TEST(Ltx2VaeConfig, DefaultsAreLtx2AndRulesAreChecked) {
    const Ltx2VaeConfig d = Ltx2VaeConfig::fromJson(nlohmann::json::object(), "defaults");
    EXPECT_EQ(d.latentChannels, 128);
    EXPECT_EQ(d.spatialCompression, 4 << 4);  // null ratios: patch · 2^Σ scaling, as diffusers computes
    const Ltx2Layout L = ltx2VaeLayout(d);
    EXPECT_EQ(L.decodedFrames(11), 81);
    EXPECT_EQ(L.encodedFrames(81), 11);
    EXPECT_EQ(L.decoderSpatialScale(), 32);
    nlohmann::json j = {{"spatial_compression_ratio", 32}, {"temporal_compression_ratio", 8}};
    EXPECT_EQ(Ltx2VaeConfig::fromJson(j, "x").temporalCompression, 8);
    for (auto [key, value] : std::vector<std::pair<const char*, nlohmann::json>>{
             {"timestep_conditioning", true},
             {"decoder_inject_noise", true},
             {"patch_size_t", 2},
             {"decoder_spatial_padding_mode", "circular"},
             {"downsample_type", {"conv", "temporal", "spatiotemporal", "spatiotemporal"}},
             {"layers_per_block", {4, 6}}}) {
        SCOPED_TRACE(key);
        nlohmann::json bad = {{key, value}};
        try {
            (void)Ltx2VaeConfig::fromJson(bad, "x/config.json");
            ADD_FAILURE() << "accepted";
        } catch (const Error& e) {
            EXPECT_NE(std::string(e.what()).find("x/config.json"), std::string::npos) << e.what();
        }
    }
}

}  // namespace
}  // namespace sv
