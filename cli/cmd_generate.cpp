// `sanavideo generate`: text-to-video (and image-to-video with --image) on a diffusers model folder, written
// as an MP4 (H.264 yuv420p, CRF 19, BT.709, the settings as metadata) or a PNG/EXR frame sequence.
//
// Ctrl-C: the first SIGINT sets a flag that the step callback and the frame sink poll, so the run stops after
// the current step (or decoded frame chunk) and nothing is left under the requested name (the MP4 is written
// under a temporary name and renamed at the end; a frame sequence is only written once decoding finished). A
// second Ctrl-C kills the process at once.
#include <atomic>
#include <charconv>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <map>
#include <optional>
#include <random>
#include <string>

#include <nlohmann/json.hpp>

#include "backend/device.h"
#include "base/cancelled.h"
#include "base/error.h"
#include "commands.h"
#include "media/image_io.h"
#include "media/video_writer.h"
#include "models/lora.h"
#include "pipelines/postprocess.h"
#include "pipelines/sana_pipeline.h"
#include "pipelines/video_geometry.h"
#include "progress_bar.h"
#include "schedulers/scheduler.h"

namespace fs = std::filesystem;

namespace sv::cli {

namespace {

void printUsage() {
    std::printf(
        "usage: sanavideo generate --model DIR --prompt TEXT --out FILE [options]\n\n"
        "Generates a video with a SANA-Video model folder (diffusers layout), exactly as diffusers'\n"
        "SanaVideoPipeline (or SanaImageToVideoPipeline with --image) would.\n\n"
        "  --model DIR             model folder (e.g. SANA-Video_2B_480p_diffusers, or make-demo-model's)\n"
        "  --prompt TEXT           what to generate; repeat for several prompts in one batch\n"
        "  --num-videos N          videos per prompt (default 1); several videos are written as numbered\n"
        "                          files next to --out (name_001.mp4, name_002.mp4, ...; never overwriting)\n"
        "  --negative-prompt TEXT  what to avoid (default \"\")\n"
        "  --image PATH            image-to-video: the first frame (PNG, JPEG, EXR, TIFF, ...)\n"
        "  --height N --width N    output size, multiples of 16 (default 480 x 832)\n"
        "  --frames N              4k+1 frames (default 81)\n"
        "  --steps N               denoising steps (default 50)\n"
        "  --guidance G            classifier-free guidance scale (default 6; <= 1 turns it off)\n"
        "  --seed N                noise seed, as torch.Generator(\"cpu\").manual_seed(N) (default: random)\n"
        "  --generator cpu|cuda    which torch.Generator the seed seeds: cpu (default; the same noise on "
        "every\n"
        "                          machine) or cuda, torch.Generator(device=\"cuda\") as in diffusers' "
        "SANA-Video\n"
        "                          examples (bit-exact on an NVIDIA GPU, emulated on the CPU)\n"
        "  --cuda-grid SMSxTHREADS the GPU whose CUDA-generator noise to reproduce: its SM count and "
        "threads\n"
        "                          per SM (e.g. 132x2048 for an H100 SXM or H200; default: the GPU in use)\n"
        "  --sigmas S1,S2,...      custom sigmas (diffusers' sigmas=; the step count follows them)\n"
        "  --timesteps T1,T2,...   custom timesteps (diffusers' timesteps=; not with --sigmas)\n"
        "  --lora FILE[:STRENGTH]  a LoRA adapter (PEFT safetensors, diffusers or original NVlabs names) at "
        "a\n"
        "                          strength (default 1); repeat to combine adapters\n"
        "  --lora-mode unmerged|merged  run adapters beside the weights (default) or merge them into them\n"
        "  --scheduler NAME        dpm | euler | unipc (default: the model's scheduler)\n"
        "  --flow-shift S          scheduler flow shift (default: the model's, 8 for SANA-Video)\n"
        "  --motion-score M        appends \" motion score: M.\" to the prompt (default 30)\n"
        "  --no-motion-score       no motion-score suffix\n"
        "  --no-chi                no complex-human-instruction prefix\n"
        "  --no-binning            generate at the requested size (default: the closest resolution bin,\n"
        "                          resized and center-cropped back to the requested size, as diffusers)\n"
        "  --fps N                 frame rate of the MP4 (default 16)\n"
        "  --device auto|cpu|cuda[:N]  where the models run (default auto: the first CUDA GPU when one is\n"
        "                          present, else the CPU)\n"
        "  --dtype auto|f32|bf16   transformer and text-encoder dtype (auto: bf16 on CUDA, f32 on the CPU;\n"
        "                          the VAE always runs in f32)\n"
        "  --out FILE              .mp4 file, or a frame sequence: a folder (PNG frames) or a pattern such\n"
        "                          as frames/%%04d.png or frames/%%04d.exr\n");
}

// The one flag a signal handler may set (lock-free atomic; process-wide by nature).
std::atomic<bool> gInterrupted{false};

extern "C" void onSigint(int) {
    gInterrupted.store(true);
    std::signal(SIGINT, SIG_DFL);  // a second Ctrl-C terminates at once
}

class SigintGuard {
  public:
    SigintGuard() {
        gInterrupted.store(false);
        previous_ = std::signal(SIGINT, onSigint);
    }
    ~SigintGuard() { std::signal(SIGINT, previous_ == SIG_ERR ? SIG_DFL : previous_); }
    SigintGuard(const SigintGuard&) = delete;
    SigintGuard& operator=(const SigintGuard&) = delete;

