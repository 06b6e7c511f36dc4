// sv_long_bench: LongSANA's minute-long video end to end on one GPU, through the real long-video pipeline
// (core/pipelines/long_video.h): text encode, chunk after chunk of causal sampling with the carried state,
// streaming VAE decode, and the frames written as Y4M by a writer thread (or dropped). Lean: sv_core only.
//
// Weights: a LongSANA model folder (--model), or random full-size weights made on the GPU from the configs of
// tests/data/reference/full_size (the transformer with the causal class; no weight files needed). Prints one
// JSON object: seconds per stage, frames per second, peak VRAM, and per chunk the VRAM peak and host RSS (to
// show that neither grows with the video's length).
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <fstream>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "backend/device.h"
#include "base/error.h"
#include "media/y4m_writer.h"
#include "models/gemma2.h"
#include "models/wan_vae.h"
#include "pipelines/long_video.h"
#include "random_weights.h"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

struct Options {
    fs::path configs = "tests/data/reference/full_size";
    fs::path model;  // a LongSANA folder instead of random weights
    fs::path out;    // .y4m, or empty: frames dropped after decoding
    int height = 480, width = 832, frames = 961, chunkFrames = 10;
    bool text = true;
    uint64_t seed = 0;
};

const char* kUsage =
    "usage: sv_long_bench [options]\n"
    "  --frames N          video length, 1 + 4k [961 = one minute at 16 fps]\n"
    "  --height H --width W  [480 832]\n"
    "  --chunk-frames N    latent frames per chunk [10]\n"
    "  --out FILE.y4m      write the frames (YUV4MPEG2 4:2:0) from a writer thread [dropped]\n"
    "  --model DIR         a LongSANA model folder [random full-size weights from --configs]\n"
    "  --configs DIR       full-size configs [tests/data/reference/full_size]\n"
    "  --no-text           skip the (random) Gemma-2 text encode\n"
    "  --seed S            [0]\n";

int toInt(const std::string& v, const std::string& flag) {
    size_t used = 0;
    const int x = std::stoi(v, &used);
    SV_CHECK(used == v.size() && x >= 0, flag, ": \"", v, "\" is not a non-negative integer");
    return x;
}

std::optional<Options> parse(int argc, char** argv) {
    Options o;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--help" || a == "-h") return std::nullopt;
        if (a == "--no-text") {
            o.text = false;
            continue;
        }
        SV_CHECK(i + 1 < argc, a, " needs a value");
        const std::string v = argv[++i];
        if (a == "--frames")
            o.frames = toInt(v, a);
        else if (a == "--height")
            o.height = toInt(v, a);
        else if (a == "--width")
            o.width = toInt(v, a);
        else if (a == "--chunk-frames")
            o.chunkFrames = toInt(v, a);
        else if (a == "--out")
            o.out = v;
        else if (a == "--model")
            o.model = v;
        else if (a == "--configs")
            o.configs = v;
        else if (a == "--seed")
            o.seed = uint64_t(toInt(v, a));
        else
            sv::fail("unknown option ", a, " (see --help)");
    }
    return o;
}

double seconds(Clock::time_point a, Clock::time_point b = Clock::now()) {
    return std::chrono::duration<double>(b - a).count();
}

double rssMiB() {
    std::ifstream in("/proc/self/status");
    std::string line;
    while (std::getline(in, line))
        if (line.starts_with("VmRSS:")) return std::stod(line.substr(6)) / 1024.0;
    return 0.0;
}

// Frames go to a thread that converts and writes them; at most `capacity` chunks wait (memory stays bounded).
class AsyncWriter {
  public:
    AsyncWriter(const fs::path& path, int width, int height)
        : writer_(path, width, height), thread_([this] { loop(); }) {}
    ~AsyncWriter() { close(); }
    void push(sv::Tensor frames) {  // [n, H, W, 3] F32
        std::unique_lock lock(mutex_);
        space_.wait(lock, [&] { return queue_.size() < 2; });
        queue_.push_back(std::move(frames));
        ready_.notify_one();
    }
    void close() {
        {
            std::lock_guard lock(mutex_);
            if (closed_) return;
            closed_ = true;
        }
        ready_.notify_one();
        thread_.join();
        writer_.finish();
    }
    double busySeconds() const { return busy_; }

