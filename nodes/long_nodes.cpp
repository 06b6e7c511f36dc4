// Long Video: LongSANA's minute-long generation as one node (core/pipelines/long_video.h). It renders chunk
// after chunk and appends each finished chunk to a fragmented MP4 in the output folder, so memory stays flat
// whatever the length and the file on disk is the clip so far (playable while it grows; a cancelled run keeps
// its finished chunks). The editor sees the current chunk's estimate after every step (preview) and each
// decoded chunk (display). Prompts over time: "<split>" in the prompt spreads parts over the chunks, the
// prompt_track param names the chunk each prompt starts at, and a prompt_file is re-read before every chunk.
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/cancelled.h"
#include "base/error.h"
#include "media/video_writer.h"
#include "media/y4m_writer.h"
#include "model_values.h"
#include "pack.h"
#include "pipelines/long_video.h"
#include "pipelines/postprocess.h"
#include "plugin/sdk/node.h"
#include "plugin/sdk/output_path.h"

namespace sv::nodes {

using namespace plugin;

namespace {

LongVideoRequest requestFrom(const ValueMap& params) {
    LongVideoRequest r;
    r.prompts = std::make_shared<PromptSchedule>(params.getString("prompt"));
    r.width = int(params.getInt("width"));
    r.height = int(params.getInt("height"));
    r.frames = int(params.getInt("frames"));
    r.seed = uint64_t(params.getInt("seed"));
    r.chunkFrames = int(params.getInt("chunk_frames"));
    r.cachedChunks = int(params.getInt("cached_chunks"));
    if (const int64_t m = params.getInt("motion_score"); m > 0) r.motionScore = int(m);
    r.chunkLocalRope = params.getString("rope") == "chunk";
    r.useResolutionBinning = params.getBool("resolution_binning");
    r.guidanceScale = params.getFloat("guidance");
    r.negativePrompt = params.getString("negative_prompt");
    if (!params.getBool("instruction")) r.complexHumanInstruction = std::vector<std::string>{};
    r.steps = parseNumberList(params.getString("step_list"), "step_list");
    r.shift = params.getFloat("shift");
    r.sigmaSource = params.getString("sigma_source") == "nvlabs" ? LongSigmaSource::NvlabsTable
                                                                 : LongSigmaSource::Diffusers;
    try {
        (void)LongSamplerSchedule::make(r.steps, r.shift, r.sigmaSource);  // checks the list
    } catch (const Error& e) {
        rethrowForParam("step_list", e);
    }
    return r;
}

// A prompt for a log line: at most 80 characters (the log names which prompt a chunk used).
std::string elided(std::string prompt) {
    constexpr size_t kMax = 80;
    if (prompt.size() <= kMax) return prompt;
    size_t cut = kMax - 1;
    while (cut > 0 && (uint8_t(prompt[cut]) & 0xC0) == 0x80) --cut;  // not inside a UTF-8 sequence
    return prompt.substr(0, cut) + "…";
}

// Where the chunks go: a fragmented MP4 (playable after every flushed chunk) or a Y4M stream (every complete
// frame readable as it is written).
class ChunkWriter {
  public:
    ChunkWriter(const std::filesystem::path& path, const std::string& format, int width, int height, int fps,
                const std::string& graphJson) {
        if (format == "y4m") {
            y4m_.emplace(path, width, height, fps, 1);
            return;
        }
        media::setFfmpegQuiet(true);
        media::VideoWriterOptions opt;
        opt.fpsNum = fps;
        opt.fragmented = true;
        opt.metadata[media::kGraphMetadataKey] = graphJson;
        mp4_.emplace(path, width, height, opt);
    }
    void push(const Tensor& frame) { y4m_ ? y4m_->push(frame) : mp4_->push(frame); }
    /// The file now holds every frame pushed so far, readable by players.
    void flush() { y4m_ ? y4m_->flush() : mp4_->flushFragment(); }
    void finish() { y4m_ ? y4m_->finish() : mp4_->finish(); }
    int64_t framesWritten() const { return y4m_ ? y4m_->framesWritten() : mp4_->framesWritten(); }