  private:
    void (*previous_)(int) = SIG_DFL;
};

void checkInterrupted() {
    if (gInterrupted.load()) throw Cancelled("interrupted (Ctrl-C)");
}

struct LoraOption {
    std::string path;
    double strength = 1.0;
};

struct Options {
    std::vector<std::string> prompts;
    std::string model, negativePrompt, image, out, scheduler;
    int height = 480, width = 832, frames = 81, steps = 50, fps = 16, numVideos = 1;
    std::vector<double> sigmas, timesteps;
    std::string generator = "cpu";
    std::optional<CudaGeneratorGrid> cudaGrid;
    std::vector<LoraOption> loras;
    std::string loraMode = "unmerged";
    double guidance = 6.0;
    std::optional<uint64_t> seed;
    std::optional<double> flowShift;
    std::optional<int> motionScore = 30;
    bool chi = true, binning = true;
    std::string device = "auto";
    std::string dtype = "auto";
};

template <class T>
T parseInteger(const std::string& s, const char* what) {
    T v{};
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    SV_CHECK(ec == std::errc() && p == s.data() + s.size(), what, ": \"", s, "\" is not an integer");
    return v;
}

double parseNumber(const std::string& s, const char* what) {
    try {
        size_t used = 0;
        const double v = std::stod(s, &used);
        if (used == s.size() && std::isfinite(v)) return v;
    } catch (const std::exception&) {
    }
    fail(what, ": \"", s, "\" is not a number");
}

// "0.9,0.5,0.1" → numbers.
std::vector<double> parseList(const std::string& s, const char* what) {
    std::vector<double> out;
    size_t pos = 0;
    while (pos <= s.size()) {
        const size_t comma = s.find(',', pos);
        out.push_back(
            parseNumber(s.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos), what));
        if (comma == std::string::npos) break;
        pos = comma + 1;
    }
    return out;
}

// "FILE" or "FILE:STRENGTH" (the last colon followed by a number; paths with colons still work).
LoraOption parseLora(const std::string& s) {
    LoraOption l{s, 1.0};
    const size_t colon = s.rfind(':');
    if (colon != std::string::npos && colon > 0) {
        try {
            size_t used = 0;
            const std::string tail = s.substr(colon + 1);
            const double v = std::stod(tail, &used);
            if (used == tail.size() && std::isfinite(v)) l = {s.substr(0, colon), v};
        } catch (const std::exception&) {
        }
    }
    SV_CHECK(!l.path.empty(), "--lora: \"", s, "\" names no file");
    return l;
}

// Returns false for --help.
bool parse(Args args, Options& o) {
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (a == "--help" || a == "-h") return false;
        if (a == "--no-binning") {
            o.binning = false;
            continue;
        }
        if (a == "--no-motion-score") {
            o.motionScore.reset();
            continue;
        }
        if (a == "--no-chi") {
            o.chi = false;
            continue;
        }
        SV_CHECK(a.starts_with("--"), "unexpected argument \"", a, "\" (see sanavideo generate --help)");
        SV_CHECK(i + 1 < args.size(), a, " needs a value");
        const std::string& v = args[++i];
        const char* name = a.c_str();
        if (a == "--model")
            o.model = v;
        else if (a == "--prompt")
            o.prompts.push_back(v);
        else if (a == "--num-videos")
            o.numVideos = parseInteger<int>(v, name);
        else if (a == "--sigmas")
            o.sigmas = parseList(v, name);
        else if (a == "--timesteps")
            o.timesteps = parseList(v, name);
        else if (a == "--generator")
            o.generator = v;
        else if (a == "--cuda-grid")
            o.cudaGrid = CudaGeneratorGrid::parse(v, name);
        else if (a == "--lora")
            o.loras.push_back(parseLora(v));
        else if (a == "--lora-mode")
            o.loraMode = v;
        else if (a == "--negative-prompt")
            o.negativePrompt = v;
        else if (a == "--image")
            o.image = v;
        else if (a == "--out")
            o.out = v;
        else if (a == "--scheduler")
            o.scheduler = v;
        else if (a == "--device")
            o.device = v;
        else if (a == "--height")
            o.height = parseInteger<int>(v, name);
        else if (a == "--width")
            o.width = parseInteger<int>(v, name);
        else if (a == "--frames")
            o.frames = parseInteger<int>(v, name);
        else if (a == "--steps")
            o.steps = parseInteger<int>(v, name);
        else if (a == "--fps")
            o.fps = parseInteger<int>(v, name);
        else if (a == "--seed")
            o.seed = parseInteger<uint64_t>(v, name);
        else if (a == "--motion-score")
            o.motionScore = parseInteger<int>(v, name);
        else if (a == "--guidance")
            o.guidance = parseNumber(v, name);
        else if (a == "--flow-shift")
            o.flowShift = parseNumber(v, name);
        else
            fail("unknown option ", a, " (see sanavideo generate --help)");
    }
    return true;
}

