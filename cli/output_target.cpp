#ifdef SV_CLI_WITH_PLUGIN
#include "output_target.h"

#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <vector>

#include "base/error.h"
#include "media/image_io.h"

namespace fs = std::filesystem;

namespace sv::cli {

namespace {

std::string lowerExtension(const fs::path& p) {
    std::string ext = p.extension().string();
    for (auto& c : ext) c = char(std::tolower(static_cast<unsigned char>(c)));
    return ext;
}

bool occupied(const fs::path& p) {
    std::error_code ec;
    return fs::exists(fs::symlink_status(p, ec));
}

/// A fresh private folder inside `dir` (mkdtemp: unique, mode 0700).
fs::path makeStagingFolder(const fs::path& dir) {
    std::string templ = (dir / ".sanavideo-generate-XXXXXX").string();
    std::vector<char> buf(templ.begin(), templ.end());
    buf.push_back('\0');
    SV_CHECK(::mkdtemp(buf.data()) != nullptr, "--out: cannot create a folder in ", dir.string(), ": ",
             std::strerror(errno));
    return fs::path(buf.data());
}

struct FileCloser {
    void operator()(std::FILE* f) const { std::fclose(f); }
};

/// Copies the staged stream of `--out -` to stdout.
void copyToStdout(const fs::path& file) {
    const std::unique_ptr<std::FILE, FileCloser> in(std::fopen(file.c_str(), "rb"));
    SV_CHECK(in != nullptr, "--out -: cannot read the staged stream ", file.string());
    std::vector<char> buf(size_t(1) << 20);
    bool ok = true;
    for (size_t n = 0; ok && (n = std::fread(buf.data(), 1, buf.size(), in.get())) > 0;)
        ok = std::fwrite(buf.data(), 1, n, stdout) == n;
    SV_CHECK(ok && std::fflush(stdout) == 0, "--out -: cannot write to stdout: ", std::strerror(errno));
}

}  // namespace

void placeFile(const fs::path& from, const fs::path& to, bool overwrite, std::string_view flag) {
    std::error_code ec;
    int error = 0;
    if (overwrite) {
        fs::rename(from, to, ec);
        if (!ec) return;
        SV_CHECK(ec == std::errc::cross_device_link, flag, ": cannot move the result to ", to.string(), ": ",
                 ec.message());
    } else if (::link(from.c_str(), to.c_str()) == 0) {  // link() refuses an existing name, so a file that
        fs::remove(from, ec);                            // appeared meanwhile is never replaced
        return;
    } else {
        error = errno;
        SV_CHECK(error != EEXIST, flag, ": ", to.string(),
                 " appeared meanwhile; not replaced (add --overwrite)");
        SV_CHECK(!occupied(to), flag, ": ", to.string(), " exists (add --overwrite to replace it)");
        if (error != EXDEV) {
            fs::rename(from, to, ec);  // a file system without hard links
            SV_CHECK(!ec, flag, ": cannot move the result to ", to.string(), ": ", ec.message());
            return;
        }
    }
    // Another file system (the staging folder is next to --out, not next to this file): a copy next to `to`
    // first, then moved into place by the same rules.
    const fs::path copy = to.parent_path() / concat(".", to.filename().string(), ".", ::getpid(), ".part");
    fs::copy_file(from, copy, fs::copy_options::overwrite_existing, ec);
    if (ec) {
        const std::string why = ec.message();
        fs::remove(copy, ec);
        fail(flag, ": cannot copy the result to ", to.parent_path().string(), ": ", why);
    }
    try {
        placeFile(copy, to, overwrite, flag);
    } catch (const Error&) {
        fs::remove(copy, ec);
        throw;
    }
    fs::remove(from, ec);
}

OutputTarget::OutputTarget(const std::string& out, bool overwrite, Placement placement)
    : out_(out), overwrite_(overwrite), placement_(placement) {
    SV_CHECK(!out.empty(), "--out is empty");
    if (out == "-") {  // a Y4M stream on stdout, staged in the temporary folder
        SV_CHECK(placement == Placement::Staged,
                 "--out -: a LongSANA video is written as it renders; give an .mp4 or .y4m file");
        SV_CHECK(::isatty(STDOUT_FILENO) == 0,
                 "--out -: stdout is a terminal; pipe the Y4M stream into a program (e.g. `| ffmpeg -i - "
                 "clip.mp4`) or redirect it to a file");
        format_ = "y4m";
        return;
    }
    const fs::path parent = fs::path(out).parent_path().empty() ? fs::path(".") : fs::path(out).parent_path();
    std::error_code ec;
    if (placement == Placement::Direct) {
        const std::string ext = lowerExtension(out);
        SV_CHECK(ext == ".mp4" || ext == ".y4m", "--out: \"", out,
                 "\" is not an .mp4 or .y4m file (a LongSANA video is written as it renders)");
        SV_CHECK(fs::is_directory(parent, ec), "--out: folder ", parent.string(), " does not exist");
        format_ = ext.substr(1);
        return;
    }
    if (media::isImageSequenceTarget(out)) {
        const std::string file = fs::path(out).filename().string();
        const std::string ext = file.find('%') != std::string::npos ? lowerExtension(file) : ".png";
        SV_CHECK(ext == ".png" || ext == ".exr", "--out: frame sequences are .png or .exr files, not \"", ext,
                 "\"");
        format_ = ext.substr(1);
        return;
    }
    const std::string ext = lowerExtension(out);
    SV_CHECK(ext == ".mp4" || ext == ".y4m", "--out: \"", out,
             "\" is not an .mp4 or .y4m file, - (Y4M on stdout), a folder or a frame pattern (e.g. "
             "frames/%04d.png)");
    SV_CHECK(fs::is_directory(parent, ec), "--out: folder ", parent.string(), " does not exist");
    format_ = ext.substr(1);
}

OutputTarget::~OutputTarget() {
    std::error_code ec;
    if (!staging_.empty()) fs::remove_all(staging_, ec);
    if (committed_ || createdFolder_.empty()) return;
    // Folders made for a sequence that never came: remove them while empty, innermost first.
    for (fs::path dir = sequenceFolder(); !dir.empty(); dir = dir.parent_path()) {
        fs::remove(dir, ec);
        if (ec || dir == createdFolder_) break;
    }
}

fs::path OutputTarget::sequenceFolder() const {
    fs::path p(out_);
    if (!p.has_filename()) p = p.parent_path();                          // "frames/"
    if (p.filename().string().find('%') == std::string::npos) return p;  // a folder target
    return p.has_parent_path() ? p.parent_path() : fs::path(".");
}

void OutputTarget::setVideoCount(int64_t videos) {
    SV_ASSERT(videos >= 1);
    SV_CHECK(videos == 1 || (format_ == "mp4" && placement_ == Placement::Staged), "--out: several videos (",
             videos, ") are written as numbered .mp4 files; give an .mp4 name, not ", out_);
    videos_ = videos;
}

std::string OutputTarget::stagedStem(int64_t index) const {
    if (videos_ == 1) return kStem;
    char number[24];
    std::snprintf(number, sizeof number, "_%03lld", static_cast<long long>(index + 1));
    return std::string(kStem) + number;
}

void OutputTarget::checkFree(int64_t frames) const {
    if (overwrite_ || videos_ > 1 || toStdout()) return;  // numbered videos take free names
    const auto refuse = [](const fs::path& p) {
        fail("--out: ", p.string(), " exists (add --overwrite to replace it)");
    };
    if (!isSequence()) {
        if (occupied(out_)) refuse(out_);
        return;
    }
    std::error_code ec;
    if (!fs::is_directory(sequenceFolder(), ec)) return;
    const media::ImageSequenceWriter names(out_, {format_, 0});  // the folder exists: creates nothing
    for (int64_t k = 0; k < frames; ++k)
        if (occupied(names.pathFor(k))) refuse(names.pathFor(k));
    if (occupied(sequenceFolder() / "graph.json")) refuse(sequenceFolder() / "graph.json");
}

fs::path OutputTarget::stage() {
    fs::path dir = fs::path(out_).parent_path().empty() ? fs::path(".") : fs::path(out_).parent_path();
    if (placement_ == Placement::Direct) {  // the graph writes <stem>.<format> there, never over a file
        std::error_code ec;
        if (overwrite_ && fs::is_regular_file(fs::symlink_status(out_, ec))) {
            fs::remove(out_, ec);  // --overwrite: the user asked to replace it
            SV_CHECK(!ec, "--out: cannot replace ", out_, ": ", ec.message());
        }
        return dir;
    }
    if (toStdout()) dir = fs::temp_directory_path();
    if (isSequence()) {
        dir = sequenceFolder();
        std::error_code ec;
        for (fs::path p = dir; !p.empty() && !fs::exists(p, ec); p = p.parent_path()) createdFolder_ = p;
        fs::create_directories(dir, ec);
        SV_CHECK(!ec, "--out: cannot create the folder ", dir.string(), ": ", ec.message());
    }
    staging_ = makeStagingFolder(dir);
    return staging_;
}

void OutputTarget::place(const fs::path& from, const fs::path& to) const {
    placeFile(from, to, overwrite_, "--out");
}

std::vector<std::string> OutputTarget::commitNumbered() {
    // "<stem>_001.mp4", ... : the next numbers whose names are free; link() refuses a name taken meanwhile.
    const fs::path out(out_);
    std::vector<std::string> placed;
    int64_t number = 1;
    for (int64_t k = 0; k < videos_; ++k) {
        const fs::path from = staging_ / (stagedStem(k) + ".mp4");
        for (;; ++number) {
            SV_CHECK(number < 1000000, "--out: no free numbered name next to ", out_);
            char suffix[24];
            std::snprintf(suffix, sizeof suffix, "_%03lld", static_cast<long long>(number));
            const fs::path to = out.parent_path() / (out.stem().string() + suffix + out.extension().string());
            if (occupied(to)) continue;
            if (::link(from.c_str(), to.c_str()) != 0) {
                SV_CHECK(errno == EEXIST, "--out: cannot place ", to.string(), ": ", std::strerror(errno));
                continue;
            }
            std::error_code ec;
            fs::remove(from, ec);
            placed.push_back(to.string());
            ++number;
            break;
        }
    }
    return placed;
}

std::vector<std::string> OutputTarget::commit(int64_t frames) {
    if (placement_ == Placement::Direct) return {out_};
    SV_ASSERT(!staging_.empty());
    if (videos_ > 1) {
        auto placed = commitNumbered();
        committed_ = true;
        return placed;
    }
    if (toStdout()) {
        copyToStdout(staging_ / (std::string(kStem) + ".y4m"));
    } else if (!isSequence()) {
        place(staging_ / (std::string(kStem) + "." + format_), out_);
    } else {
        const media::ImageSequenceWriter staged(staging_ / kStem, {format_, 0});
        const media::ImageSequenceWriter target(out_, {format_, 0});
        for (int64_t k = 0; k < frames; ++k) place(staged.pathFor(k), target.pathFor(k));
        place(staging_ / kStem / "graph.json", sequenceFolder() / "graph.json");
    }
    committed_ = true;
    return {out_};
}

LatentsTarget::LatentsTarget(const std::string& path, bool overwrite) : path_(path), overwrite_(overwrite) {
    SV_CHECK(!path.empty() && path != "-", "--save-latents: give a .safetensors file");
    SV_CHECK(lowerExtension(path) == ".safetensors", "--save-latents: \"", path,
             "\" is not a .safetensors file");
    const fs::path parent =
        fs::path(path).parent_path().empty() ? fs::path(".") : fs::path(path).parent_path();
    std::error_code ec;
    SV_CHECK(fs::is_directory(parent, ec), "--save-latents: folder ", parent.string(), " does not exist");
}

LatentsTarget::~LatentsTarget() {
    std::error_code ec;
    if (!staging_.empty()) fs::remove_all(staging_, ec);
}

void LatentsTarget::checkFree() const {
    SV_CHECK(overwrite_ || !occupied(path_), "--save-latents: ", path_,
             " exists (add --overwrite to replace it)");
}

fs::path LatentsTarget::stage() {
    staging_ = makeStagingFolder(fs::path(path_).parent_path().empty() ? fs::path(".")
                                                                       : fs::path(path_).parent_path());
    return staging_;
}

const std::string& LatentsTarget::commit(const fs::path& stagingFolder) {
    placeFile(stagingFolder / (std::string(kStem) + ".safetensors"), path_, overwrite_, "--save-latents");
    return path_;
}

}  // namespace sv::cli
#endif  // SV_CLI_WITH_PLUGIN