  private:
    std::optional<media::VideoWriter> mp4_;
    std::optional<media::Y4mWriter> y4m_;
};

// The frames of one decoded chunk, collected for the preview pane (bounded: one chunk).
class ChunkFrames {
  public:
    explicit ChunkFrames(double fps) : fps_(fps) {}
    void add(const Tensor& frames) {  // F32 [n, H, W, 3] in [0, 1]
        const Tensor u8 = floatFramesToUint8(frames).contiguous();
        if (!video_) {
            video_ = std::make_shared<Video>();
            video_->fps = fps_;
            video_->height = int(u8.dim(1));
            video_->width = int(u8.dim(2));
        }
        video_->rgb.insert(video_->rgb.end(), u8.data<uint8_t>(), u8.data<uint8_t>() + u8.numel());
        video_->frameCount += int(u8.dim(0));
    }
    /// The collected chunk as a VIDEO value; starts the next chunk.
    Value take() {
        Value v = Value::video(std::move(video_));
        video_.reset();
        return v;
    }

  private:
    double fps_;
    std::shared_ptr<Video> video_;
};

class LongVideoNode : public Node {
  public:
    ValueMap evaluate(const ValueMap& inputs, const ValueMap& params, NodeContext& ctx) override {
        const auto& model = inputs.getObject<ModelHandle>("model", kModelTag);
        const SanaModels& m = *model.models;
        requireComponent(m.transformer != nullptr, "transformer", "transformer");
        requireComponent(m.textEncoder != nullptr, "text encoder", "text_encoder");
        requireComponent(m.vae && m.vae->hasDecoder(), "VAE decoder", "vae_decoder");
        LongVideoRequest r = requestFrom(params);
        const LongVideoPlan plan = planLongVideo(m, r);
        // The prompt track ("CHUNK: prompt" lines, the editor's Prompt Track panel) names chunks; without it
        // the prompt's <split> parts are spread evenly. A prompt_file (below) replaces either.
        const std::string& track = params.getString("prompt_track");
        try {
            if (track.empty())
                r.prompts->setSplitText(params.getString("prompt"), plan.chunks());
            else
                r.prompts->setLines(track);
        } catch (const Error& e) {
            rethrowForParam(track.empty() ? "prompt" : "prompt_track", e);
        }
        const int steps = plan.schedule.steps();
        const std::string& format = params.getString("format");
        const auto fs = std::filesystem::path(
            resolveOutputPath(ctx.outputDir(), params.getString("filename"), "." + format, "filename"));
        const int fps = int(params.getInt("fps"));
        ChunkWriter writer(fs, format, r.width, r.height, fps, ctx.graphJson());
        ChunkFrames shown{double(fps)};
        std::optional<PromptFileWatcher> promptFile;
        if (const std::string& pf = params.getString("prompt_file"); !pf.empty())
            promptFile.emplace(pf, *r.prompts);
        LongVideoCallbacks cb;
        cb.onChunkStart = [&](int64_t c) {
            if (promptFile && promptFile->refresh() && c > 0)
                ctx.log(LogLevel::Info, concat("prompts re-read from ", params.getString("prompt_file"),
                                               " before chunk ", c + 1));
        };
        cb.onStep = [&](const LongStepInfo& s, const Tensor& x0) {
            ctx.preview(latentPreview(x0, s.chunk * steps + s.step + 1, plan.chunks() * steps));
            return !ctx.isCancelled();
        };
        cb.onFrames = [&](int64_t, const Tensor& frames) {
            const Tensor video = frames.select(0, 0);  // the first video of the batch
            for (int64_t k = 0; k < video.dim(0); ++k) writer.push(video.select(0, k));
            shown.add(video);
        };
        cb.onChunkDecoded = [&](int64_t c, int64_t total) {
            writer.flush();                      // the file now plays up to here
            ctx.progress(c + 1, plan.chunks());  // progress counts finished chunks (the preview, steps)
            ctx.display(shown.take());
            // The schedule is refreshed only when a chunk starts, so it still holds the prompt chunk c used.
            ctx.log(LogLevel::Info,
                    concat("chunk ", c + 1, "/", plan.chunks(), " (prompt \"",
                           elided(r.prompts->promptFor(c)), "\"): ", total, " frames in ", fs.string()));
        };
        try {
            (void)generateLongVideo(m, r, cb);
        } catch (const sv::Cancelled&) {
            writer.finish();  // keep the finished chunks as a complete file
            ctx.log(LogLevel::Warning, concat("cancelled: ", fs.string(), " keeps the ",
                                              writer.framesWritten(), " frames finished"));
            throw;
        }
        writer.finish();
        ctx.log(LogLevel::Info, concat("wrote ", fs.string(), " (", writer.framesWritten(), " frames, ",
                                       plan.chunks(), " chunks)"));
        ValueMap out;
        out.set("path", Value::fromString(fs.string()));
        return out;
    }
};

// ---- continuing a clip with the regular model: Last Frame → Image Encode → Sampler → VAE Decode → Append

class LastFrameNode : public Node {
  public:
    ValueMap evaluate(const ValueMap& inputs, const ValueMap&, NodeContext&) override {
        const auto video = inputs.get("video").toVideo();
        SV_CHECK(video->frameCount > 0, "input 'video' has no frames");
        const std::span<const uint8_t> last = video->frame(video->frameCount - 1);
        auto img = std::make_shared<Image>();
        img->width = video->width;
        img->height = video->height;
        img->channels = 3;
        img->pixels.resize(last.size());
        for (size_t i = 0; i < last.size(); ++i) img->pixels[i] = float(last[i]) / 255.0f;  // exact for U8
        ValueMap out;
        out.set("image", Value::image(std::move(img)));
        return out;
    }
};

class AppendVideoNode : public Node {
  public:
    ValueMap evaluate(const ValueMap& inputs, const ValueMap& params, NodeContext&) override {
        const auto a = inputs.get("first").toVideo(), b = inputs.get("second").toVideo();
        SV_CHECK(a->width == b->width && a->height == b->height, "input 'second' is ", b->width, "x",
                 b->height, " but input 'first' is ", a->width, "x", a->height,
                 "; both clips need the same size");
        const int skip = params.getBool("drop_first") && b->frameCount > 0 ? 1 : 0;
        auto v = std::make_shared<Video>(*a);
        const auto tail = b->rgb.begin() + ptrdiff_t(size_t(skip) * b->frameBytes());
        v->rgb.insert(v->rgb.end(), tail, b->rgb.end());
        v->frameCount = a->frameCount + b->frameCount - skip;
        ValueMap out;
        out.set("video", Value::video(std::move(v)));
        return out;
    }
};

/// Last Frame and Append Video: continuing a clip with the regular model.
void registerContinueNodes(NodeRegistry& r);

// Long Video's parameters in four groups: the prompts over time, the clip, how each chunk is sampled, the
// file.
std::vector<ParamSpec> longPromptParams() {
    return {
        ParamSpec::text("prompt", "A red fox trots through fresh snow in a quiet pine forest at dawn.")
            .asMultiline()
            .withHelp("What to generate; parts separated by <split> follow each other over the chunks."),
        ParamSpec::text("prompt_track", "")
            .asMultiline()
            .showOnNode(false)  // the Prompt Track panel is its editor
            .withHelp(
                "Prompts over time, one \"CHUNK: prompt\" line per change (chunks count from 0; each holds "
                "until the next line), e.g. \"0: a fox in the snow\" and \"5: the fox leaps\". Empty: the "
                "prompt above. Edit it in the Prompt Track panel, also while the video renders."),
        ParamSpec::path("prompt_file", "")
            .withHelp(
                "Optional file of \"CHUNK: prompt\" lines, re-read before every chunk: edit it while the "
                "video renders to change the prompt of the chunks still to come (it replaces the prompt "
                "and the prompt track above). The editor gives each run of a node without one its own "
                "file, written by the Prompt Track panel."),
    };
}

std::vector<ParamSpec> longClipParams() {
    return {
        ParamSpec::integer("width", 832)
            .range(16, 4096)
            .withStep(16)
            .withHelp("Video width, a multiple of 16."),
        ParamSpec::integer("height", 480)
            .range(16, 4096)
            .withStep(16)
            .withHelp("Video height, a multiple of 16."),
        ParamSpec::integer("frames", 961)
            .range(1, 4093)
            .withStep(4)
            .withHelp("Number of frames, 1 + 4·k (961 = one minute at 16 fps)."),
        ParamSpec::integer("seed", 42)
            .range(0, 9007199254740991.0)
            .withHelp("Seed of the noise (a CPU generator)."),
        ParamSpec::integer("chunk_frames", 10)
            .range(1, 256)
            .withHelp("Latent frames per chunk (4 video frames each; LongSANA: 10)."),
        ParamSpec::integer("cached_chunks", -1)
            .range(-1, 100000)
            .withHelp("How many earlier chunks the state remembers; -1: all (LongSANA's setting)."),
    };
}

std::vector<ParamSpec> longChunkParams() {
    return {
        ParamSpec::integer("motion_score", 30)
            .range(0, 100)
            .withHelp("Appends \" motion score: M.\"; 0: none."),
        ParamSpec::choice("rope", {"absolute", "chunk"}, "absolute")
            .withHelp(
                "RoPE frame positions: absolute (NVlabs/Sana, which trained the weights) or chunk-local "
                "(diffusers PR #12723)."),
        ParamSpec::text("step_list", "1000, 960, 889, 727")
            .withHelp(
                "The denoising timesteps of every chunk, descending in (0, 1000] (LongSANA's 4 steps; a "
                "trailing 0 is allowed)."),
        ParamSpec::real("shift", 1.0)
            .range(0.01, 100.0)
            .withStep(0.5)
            .withHelp(
                "Flow shift applied to the step list (diffusers' FlowMatchEulerDiscreteScheduler shift)."),
        ParamSpec::choice("sigma_source", {"diffusers", "nvlabs"}, "diffusers")
            .withHelp(
                "Each step's sigma: from the shifted timestep (diffusers PR #12723) or the nearest entry "
                "of NVlabs/Sana's 1000-step training table."),
        ParamSpec::real("guidance", 1.0)
            .range(0.0, 30.0)
            .withStep(0.5)
            .withHelp("Classifier-free guidance scale; LongSANA runs without it (1 or less: off)."),
        ParamSpec::text("negative_prompt", "")
            .asMultiline()
            .withHelp("What to avoid (used only with guidance above 1)."),
        ParamSpec::boolean("instruction", true)
            .withHelp("Prefix the prompt with the complex human instruction (diffusers' default)."),
        ParamSpec::boolean("resolution_binning", false)
            .withHelp("Generate at the closest trained size and resize back; off: exactly width×height."),
    };
}

std::vector<ParamSpec> longFileParams() {
    return {
        ParamSpec::integer("fps", 16).range(1, 240).withHelp("Frame rate of the video."),
        ParamSpec::choice("format", {"mp4", "y4m"}, "mp4")
            .withHelp("mp4: fragmented H.264, playable while it grows; y4m: raw YUV4MPEG2 frames."),
        ParamSpec::outputFile("filename", "sana_long_{counter:05}")
            .withHelp("File name in the output folder; {counter} counts up to the first unused name."),
    };
}

NodeDescriptor longVideoDescriptor() {
    NodeDescriptor d{type::kLongVideo, 1, "Long Video", kCategorySampling};
    d.help =
        "Minute-long text-to-video with LongSANA (a SanaVideoCausalTransformer3DModel folder): the video is "
        "generated chunk after chunk with a constant-size state and each finished chunk is appended to an "
        "MP4 in the output folder, which plays while it grows. Preview: the current chunk after every step; "
        "the viewer shows each decoded chunk. \"<split>\" in the prompt spreads prompts over the chunks; "
        "the prompt track names the chunk where each prompt starts.";
    d.isOutput = true;
    d.inputs = {
        PortSpec::required("model", port::kModel, "a LongSANA model (transformer, text encoder, VAE)")};
    d.outputs = {PortSpec::required("path", PortType::String, "the MP4 written")};
    for (auto group : {longPromptParams(), longClipParams(), longChunkParams(), longFileParams()})
        d.params.insert(d.params.end(), group.begin(), group.end());
    return d;
}

}  // namespace

void registerLongNodes(NodeRegistry& r) {
    r.add<LongVideoNode>(longVideoDescriptor());
    registerContinueNodes(r);
}

namespace {
void registerContinueNodes(NodeRegistry& r) {
    {
        NodeDescriptor l{type::kLastFrame, 1, "Last Frame", kCategorySampling};
        l.help =
            "The last frame of a video as an image: connect it to Image Encode to continue the clip with "
            "image-to-video (the cheap long-video path of the regular 480p model), then Append Video.";
        l.inputs = {PortSpec::required("video", PortType::Video, "the clip to continue")};
        l.outputs = {PortSpec::required("image", PortType::Image, "its last frame")};
        r.add<LastFrameNode>(l);
    }
    {
        NodeDescriptor a{type::kAppendVideo, 1, "Append Video", kCategorySampling};
        a.help = "One video after the other (same size; the frame rate of the first).";
        a.inputs = {PortSpec::required("first", PortType::Video, "the clip"),
                    PortSpec::required("second", PortType::Video, "its continuation")};
        a.outputs = {PortSpec::required("video", PortType::Video, "first, then second")};
        a.params = {
            ParamSpec::boolean("drop_first", true)
                .withHelp("Drop the continuation's first frame (image-to-video repeats the last frame of "
                          "the clip there).")};
        r.add<AppendVideoNode>(a);
    }
}

}  // namespace

}  // namespace sv::nodes