bool isMp4(const fs::path& p) {
    std::string ext = p.extension().string();
    for (auto& c : ext) c = char(std::tolower(static_cast<unsigned char>(c)));
    return ext == ".mp4";
}

// Everything that can be checked before the (slow) model load.
void validate(const Options& o, bool sequence) {
    SV_CHECK(!o.model.empty(), "--model DIR is required");
    SV_CHECK(!o.prompts.empty(), "--prompt is required (and must not be empty)");
    for (const std::string& p : o.prompts) SV_CHECK(!p.empty(), "--prompt must not be empty");
    SV_CHECK(o.numVideos >= 1 && o.numVideos <= 64, "--num-videos: ", o.numVideos,
             " is out of range (1..64)");
    SV_CHECK(o.sigmas.empty() || o.timesteps.empty(),
             "give --sigmas or --timesteps, not both (diffusers refuses both too)");
    (void)parseNoiseGenerator(o.generator, "--generator");
    (void)parseLoraMode(o.loraMode, "--lora-mode");
    SV_CHECK(!sequence || o.prompts.size() * size_t(o.numVideos) == 1, "--out: several videos (",
             o.prompts.size() * size_t(o.numVideos),
             ") are written as numbered .mp4 files; give an .mp4 name");
    SV_CHECK(!o.out.empty(), "--out is required (an .mp4 file, a folder or a frame pattern)");
    VideoGeometry g;  // Wan 2.1 + 2x2 patches; the model's own factors are checked again after loading
    g.height = o.height;
    g.width = o.width;
    g.frames = o.frames;
    try {
        validateGeometry(g);
    } catch (const Error& e) {
        fail("--", e.what());  // "--frames = 10 is not 4k+1 ...", "--height = 100 is not a multiple of 16"
    }
    SV_CHECK(o.steps >= 1, "--steps: ", o.steps, " is invalid (at least 1 denoising step)");
    SV_CHECK(o.steps <= Scheduler::kMaxSteps, "--steps: ", o.steps, " is too many");
    SV_CHECK(o.fps >= 1 && o.fps <= 240, "--fps: ", o.fps, " is out of range (1..240)");
    if (!o.scheduler.empty()) {
        try {
            (void)schedulerClassName(o.scheduler);
        } catch (const Error& e) {
            fail("--scheduler: ", e.what());
        }
    }
    if (o.flowShift) SV_CHECK(*o.flowShift > 0, "--flow-shift must be positive");
    SV_CHECK(o.device == "auto" || o.device == "cpu" || o.device.starts_with("cuda"), "--device: \"",
             o.device, "\" is not auto, cpu or cuda[:N]");
    SV_CHECK(o.dtype == "auto" || o.dtype == "f32" || o.dtype == "bf16", "--dtype: \"", o.dtype,
             "\" is not auto, f32 or bf16");
    SV_CHECK(
        o.dtype != "bf16" || (o.device != "cpu" && (o.device != "auto" || device::available(Device::cuda()))),
        "--dtype bf16 needs a CUDA device (the CPU backend runs f32)");
    if (!sequence) {
        const fs::path out(o.out);
        SV_CHECK(isMp4(out), "--out: \"", o.out,
                 "\" is not an .mp4 file, a folder or a frame pattern (e.g. frames/%04d.png)");
        const fs::path parent = out.parent_path().empty() ? fs::path(".") : out.parent_path();
        std::error_code ec;
        SV_CHECK(fs::is_directory(parent, ec), "--out: folder ", parent.string(), " does not exist");
    }
}

