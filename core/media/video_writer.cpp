#include "media/video_writer.h"

#include <algorithm>
#include <cstring>
#include <set>
#include <vector>

#include "base/error.h"
#include "base/parallel.h"
#include "io/input_file.h"
#include "media/pixels.h"
#include "media/temp_file.h"

#ifdef SV_HAVE_FFMPEG
extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/dict.h>
#include <libavutil/error.h>
#include <libavutil/imgutils.h>
#include <libavutil/pixdesc.h>
#include <libswscale/swscale.h>
}
#endif

namespace fs = std::filesystem;

namespace sv::media {

#ifdef SV_HAVE_FFMPEG
namespace {

std::string avError(int code) {
    char buf[AV_ERROR_MAX_STRING_SIZE] = {};
    av_strerror(code, buf, sizeof buf);
    return buf;
}

// FFmpeg takes URLs; the file: prefix keeps a ':' in a file name from being read as a protocol.
std::string fileUrl(const fs::path& p) {
    return "file:" + p.string();
}

struct CodecContextDeleter {
    void operator()(AVCodecContext* c) const { avcodec_free_context(&c); }
};
struct FrameDeleter {
    void operator()(AVFrame* f) const { av_frame_free(&f); }
};
struct PacketDeleter {
    void operator()(AVPacket* p) const { av_packet_free(&p); }
};
struct SwsDeleter {
    void operator()(SwsContext* s) const { sws_freeContext(s); }
};
struct OutputDeleter {
    void operator()(AVFormatContext* f) const {
        if (f->pb) avio_closep(&f->pb);
        avformat_free_context(f);
    }
};
struct InputDeleter {
    void operator()(AVFormatContext* f) const { avformat_close_input(&f); }
};
using CodecContextPtr = std::unique_ptr<AVCodecContext, CodecContextDeleter>;
using FramePtr = std::unique_ptr<AVFrame, FrameDeleter>;
using PacketPtr = std::unique_ptr<AVPacket, PacketDeleter>;
using InputPtr = std::unique_ptr<AVFormatContext, InputDeleter>;

class Dict {
  public:
    Dict() = default;
    ~Dict() { av_dict_free(&d_); }
    Dict(const Dict&) = delete;
    Dict& operator=(const Dict&) = delete;
    void set(const char* k, const std::string& v) { av_dict_set(&d_, k, v.c_str(), 0); }
    AVDictionary** ptr() { return &d_; }
    /// Names of the entries an open call left unused, comma separated (empty when all were consumed).
    std::string leftovers() const {
        std::string s;
        const AVDictionaryEntry* e = nullptr;
        while ((e = av_dict_get(d_, "", e, AV_DICT_IGNORE_SUFFIX)))
            s += (s.empty() ? "" : ", ") + std::string(e->key);
        return s;
    }

