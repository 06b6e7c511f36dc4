// `sanavideo bench`: the full-size text-to-video workload on one GPU with random weights generated on the GPU
// (no weight files): Gemma-2 text encode, N denoising steps of the transformer at CFG batch 2 (text K/V
// prepared once), and the streaming VAE decode. Stages run one at a time (each model is built, used and
// released before the next), as a generation does. Prints one JSON object.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "backend/device.h"
#include "base/error.h"
#include "commands.h"
#include "models/gemma2.h"
#include "models/sana_transformer.h"
#include "models/wan_vae.h"
#include "ops/elementwise.h"

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

double gib(int64_t bytes) {
    return double(bytes) / double(int64_t(1) << 30);
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v.empty() ? 0.0 : (v.size() % 2 ? v[v.size() / 2] : 0.5 * (v[v.size() / 2 - 1] + v[v.size() / 2]));
}

// Random weights made on the GPU: matrices/convs N(0, 1/fan_in), biases N(0, 0.02²), norm scales around their
// identity (1 + N(0, 0.1²); Gemma's offset norms N(0, 0.1²)), modulation tables N(0, 0.1²).
WeightSet gpuWeights(const std::vector<WeightSpec>& specs, DType dt, uint64_t seed, bool offsetNorms) {
    WeightSet set;
    uint64_t k = seed * 1000003u;
    for (const WeightSpec& s : specs) {
        Tensor t = Tensor::empty(s.shape, dt, Device::cuda());
        const int64_t n = t.numel(), rows = s.shape.empty() ? 1 : s.shape[0];
        const bool vectorLike = n == rows;
        const std::string& name = s.name;
        const bool isNorm = name.find("norm") != std::string::npos || name.ends_with("gamma");
        float mean = 0.0f, sd;
        if (name.ends_with("bias"))
            sd = 0.02f;
        else if (name.find("scale_shift_table") != std::string::npos)
            sd = 0.1f;
        else if (vectorLike && isNorm)
            mean = offsetNorms ? 0.0f : 1.0f, sd = 0.1f;
        else if (vectorLike)
            sd = 0.02f;
        else
            sd = 1.0f / std::sqrt(float(n / rows));
        device::fillNormal(t, ++k, mean, sd);
        set.set(name, std::move(t));
    }
    return set;
}

// Runs fn once with per-op timing on and returns {op: [milliseconds, calls]}.
template <class Fn>
nlohmann::json profiled(Fn&& fn) {
    const Device gpu = Device::cuda();
    device::takeOpProfile(gpu);  // drop anything recorded before
    device::setOpProfiling(true);
    fn();
    device::setOpProfiling(false);
    nlohmann::json j = nlohmann::json::array();
    for (const OpTime& t : device::takeOpProfile(gpu))
        j.push_back({{"op", t.name}, {"ms", t.milliseconds}, {"calls", t.calls}});
    return j;
}

// One benchmark run: its options, the configs, the derived sizes, the JSON being filled and the totals.
struct BenchRun {
    const BenchOptions& o;
    Gemma2Config txtCfg;
    TransformerConfig trCfg;
    WanVaeConfig vaeCfg;
    int64_t B = 2, L = 0, lf = 0, lh = 0, lw = 0;
    nlohmann::json out;
    double total = 0.0;
    int64_t overallPeak = 0;

    // Peak VRAM of the stage so far (GiB), folded into the overall peak.
    double peakNow() {
        const Device gpu = Device::cuda();
        device::synchronize(gpu);
        const int64_t p = device::memoryStats(gpu).peak;
        overallPeak = std::max(overallPeak, p);
        return gib(p);
    }
};

