// `sanavideo generate` for minute-long videos with LongSANA (core/pipelines/long_video.h): taken when the
// model folder is a LongSANA one (its transformer is SanaVideoCausalTransformer3DModel) or with --long. The
// video is generated chunk after chunk and every finished chunk is decoded and appended to the output while
// the next renders: a fragmented MP4 (or a .y4m) that grows on disk and stays playable, so Ctrl-C — or a
// crash — leaves the finished chunks. Prompts over time: "<split>" in --prompt, or --prompt-at CHUNK=TEXT.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "backend/device.h"
#include "base/cancelled.h"
#include "base/error.h"
#include "commands.h"
#include "media/video_writer.h"
#include "media/y4m_writer.h"
#include "pipelines/long_video.h"
#include "progress_bar.h"
#include "sigint.h"

namespace fs = std::filesystem;

namespace sv::cli {

namespace {

struct LongOptions {
    std::string model, prompt, negativePrompt, out, promptFile, device = "auto", dtype = "auto";
    std::vector<std::string> promptAt;  // CHUNK=TEXT
    int height = 480, width = 832, frames = 961, fps = 16, chunkFrames = 10, cachedChunks = -1;
    std::optional<double> seconds;
    std::vector<double> steps = {std::begin(kLongSanaSteps), std::end(kLongSanaSteps)};
    double guidance = 1.0, shift = 1.0;
    std::string sigmas = "diffusers", rope = "absolute";
    std::optional<uint64_t> seed;
    int motionScore = 30;
    bool noMotionScore = false, noChi = false, noBinning = false, long_ = false;
};

void addOptions(CLI::App& app, LongOptions& o) {
    app.add_flag("--long", o.long_, "LongSANA long video (automatic for a LongSANA folder)");
    app.add_option("--model", o.model, "LongSANA model folder (diffusers layout)")->required();
    app.add_option("--prompt", o.prompt,
                   "what to generate; \"a<split>b<split>c\" spreads prompts over the chunks")
        ->required();
    app.add_option("--prompt-at", o.promptAt, "CHUNK=TEXT: from chunk CHUNK on, use TEXT (repeatable)");
    app.add_option("--prompt-file", o.promptFile,
                   "lines \"CHUNK: prompt\", re-read before every chunk: edit it while the video renders");
    app.add_option("--negative-prompt", o.negativePrompt, "only with --guidance > 1");
    app.add_option("--height", o.height, "output height, a multiple of 16")->capture_default_str();
    app.add_option("--width", o.width, "output width, a multiple of 16")->capture_default_str();
    app.add_option("--frames", o.frames, "frames, 1 + 4k (961 = one minute at 16 fps)")
        ->capture_default_str();
    app.add_option("--seconds", o.seconds, "length in seconds instead of --frames (frames = fps·s + 1)");
    app.add_option("--fps", o.fps, "frame rate")->capture_default_str()->check(CLI::Range(1, 240));
    app.add_option("--chunk-frames", o.chunkFrames, "latent frames per chunk (4 video frames each)")
        ->capture_default_str()
        ->check(CLI::PositiveNumber);
    app.add_option("--cached-chunks", o.cachedChunks, "chunks the state remembers (-1: all)")
        ->capture_default_str();
    app.add_option("--steps", o.steps, "the denoising step list")->delimiter(',')->capture_default_str();
    app.add_option("--shift", o.shift, "flow shift applied to the step list")->capture_default_str();
    app.add_option("--sigmas", o.sigmas, "σ of the steps: diffusers | nvlabs")->capture_default_str();
    app.add_option("--rope", o.rope, "RoPE frame positions: absolute (NVlabs/Sana) | chunk (diffusers PR)")
        ->capture_default_str();
    app.add_option("--guidance", o.guidance, "classifier-free guidance (LongSANA: 1 = off)")
        ->capture_default_str();
    app.add_option("--seed", o.seed, "noise seed, as torch.Generator(\"cpu\").manual_seed(N) [random]");
    app.add_option("--motion-score", o.motionScore, "appends \" motion score: M.\"")->capture_default_str();
    app.add_flag("--no-motion-score", o.noMotionScore, "no motion-score suffix");
    app.add_flag("--no-chi", o.noChi, "no complex-human-instruction prefix");
    app.add_flag("--no-binning", o.noBinning, "generate at the requested size (no resolution bin)");
    app.add_option("--device", o.device, "auto | cpu | cuda[:N]")->capture_default_str();
    app.add_option("--dtype", o.dtype, "auto | f32 | bf16 (transformer and text encoder)")
        ->capture_default_str();
    app.add_option("--out", o.out, ".mp4 (fragmented, grows while it renders) or .y4m")->required();
}

std::string lowerExtension(const fs::path& p) {
    std::string e = p.extension().string();
    for (auto& c : e) c = char(std::tolower(static_cast<unsigned char>(c)));
    return e;
}

Device deviceOf(const std::string& s) {
    if (s == "auto") return device::available(Device::cuda()) ? Device::cuda(0) : Device::cpu();
    if (s == "cpu") return Device::cpu();
    SV_CHECK(s.starts_with("cuda") && device::available(Device::cuda()), "--device ", s,
             ": not cpu, or no CUDA backend / device is available");
    return Device::cuda(s.size() > 5 ? std::stoi(s.substr(5)) : 0);
}

// The output: a fragmented MP4 or a Y4M, written frame by frame, flushed after every chunk.
class LongOutput {
  public:
    LongOutput(const LongOptions& o, const std::string& settings) {
        const std::string ext = lowerExtension(o.out);
        SV_CHECK(ext == ".mp4" || ext == ".y4m", "--out: \"", o.out, "\" is not an .mp4 or .y4m file");
        if (ext == ".y4m") {
            y4m_.emplace(o.out, o.width, o.height, o.fps);
            return;
        }
        media::VideoWriterOptions wo;
        wo.fpsNum = o.fps;
        wo.fragmented = true;
        wo.metadata["sanavideo_settings"] = settings;
        mp4_.emplace(o.out, o.width, o.height, wo);
    }
    void push(const Tensor& frame) {
        if (y4m_) y4m_->push(frame);
        if (mp4_) mp4_->push(frame);
    }
    void flush() {
        if (y4m_) y4m_->flush();
        if (mp4_) mp4_->flushFragment();
    }
    void finish() {
        if (y4m_) y4m_->finish();
        if (mp4_) mp4_->finish();
    }
    int64_t frames() const { return y4m_ ? y4m_->framesWritten() : mp4_->framesWritten(); }