  private:
    AVDictionary* d_ = nullptr;
};

// Keys FFmpeg's MP4 muxer writes as iTunes atoms (movenc.c, mov_write_ilst_tag). Any other key needs "mdta"
// keys.
bool isItunesKey(const std::string& k) {
    static const std::set<std::string> keys = {
        "title",         "artist",   "album_artist", "composer",   "album",    "date",
        "encoding_tool", "comment",  "genre",        "copyright",  "grouping", "lyrics",
        "description",   "synopsis", "show",         "episode_id", "network"};
    return keys.count(k) != 0;
}

// BT.709 limited-range RGB -> YUV 4:2:0 (chroma = mean of each 2×2 block), computed in float and rounded.
void rgbToYuv420Bt709(const uint8_t* rgb, int w, int h, AVFrame* f) {
    constexpr float kr = 0.2126f, kb = 0.0722f, kg = 1.0f - kr - kb;
    parallelFor(h / 2, 8, [&](int64_t b, int64_t e) {
        for (int64_t by = b; by < e; ++by) {
            for (int bx = 0; bx < w / 2; ++bx) {
                float cbSum = 0, crSum = 0;
                for (int dy = 0; dy < 2; ++dy) {
                    const int y = int(by) * 2 + dy;
                    for (int dx = 0; dx < 2; ++dx) {
                        const int x = bx * 2 + dx;
                        const uint8_t* p = rgb + (size_t(y) * w + x) * 3;
                        const float r = p[0] / 255.0f, g = p[1] / 255.0f, bl = p[2] / 255.0f;
                        const float yy = kr * r + kg * g + kb * bl;
                        f->data[0][size_t(y) * f->linesize[0] + x] =
                            uint8_t(std::lround(16.0f + 219.0f * yy));
                        cbSum += (bl - yy) / (2.0f * (1.0f - kb));
                        crSum += (r - yy) / (2.0f * (1.0f - kr));
                    }
                }
                const auto chroma = [](float c) {
                    return uint8_t(std::clamp(std::lround(128.0f + 224.0f * c * 0.25f), 16L, 240L));
                };
                f->data[1][size_t(by) * f->linesize[1] + bx] = chroma(cbSum);
                f->data[2][size_t(by) * f->linesize[2] + bx] = chroma(crSum);
            }
        }
    });
}

/// Opens a regular file (io::requireInputFile checks it before FFmpeg opens it: FFmpeg would block on a FIFO
/// and read a device forever; the size is capped). `format`: the one demuxer to use, or nullptr to let FFmpeg
/// probe. Only the file protocol is allowed, also for resources a demuxer would open on its own.
InputPtr openInput(const fs::path& path, const AVInputFormat* format = nullptr) {
    io::requireInputFile(path, io::InputKind::Video);
    AVDictionary* options = nullptr;
    av_dict_set(&options, "protocol_whitelist", "file", 0);
    AVFormatContext* raw = nullptr;
    const int rc = avformat_open_input(&raw, fileUrl(path).c_str(), format, &options);
    av_dict_free(&options);
    SV_CHECK(rc >= 0, "cannot read video '", path.string(), "': ", avError(rc));
    return InputPtr(raw);
}

int findVideoStream(AVFormatContext* in, const fs::path& path) {
    const int rc = avformat_find_stream_info(in, nullptr);
    SV_CHECK(rc >= 0, "cannot read video '", path.string(), "': ", avError(rc));
    const int idx = av_find_best_stream(in, AVMEDIA_TYPE_VIDEO, -1, -1, nullptr, 0);
    SV_CHECK(idx >= 0, "'", path.string(), "' has no video stream");
    return idx;
}

std::string nameOr(const char* n) {
    return n ? n : "unknown";
}

}  // namespace

struct VideoWriter::Impl {
    TempTarget file;  // declared first: destroyed last, after the muxer closed the file
    VideoWriterOptions opt;
    int width = 0, height = 0, encW = 0, encH = 0;
    std::unique_ptr<AVFormatContext, OutputDeleter> fmt;
    CodecContextPtr enc;
    AVStream* stream = nullptr;
    FramePtr frame;
    PacketPtr packet;
    std::vector<uint8_t> padded;
    const AVCodec* codec = nullptr;
    int64_t frames = 0;
    int64_t flushedFrames = 0;  // fragmented: frames already in a written fragment
    bool needEncoder = false;   // fragmented: the encoder was drained; the next frame opens a new one
    bool done = false;          // finished or cancelled

