// `sanavideo bench`: the full-size text-to-video workload on one GPU with random weights generated on the GPU
// (no weight files): Gemma-2 text encode, N denoising steps of the transformer at CFG batch 2 (text K/V
// prepared once), and the streaming VAE decode. Stages run one at a time (each model is built, used and
// released before the next), as a generation does. Prints one JSON object. With --gpus N the sampling stage
// runs split over N GPUs through NCCL (pipelines/sana_parallel.h; one thread per GPU).
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include <CLI/CLI.hpp>

#include "backend/device.h"
#include "base/error.h"
#include "cli_options.h"
#include "commands.h"
#include "io/safetensors.h"
#include "models/gemma2.h"
#include "models/ltx2_vae.h"
#include "models/sana_transformer.h"
#include "models/wan_vae.h"
#include "ops/elementwise.h"
#include "parallel/nccl.h"
#include "pipelines/sana_parallel.h"
#include "random_weights.h"

namespace sv::cli {

namespace {

namespace fs = std::filesystem;

struct BenchOptions {
    fs::path configs = "tests/data/reference/full_size";
    bool hd = false;                         // --family 720p: transformer_720p/ and vae_ltx2/ of the configs
    int height = 0, width = 0, frames = 81;  // 0: the family's default (480×832, 704×1280)
    int steps = 3;                           // measured denoising steps (after one warm-up step)
    int totalSteps = 50;                     // extrapolated run length
    int textTokens = 300;
    DType dtype = DType::BF16;                     // transformer + text encoder
    DType vaeDtype = DType::BF16;                  // VAE decoder
    WeightStorage weights = WeightStorage::Float;  // 8-bit storage of the transformer's and Gemma's linears
    std::vector<std::string> keepFloat;            // weight-name parts that stay float under --weights
    bool text = true, sampling = true, decode = true;
    bool profile = false;  // per-op GPU time of one extra (untimed) run of each stage
    uint64_t seed = 0;
    int gpus = 1;          // sampling split over cuda:0 … cuda:gpus−1 (NCCL)
    fs::path saveLatents;  // the sampled latents as safetensors ("latents"), to compare runs
};

/// "bf16" / "f16" / "f32" as the option spells it.
DType parseDtype(const std::string& v, const std::string& flag) {
    if (v == "bf16") return DType::BF16;
    if (v == "f32" || v == "fp32") return DType::F32;
    if (v == "f16" || v == "fp16") return DType::F16;
    throw CLI::ValidationError(flag, concat("\"", v, "\" is not bf16, f16 or f32"));
}

/// Sizes must be multiples of the VAE's spatial compression times the transformer's patch and frames 1 + k
/// times its temporal compression: checked first with the family's factors (480p 16 / 4, 720p 32 / 8, before
/// anything is loaded), then with the configs'.
void checkVideoSize(const BenchOptions& o, int multiple, int temporal, std::string_view what) {
    SV_CHECK(o.height % multiple == 0 && o.width % multiple == 0 && (o.frames - 1) % temporal == 0,
             "bench: the video size ", o.height, "x", o.width, "x", o.frames,
             " needs height and width multiples of ", multiple, " and frames = 1 + ", temporal, "k", what);
}

double gib(int64_t bytes) {
    return double(bytes) / double(int64_t(1) << 30);
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v.empty() ? 0.0 : (v.size() % 2 ? v[v.size() / 2] : 0.5 * (v[v.size() / 2 - 1] + v[v.size() / 2]));
}

// The decoder of either VAE class with random GPU weights (latent statistics 0 / 1).
std::unique_ptr<VideoVae> benchVae(const VideoVaeConfig& c, DType dt, uint64_t seed) {
    WeightSet w = gpuWeights(c.weightSpecs(VaeParts::Decoder), dt, seed, false);
    if (const auto* wan = std::get_if<WanVaeConfig>(&c.config))
        return std::make_unique<WanVae>(*wan, std::move(w), VaeParts::Decoder);
    const auto& ltx = std::get<Ltx2VaeConfig>(c.config);
    w.set("latents_mean", Tensor::zeros({ltx.latentChannels}, dt, Device::cuda()));
    w.set("latents_std", Tensor::full({ltx.latentChannels}, 1.0f, DType::F32).to(dt).to(Device::cuda()));
    return std::make_unique<Ltx2Vae>(ltx, std::move(w), VaeParts::Decoder);
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
    VideoVaeConfig vaeCfg;
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
    enc.emplace(r.txtCfg,
                withWeightStorage(gpuWeights(gemma2WeightSpecs(r.txtCfg), o.dtype, o.seed + 1, true),
                                  o.weights, o.keepFloat));
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

// The transformer's random weights in float: the same ones for the timed model (then stored as --weights
// says) and for the float reference of relL2VsFloat.
WeightSet randomTransformerWeights(const BenchRun& r) {
    return gpuWeights(transformerWeightSpecs(r.trCfg), r.o.dtype, r.o.seed + 4, false);
}

// The 8-bit model's error on one call: ‖v₈ − v‖ / ‖v‖ against the same random weights in float, same input,
// timestep 500 and text (the per-call quality figure of issue 12; the product run measures whole
// trajectories).
double relL2VsFloat(const BenchRun& r, const SanaTransformer& model, const Tensor& input,
                    const TransformerTextContext& text, const Tensor& promptEmbeds, const Tensor& mask) {
    const Tensor t = Tensor::fromFloats(std::vector<float>{500.0f, 500.0f}, {r.B});
    const std::vector<float> a = model.forward(input, t, text).to(Device::cpu()).toFloatVector();
    const SanaTransformer reference(r.trCfg, randomTransformerWeights(r));
    const std::vector<float> b = reference.forward(input, t, reference.prepareText(promptEmbeds, mask))
                                     .to(Device::cpu())
                                     .toFloatVector();
    double num = 0, den = 0;
    for (size_t i = 0; i < a.size(); ++i) {
        num += (double(a[i]) - b[i]) * (double(a[i]) - b[i]);
        den += double(b[i]) * b[i];
    }
    return den > 0 ? std::sqrt(num / den) : 0.0;
}

// Transformer: text K/V once, then the denoising loop at CFG batch 2 (one warm-up step, then o.steps).
void benchSampling(BenchRun& r, const Tensor& promptEmbeds, const Tensor& mask, Tensor& latents) {
    const BenchOptions& o = r.o;
    const Device gpu = Device::cuda();
    device::resetPeakMemory(gpu);
    device::Stopwatch clock(gpu);
    std::optional<SanaTransformer> model;
    model.emplace(r.trCfg, withWeightStorage(randomTransformerWeights(r), o.weights, o.keepFloat));
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
    if (o.weights == WeightStorage::Int8 || o.weights == WeightStorage::Fp8)
        r.out["sampling"]["call_rel_l2_vs_float"] = relL2VsFloat(r, *model, input, text, promptEmbeds, mask);
    model.reset();
    device::releaseCachedMemory(gpu);
}

// One GPU's ranks: its sequence group and its CFG pair (either may be absent).
struct BenchRanks {
    std::vector<std::unique_ptr<Communicator>> sequence, cfg;  // indexed by global rank (null: not split)
};

// 2 CFG halves × N/2 sequence ranks for an even N (rank = half · N/2 + sequence index), N sequence ranks
// otherwise: the communicators of every rank, made on this thread (ncclCommInitAll per group).
BenchRanks benchCommunicators(int n, int cfgRanks) {
    const int seqRanks = n / cfgRanks;
    BenchRanks out;
    out.sequence.resize(static_cast<size_t>(n));
    out.cfg.resize(static_cast<size_t>(n));
    for (int c = 0; c < cfgRanks && seqRanks > 1; ++c) {
        std::vector<int> devices;
        for (int s = 0; s < seqRanks; ++s) devices.push_back(c * seqRanks + s);
        auto comms = makeNcclCommunicators(devices);
        for (int s = 0; s < seqRanks; ++s)
            out.sequence[size_t(c * seqRanks + s)] = std::move(comms[size_t(s)]);
    }
    for (int s = 0; s < seqRanks && cfgRanks == 2; ++s) {
        const std::vector<int> devices = {s, seqRanks + s};
        auto comms = makeNcclCommunicators(devices);
        out.cfg[size_t(s)] = std::move(comms[0]);
        out.cfg[size_t(seqRanks + s)] = std::move(comms[1]);
    }
    return out;
}

// The sampling loop of benchSampling, split over o.gpus GPUs; rank 0 times the steps (the collectives keep
// the ranks in step) and every GPU reports its peak memory.
void benchSamplingMulti(BenchRun& r, const Tensor& promptEmbeds, const Tensor& mask, Tensor& latents) {
    const BenchOptions& o = r.o;
    const int n = o.gpus, have = device::count(Device::Kind::Cuda);
    SV_CHECK(n <= have, "bench --gpus ", n, ": this machine has ", have, " CUDA GPUs");
    const int cfgRanks = n % 2 == 0 ? 2 : 1;
    BenchRanks comms = benchCommunicators(n, cfgRanks);
    const Tensor embedsHost = promptEmbeds.to(Device::cpu()), latentsHost = latents.to(Device::cpu());
    std::vector<double> steps;
    std::vector<double> peaks(static_cast<size_t>(n));
    Tensor result;
    std::vector<std::exception_ptr> errors(static_cast<size_t>(n));
    std::vector<std::thread> threads;
    for (int rank = 0; rank < n; ++rank)
        threads.emplace_back([&, rank] {
            try {
                const Device gpu = Device::cuda(rank);
                device::resetPeakMemory(gpu);
                const SanaTransformer model(
                    r.trCfg, gpuWeights(transformerWeightSpecs(r.trCfg), o.dtype, o.seed + 4, false, gpu));
                const TransformerTextContext text = model.prepareText(embedsHost.to(gpu), mask.to(gpu));
                const ModelCall call = parallelModelCall(
                    model, text, r.B, {comms.sequence[size_t(rank)].get(), comms.cfg[size_t(rank)].get()});
                Tensor lat = latentsHost.to(gpu);
                Tensor input = Tensor::empty({r.B, r.trCfg.inChannels, r.lf, r.lh, r.lw}, DType::F32, gpu);
                device::Stopwatch clock(gpu);
                for (int i = 0; i <= o.steps; ++i) {
                    clock.restart();
                    input.slice(0, 0, 1).copyFrom(lat);
                    input.slice(0, 1, 2).copyFrom(lat);
                    const float t = 999.0f - 20.0f * float(i);
                    const Tensor v = call(input, Tensor::fromFloats(std::vector<float>{t, t}, {r.B}).to(gpu));
                    const Tensor uncond = v.slice(0, 0, 1), cond = v.slice(0, 1, 2);
                    lat = ops::add(
                        lat, ops::scale(ops::add(uncond, ops::scale(ops::sub(cond, uncond), 6.0f)), -0.02f));
                    const double sec = clock.seconds();
                    if (rank == 0 && i > 0) steps.push_back(sec);
                }
                device::synchronize(gpu);
                peaks[size_t(rank)] = gib(device::memoryStats(gpu).peak);
                if (rank == 0) result = lat.to(Device::cpu());
            } catch (...) {
                errors[size_t(rank)] = std::current_exception();
            }
        });
    for (std::thread& t : threads) t.join();
    for (const std::exception_ptr& e : errors)
        if (e) std::rethrow_exception(e);
    latents = result.to(Device::cuda());
    const double step = median(steps);
    r.total += step * o.totalSteps;
    r.out["sampling"] = {{"gpus", n},
                         {"cfg_ranks", cfgRanks},
                         {"sequence_ranks", n / cfgRanks},
                         {"step_seconds", step},
                         {"steps", steps},
                         {"total_steps_seconds", step * o.totalSteps},
                         {"peak_vram_gib_per_gpu", peaks}};
}

// VAE decode, streamed frame by frame (a warm-up on two latent frames first).
void benchDecode(BenchRun& r, const Tensor& latents) {
    const BenchOptions& o = r.o;
    const Device gpu = Device::cuda();
    device::resetPeakMemory(gpu);
    device::Stopwatch clock(gpu);
    std::unique_ptr<VideoVae> vae = benchVae(r.vaeCfg, o.vaeDtype, o.seed + 5);
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
    BenchRun r{
        o, Gemma2Config::load(o.configs / "text_encoder" / "config.json"),
        TransformerConfig::load(o.configs / (o.hd ? "transformer_720p" : "transformer") / "config.json"),
        VideoVaeConfig::load(o.configs / (o.hd ? "vae_ltx2" : "vae") / "config.json")};
    const int st = r.vaeCfg.temporalCompression(), ss = r.vaeCfg.spatialCompression();
    const auto& patch = r.trCfg.patchSize;
    SV_CHECK(patch[1] == patch[2], "bench: the transformer's patch ", patch[1], "x", patch[2],
             " is not square");
    checkVideoSize(o, ss * patch[1], st, " for these configs");
    r.L = o.textTokens;
    r.lf = 1 + (o.frames - 1) / st;
    r.lh = o.height / ss, r.lw = o.width / ss;
    r.out["gpu"] = device::name(gpu);
    r.out["dtype"] = std::string(dtypeName(o.dtype));
    r.out["vae_dtype"] = std::string(dtypeName(o.vaeDtype));
    r.out["weights"] = std::string(weightStorageName(o.weights));
    r.out["vae"] = std::string(r.vaeCfg.className());
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
    if (o.sampling) (o.gpus > 1 ? benchSamplingMulti : benchSampling)(r, promptEmbeds, mask, latents);
    if (!o.saveLatents.empty()) {
        const std::pair<std::string, Tensor> saved[] = {{"latents", latents}};
        writeSafetensors(o.saveLatents, saved);
    }
    if (o.decode) benchDecode(r, latents);
    r.out["total_seconds"] = r.total;
    r.out["total_note"] =
        "text encode + text K/V + total_steps x median step + VAE decode (model builds excluded)";
    r.out["peak_vram_gib"] = gib(r.overallPeak);
    std::printf("%s\n", r.out.dump(2).c_str());
    return 0;
}

// --weights and --keep-float: 8-bit weights in the bench, and the per-layer policy experiment.
void addWeightOptions(CLI::App& cmd, const std::shared_ptr<BenchOptions>& o) {
    cmd.add_option_function<std::string>(
           "--weights",
           [o](const std::string& v) {
               if (v != "float" && v != "int8" && v != "fp8")
                   throw CLI::ValidationError("--weights", concat("\"", v, "\" is not float, int8 or fp8"));
               o->weights = parseWeightStorage(v, "--weights");
           },
           "8-bit storage of the transformer's and text encoder's linear weights, float | int8 | fp8 "
           "(fp8: FP8 tensor-core GEMMs in the transformer, Gemma-2 in int8) [float]")
        ->type_name("STORAGE");
    cmd.add_option("--keep-float", o->keepFloat,
                   "with --weights int8|fp8: weights whose name contains one of these stay float, e.g. "
                   "attn2.to_k,attn2.to_v (a per-layer policy experiment; the product's policy is fixed)")
        ->delimiter(',')
        ->type_name("NAMES");
}

}  // namespace

CommandRun setupBench(CLI::App& cmd) {
    cmd.footer("Times the full-size text-to-video workload on one GPU with random weights made on the GPU.");
    auto o = std::make_shared<BenchOptions>();
    if (const char* ref = std::getenv("SV_REFERENCE_DIR")) o->configs = fs::path(ref) / "full_size";
    cmd.add_option(
        "--configs", o->configs,
        "full-size configs (text_encoder/, transformer/, vae/ config.json) [tests/data/reference/full_size, "
        "or $SV_REFERENCE_DIR/full_size]");
    cmd.add_option_function<std::string>(
           "--family",
           [o](const std::string& v) {
               if (v != "480p" && v != "720p")
                   throw CLI::ValidationError("--family", concat("\"", v, "\" is not 480p or 720p"));
               o->hd = v == "720p";
           },
           "480p: transformer/ + vae/ (Wan 2.1) of the configs; 720p: transformer_720p/ + vae_ltx2/ (LTX-2 "
           "VAE) [480p]")
        ->type_name("FAMILY");
    addInteger(cmd, "--height", o->height, 16, 8192, "video height [480; 720p: 704]");
    addInteger(cmd, "--width", o->width, 16, 8192, "video width [832; 720p: 1280]");
    addInteger(cmd, "--frames", o->frames, 1, 4001, "video frames [81]");
    addInteger(cmd, "--steps", o->steps, 1, 10000, "measured denoising steps after one warm-up step [3]");
    addInteger(cmd, "--total-steps", o->totalSteps, 1, 10000, "steps of the extrapolated run [50]");
    addInteger(cmd, "--text-tokens", o->textTokens, 2, 4096, "prompt length [300]");
    cmd.add_option_function<std::string>(
           "--dtype", [o](const std::string& v) { o->dtype = parseDtype(v, "--dtype"); },
           "transformer and text encoder dtype, bf16 | f16 | f32 [bf16]")
        ->type_name("DTYPE");
    cmd.add_option_function<std::string>(
           "--vae-dtype", [o](const std::string& v) { o->vaeDtype = parseDtype(v, "--vae-dtype"); },
           "VAE decoder dtype, bf16 | f16 | f32 [bf16]")
        ->type_name("DTYPE");
    addWeightOptions(cmd, o);
    cmd.add_option_function<std::vector<std::string>>(
           "--skip",
           [o](const std::vector<std::string>& stages) {
               for (const auto& v : stages) {
                   if (v != "text" && v != "sampling" && v != "decode")
                       throw CLI::ValidationError("--skip",
                                                  concat("\"", v, "\" is not text, sampling or decode"));
                   (v == "text" ? o->text : v == "sampling" ? o->sampling : o->decode) = false;
               }
           },
           "leave a stage out: text, sampling or decode (repeatable)")
        ->allow_extra_args(false)
        ->type_name("STAGE");
    addUnsigned(cmd, "--seed", o->seed, std::numeric_limits<uint64_t>::max(), "random weights / inputs [0]");
    addInteger(cmd, "--gpus", o->gpus, 1, 64,
               "split the sampling stage over this many GPUs through NCCL (libnccl.so.2): CFG halves on two "
               "groups when even, the latent frames over the rest [1: one GPU, as before]");
    cmd.add_option("--save-latents", o->saveLatents, "write the sampled latents to this safetensors file")
        ->type_name("FILE");
    cmd.add_flag("--profile", o->profile,
                 "add per-op GPU times of one extra run of each stage (decode: 4 latent frames)");
    return [o] {
        if (o->height == 0) o->height = o->hd ? 704 : 480;
        if (o->width == 0) o->width = o->hd ? 1280 : 832;
        checkVideoSize(*o, o->hd ? 32 : 16, o->hd ? 8 : 4, "");
        if (!o->saveLatents.empty()) {  // checked before minutes of GPU work, not after
            const fs::path dir =
                o->saveLatents.has_parent_path() ? o->saveLatents.parent_path() : fs::path(".");
            std::error_code ec;
            SV_CHECK(fs::is_directory(dir, ec), "--save-latents: folder ", dir.string(), " does not exist");
        }
        return runBenchCuda(*o);
    };
}

}  // namespace sv::cli