Device parseDevice(const std::string& s) {
    if (s == "auto") return device::available(Device::cuda()) ? Device::cuda(0) : Device::cpu();
    if (s == "cpu") return Device::cpu();
    int index = 0;
    if (s.size() > 4) {
        SV_CHECK(s[4] == ':', "--device: \"", s, "\" is not auto, cpu or cuda[:N]");
        index = parseInteger<int>(s.substr(5), "--device");
    }
    SV_CHECK(device::available(Device::cuda()), "--device ", s,
             ": this build has no CUDA backend or no CUDA device is available");
    return Device::cuda(index);
}

/// What a run used beyond the options: resolved seed, scheduler and noise.
struct RunInfo {
    uint64_t seed = 0;
    std::string scheduler;
    double shift = 0;
    std::optional<CudaGeneratorGrid> cudaGrid;  // the CUDA generator's grid
    bool noiseOnGpu = false;                    // drawn by cuRAND (torch's bits) rather than emulated
};

/// The settings written into every video, for video `index` of `count` (prompt-major order).
std::map<std::string, std::string> metadata(const Options& o, const RunInfo& run, const SanaModels& m,
                                            int index, int count) {
    nlohmann::json j = {{"prompt", o.prompts[size_t(index / o.numVideos)]},
                        {"negative_prompt", o.negativePrompt},
                        {"height", o.height},
                        {"width", o.width},
                        {"frames", o.frames},
                        {"steps", o.steps},
                        {"guidance_scale", o.guidance},
                        {"seed", run.seed},
                        {"generator", o.generator},
                        {"scheduler", run.scheduler},
                        {"flow_shift", run.shift},
                        {"resolution_binning", o.binning},
                        {"complex_human_instruction", o.chi},
                        {"model", fs::absolute(m.root).lexically_normal().string()}};
    j["motion_score"] = o.motionScore ? nlohmann::json(*o.motionScore) : nlohmann::json(nullptr);
    if (run.cudaGrid) {
        j["cuda_generator_grid"] = {
            {"multi_processor_count", run.cudaGrid->multiprocessors},
            {"max_threads_per_multi_processor", run.cudaGrid->threadsPerMultiprocessor},
            {"drawn_by", run.noiseOnGpu ? "cuRAND on the GPU" : "CPU emulation"}};
    }
    if (!o.sigmas.empty()) j["sigmas"] = o.sigmas;
    if (!o.timesteps.empty()) j["timesteps"] = o.timesteps;
    if (count > 1) j["batch"] = {{"video", index}, {"videos", count}, {"videos_per_prompt", o.numVideos}};
    if (!o.loras.empty()) {
        j["lora_mode"] = o.loraMode;
        for (const LoraOption& l : o.loras)
            j["loras"].push_back(
                {{"file", fs::absolute(l.path).lexically_normal().string()}, {"strength", l.strength}});
    }
    if (!o.image.empty()) j["image"] = o.image;
    std::map<std::string, std::string> md;
    md["sanavideo_settings"] = j.dump();
    for (const auto& [k, v] : j.items()) md[k] = v.is_string() ? v.get<std::string>() : v.dump();
    md["software"] = concat("sanavideo ", SV_VERSION_STRING);
    return md;
}

/// Where each video goes: --out itself for one video; for several, "<stem>_001.mp4", "<stem>_002.mp4", ...
/// taking the next numbers whose files do not exist (never overwriting).
std::vector<fs::path> outputPaths(const fs::path& out, int count) {
    if (count == 1) return {out};
    std::vector<fs::path> paths;
    std::error_code ec;
    for (int k = 1; int(paths.size()) < count; ++k) {
        char number[16];
        std::snprintf(number, sizeof number, "_%03d", k);
        fs::path p = out.parent_path() / (out.stem().string() + number + out.extension().string());
        if (!fs::exists(p, ec)) paths.push_back(std::move(p));
    }
    return paths;
}