    Impl(const fs::path& path, int w, int h, VideoWriterOptions o)
        : file(path, o.overwrite), opt(std::move(o)) {
        const std::string name = path.string();
        SV_CHECK(w >= 1 && h >= 1 && w <= 16384 && h <= 16384, "cannot write '", name,
                 "': invalid frame size ", w, "x", h);
        SV_CHECK(opt.fpsNum > 0 && opt.fpsDen > 0 && opt.fpsNum <= 1000000 && opt.fpsDen <= 1000000,
                 "cannot write '", name, "': invalid frame rate ", opt.fpsNum, "/", opt.fpsDen);
        SV_CHECK(opt.crf >= 0 && opt.crf <= 51, "cannot write '", name, "': CRF must be in 0..51, got ",
                 opt.crf);
        if (opt.oddSize == VideoWriterOptions::OddSize::Error)
            SV_CHECK(w % 2 == 0 && h % 2 == 0, "cannot write '", name,
                     "': H.264 yuv420p needs an even width and ", "height, got ", w, "x", h,
                     " (pad or crop the frames, or allow padding)");
        width = w;
        height = h;
        encW = w + (w & 1);
        encH = h + (h & 1);

        codec = avcodec_find_encoder_by_name("libx264");
        SV_CHECK(codec, "cannot write '", name, "': this FFmpeg build has no libx264 H.264 encoder");

        const fs::path& out = opt.fragmented ? file.target() : file.temp();
        AVFormatContext* rawFmt = nullptr;
        const int rc = avformat_alloc_output_context2(&rawFmt, nullptr, "mp4", fileUrl(out).c_str());
        SV_CHECK(rc >= 0 && rawFmt, "cannot write '", name, "': MP4 muxer unavailable: ", avError(rc));
        fmt.reset(rawFmt);
        openEncoder();
        openFile(name, out);
        allocateFrame(name);
    }

    // The video stream and the metadata, then the file (the temporary one, or the target when fragmented)
    // and the MP4 header.
    void openFile(const std::string& name, const fs::path& out) {
        stream = avformat_new_stream(fmt.get(), nullptr);
        SV_CHECK(stream, "cannot write '", name, "': out of memory");
        stream->time_base = enc->time_base;
        stream->avg_frame_rate = enc->framerate;
        int rc = avcodec_parameters_from_context(stream->codecpar, enc.get());
        SV_CHECK(rc >= 0, "cannot write '", name, "': ", avError(rc));

        bool customKeys = false;
        for (const auto& [k, v] : opt.metadata) {
            SV_CHECK(!k.empty(), "cannot write '", name, "': empty metadata key");
            customKeys |= !isItunesKey(k);
            av_dict_set(&fmt->metadata, k.c_str(), v.c_str(), 0);
        }

        rc = avio_open(&fmt->pb, fileUrl(out).c_str(), AVIO_FLAG_WRITE);
        SV_CHECK(rc >= 0, "cannot create '", name, "' (file '", out.string(), "'): ", avError(rc));
        Dict muxOpts;
        const std::string layout =
            opt.fragmented ? "+frag_custom+empty_moov+default_base_moof" : "+faststart";
        muxOpts.set("movflags", customKeys ? layout + "+use_metadata_tags" : layout);
        rc = avformat_write_header(fmt.get(), muxOpts.ptr());
        SV_CHECK(rc >= 0, "cannot write '", name, "': ", avError(rc));
    }

    // The reusable yuv420p frame and packet.
    void allocateFrame(const std::string& name) {
        frame.reset(av_frame_alloc());
        packet.reset(av_packet_alloc());
        SV_CHECK(frame && packet, "cannot write '", name, "': out of memory");
        frame->format = AV_PIX_FMT_YUV420P;
        frame->width = encW;
        frame->height = encH;
        frame->color_primaries = AVCOL_PRI_BT709;
        frame->color_trc = AVCOL_TRC_BT709;
        frame->colorspace = AVCOL_SPC_BT709;
        frame->color_range = AVCOL_RANGE_MPEG;
        const int rc = av_frame_get_buffer(frame.get(), 0);
        SV_CHECK(rc >= 0, "cannot write '", name, "': ", avError(rc));
    }