// Text encoder: prompt and negative prompt as one batch of 2. Returns the prompt embeddings (random ones when
// the stage is skipped).
Tensor benchTextEncode(BenchRun& r, const Tensor& mask) {
    const BenchOptions& o = r.o;
    const Device gpu = Device::cuda();
    if (!o.text) {
        Tensor promptEmbeds = Tensor::empty({r.B, r.L, r.txtCfg.hiddenSize}, DType::F32, gpu);
        device::fillNormal(promptEmbeds, o.seed + 2, 0.0f, 1.0f);
        return promptEmbeds;
    }
    device::resetPeakMemory(gpu);
    device::Stopwatch clock(gpu);
    std::optional<Gemma2Encoder> enc;
    enc.emplace(r.txtCfg, gpuWeights(gemma2WeightSpecs(r.txtCfg), o.dtype, o.seed + 1, true));
    const double build = clock.seconds();
    Tensor ids = Tensor::empty({r.B, r.L}, DType::I64, gpu);
    device::fillUniformInt(ids, o.seed + 7, 3, r.txtCfg.vocabSize);
    const Tensor idsHost = ids.to(Device::cpu());
    Tensor promptEmbeds;
    std::vector<double> runs;
    for (int i = 0; i < 4; ++i) {
        clock.restart();
        promptEmbeds = enc->encode(idsHost, mask);
        const double s = clock.seconds();
        if (i > 0) runs.push_back(s);  // run 0 warms up
    }
    const double s = median(runs);
    r.total += s;
    r.out["text_encode"] = {{"seconds", s},
                            {"runs", runs},
                            {"build_random_weights_s", build},
                            {"weights_gib", gib(int64_t(enc->weights().nbytes()))},
                            {"peak_vram_gib", r.peakNow()}};
    if (o.profile) r.out["text_encode"]["op_ms"] = profiled([&] { enc->encode(idsHost, mask); });
    enc.reset();  // stage-wise residency: the encoder's memory goes back before sampling
    device::releaseCachedMemory(gpu);
    return promptEmbeds;
}

// Transformer: text K/V once, then the denoising loop at CFG batch 2 (one warm-up step, then o.steps).
void benchSampling(BenchRun& r, const Tensor& promptEmbeds, const Tensor& mask, Tensor& latents) {
    const BenchOptions& o = r.o;
    const Device gpu = Device::cuda();
    device::resetPeakMemory(gpu);
    device::Stopwatch clock(gpu);
    std::optional<SanaTransformer> model;
    model.emplace(r.trCfg, gpuWeights(transformerWeightSpecs(r.trCfg), o.dtype, o.seed + 4, false));
    const double build = clock.seconds();
    clock.restart();
    const TransformerTextContext text = model->prepareText(promptEmbeds, mask);
    const double prep = clock.seconds();
    r.total += prep;
    Tensor input = Tensor::empty({r.B, r.trCfg.inChannels, r.lf, r.lh, r.lw}, DType::F32, gpu);
    std::vector<double> steps;
    const float guidance = 6.0f;
    for (int i = 0; i <= o.steps; ++i) {
        clock.restart();
        input.slice(0, 0, 1).copyFrom(latents);
        input.slice(0, 1, 2).copyFrom(latents);
        const float t = 999.0f - 20.0f * float(i);
        const Tensor v = model->forward(input, Tensor::fromFloats(std::vector<float>{t, t}, {r.B}), text);
        const Tensor uncond = v.slice(0, 0, 1), cond = v.slice(0, 1, 2);
        const Tensor guided = ops::add(uncond, ops::scale(ops::sub(cond, uncond), guidance));
        latents = ops::add(latents, ops::scale(guided, -0.02f));  // an Euler step of the flow
        const double s = clock.seconds();
        if (i > 0) steps.push_back(s);  // step 0 warms up
    }
    const double step = median(steps);
    r.total += step * o.totalSteps;
    r.out["sampling"] = {{"step_seconds", step},
                         {"steps", steps},
                         {"total_steps_seconds", step * o.totalSteps},
                         {"prepare_text_kv_s", prep},
                         {"build_random_weights_s", build},
                         {"weights_gib", gib(int64_t(model->weights().nbytes()))},
                         {"peak_vram_gib", r.peakNow()}};
    if (o.profile) {
        r.out["sampling"]["op_ms"] = profiled([&] {
            const Tensor v =
                model->forward(input, Tensor::fromFloats(std::vector<float>{500.0f, 500.0f}, {r.B}), text);
        });
    }
    model.reset();
    device::releaseCachedMemory(gpu);
}

