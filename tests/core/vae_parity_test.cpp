// AutoencoderKLWan against the diffusers fixtures (every `vae_*` folder; SV_REFERENCE_DIR honoured):
// posterior, decoded video and every stored module output (hooks), plus loading variants, latent
// (un)normalisation against the pipeline fixtures, and the decoder's constant memory in the number of frames.
#include <algorithm>
#include <filesystem>
#include <iostream>
#include <map>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "io/json_util.h"
#include "models/wan_vae.h"
#include "support/reference.h"

namespace sv {
namespace {

namespace fs = std::filesystem;
constexpr double kTol = 1e-5;  // tolerance table: VAE encode mean/logvar, decode, CPU fp32

// Collects observer outputs per module, concatenated along time at the end.
struct HookRecorder {
    std::map<std::string, std::vector<Tensor>> chunks;
    VaeObserver observer() {
        return [this](std::string_view name, const Tensor& t) {
            chunks[std::string(name)].push_back(t.clone());
        };
    }
    Tensor get(const std::string& name) const {
        auto it = chunks.find(name);
        if (it == chunks.end()) return {};
        Shape shape = it->second.front().shape();
        shape[2] = 0;
        for (const Tensor& t : it->second) shape[2] += t.dim(2);
        Tensor out = Tensor::empty(shape, DType::F32);
        int64_t f = 0;
        for (const Tensor& t : it->second) {
            out.slice(2, f, f + t.dim(2)).copyFrom(t);
            f += t.dim(2);
        }
        return out;
    }
};

std::vector<fs::path> vaeFolders() {
    return test::referenceFoldersOfClass("vae_", "AutoencoderKLWan", "AutoencoderKLWan");
}

TEST(WanVaeParity, FixturesExist) {
    ASSERT_FALSE(vaeFolders().empty()) << "no vae_* folder under " << test::referenceDir();
}

TEST(WanVaeParity, EncodeDecodeAndHooksMatchDiffusers) {
    for (const fs::path& folder : vaeFolders()) {
        SCOPED_TRACE(folder.filename().string());
        std::cout << "[ fixture  ] " << folder.filename().string() << "\n";
        const WanVae vae = WanVae::load(folder);
        auto io = test::openIo(folder);

        HookRecorder hooks;
        const WanVaePosterior post = vae.encode(io->get("encode.input"), hooks.observer());
        SV_EXPECT_CLOSE(post.moments, io->get("encode.h"), kTol);
        SV_EXPECT_CLOSE(post.mean, io->get("encode.mean"), kTol);
        SV_EXPECT_CLOSE(post.logvar, io->get("encode.logvar"), kTol);

        // The streaming decode: 1 frame for the first latent frame, then scale_factor_temporal per latent
        // frame.
        const Tensor z = io->get("decode.latents"), decodeOutput = io->get("decode.output");
        ASSERT_EQ(decodeOutput.dim(2), vae.pixelFrameCount(z.dim(2)));
        Tensor video = Tensor::zeros(decodeOutput.shape(), DType::F32);
        int64_t next = 0;
        vae.decodeFrames(
            z,
            [&](int64_t first, const Tensor& frames) {
                ASSERT_EQ(first, next);
                ASSERT_EQ(frames.dim(2), first == 0 ? 1 : vae.config().scaleFactorTemporal);
                ASSERT_LE(first + frames.dim(2), video.dim(2));
                video.slice(2, first, first + frames.dim(2)).copyFrom(frames);
                next += frames.dim(2);
            },
            hooks.observer());
        EXPECT_EQ(next, decodeOutput.dim(2));
        SV_EXPECT_CLOSE(video, decodeOutput, kTol);

        int compared = 0;
        for (const TensorInfo& info : io->tensors()) {
            const std::string& name = info.name;
            if (name.rfind("hook.", 0) != 0 || name.ends_with(".ncalls")) continue;
            const std::string module = name.substr(5);
            SCOPED_TRACE(module);
            const Tensor mine = hooks.get(module), ref = io->get(name);
            ASSERT_TRUE(mine.defined()) << "the observer never reported module " << module;
            ASSERT_EQ(mine.shape(), ref.shape()) << module;
            const test::Diff d = test::compare(mine, ref);
            std::cout << "    hook " << module << ": rel L2 " << d.relL2 << ", max abs " << d.maxAbs << "\n";
            EXPECT_LE(d.relL2, kTol) << module;
            ++compared;
        }
        EXPECT_GT(compared, 10) << "expected the fixture's module hooks";
    }
}

// Either half loads alone (image-to-video needs only the encoder, text-to-video only the decoder). Checked on
// the first streamed chunk, which causality makes equal to the first frames of the full run.
TEST(WanVaeParity, HalvesLoadAlone) {
    for (const fs::path& folder : vaeFolders()) {
        SCOPED_TRACE(folder.filename().string());
        auto io = test::openIo(folder);
        const WanVae dec = WanVae::load(folder, WanVaeParts::Decoder);
        const WanVae enc = WanVae::load(folder, WanVaeParts::Encoder);
        EXPECT_TRUE(dec.hasDecoder() && !dec.hasEncoder());
        EXPECT_TRUE(enc.hasEncoder() && !enc.hasDecoder());
        const Tensor x = io->get("encode.input").slice(2, 0, 1), z = io->get("decode.latents").slice(2, 0, 1);
        SV_EXPECT_CLOSE(enc.encode(x).mean, io->get("encode.mean").slice(2, 0, 1), kTol);
        SV_EXPECT_CLOSE(dec.decode(z), io->get("decode.output").slice(2, 0, 1), kTol);
        EXPECT_THROW(enc.decode(z), Error);
        EXPECT_THROW(dec.encode(x), Error);
    }
}

TEST(WanVaeParity, FramesBeyondOnePlusFourKAreDropped) {
    for (const fs::path& folder : vaeFolders()) {
        SCOPED_TRACE(folder.filename().string());
        auto io = test::openIo(folder);
        const WanVae vae = WanVae::load(folder, WanVaeParts::Encoder);
        const Tensor x = io->get("encode.input");
        const int64_t F = x.dim(2), used = 1 + 4 * ((F - 1) / 4);
        // Up to 3 frames after the last complete chunk are dropped: appending 3 frames to the used part
        // changes nothing.
        Shape longer = x.shape();
        longer[2] = used + 3;
        Tensor padded = Tensor::full(longer, 0.25f);
        padded.slice(2, 0, used).copyFrom(x.slice(2, 0, used));
        const WanVaePosterior b = vae.encode(padded);
        EXPECT_EQ(b.mean.dim(2), vae.latentFrameCount(F));
        SV_EXPECT_CLOSE(b.mean, io->get("encode.mean"), kTol);
        SV_EXPECT_CLOSE(b.logvar, io->get("encode.logvar"), kTol);
        // A single image (image-to-video) runs only the first chunk and gives the first latent frame.
        const WanVaePosterior one = vae.encode(x.slice(2, 0, 1));
        EXPECT_EQ(one.mean.dim(2), 1);
        SV_EXPECT_CLOSE(one.mean, io->get("encode.mean").slice(2, 0, 1), kTol);
    }
}

// Batch entries are processed independently: a batch of two equals the two single runs.
TEST(WanVaeParity, BatchEntriesAreIndependent) {
    for (const fs::path& folder : vaeFolders()) {
        SCOPED_TRACE(folder.filename().string());
        auto io = test::openIo(folder);
        const WanVae vae = WanVae::load(folder);
        // Two samples made from the fixture's first one, whatever its batch size.
        auto batchOfTwo = [](const Tensor& t) {
            std::vector<float> v = t.slice(0, 0, 1).toFloatVector();
            const size_t n = v.size();
            v.resize(2 * n);
            for (size_t i = 0; i < n; ++i) v[n + i] = 0.5f * v[i] - 0.1f;  // a different second entry
            Shape shape = t.shape();
            shape[0] = 2;
            return Tensor::fromFloats(v, shape);
        };
        // Crops keep this cheap: 5 frames of 16×16 pixels, 2 latent frames of 2×2.
        const Tensor x = io->get("encode.input"), z = io->get("decode.latents");
        const int64_t s = vae.config().scaleFactorSpatial;
        const Tensor x2 = batchOfTwo(x.slice(2, 0, std::min<int64_t>(5, x.dim(2)))
                                         .slice(3, 0, std::min(2 * s, x.dim(3)))
                                         .slice(4, 0, std::min(2 * s, x.dim(4))));
        const Tensor z2 = batchOfTwo(z.slice(2, 0, std::min<int64_t>(2, z.dim(2)))
                                         .slice(3, 0, std::min<int64_t>(2, z.dim(3)))
                                         .slice(4, 0, std::min<int64_t>(2, z.dim(4))));
        const WanVaePosterior post = vae.encode(x2);
        const Tensor video = vae.decode(z2);
        for (int64_t b = 0; b < 2; ++b) {
            SCOPED_TRACE(b);
            EXPECT_LE(
                test::compare(post.moments.slice(0, b, b + 1), vae.encode(x2.slice(0, b, b + 1)).moments)
                    .relL2,
                1e-6);
            EXPECT_LE(test::compare(video.slice(0, b, b + 1), vae.decode(z2.slice(0, b, b + 1))).relL2, 1e-6);
        }
    }
}

// Weights stored as BF16 / F16 are converted on load: the model equals one built from the rounded F32
// weights.
TEST(WanVaeParity, HalfPrecisionCheckpointsConvertOnLoad) {
    const auto folders = vaeFolders();
    ASSERT_FALSE(folders.empty());
    const fs::path folder = folders.front();
    const WanVaeConfig config = WanVaeConfig::load(folder / "config.json");
    const WeightArchive archive = WeightArchive::open(folder);
    auto io = test::openIo(folder);
    const Tensor z = io->get("decode.latents").slice(2, 0, 2).slice(3, 0, 2).slice(4, 0, 2);
    for (DType dt : {DType::BF16, DType::F16}) {
        SCOPED_TRACE(dtypeName(dt));
        test::TempDir dir;
        fs::copy_file(folder / "config.json", dir.path() / "config.json");
        std::vector<std::pair<std::string, Tensor>> stored;
        WeightSet rounded;
        for (const WeightSpec& s : wanVaeDecoderWeightSpecs(config)) {
            Tensor h = archive.get(s.name).to(dt);
            stored.emplace_back(s.name, h);
            rounded.set(s.name, h.to(DType::F32));
        }
        writeSafetensors(dir.path() / "diffusion_pytorch_model.safetensors", stored);
        const WanVae loaded = WanVae::load(dir.path(), WanVaeParts::Decoder);
        const WanVae built(config, std::move(rounded), WanVaeParts::Decoder);
        EXPECT_EQ(test::compare(loaded.decode(z), built.decode(z)).maxAbs, 0.0);
    }
}

TEST(WanVaeParity, StrictLoadingNamesMissingAndMisshapedTensors) {
    const auto folders = vaeFolders();
    ASSERT_FALSE(folders.empty());
    const fs::path folder = folders.front();
    const WanVaeConfig config = WanVaeConfig::load(folder / "config.json");
    const WeightArchive archive = WeightArchive::open(folder);
    test::TempDir dir;
    fs::copy_file(folder / "config.json", dir.path() / "config.json");
    std::vector<std::pair<std::string, Tensor>> stored;
    for (const WeightSpec& s : wanVaeDecoderWeightSpecs(config)) {
        if (s.name == "decoder.conv_in.bias") continue;  // missing
        Tensor t = archive.get(s.name);
        if (s.name == "post_quant_conv.bias") t = Tensor::zeros({t.numel() + 1}, DType::F32);  // wrong shape
        stored.emplace_back(s.name, t);
    }
    writeSafetensors(dir.path() / "diffusion_pytorch_model.safetensors", stored);
    try {
        (void)WanVae::load(dir.path(), WanVaeParts::Decoder);
        ADD_FAILURE() << "expected sv::Error";
    } catch (const Error& e) {
        const std::string msg = e.what();
        EXPECT_NE(msg.find("decoder.conv_in.bias"), std::string::npos) << msg;
        EXPECT_NE(msg.find("post_quant_conv.bias"), std::string::npos) << msg;
    }
    // The encoder half is absent from this file: loading it names its tensors.
    EXPECT_THROW((void)WanVae::load(dir.path(), WanVaeParts::Encoder), Error);
    EXPECT_THROW((void)WanVae::load(dir.path() / "nowhere"), Error);
}

TEST(WanVaeParity, BadInputsAreErrors) {
    const auto folders = vaeFolders();
    ASSERT_FALSE(folders.empty());
    const WanVae vae = WanVae::load(folders.front());
    const int64_t z = vae.config().zDim;
    EXPECT_THROW(vae.encode(Tensor::zeros({1, 3, 1, 4, 4}, DType::F32)), Error);    // smaller than 8×8
    EXPECT_THROW(vae.encode(Tensor::zeros({1, 4, 1, 16, 16}, DType::F32)), Error);  // channels
    EXPECT_THROW(vae.encode(Tensor::zeros({3, 16, 16}, DType::F32)), Error);        // rank
    EXPECT_THROW(vae.decode(Tensor::zeros({1, z + 1, 1, 2, 2}, DType::F32)), Error);
    EXPECT_THROW(vae.decode(Tensor::zeros({1, z, 0, 2, 2}, DType::F32)), Error);
    EXPECT_THROW(vae.decode(Tensor::zeros({1, z, 1, 2, 2}, DType::I64)), Error);
}

// The pipelines' latent (un)normalisation: t2v decodes final_latents / (1/std) + mean; i2v normalises the
// image latent's posterior mean as (mean − μ)·(1/std). Both VAE calls are checked too.
TEST(WanVaeParity, PipelineLatentNormalisation) {
    int checked = 0;
    for (const fs::path& folder : test::referenceFolders("pipeline_")) {
        SCOPED_TRACE(folder.filename().string());
        const nlohmann::json meta = readJsonFile(folder / "meta.json");
        if (!meta.contains("components") || !meta["components"].contains("vae")) continue;
        // Either VAE class (the 720p pipelines use the LTX-2 VAE, whose statistics are weight buffers).
        const auto vae = loadVideoVae(folder / meta["components"]["vae"].get<std::string>());
        auto io = test::openIo(folder);
        if (io->contains("final_latents") && io->contains("decode.input")) {
            const Tensor zin = vae->denormalizeLatents(io->get("final_latents"));
            SV_EXPECT_CLOSE(zin, io->get("decode.input"), 1e-7);
            ++checked;
        }
        if (io->contains("vae_encode.input")) {
            const VaePosterior post = vae->encode(io->get("vae_encode.input"));
            SV_EXPECT_CLOSE(post.mean, io->get("image_latents.mean"), kTol);
            SV_EXPECT_CLOSE(vae->normalizeLatents(io->get("image_latents.mean")),
                            io->get("image_latents.normalized"), 1e-7);
            ++checked;
        }
    }
    if (checked == 0) GTEST_SKIP() << "no pipeline_* fixtures with VAE tensors";
}

// A small random decoder (independent of the fixtures): the peak of live host tensor bytes during a streaming
// decode does not depend on the number of frames, and a collecting decode grows by its output only.
TEST(WanVaeMemory, DecoderPeakIsFlatInFrameCount) {
    WanVaeConfig config;
    config.baseDim = config.decoderBaseDim = 8;
    config.dimMult = {1, 2, 2, 2};
    config.numResBlocks = 1;
    config.latentsMean.assign(size_t(config.zDim), 0.0f);
    config.latentsStd.assign(size_t(config.zDim), 1.0f);
    const WanVae vae(config, randomWeights(wanVaeDecoderWeightSpecs(config), 7), WanVaeParts::Decoder);

    auto latents = [&](int64_t frames) {
        std::mt19937 rng(1);
        std::normal_distribution<float> nd;
        std::vector<float> v(size_t(config.zDim * frames * 2 * 2));
        for (float& x : v) x = nd(rng);
        return Tensor::fromFloats(v, {1, config.zDim, frames, 2, 2});
    };
    auto streamingPeak = [&](int64_t frames) {
        const Tensor z = latents(frames);
        resetHostTensorPeak();
        const int64_t base = hostTensorMemory().current;
        int64_t produced = 0;
        vae.decodeFrames(z, [&](int64_t, const Tensor& f) { produced += f.dim(2); });
        EXPECT_EQ(produced, vae.pixelFrameCount(frames));
        EXPECT_EQ(hostTensorMemory().current, base) << "the decoder leaked tensors";
        return hostTensorMemory().peak - base;
    };
    auto collectingPeak = [&](int64_t frames, int64_t& outBytes) {
        const Tensor z = latents(frames);
        resetHostTensorPeak();
        const int64_t base = hostTensorMemory().current;
        const Tensor video = vae.decode(z);
        outBytes = int64_t(video.nbytes());
        return hostTensorMemory().peak - base;
    };
    // From the third latent frame on every cache holds its full 2 frames: 3 and 6 latent frames (9 and 21
    // pixel frames) must peak identically; 2 latent frames (5 pixel frames) may not exceed them.
    const int64_t p2 = streamingPeak(2), p3 = streamingPeak(3), p6 = streamingPeak(6);
    std::cout << "[ memory   ] streaming decode peak: 2 latent frames " << p2 << " B, 3: " << p3
              << " B, 6: " << p6 << " B\n";
    EXPECT_GT(p3, 0);
    EXPECT_LE(p2, p3);
    EXPECT_EQ(p6, p3);
    int64_t out3 = 0, out6 = 0;
    const int64_t c3 = collectingPeak(3, out3), c6 = collectingPeak(6, out6);
    std::cout << "[ memory   ] collecting decode peak: 3 latent frames " << c3 << " B, 6: " << c6
              << " B (outputs " << out3 << " / " << out6 << " B)\n";
    EXPECT_LE(c6 - c3, out6 - out3);
}

}  // namespace
}  // namespace sv