/// The transformer with --lora adapters applied (each read for the loaded transformer's configuration).
void applyLoras(SanaModels& models, const Options& o) {
    if (o.loras.empty()) return;
    const SanaTransformer& base = models.requireTransformer();
    std::vector<LoraUse> uses;
    for (const LoraOption& l : o.loras) {
        try {
            uses.push_back(
                {std::make_shared<const LoraAdapter>(LoraAdapter::load(l.path, base.config())), l.strength});
        } catch (const Error& e) {
            fail("--lora: ", e.what());
        }
        std::fprintf(stderr, "LoRA %s: %zu modules at strength %g (%s)\n", uses.back().adapter->name.c_str(),
                     uses.back().adapter->modules.size(), l.strength, o.loraMode.c_str());
    }
    models.transformer = std::make_shared<const SanaTransformer>(
        applyLora(base, uses, parseLoraMode(o.loraMode, "--lora-mode")));
}

double seconds(std::chrono::steady_clock::time_point since) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

std::shared_ptr<SanaModels> loadModels(const Options& o, Device device) {
    std::fprintf(stderr, "loading %s ...\n", o.model.c_str());
    ModelLoadOptions lo;
    lo.device = device;
    const DType dtype = o.dtype == "f32" || (o.dtype == "auto" && device.isCpu()) ? DType::F32 : DType::BF16;
    lo.transformerDtype = dtype;
    lo.textEncoderDtype = dtype;
    lo.vaeDtype = DType::F32;  // diffusers' recommendation
    lo.vaeEncoder = !o.image.empty();
    auto models = std::make_shared<SanaModels>(SanaModels::load(o.model, lo));
    applyLoras(*models, o);
    return models;
}

RunInfo resolveRun(const Options& o, const SanaModels& models, Device device) {
    RunInfo run;
    run.seed = o.seed ? *o.seed : uint64_t(std::random_device{}() & 0x7fffffffu);
    run.scheduler = o.scheduler.empty() ? std::string(models.requireScheduler().shortName()) : o.scheduler;
    run.shift = o.flowShift ? *o.flowShift : (models.scheduler ? models.scheduler->shift() : 8.0);
    if (parseNoiseGenerator(o.generator, "--generator") == NoiseGenerator::Cuda) {
        run.cudaGrid = resolveCudaGeneratorGrid(o.cudaGrid, device, "--cuda-grid");
        run.noiseOnGpu =
            device.isCuda() || device::count(Device::Kind::Cuda) > 0;  // sana_sampling.cpp: initialNoise
    }
    std::fprintf(stderr, "seed %llu (%s generator%s), %s scheduler (shift %g), %s, guidance %g, %d frames\n",
                 static_cast<unsigned long long>(run.seed), o.generator.c_str(),
                 run.cudaGrid
                     ? concat(", grid ", run.cudaGrid->toString(), run.noiseOnGpu ? "" : ", emulated").c_str()
                     : "",
                 run.scheduler.c_str(), run.shift,
                 !o.sigmas.empty()      ? concat(o.sigmas.size(), " custom sigmas").c_str()
                 : !o.timesteps.empty() ? concat(o.timesteps.size(), " custom timesteps").c_str()
                                        : concat(o.steps, " steps").c_str(),
                 o.guidance, o.frames);
    return run;
}

ImageToVideoRequest buildRequest(const Options& o, const RunInfo& run) {
    ImageToVideoRequest r;
    r.prompts = o.prompts;
    r.negativePrompts = {o.negativePrompt};
    r.numVideosPerPrompt = o.numVideos;
    r.motionScore = o.motionScore;
    if (!o.chi) r.complexHumanInstruction = std::vector<std::string>{};
    r.steps = o.steps;
    r.sigmas = o.sigmas;
    r.timesteps = o.timesteps;
    r.guidanceScale = o.guidance;
    r.height = o.height;
    r.width = o.width;
    r.frames = o.frames;
    r.seed = run.seed;
    r.generator = parseNoiseGenerator(o.generator, "--generator");
    r.cudaGrid = run.cudaGrid;
    r.useResolutionBinning = o.binning;
    r.scheduler = o.scheduler;
    r.flowShift = o.flowShift;
    return r;
}

void writeSequence(const Options& o, const Tensor& video) {  // [F, H, W, 3] in [0, 1]
    media::ImageSequenceWriter seq(o.out);
    for (int64_t k = 0; k < video.dim(0); ++k) {
        checkInterrupted();
        const Tensor frame = video.select(0, k);
        const std::string ext = seq.pathFor(k).extension().string();
        seq.write(ext == ".exr" || ext == ".EXR" ? frame.contiguous() : floatFramesToUint8(frame));
    }
}