  private:
    void loop() {
        for (;;) {
            sv::Tensor f;
            {
                std::unique_lock lock(mutex_);
                ready_.wait(lock, [&] { return closed_ || !queue_.empty(); });
                if (queue_.empty()) return;
                f = std::move(queue_.front());
                queue_.pop_front();
                space_.notify_one();
            }
            const auto t0 = Clock::now();
            for (int64_t k = 0; k < f.dim(0); ++k) writer_.push(f.select(0, k));
            writer_.flush();
            busy_ += seconds(t0);
        }
    }
    sv::media::Y4mWriter writer_;
    std::mutex mutex_;
    std::condition_variable ready_, space_;
    std::deque<sv::Tensor> queue_;
    bool closed_ = false;
    double busy_ = 0;
    std::thread thread_;
};

// The models: a folder, or random full-size LongSANA weights (text given as random embeddings).
std::shared_ptr<sv::SanaModels> buildModels(const Options& o) {
    if (!o.model.empty()) {
        sv::ModelLoadOptions lo;
        lo.device = sv::Device::cuda();
        lo.transformerDtype = lo.textEncoderDtype = lo.vaeDtype = sv::DType::BF16;
        lo.vaeEncoder = false;
        return std::make_shared<sv::SanaModels>(sv::SanaModels::load(o.model, lo));
    }
    auto m = std::make_shared<sv::SanaModels>();
    sv::TransformerConfig tc = sv::TransformerConfig::load(o.configs / "transformer" / "config.json");
    tc.causal = true;
    const auto vc = sv::WanVaeConfig::load(o.configs / "vae" / "config.json");
    m->transformer = std::make_shared<sv::SanaTransformer>(
        tc, sv::cli::gpuWeights(sv::transformerWeightSpecs(tc), sv::DType::BF16, o.seed + 4, false));
    m->vae = std::make_shared<sv::WanVae>(
        vc, sv::cli::gpuWeights(sv::wanVaeDecoderWeightSpecs(vc), sv::DType::BF16, o.seed + 5, false),
        sv::WanVaeParts::Decoder);
    m->vaeConfig = sv::VideoVaeConfig{vc};
    return m;
}

// One random Gemma-2 encode of a 300-token prompt (the real pipeline's text stage; the weights are released).
double timeTextEncode(const Options& o) {
    const auto cfg = sv::Gemma2Config::load(o.configs / "text_encoder" / "config.json");
    sv::Gemma2Encoder enc(cfg,
                          sv::cli::gpuWeights(sv::gemma2WeightSpecs(cfg), sv::DType::BF16, o.seed + 1, true));
    sv::Tensor ids = sv::Tensor::empty({1, 300}, sv::DType::I64, sv::Device::cuda());
    sv::device::fillUniformInt(ids, o.seed + 7, 3, cfg.vocabSize);
    const sv::Tensor idsHost = ids.to(sv::Device::cpu());
    const sv::Tensor mask = sv::Tensor::full({1, 300}, 1.0f, sv::DType::F32).to(sv::DType::I64);
    (void)enc.encode(idsHost, mask);  // warm-up
    sv::device::synchronize(sv::Device::cuda());
    const auto t0 = Clock::now();
    (void)enc.encode(idsHost, mask);
    sv::device::synchronize(sv::Device::cuda());
    return seconds(t0);
}

