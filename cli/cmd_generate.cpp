// `sanavideo generate`: text-to-video (and image-to-video with --image) on a diffusers model folder, written
// as an MP4 (H.264 yuv420p, CRF 19, BT.709, the settings as metadata) or a PNG/EXR frame sequence.
//
// Ctrl-C: the first SIGINT sets a flag that the step callback and the frame sink poll, so the run stops after
// the current step (or decoded frame chunk) and nothing is left under the requested name (the MP4 is written
// under a temporary name and renamed at the end; a frame sequence is only written once decoding finished). A
// second Ctrl-C kills the process at once.
#include <charconv>
#include <chrono>
#include <cmath>
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
#include "pipelines/postprocess.h"
#include "pipelines/sana_pipeline.h"
#include "pipelines/video_geometry.h"
#include "progress_bar.h"
#include "schedulers/scheduler.h"
#include "sigint.h"

namespace fs = std::filesystem;

namespace sv::cli {

// cmd_generate_long.cpp: LongSANA folders and --long.
bool wantsLongVideo(Args args);
int runGenerateLong(Args args);

namespace {

void printUsage() {
    std::printf(
        "usage: sanavideo generate --model DIR --prompt TEXT --out FILE [options]\n\n"
        "Generates a video with a SANA-Video model folder (diffusers layout), exactly as diffusers'\n"
        "SanaVideoPipeline (or SanaImageToVideoPipeline with --image) would.\n\n"
        "  --model DIR             model folder (e.g. SANA-Video_2B_480p_diffusers, or make-demo-model's)\n"
        "  --prompt TEXT           what to generate\n"
        "  --negative-prompt TEXT  what to avoid (default \"\")\n"
        "  --image PATH            image-to-video: the first frame (PNG, JPEG, EXR, TIFF, ...)\n"
        "  --continue CLIP.mp4     continue a clip: image-to-video from its last frame; --out gets the clip\n"
        "                          followed by the new frames (the repeated first one dropped)\n"
        "  --height N --width N    output size, multiples of 16 (default 480 x 832)\n"
        "  --frames N              4k+1 frames (default 81)\n"
        "  --steps N               denoising steps (default 50)\n"
        "  --guidance G            classifier-free guidance scale (default 6; <= 1 turns it off)\n"
        "  --seed N                noise seed, as torch.Generator(\"cpu\").manual_seed(N) (default: random)\n"
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
        "                          as frames/%%04d.png or frames/%%04d.exr\n"
        "  --long                  minute-long video with LongSANA (automatic for a LongSANA folder); see\n"
        "                          sanavideo generate --long --help\n");
}

struct Options {
    std::string model, prompt, negativePrompt, image, out, scheduler, continueFrom;
    int height = 480, width = 832, frames = 81, steps = 50, fps = 16;
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
            o.prompt = v;
        else if (a == "--negative-prompt")
            o.negativePrompt = v;
        else if (a == "--image")
            o.image = v;
        else if (a == "--continue")
            o.continueFrom = v;
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
    SV_CHECK(!o.prompt.empty(), "--prompt is required (and must not be empty)");
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

std::map<std::string, std::string> metadata(const Options& o, uint64_t seed, const SanaModels& m,
                                            const std::string& scheduler, double shift) {
    nlohmann::json j = {{"prompt", o.prompt},
                        {"negative_prompt", o.negativePrompt},
                        {"height", o.height},
                        {"width", o.width},
                        {"frames", o.frames},
                        {"steps", o.steps},
                        {"guidance_scale", o.guidance},
                        {"seed", seed},
                        {"scheduler", scheduler},
                        {"flow_shift", shift},
                        {"resolution_binning", o.binning},
                        {"complex_human_instruction", o.chi},
                        {"model", fs::absolute(m.root).lexically_normal().string()}};
    j["motion_score"] = o.motionScore ? nlohmann::json(*o.motionScore) : nlohmann::json(nullptr);
    if (!o.image.empty()) j["image"] = o.image;
    std::map<std::string, std::string> md;
    md["sanavideo_settings"] = j.dump();
    for (const auto& [k, v] : j.items()) md[k] = v.is_string() ? v.get<std::string>() : v.dump();
    md["software"] = concat("sanavideo ", SV_VERSION_STRING);
    return md;
}

double seconds(std::chrono::steady_clock::time_point since) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

// --continue: the clip's frames, which go first into the output; its last frame becomes the image to continue
// from (image-to-video). Undefined without --continue.
Tensor continuation(Options& o, bool sequence, media::LoadedImage& image) {
    if (o.continueFrom.empty()) return {};
    SV_CHECK(o.image.empty(), "--continue and --image both give the first frame; use one");
    SV_CHECK(!sequence, "--continue writes an MP4 (the clip and its continuation)");
    Tensor previous = media::readVideoFrames(o.continueFrom);
    SV_CHECK(previous.dim(0) >= 1, "--continue: ", o.continueFrom, " has no frames");
    SV_CHECK(previous.dim(1) == o.height && previous.dim(2) == o.width, "--continue: ", o.continueFrom,
             " is ", previous.dim(2), "x", previous.dim(1), "; pass its size as --width/--height");
    image.rgb8 = previous.select(0, previous.dim(0) - 1).contiguous();
    image.rgb = image.rgb8;
    o.image = o.continueFrom;
    return previous;
}

int generate(Options o) {
    const bool sequence = media::isImageSequenceTarget(o.out);
    validate(o, sequence);
    const Device device = parseDevice(o.device);
    const auto t0 = std::chrono::steady_clock::now();

    media::LoadedImage image;
    if (!o.image.empty()) image = media::loadImage(o.image);  // fails fast, naming the file
    const Tensor previous = continuation(o, sequence, image);

    std::fprintf(stderr, "loading %s ...\n", o.model.c_str());
    ModelLoadOptions lo;
    lo.device = device;
    const DType dtype = o.dtype == "f32" || (o.dtype == "auto" && device.isCpu()) ? DType::F32 : DType::BF16;
    lo.transformerDtype = dtype;
    lo.textEncoderDtype = dtype;
    lo.vaeDtype = DType::F32;  // diffusers' recommendation
    lo.vaeEncoder = !o.image.empty();
    auto models = std::make_shared<SanaModels>(SanaModels::load(o.model, lo));
    checkInterrupted();

    const GenerationSize size =
        resolveGenerationSize(models->requireTransformer().config(), o.height, o.width, o.binning);
    (void)generationGeometry(*models, size.height, size.width, o.frames);
    if (size.resized())
        std::fprintf(stderr,
                     "resolution binning: generating at %dx%d, resized to %dx%d (--no-binning to "
                     "generate at %dx%d directly)\n",
                     size.width, size.height, o.width, o.height, o.width, o.height);
    const uint64_t seed = o.seed ? *o.seed : uint64_t(std::random_device{}() & 0x7fffffffu);
    const std::string schedulerName(o.scheduler.empty() ? models->requireScheduler().shortName()
                                                        : o.scheduler);
    const double shift = o.flowShift ? *o.flowShift : (models->scheduler ? models->scheduler->shift() : 8.0);
    std::fprintf(stderr, "seed %llu, %s scheduler (shift %g), %d steps, guidance %g, %d frames\n",
                 static_cast<unsigned long long>(seed), schedulerName.c_str(), shift, o.steps, o.guidance,
                 o.frames);

    ImageToVideoRequest r;
    r.prompts = {o.prompt};
    r.negativePrompts = {o.negativePrompt};
    r.motionScore = o.motionScore;
    if (!o.chi) r.complexHumanInstruction = std::vector<std::string>{};
    r.steps = o.steps;
    r.guidanceScale = o.guidance;
    r.height = o.height;
    r.width = o.width;
    r.frames = o.frames;
    r.seed = seed;
    r.useResolutionBinning = o.binning;
    r.scheduler = o.scheduler;
    r.flowShift = o.flowShift;

    // MP4: frames are streamed into the encoder as the VAE produces them (temporary name until finish()).
    std::unique_ptr<media::VideoWriter> writer;
    if (!sequence) {
        media::VideoWriterOptions wo;
        wo.fpsNum = o.fps;
        wo.metadata = metadata(o, seed, *models, schedulerName, shift);
        writer = std::make_unique<media::VideoWriter>(o.out, o.width, o.height, wo);
        r.keepFrames = false;
        for (int64_t k = 0; k < (previous.defined() ? previous.dim(0) : 0); ++k)
            writer->push(previous.select(0, k));
    }
    int64_t framesDone = 0;
    const int64_t totalFrames = 4 * ((o.frames - 1) / 4) + 1;
    std::optional<ProgressBar> decodeBar;
    r.frameSink = [&](int64_t first, const Tensor& frames) {
        checkInterrupted();
        const int64_t skip = previous.defined() && first == 0 ? 1 : 0;  // the continued clip already has it
        if (writer)
            for (int64_t k = skip; k < frames.dim(1); ++k) writer->push(frames.select(0, 0).select(0, k));
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
        return !interrupted();
    };
    std::fprintf(stderr, "encoding the prompt ...\n");
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

    if (writer) {
        writer->finish();
    } else {
        const Tensor video = result.frames.select(0, 0);  // [F, H, W, 3] in [0, 1]
        media::ImageSequenceWriter seq(o.out);
        for (int64_t k = 0; k < video.dim(0); ++k) {
            checkInterrupted();
            const Tensor frame = video.select(0, k);
            const std::string ext = seq.pathFor(k).extension().string();
            seq.write(ext == ".exr" || ext == ".EXR" ? frame.contiguous() : floatFramesToUint8(frame));
        }
    }
    const int64_t written = totalFrames + (previous.defined() ? previous.dim(0) - 1 : 0);
    std::printf("wrote %s (%lld frame%s, %dx%d%s) in %.1f s\n", o.out.c_str(),
                static_cast<long long>(written), written == 1 ? "" : "s", o.width, o.height,
                sequence ? "" : concat(", ", o.fps, " fps").c_str(), seconds(t0));
    return 0;
}

}  // namespace

int runGenerate(Args args) {
    if (wantsLongVideo(args)) return runGenerateLong(args);
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