int generate(const Options& o) {
    const bool sequence = media::isImageSequenceTarget(o.out);
    validate(o, sequence);
    const Device device = parseDevice(o.device);
    const auto t0 = std::chrono::steady_clock::now();
    media::LoadedImage image;
    if (!o.image.empty()) image = media::loadImage(o.image);  // fails fast, naming the file
    const auto models = loadModels(o, device);
    checkInterrupted();
    const GenerationSize size =
        resolveGenerationSize(models->requireTransformer().config(), o.height, o.width, o.binning);
    (void)generationGeometry(*models, size.height, size.width, o.frames);
    if (size.resized())
        std::fprintf(stderr,
                     "resolution binning: generating at %dx%d, resized to %dx%d (--no-binning to "
                     "generate at %dx%d directly)\n",
                     size.width, size.height, o.width, o.height, o.width, o.height);
    const RunInfo run = resolveRun(o, *models, device);
    ImageToVideoRequest r = buildRequest(o, run);

    // MP4: frames are streamed into one encoder per video as the VAE produces them (temporary names until
    // finish()).
    const int count = int(o.prompts.size()) * o.numVideos;
    const std::vector<fs::path> paths = sequence ? std::vector<fs::path>{o.out} : outputPaths(o.out, count);
    std::vector<std::unique_ptr<media::VideoWriter>> writers;
    for (int v = 0; !sequence && v < count; ++v) {
        media::VideoWriterOptions wo;
        wo.fpsNum = o.fps;
        wo.metadata = metadata(o, run, *models, v, count);
        writers.push_back(std::make_unique<media::VideoWriter>(paths[size_t(v)], o.width, o.height, wo));
    }
    r.keepFrames = sequence;
    int64_t framesDone = 0;
    const int64_t totalFrames = 4 * ((o.frames - 1) / 4) + 1;
    std::optional<ProgressBar> decodeBar;
    r.frameSink = [&](int64_t, const Tensor& frames) {  // [N, n, H, W, 3]
        checkInterrupted();
        for (size_t v = 0; v < writers.size(); ++v)
            for (int64_t k = 0; k < frames.dim(1); ++k)
                writers[v]->push(frames.select(0, int64_t(v)).select(0, k));
        framesDone += frames.dim(1);
        if (!decodeBar) decodeBar.emplace("decoding", "frame");
        decodeBar->update(int(framesDone), int(totalFrames));
    };
    ProgressBar bar("sampling");
    const StepCallback onStep = [&](int step, int total, double, const Tensor&, const Tensor&) {
        bar.update(step + 1, total);
        if (step + 1 == total) {
            bar.finish();
            decodeBar.emplace("decoding", "frame");  // its clock starts with the decode
        }
        return !gInterrupted.load();
    };
    std::fprintf(stderr, "encoding the prompt%s ...\n", o.prompts.size() > 1 ? "s" : "");
    VideoResult result;
    if (o.image.empty()) {
        result = TextToVideoPipeline(models).run(r, onStep);
    } else {
        r.image = image.rgb8.defined() ? image.rgb8 : image.rgb;
        result = ImageToVideoPipeline(models).run(r, onStep);
    }
    bar.finish();
    if (decodeBar) decodeBar->finish();
    checkInterrupted();
    for (auto& w : writers) w->finish();
    if (sequence) writeSequence(o, result.frames.select(0, 0));
    for (const fs::path& p : paths)
        std::printf("wrote %s (%lld frame%s, %dx%d%s) in %.1f s\n", p.string().c_str(),
                    static_cast<long long>(totalFrames), totalFrames == 1 ? "" : "s", o.width, o.height,
                    sequence ? "" : concat(", ", o.fps, " fps").c_str(), seconds(t0));
    return 0;
}

}  // namespace

int runGenerate(Args args) {
    Options o;
    if (args.empty() || !parse(args, o)) {
        printUsage();
        return args.empty() ? 2 : 0;
    }
    media::setFfmpegQuiet(true);
    SigintGuard guard;
    try {
        return generate(o);
    } catch (const Cancelled&) {
        std::fprintf(stderr, "\nsanavideo generate: cancelled, nothing written to %s\n", o.out.c_str());
        return 130;
    }
}

}  // namespace sv::cli