    // A fresh libx264 encoder with the writer's settings (fragmented writers open one per fragment; the same
    // settings give the same SPS/PPS, which the MP4 stores once).
    void openEncoder() {
        const std::string name = file.target().string();
        enc.reset(avcodec_alloc_context3(codec));
        SV_CHECK(enc, "cannot write '", name, "': out of memory");
        enc->width = encW;
        enc->height = encH;
        enc->pix_fmt = AV_PIX_FMT_YUV420P;
        enc->time_base = AVRational{opt.fpsDen, opt.fpsNum};
        enc->framerate = AVRational{opt.fpsNum, opt.fpsDen};
        enc->sample_aspect_ratio = AVRational{1, 1};
        enc->color_primaries = AVCOL_PRI_BT709;
        enc->color_trc = AVCOL_TRC_BT709;
        enc->colorspace = AVCOL_SPC_BT709;
        enc->color_range = AVCOL_RANGE_MPEG;
        if (fmt->oformat->flags & AVFMT_GLOBALHEADER) enc->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
        Dict encOpts;
        encOpts.set("crf", std::to_string(opt.crf));
        encOpts.set("preset", opt.preset);
        encOpts.set("x264-params", "log=1");  // x264's own messages: warnings and errors only
        const int rc = avcodec_open2(enc.get(), codec, encOpts.ptr());
        SV_CHECK(rc >= 0, "cannot write '", name, "': cannot open the H.264 encoder (preset '", opt.preset,
                 "'): ", avError(rc));
        SV_CHECK(encOpts.leftovers().empty(), "cannot write '", name, "': encoder ignored options ",
                 encOpts.leftovers());
        if (stream != nullptr) {  // a restarted encoder must produce the parameter sets already in the file
            const AVCodecParameters* par = stream->codecpar;
            SV_CHECK(par->extradata_size == enc->extradata_size &&
                         std::memcmp(par->extradata, enc->extradata, size_t(enc->extradata_size)) == 0,
                     "cannot write '", name, "': the restarted H.264 encoder changed its parameter sets");
        }
        needEncoder = false;
    }

    // Moves every packet the encoder has ready into the file.
    void drain() {
        for (;;) {
            int rc = avcodec_receive_packet(enc.get(), packet.get());
            if (rc == AVERROR(EAGAIN) || rc == AVERROR_EOF) return;
            SV_CHECK(rc >= 0, "cannot write '", file.target().string(), "': encoder error: ", avError(rc));
            av_packet_rescale_ts(packet.get(), enc->time_base, stream->time_base);
            packet->stream_index = stream->index;
            rc = av_interleaved_write_frame(fmt.get(), packet.get());
            SV_CHECK(rc >= 0, "cannot write '", file.target().string(), "': write error: ", avError(rc));
        }
    }

    void pushRgb(const uint8_t* rgb) {
        SV_CHECK(!done, "cannot write '", file.target().string(),
                 "': the writer is already finished or cancelled");
        if (encW != width || encH != height) {  // pad odd sizes by repeating the last column / row
            padded.resize(size_t(encW) * encH * 3);
            for (int y = 0; y < encH; ++y) {
                const uint8_t* src = rgb + size_t(std::min(y, height - 1)) * width * 3;
                uint8_t* dst = padded.data() + size_t(y) * encW * 3;
                std::memcpy(dst, src, size_t(width) * 3);
                if (encW != width) std::memcpy(dst + size_t(width) * 3, src + size_t(width - 1) * 3, 3);
            }
            rgb = padded.data();
        }
        if (needEncoder) openEncoder();
        int rc = av_frame_make_writable(frame.get());
        SV_CHECK(rc >= 0, "cannot write '", file.target().string(), "': ", avError(rc));
        rgbToYuv420Bt709(rgb, encW, encH, frame.get());
        frame->pts = frames;
        rc = avcodec_send_frame(enc.get(), frame.get());
        SV_CHECK(rc >= 0, "cannot write '", file.target().string(), "': encoder error: ", avError(rc));
        ++frames;
        drain();
    }

