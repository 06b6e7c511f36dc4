// `sanavideo bench`: the full-size text-to-video workload on one GPU with random weights generated on the GPU
// (no weight files): Gemma-2 text encode, N denoising steps of the transformer at CFG batch 2 (text K/V
// prepared once), and the streaming VAE decode. Stages run one at a time (each model is built, used and
// released before the next), as a generation does. Prints one JSON object.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/error.h"
#include "commands.h"
#include "models/gemma2.h"
#include "models/sana_transformer.h"
#include "models/wan_vae.h"
#include "ops/elementwise.h"
#include "random_weights.h"

#ifdef SV_WITH_CUDA
#include "base/device_hooks.h"
#include "cuda/context.h"
#include "cuda/profile.h"
#include "cuda/random.h"
#endif

namespace sv::cli {

namespace {

namespace fs = std::filesystem;

struct BenchOptions {
    fs::path configs = "tests/data/reference/full_size";
    int height = 480, width = 832, frames = 81;
    int steps = 3;        // measured denoising steps (after one warm-up step)
    int totalSteps = 50;  // extrapolated run length
    int textTokens = 300;
    DType dtype = DType::BF16;     // transformer + text encoder
    DType vaeDtype = DType::BF16;  // VAE decoder
    bool text = true, sampling = true, decode = true;
    bool profile = false;  // per-op GPU time of one extra (untimed) run of each stage
    uint64_t seed = 0;
};

const char* kUsage =
    "usage: sanavideo bench [options]\n"
    "  --configs DIR       full-size configs (text_encoder/, transformer/, vae/ config.json)\n"
    "                      [tests/data/reference/full_size, or $SV_REFERENCE_DIR/full_size]\n"
    "  --height H --width W --frames F   video size [480 832 81]\n"
    "  --steps N           measured denoising steps after one warm-up step [3]\n"
    "  --total-steps N     steps of the extrapolated run [50]\n"
    "  --text-tokens L     prompt length [300]\n"
    "  --dtype bf16|f32    transformer and text encoder [bf16]\n"
    "  --vae-dtype bf16|f32  VAE decoder [bf16]\n"
    "  --skip text|sampling|decode   leave a stage out (repeatable)\n"
    "  --seed S            random weights / inputs [0]\n"
    "  --profile           add per-op GPU times of one extra run of each stage (decode: 4 latent frames)\n";

DType parseDtype(const std::string& v, const char* flag) {
    if (v == "bf16") return DType::BF16;
    if (v == "f32" || v == "fp32") return DType::F32;
    if (v == "f16" || v == "fp16") return DType::F16;
    fail("bench: ", flag, " must be bf16, f16 or f32, got \"", v, "\"");
}

int parseInt(const std::string& v, const char* flag, int lo) {
    size_t used = 0;
    int x = 0;
    try {
        x = std::stoi(v, &used);
    } catch (const std::exception&) {
        used = 0;
    }
    SV_CHECK(used == v.size() && x >= lo, "bench: ", flag, " must be an integer ≥ ", lo, ", got \"", v, "\"");
    return x;
}

std::optional<BenchOptions> parse(Args args) {
    BenchOptions o;
    if (const char* ref = std::getenv("SV_REFERENCE_DIR")) o.configs = fs::path(ref) / "full_size";
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (a == "--help" || a == "-h") {
            std::printf("%s", kUsage);
            return std::nullopt;
        }
        if (a == "--profile") {
            o.profile = true;
            continue;
        }
        SV_CHECK(i + 1 < args.size(), "bench: ", a, " needs a value (see --help)");
        const std::string& v = args[++i];
        if (a == "--configs")
            o.configs = v;
        else if (a == "--height")
            o.height = parseInt(v, "--height", 16);
        else if (a == "--width")
            o.width = parseInt(v, "--width", 16);
        else if (a == "--frames")
            o.frames = parseInt(v, "--frames", 1);
        else if (a == "--steps")
            o.steps = parseInt(v, "--steps", 1);
        else if (a == "--total-steps")
            o.totalSteps = parseInt(v, "--total-steps", 1);
        else if (a == "--text-tokens")
            o.textTokens = parseInt(v, "--text-tokens", 2);
        else if (a == "--dtype")
            o.dtype = parseDtype(v, "--dtype");
        else if (a == "--vae-dtype")
            o.vaeDtype = parseDtype(v, "--vae-dtype");
        else if (a == "--seed")
            o.seed = uint64_t(parseInt(v, "--seed", 0));
        else if (a == "--skip") {
            SV_CHECK(v == "text" || v == "sampling" || v == "decode",
                     "bench: --skip takes text, sampling or decode");
            (v == "text" ? o.text : v == "sampling" ? o.sampling : o.decode) = false;
        } else
            fail("bench: unknown option \"", a, "\" (see --help)");
    }
    SV_CHECK(o.height % 16 == 0 && o.width % 16 == 0 && (o.frames - 1) % 4 == 0, "bench: the video size ",
             o.height, "x", o.width, "x", o.frames,
             " needs height and width multiples of 16 and frames = 1 + 4k");
    return o;
}

#ifdef SV_WITH_CUDA

using Clock = std::chrono::steady_clock;

double seconds(Clock::time_point a, Clock::time_point b) {
    return std::chrono::duration<double>(b - a).count();
}

double gib(size_t bytes) {
    return double(bytes) / double(size_t(1) << 30);
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v.empty() ? 0.0 : (v.size() % 2 ? v[v.size() / 2] : 0.5 * (v[v.size() / 2 - 1] + v[v.size() / 2]));
}

// Runs fn once with per-op timing on and returns {op: [milliseconds, calls]}.
template <class Fn>
nlohmann::json profiled(Fn&& fn) {
    cuda::takeOpProfile();  // drop anything recorded before
    cuda::setOpProfiling(true);
    fn();
    cuda::setOpProfiling(false);
    nlohmann::json j = nlohmann::json::array();
    for (const cuda::OpTime& t : cuda::takeOpProfile())
        j.push_back({{"op", t.name}, {"ms", t.milliseconds}, {"calls", t.calls}});
    return j;
}

int runBenchCuda(const BenchOptions& o) {
    SV_CHECK(detail::cudaAvailable(), "bench: no CUDA GPU found");
    const Device gpu = Device::cuda();
    const auto txtCfg = Gemma2Config::load(o.configs / "text_encoder" / "config.json");
    const auto trCfg = TransformerConfig::load(o.configs / "transformer" / "config.json");
    const auto vaeCfg = WanVaeConfig::load(o.configs / "vae" / "config.json");
    const int64_t B = 2, L = o.textTokens;
    const int64_t lf = 1 + (o.frames - 1) / vaeCfg.scaleFactorTemporal;
    const int64_t lh = o.height / vaeCfg.scaleFactorSpatial, lw = o.width / vaeCfg.scaleFactorSpatial;
    const int64_t tokens =
        B * (lf / trCfg.patchSize[0]) * (lh / trCfg.patchSize[1]) * (lw / trCfg.patchSize[2]);

    nlohmann::json out;
    out["gpu"] = cuda::deviceName();
    out["dtype"] = std::string(dtypeName(o.dtype));
    out["vae_dtype"] = std::string(dtypeName(o.vaeDtype));
    out["video"] = {o.frames, o.height, o.width};
    out["latents"] = {trCfg.inChannels, lf, lh, lw};
    out["cfg_batch"] = B;
    out["transformer_tokens"] = tokens;
    out["text_tokens"] = L;
    out["steps_measured"] = o.steps;
    out["total_steps"] = o.totalSteps;
    double total = 0.0;
    size_t overallPeak = 0;
    auto peakNow = [&] {
        cuda::synchronize();
        const size_t p = cuda::memoryStats().peakAllocated;
        overallPeak = std::max(overallPeak, p);
        return gib(p);
    };

    // ---- text encoder: prompt and negative prompt as one batch of 2 --------------------------------------
    Tensor promptEmbeds;
    std::vector<int64_t> maskValues(size_t(B * L), 0);
    for (int64_t l = 0; l < std::min<int64_t>(L, 120); ++l) maskValues[size_t(l)] = 1;    // prompt
    for (int64_t l = 0; l < std::min<int64_t>(L, 2); ++l) maskValues[size_t(L + l)] = 1;  // negative
    const Tensor mask = Tensor::fromInts(maskValues, {B, L});
    if (o.text) {
        cuda::resetPeakMemory();
        auto t0 = Clock::now();
        std::optional<Gemma2Encoder> enc;
        enc.emplace(txtCfg, gpuWeights(gemma2WeightSpecs(txtCfg), o.dtype, o.seed + 1, true));
        cuda::synchronize();
        const double build = seconds(t0, Clock::now());
        Tensor ids = Tensor::empty({B, L}, DType::I64, gpu);
        cuda::fillUniformInt(ids, o.seed + 7, 3, txtCfg.vocabSize);
        const Tensor idsHost = ids.to(Device::cpu());
        std::vector<double> runs;
        for (int r = 0; r < 4; ++r) {
            t0 = Clock::now();
            promptEmbeds = enc->encode(idsHost, mask);
            cuda::synchronize();
            if (r > 0) runs.push_back(seconds(t0, Clock::now()));  // run 0 warms up
        }
        const double s = median(runs);
        total += s;
        out["text_encode"] = {{"seconds", s},
                              {"runs", runs},
                              {"build_random_weights_s", build},
                              {"weights_gib", gib(enc->weights().nbytes())},
                              {"peak_vram_gib", peakNow()}};
        if (o.profile) out["text_encode"]["op_ms"] = profiled([&] { enc->encode(idsHost, mask); });
        enc.reset();  // stage-wise residency: the encoder's memory goes back before sampling
        cuda::releaseCachedMemory();
    } else {
        promptEmbeds = Tensor::empty({B, L, txtCfg.hiddenSize}, DType::F32, gpu);
        cuda::fillNormal(promptEmbeds, o.seed + 2, 0.0f, 1.0f);
    }

    // ---- transformer: text K/V once, then the denoising loop at CFG batch 2 ------------------------------
    Tensor latents = Tensor::empty({1, trCfg.inChannels, lf, lh, lw}, DType::F32, gpu);
    cuda::fillNormal(latents, o.seed + 3, 0.0f, 1.0f);
    if (o.sampling) {
        cuda::resetPeakMemory();
        auto t0 = Clock::now();
        std::optional<SanaTransformer> model;
        model.emplace(trCfg, gpuWeights(transformerWeightSpecs(trCfg), o.dtype, o.seed + 4, false));
        cuda::synchronize();
        const double build = seconds(t0, Clock::now());
        t0 = Clock::now();
        const TransformerTextContext text = model->prepareText(promptEmbeds, mask);
        cuda::synchronize();
        const double prep = seconds(t0, Clock::now());
        total += prep;
        Tensor input = Tensor::empty({B, trCfg.inChannels, lf, lh, lw}, DType::F32, gpu);
        std::vector<double> steps;
        const float guidance = 6.0f;
        for (int i = 0; i <= o.steps; ++i) {
            t0 = Clock::now();
            input.slice(0, 0, 1).copyFrom(latents);
            input.slice(0, 1, 2).copyFrom(latents);
            const float t = 999.0f - 20.0f * float(i);
            const Tensor v = model->forward(input, Tensor::fromFloats(std::vector<float>{t, t}, {B}), text);
            const Tensor uncond = v.slice(0, 0, 1), cond = v.slice(0, 1, 2);
            const Tensor guided = ops::add(uncond, ops::scale(ops::sub(cond, uncond), guidance));
            latents = ops::add(latents, ops::scale(guided, -0.02f));  // an Euler step of the flow
            cuda::synchronize();
            if (i > 0) steps.push_back(seconds(t0, Clock::now()));  // step 0 warms up
        }
        const double step = median(steps);
        total += step * o.totalSteps;
        out["sampling"] = {{"step_seconds", step},
                           {"steps", steps},
                           {"total_steps_seconds", step * o.totalSteps},
                           {"prepare_text_kv_s", prep},
                           {"build_random_weights_s", build},
                           {"weights_gib", gib(model->weights().nbytes())},
                           {"peak_vram_gib", peakNow()}};
        if (o.profile) {
            out["sampling"]["op_ms"] = profiled([&] {
                const Tensor v =
                    model->forward(input, Tensor::fromFloats(std::vector<float>{500.0f, 500.0f}, {B}), text);
            });
        }
        model.reset();
        cuda::releaseCachedMemory();
    }

    // ---- VAE decode, streamed frame by frame
    // ---------------------------------------------------------------
    if (o.decode) {
        cuda::resetPeakMemory();
        auto t0 = Clock::now();
        std::optional<WanVae> vae;
        vae.emplace(vaeCfg, gpuWeights(wanVaeDecoderWeightSpecs(vaeCfg), o.vaeDtype, o.seed + 5, false),
                    WanVaeParts::Decoder);
        cuda::synchronize();
        const double build = seconds(t0, Clock::now());
        const Tensor z = vae->denormalizeLatents(latents);
        int64_t decoded = 0;
        auto sink = [&](int64_t, const Tensor& f) { decoded += f.dim(2); };
        vae->decodeFrames(z.slice(2, 0, std::min<int64_t>(2, lf)), sink);  // warm-up on two latent frames
        cuda::synchronize();
        decoded = 0;
        t0 = Clock::now();
        vae->decodeFrames(z, sink);
        cuda::synchronize();
        const double s = seconds(t0, Clock::now());
        total += s;
        out["vae_decode"] = {{"seconds", s},
                             {"frames", decoded},
                             {"build_random_weights_s", build},
                             {"peak_vram_gib", peakNow()}};
        if (o.profile)
            out["vae_decode"]["op_ms_4_latent_frames"] =
                profiled([&] { vae->decodeFrames(z.slice(2, 0, std::min<int64_t>(4, lf)), sink); });
        vae.reset();
        cuda::releaseCachedMemory();
    }
    out["total_seconds"] = total;
    out["total_note"] =
        "text encode + text K/V + total_steps x median step + VAE decode (model builds excluded)";
    out["peak_vram_gib"] = gib(overallPeak);
    std::printf("%s\n", out.dump(2).c_str());
    return 0;
}

#endif

}  // namespace

int runBench(Args args) {
    const std::optional<BenchOptions> o = parse(args);
    if (!o) return 0;
#ifdef SV_WITH_CUDA
    return runBenchCuda(*o);
#else
    fail("bench: this build has no CUDA backend (configure with the CUDA toolkit)");
#endif
}

}  // namespace sv::cli