int run(const Options& o) {
    SV_CHECK(sv::device::compiled(sv::Device::Kind::Cuda), "sv_long_bench: this build has no CUDA backend");
    SV_CHECK(sv::device::available(sv::Device::cuda()), "sv_long_bench: no CUDA GPU found");
    nlohmann::json out;
    out["gpu"] = sv::device::name(sv::Device::cuda());
    out["video"] = {o.frames, o.height, o.width};
    const double text = o.text && o.model.empty() ? timeTextEncode(o) : 0.0;
    sv::device::releaseCachedMemory(sv::Device::cuda());
    const auto models = buildModels(o);
    sv::LongVideoRequest r;
    r.height = o.height, r.width = o.width, r.frames = o.frames, r.chunkFrames = o.chunkFrames;
    r.seed = o.seed;
    r.useResolutionBinning = false;
    if (o.model.empty()) {
        const auto& tc = models->transformer->config();
        r.promptEmbeds = sv::Tensor::empty({1, 300, tc.captionChannels}, sv::DType::F32, sv::Device::cuda());
        sv::device::fillNormal(r.promptEmbeds, o.seed + 2, 0.0f, 1.0f);
        r.promptMask = sv::Tensor::full({1, 300}, 1.0f, sv::DType::F32).to(sv::DType::I64);
    } else {
        r.prompts =
            std::make_shared<sv::PromptSchedule>("a red fox runs through fresh snow in a pine forest");
    }
    std::optional<AsyncWriter> writer;
    if (!o.out.empty()) writer.emplace(o.out, o.width, o.height);
    nlohmann::json chunks = nlohmann::json::array();
    int64_t frames = 0;
    sv::LongVideoCallbacks cb;
    auto mark = Clock::now();  // the end of the previous chunk's decode
    double sampling = 0, decoding = 0;
    cb.onFrames = [&](int64_t, const sv::Tensor& f) {
        frames += f.dim(1);
        if (writer) writer->push(f.select(0, 0));
    };
    cb.onChunk = [&](int64_t c, const sv::Tensor&) {  // the chunk's latents are final (state committed)
        sv::device::synchronize(sv::Device::cuda());
        const double s = seconds(mark);
        sampling += s;
        chunks.push_back({{"chunk", c}, {"sample_s", s}});
        mark = Clock::now();
    };
    cb.onChunkDecoded = [&](int64_t, int64_t) {
        sv::device::synchronize(sv::Device::cuda());
        const double d = seconds(mark);
        decoding += d;
        chunks.back()["decode_s"] = d;
        chunks.back()["peak_vram_gib"] =
            double(sv::device::memoryStats(sv::Device::cuda()).peak) / double(1 << 30);
        chunks.back()["host_rss_mib"] = rssMiB();
        mark = Clock::now();
    };
    sv::device::resetPeakMemory(sv::Device::cuda());
    const auto t0 = Clock::now();
    (void)sv::generateLongVideo(*models, r, cb);
    sv::device::synchronize(sv::Device::cuda());
    if (writer) writer->close();
    const double gen = seconds(t0);
    out["sampling_s"] = sampling;  // transformer passes incl. the cache pass, text K/V, noise
    out["decoding_s"] = decoding;  // VAE decode + post-process + handing frames to the writer queue
    out["text_encode_s"] = text;
    out["generate_s"] = gen;
    out["total_s"] = gen + text;
    out["frames"] = frames;
    out["fps_end_to_end"] = double(frames) / (gen + text);
    out["peak_vram_gib"] = double(sv::device::memoryStats(sv::Device::cuda()).peak) / double(1 << 30);
    out["host_rss_mib"] = rssMiB();
    if (writer) {
        out["writer_busy_s"] = writer->busySeconds();
        // Frames on disk, from the file size (no media library here): header line + n · ("FRAME\n" + YUV).
        std::ifstream in(o.out, std::ios::binary);
        std::string header;
        std::getline(in, header);
        const auto frameBytes =
            int64_t(o.width) * o.height + 2 * int64_t((o.width + 1) / 2) * ((o.height + 1) / 2);
        const auto size = int64_t(fs::file_size(o.out));
        out["y4m_bytes"] = size;
        out["y4m_frames_on_disk"] = double(size - int64_t(header.size()) - 1) / double(6 + frameBytes);
    }
    out["chunks"] = chunks;
    std::printf("%s\n", out.dump(2).c_str());
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    try {
        const std::optional<Options> o = parse(argc, argv);
        if (!o) {
            std::printf("%s", kUsage);
            return 0;
        }
        return run(*o);
    } catch (const sv::Error& e) {
        std::fprintf(stderr, "sv_long_bench: error: %s\n", e.what());
        return 1;
    }
}