  private:
    std::optional<media::Y4mWriter> y4m_;
    std::optional<media::VideoWriter> mp4_;
};

LongVideoRequest makeRequest(const LongOptions& o, uint64_t seed) {
    LongVideoRequest r;
    r.prompts = std::make_shared<PromptSchedule>();
    r.negativePrompt = o.negativePrompt;
    if (!o.noMotionScore) r.motionScore = o.motionScore;
    if (o.noChi) r.complexHumanInstruction = std::vector<std::string>{};
    r.height = o.height, r.width = o.width, r.frames = o.frames;
    r.useResolutionBinning = !o.noBinning;
    r.seed = seed;
    r.guidanceScale = o.guidance;
    r.steps = o.steps;
    r.shift = o.shift;
    SV_CHECK(o.sigmas == "diffusers" || o.sigmas == "nvlabs", "--sigmas: \"", o.sigmas,
             "\" is not diffusers or nvlabs");
    r.sigmaSource = o.sigmas == "nvlabs" ? LongSigmaSource::NvlabsTable : LongSigmaSource::Diffusers;
    SV_CHECK(o.rope == "absolute" || o.rope == "chunk", "--rope: \"", o.rope, "\" is not absolute or chunk");
    r.chunkLocalRope = o.rope == "chunk";
    r.chunkFrames = o.chunkFrames;
    r.cachedChunks = o.cachedChunks;
    return r;
}

// "<split>" parts over the chunks, then the --prompt-at entries on top.
void schedulePrompts(const LongOptions& o, PromptSchedule& schedule, int64_t chunks) {
    schedule.setSplitText(o.prompt, chunks);
    for (const std::string& entry : o.promptAt) {
        const size_t eq = entry.find('=');
        SV_CHECK(eq != std::string::npos && eq > 0, "--prompt-at: \"", entry, "\" is not CHUNK=TEXT");
        const int64_t chunk = std::stoll(entry.substr(0, eq));
        SV_CHECK(chunk >= 0 && chunk < chunks, "--prompt-at: chunk ", chunk, " is outside 0..", chunks - 1);
        schedule.set(chunk, entry.substr(eq + 1));
    }
}

int generateLong(LongOptions o) {
    if (o.seconds) o.frames = int(std::lround(*o.seconds * o.fps)) / 4 * 4 + 1;
    const Device device = deviceOf(o.device);
    const auto t0 = std::chrono::steady_clock::now();
    std::fprintf(stderr, "loading %s ...\n", o.model.c_str());
    ModelLoadOptions lo;
    lo.device = device;
    const DType dtype = o.dtype == "f32" || (o.dtype == "auto" && device.isCpu()) ? DType::F32 : DType::BF16;
    lo.transformerDtype = lo.textEncoderDtype = dtype;
    lo.vaeDtype = device.isCpu() ? DType::F32 : DType::BF16;
    lo.vaeEncoder = false;
    const SanaModels models = SanaModels::load(o.model, lo);
    checkInterrupted();
    const uint64_t seed = o.seed ? *o.seed : uint64_t(std::random_device{}() & 0x7fffffffu);
    LongVideoRequest r = makeRequest(o, seed);
    r.prompts->set(0, o.prompt);  // planLongVideo needs a prompt; the real schedule follows
    const LongVideoPlan plan = planLongVideo(models, r);
    schedulePrompts(o, *r.prompts, plan.chunks());
    std::fprintf(stderr, "seed %llu: %lld frames (%.1f s at %d fps) in %lld chunks of %d latent frames\n",
                 (unsigned long long)seed, (long long)plan.frames, double(plan.frames - 1) / o.fps, o.fps,
                 (long long)plan.chunks(), o.chunkFrames);
    const nlohmann::json settings = {{"prompt", o.prompt}, {"frames", o.frames},
                                     {"seed", seed},       {"model", o.model},
                                     {"long", true},       {"chunk_frames", o.chunkFrames}};
    LongOutput out(o, settings.dump());
    ProgressBar bar("generating", "chunk");
    std::optional<PromptFileWatcher> promptFile;
    if (!o.promptFile.empty()) promptFile.emplace(o.promptFile, *r.prompts);
    LongVideoCallbacks cb;
    cb.onChunkStart = [&](int64_t c) {
        if (promptFile && promptFile->refresh() && c > 0)
            std::fprintf(stderr, "\nprompts re-read from %s before chunk %lld\n", o.promptFile.c_str(),
                         (long long)c);
    };
    cb.onStep = [&](const LongStepInfo&, const Tensor&) { return !interrupted(); };
    cb.onFrames = [&](int64_t, const Tensor& f) {
        for (int64_t k = 0; k < f.dim(1); ++k) out.push(f.select(0, 0).select(0, k));
    };
    cb.onChunkDecoded = [&](int64_t c, int64_t) {
        out.flush();
        bar.update(int(c + 1), int(plan.chunks()));
    };
    try {
        (void)generateLongVideo(models, r, cb);
    } catch (const Cancelled&) {
        bar.finish();
        out.finish();  // the chunks finished so far, as a complete file
        std::fprintf(stderr, "\nsanavideo generate: cancelled; %s keeps the %lld frames finished\n",
                     o.out.c_str(), (long long)out.frames());
        return 130;
    }
    bar.finish();
    out.finish();
    std::printf("wrote %s (%lld frames, %dx%d, %d fps, %lld chunks) in %.1f s\n", o.out.c_str(),
                (long long)out.frames(), o.width, o.height, o.fps, (long long)plan.chunks(),
                std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    return 0;
}

}  // namespace

bool wantsLongVideo(Args args) {
    for (size_t i = 0; i < args.size(); ++i) {
        if (args[i] == "--long") return true;
        if (args[i] == "--model" && i + 1 < args.size() && isLongSanaModel(args[i + 1])) return true;
    }
    return false;
}

int runGenerateLong(Args args) {
    CLI::App app{"sanavideo generate (LongSANA): a minute-long video, generated chunk after chunk"};
    app.name("sanavideo generate");
    LongOptions o;
    addOptions(app, o);
    std::vector<std::string> reversed(args.rbegin(), args.rend());  // CLI11 consumes from the back
    try {
        app.parse(reversed);
    } catch (const CLI::ParseError& e) {
        return app.exit(e);
    }
    media::setFfmpegQuiet(true);
    SigintGuard guard;
    return generateLong(o);
}

}  // namespace sv::cli