    // Drains the encoder into the file (it cannot take frames afterwards).
    void drainEncoder() {
        if (needEncoder) return;
        const int rc = avcodec_send_frame(enc.get(), nullptr);
        SV_CHECK(rc >= 0, "cannot write '", file.target().string(), "': encoder error: ", avError(rc));
        drain();
        needEncoder = true;
    }

    void flushFragment() {
        const std::string name = file.target().string();
        SV_CHECK(opt.fragmented, "cannot flush '", name, "': the writer is not fragmented");
        SV_CHECK(!done, "cannot write '", name, "': the writer is already finished or cancelled");
        if (frames == flushedFrames) return;
        drainEncoder();
        int rc = av_write_frame(fmt.get(), nullptr);  // frag_custom: ends the fragment here
        SV_CHECK(rc >= 0, "cannot write '", name, "': ", avError(rc));
        avio_flush(fmt->pb);
        flushedFrames = frames;
    }

    void finish() {
        const std::string name = file.target().string();
        SV_CHECK(!done, "cannot write '", name, "': the writer is already finished or cancelled");
        SV_CHECK(frames > 0, "cannot write '", name, "': no frames were given");
        drainEncoder();
        int rc = av_write_trailer(fmt.get());
        SV_CHECK(rc >= 0, "cannot write '", name, "': ", avError(rc));
        rc = avio_closep(&fmt->pb);
        SV_CHECK(rc >= 0, "cannot write '", name, "': ", avError(rc));
        fmt.reset();
        if (!opt.fragmented) file.commit();
        done = true;
    }