// VAE decode, streamed frame by frame (a warm-up on two latent frames first).
void benchDecode(BenchRun& r, const Tensor& latents) {
    const BenchOptions& o = r.o;
    const Device gpu = Device::cuda();
    device::resetPeakMemory(gpu);
    device::Stopwatch clock(gpu);
    std::optional<WanVae> vae;
    vae.emplace(r.vaeCfg, gpuWeights(wanVaeDecoderWeightSpecs(r.vaeCfg), o.vaeDtype, o.seed + 5, false),
                WanVaeParts::Decoder);
    const double build = clock.seconds();
    const Tensor z = vae->denormalizeLatents(latents);
    int64_t decoded = 0;
    auto sink = [&](int64_t, const Tensor& f) { decoded += f.dim(2); };
    vae->decodeFrames(z.slice(2, 0, std::min<int64_t>(2, r.lf)), sink);
    device::synchronize(gpu);
    decoded = 0;
    clock.restart();
    vae->decodeFrames(z, sink);
    const double s = clock.seconds();
    r.total += s;
    r.out["vae_decode"] = {{"seconds", s},
                           {"frames", decoded},
                           {"build_random_weights_s", build},
                           {"peak_vram_gib", r.peakNow()}};
    if (o.profile)
        r.out["vae_decode"]["op_ms_4_latent_frames"] =
            profiled([&] { vae->decodeFrames(z.slice(2, 0, std::min<int64_t>(4, r.lf)), sink); });
    vae.reset();
    device::releaseCachedMemory(gpu);
}

int runBenchCuda(const BenchOptions& o) {
    const Device gpu = Device::cuda();
    SV_CHECK(device::compiled(gpu.kind),
             "bench: this build has no CUDA backend (configure with the CUDA toolkit)");
    SV_CHECK(device::available(gpu), "bench: no CUDA GPU found");
    BenchRun r{o, Gemma2Config::load(o.configs / "text_encoder" / "config.json"),
               TransformerConfig::load(o.configs / "transformer" / "config.json"),
               WanVaeConfig::load(o.configs / "vae" / "config.json")};
    r.L = o.textTokens;
    r.lf = 1 + (o.frames - 1) / r.vaeCfg.scaleFactorTemporal;
    r.lh = o.height / r.vaeCfg.scaleFactorSpatial, r.lw = o.width / r.vaeCfg.scaleFactorSpatial;
    const auto& patch = r.trCfg.patchSize;
    r.out["gpu"] = device::name(gpu);
    r.out["dtype"] = std::string(dtypeName(o.dtype));
    r.out["vae_dtype"] = std::string(dtypeName(o.vaeDtype));
    r.out["video"] = {o.frames, o.height, o.width};
    r.out["latents"] = {r.trCfg.inChannels, r.lf, r.lh, r.lw};
    r.out["cfg_batch"] = r.B;
    r.out["transformer_tokens"] = r.B * (r.lf / patch[0]) * (r.lh / patch[1]) * (r.lw / patch[2]);
    r.out["text_tokens"] = r.L;
    r.out["steps_measured"] = o.steps;
    r.out["total_steps"] = o.totalSteps;

    // The text mask: 120 prompt tokens, 2 for the negative prompt.
    std::vector<int64_t> maskValues(size_t(r.B * r.L), 0);
    for (int64_t l = 0; l < std::min<int64_t>(r.L, 120); ++l) maskValues[size_t(l)] = 1;
    for (int64_t l = 0; l < std::min<int64_t>(r.L, 2); ++l) maskValues[size_t(r.L + l)] = 1;
    const Tensor mask = Tensor::fromInts(maskValues, {r.B, r.L});
    const Tensor promptEmbeds = benchTextEncode(r, mask);
    Tensor latents = Tensor::empty({1, r.trCfg.inChannels, r.lf, r.lh, r.lw}, DType::F32, gpu);
    device::fillNormal(latents, o.seed + 3, 0.0f, 1.0f);
    if (o.sampling) benchSampling(r, promptEmbeds, mask, latents);
    if (o.decode) benchDecode(r, latents);
    r.out["total_seconds"] = r.total;
    r.out["total_note"] =
        "text encode + text K/V + total_steps x median step + VAE decode (model builds excluded)";
    r.out["peak_vram_gib"] = gib(r.overallPeak);
    std::printf("%s\n", r.out.dump(2).c_str());
    return 0;
}

}  // namespace

int runBench(Args args) {
    const std::optional<BenchOptions> o = parse(args);
    if (!o) return 0;
    return runBenchCuda(*o);
}

}  // namespace sv::cli