    void cancel() noexcept {
        if (done) return;
        if (opt.fragmented && frames > 0) {  // keep what was pushed, as a complete file
            try {
                finish();
                return;
            } catch (...) {  // an unwritable file: nothing more to save
            }
        }
        done = true;
        fmt.reset();  // closes the file
        if (opt.fragmented) {
            std::error_code ec;
            fs::remove(file.target(), ec);
        }
        file.discard();
    }
};

VideoWriter::VideoWriter(const fs::path& path, int width, int height, VideoWriterOptions options)
    : impl_(std::make_unique<Impl>(path, width, height, std::move(options))) {}

VideoWriter::~VideoWriter() {
    if (impl_ && !impl_->done) impl_->cancel();
}

void VideoWriter::push(const Tensor& frame) {
    checkRgbTensor(frame, "video frame", false);
    SV_CHECK(frame.dim(0) == impl_->height && frame.dim(1) == impl_->width, "cannot write '", path().string(),
             "': frame ", impl_->frames, " is ", frame.dim(1), "x", frame.dim(0), ", the video is ",
             impl_->width, "x", impl_->height);
    Tensor u8 = frame.dtype() == DType::U8 ? frame.contiguous() : toUint8(frame);
    impl_->pushRgb(u8.data<uint8_t>());
}

void VideoWriter::push(std::span<const uint8_t> rgb) {
    SV_CHECK(rgb.size() == size_t(impl_->width) * impl_->height * 3, "cannot write '", path().string(),
             "': frame ", impl_->frames, " has ", rgb.size(), " bytes, expected ", impl_->width, "x",
             impl_->height, "x3");
    impl_->pushRgb(rgb.data());
}

void VideoWriter::finish() {
    impl_->finish();
}
void VideoWriter::cancel() noexcept {
    impl_->cancel();
}
void VideoWriter::flushFragment() {
    impl_->flushFragment();
}
int64_t VideoWriter::framesWritten() const {
    return impl_->frames;
}
const fs::path& VideoWriter::path() const {
    return impl_->file.target();
}
int VideoWriter::encodedWidth() const {
    return impl_->encW;
}
int VideoWriter::encodedHeight() const {
    return impl_->encH;
}

std::map<std::string, std::string> readVideoMetadata(const fs::path& path) {
    // Metadata is read from untrusted files (a clip someone sent): the MP4/MOV demuxer only, no probing.
    InputPtr in = openInput(path, av_find_input_format("mov"));
    std::map<std::string, std::string> out;
    const AVDictionaryEntry* e = nullptr;
    while ((e = av_dict_get(in->metadata, "", e, AV_DICT_IGNORE_SUFFIX))) out[e->key] = e->value;
    return out;
}

VideoInfo probeVideo(const fs::path& path) {
    InputPtr in = openInput(path);
    const int idx = findVideoStream(in.get(), path);
    const AVStream* st = in->streams[idx];
    const AVCodecParameters* par = st->codecpar;
    VideoInfo info;
    info.codec = avcodec_get_name(par->codec_id);
    info.pixelFormat = nameOr(av_get_pix_fmt_name(AVPixelFormat(par->format)));
    info.width = par->width;
    info.height = par->height;
    SV_CHECK(info.width > 0 && info.height > 0, "cannot read video '", path.string(),
             "': the frame size could not be determined (not a readable video)");
    AVRational fr = st->avg_frame_rate.num ? st->avg_frame_rate : st->r_frame_rate;
    info.fpsNum = fr.num;
    info.fpsDen = fr.den ? fr.den : 1;
    info.colorPrimaries = nameOr(av_color_primaries_name(par->color_primaries));
    info.colorTransfer = nameOr(av_color_transfer_name(par->color_trc));
    info.colorSpace = nameOr(av_color_space_name(par->color_space));
    info.colorRange = nameOr(av_color_range_name(par->color_range));
    info.frames = st->nb_frames;
    if (info.frames <= 0) {  // not stored by the container: count the packets
        PacketPtr pkt(av_packet_alloc());
        SV_CHECK(pkt, "out of memory");
        info.frames = 0;
        while (av_read_frame(in.get(), pkt.get()) >= 0) {
            info.frames += pkt->stream_index == idx;
            av_packet_unref(pkt.get());
        }
    }
    return info;
}

Tensor readVideoFrames(const fs::path& path, int64_t maxFrames) {
    const std::string name = path.string();
    InputPtr in = openInput(path);
    const int idx = findVideoStream(in.get(), path);
    const AVCodecParameters* par = in->streams[idx]->codecpar;
    const AVCodec* codec = avcodec_find_decoder(par->codec_id);
    SV_CHECK(codec, "cannot read video '", name, "': no decoder for ", avcodec_get_name(par->codec_id));
    CodecContextPtr dec(avcodec_alloc_context3(codec));
    SV_CHECK(dec, "out of memory");
    int rc = avcodec_parameters_to_context(dec.get(), par);
    SV_CHECK(rc >= 0, "cannot read video '", name, "': ", avError(rc));
    rc = avcodec_open2(dec.get(), codec, nullptr);
    SV_CHECK(rc >= 0, "cannot read video '", name, "': ", avError(rc));

    const int W = par->width, H = par->height;
    SV_CHECK(W > 0 && H > 0, "cannot read video '", name, "': unknown frame size");
    std::vector<uint8_t> rgb;
    int64_t count = 0;
    std::unique_ptr<SwsContext, SwsDeleter> sws;
    FramePtr fr(av_frame_alloc());
    PacketPtr pkt(av_packet_alloc());
    SV_CHECK(fr && pkt, "out of memory");
    const auto receive = [&]() {
        for (;;) {
            if (maxFrames >= 0 && count >= maxFrames) return;
            int r = avcodec_receive_frame(dec.get(), fr.get());
            if (r == AVERROR(EAGAIN) || r == AVERROR_EOF) return;
            SV_CHECK(r >= 0, "cannot read video '", name, "': decoder error: ", avError(r));
            SV_CHECK(fr->width == W && fr->height == H, "cannot read video '", name, "': frame size changes");
            if (!sws) {
                sws.reset(sws_getContext(W, H, AVPixelFormat(fr->format), W, H, AV_PIX_FMT_RGB24,
                                         SWS_BICUBIC | SWS_ACCURATE_RND | SWS_FULL_CHR_H_INT, nullptr,
                                         nullptr, nullptr));
                SV_CHECK(sws, "cannot read video '", name, "': unsupported pixel format");
                const int* coeffs = sws_getCoefficients(fr->colorspace);
                sws_setColorspaceDetails(sws.get(), coeffs, fr->color_range == AVCOL_RANGE_JPEG ? 1 : 0,
                                         coeffs, 1, 0, 1 << 16, 1 << 16);
            }
            rgb.resize(size_t(count + 1) * W * H * 3);
            uint8_t* dst[4] = {rgb.data() + size_t(count) * W * H * 3, nullptr, nullptr, nullptr};
            int dstStride[4] = {W * 3, 0, 0, 0};
            sws_scale(sws.get(), fr->data, fr->linesize, 0, H, dst, dstStride);
            ++count;
            av_frame_unref(fr.get());
        }
    };
    while ((maxFrames < 0 || count < maxFrames) && av_read_frame(in.get(), pkt.get()) >= 0) {
        if (pkt->stream_index == idx) {
            rc = avcodec_send_packet(dec.get(), pkt.get());
            av_packet_unref(pkt.get());
            SV_CHECK(rc >= 0 || rc == AVERROR(EAGAIN), "cannot read video '", name, "': ", avError(rc));
            receive();
        } else {
            av_packet_unref(pkt.get());
        }
    }
    avcodec_send_packet(dec.get(), nullptr);
    receive();
    Tensor out = Tensor::empty({count, H, W, 3}, DType::U8);
    if (count) std::memcpy(out.data<uint8_t>(), rgb.data(), rgb.size());
    return out;
}

void setFfmpegQuiet(bool quiet) {
    av_log_set_level(quiet ? AV_LOG_WARNING : AV_LOG_INFO);
}

#else  // built without FFmpeg

void setFfmpegQuiet(bool) {}

namespace {
[[noreturn]] void noFfmpeg(const fs::path& p) {
    fail("cannot handle video '", p.string(), "': this build has no FFmpeg (MP4 support disabled)");
}
}  // namespace

struct VideoWriter::Impl {};
VideoWriter::VideoWriter(const fs::path& path, int, int, VideoWriterOptions) {
    noFfmpeg(path);
}
VideoWriter::~VideoWriter() = default;
void VideoWriter::push(const Tensor&) {}
void VideoWriter::push(std::span<const uint8_t>) {}
void VideoWriter::finish() {}
void VideoWriter::cancel() noexcept {}
void VideoWriter::flushFragment() {}
int64_t VideoWriter::framesWritten() const {
    return 0;
}
const fs::path& VideoWriter::path() const {
    static const fs::path empty;
    return empty;
}
int VideoWriter::encodedWidth() const {
    return 0;
}
int VideoWriter::encodedHeight() const {
    return 0;
}
std::map<std::string, std::string> readVideoMetadata(const fs::path& path) {
    noFfmpeg(path);
}
VideoInfo probeVideo(const fs::path& path) {
    noFfmpeg(path);
}
Tensor readVideoFrames(const fs::path& path, int64_t) {
    noFfmpeg(path);
}

#endif

void writeVideo(const fs::path& path, const Tensor& frames, const VideoWriterOptions& options) {
    checkRgbTensor(frames, "video frames", true);
    SV_CHECK(frames.rank() == 4, "cannot write '", path.string(), "': expected frames [F, H, W, 3], got ",
             frames.describe());
    VideoWriter w(path, int(frames.dim(2)), int(frames.dim(1)), options);
    for (int64_t f = 0; f < frames.dim(0); ++f) w.push(frames.select(0, f));
    w.finish();
}

}  // namespace sv::media
