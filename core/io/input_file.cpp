#include "io/input_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>
#include <utility>

#include "base/cancelled.h"
#include "base/error.h"

namespace fs = std::filesystem;

namespace sv::io {

namespace {

constexpr uint64_t kMiB = uint64_t(1) << 20;
constexpr uint64_t kNoLimit = std::numeric_limits<uint64_t>::max();
constexpr size_t kReadChunk = size_t(4) << 20;

std::string label(const fs::path& path, InputKind kind) {
    return concat(inputKindName(kind), " '", path.string(), "'");
}

/// What a non-regular file is, for the message ("is a folder, not a file").
std::string whatItIs(mode_t mode) {
    if (S_ISDIR(mode)) return "is a folder, not a file";
    if (S_ISFIFO(mode)) return "is a named pipe (FIFO), not a regular file";
    if (S_ISCHR(mode)) return "is a character device (like /dev/zero), not a regular file";
    if (S_ISBLK(mode)) return "is a block device, not a regular file";
    if (S_ISSOCK(mode)) return "is a socket, not a regular file";
    return "is not a regular file";
}

[[noreturn]] void failErrno(const fs::path& path, InputKind kind, const char* action, int err) {
    if (err == ENOENT) fail(label(path, kind), " does not exist");
    if (err == ENOTDIR) fail(label(path, kind), " does not exist (a part of the path is not a folder)");
    if (err == EACCES) fail(label(path, kind), " cannot be read: permission denied");
    fail("cannot ", action, " ", label(path, kind), ": ", std::strerror(err));
}

void checkStat(const fs::path& path, InputKind kind, const struct stat& st) {
    SV_CHECK(S_ISREG(st.st_mode), label(path, kind), " ", whatItIs(st.st_mode));
    const uint64_t limit = inputKindLimit(kind);
    const auto size = uint64_t(st.st_size);
    SV_CHECK(size <= limit, label(path, kind), " is ", formatBytes(size), " (", size, " bytes); a ",
             inputKindName(kind), " may have at most ", formatBytes(limit));
}

/// stat, open non-blocking, fstat the same inode: the file comment's steps 1-3. Returns the descriptor.
int openChecked(const fs::path& path, InputKind kind, uint64_t& size) {
    const std::string name = path.string();
    SV_CHECK(!name.empty(), "no ", inputKindName(kind), " given (empty path)");
    SV_CHECK(name.find('\0') == std::string::npos, label(path, kind), " contains a NUL byte");
    struct stat before {};
    if (::stat(name.c_str(), &before) != 0) failErrno(path, kind, "read", errno);
    checkStat(path, kind, before);
    const int fd = ::open(name.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (fd < 0) failErrno(path, kind, "open", errno);
    struct stat after {};
    if (::fstat(fd, &after) != 0 || after.st_dev != before.st_dev || after.st_ino != before.st_ino) {
        ::close(fd);
        fail(label(path, kind), " changed while it was being opened");
    }
    try {
        checkStat(path, kind, after);
    } catch (...) {
        ::close(fd);
        throw;
    }
    // Regular files never block; clear the flag so reads behave normally.
    const int flags = ::fcntl(fd, F_GETFL);
    if (flags >= 0) (void)::fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
    size = uint64_t(after.st_size);
    return fd;
}

}  // namespace

std::string_view inputKindName(InputKind kind) {
    switch (kind) {
        case InputKind::Graph:
            return "graph file";
        case InputKind::Config:
            return "config file";
        case InputKind::Tokenizer:
            return "tokenizer file";
        case InputKind::Image:
            return "image file";
        case InputKind::Latent:
            return "latent file";
        case InputKind::Weights:
            return "weights file";
        case InputKind::Video:
            return "video file";
    }
    return "file";
}

uint64_t inputKindLimit(InputKind kind) {
    switch (kind) {
        case InputKind::Graph:  // plugin/graph/graph_file.h's kMaxGraphBytes, far above any real graph
            return 16 * kMiB;
        case InputKind::Config:
            return 64 * kMiB;
        case InputKind::Tokenizer:
            return 256 * kMiB;
        case InputKind::Image:
            return 1024 * kMiB;
        case InputKind::Latent:
            return 4096 * kMiB;
        case InputKind::Weights:
        case InputKind::Video:
            return kNoLimit;
    }
    return kNoLimit;
}

InputFile::InputFile(int fd, uint64_t size, fs::path path, InputKind kind)
    : fd_(fd), size_(size), path_(std::move(path)), kind_(kind) {}

InputFile InputFile::open(const fs::path& path, InputKind kind) {
    uint64_t size = 0;
    const int fd = openChecked(path, kind, size);
    return InputFile(fd, size, path, kind);
}

InputFile::InputFile(InputFile&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      size_(other.size_),
      path_(std::move(other.path_)),
      kind_(other.kind_) {}

InputFile& InputFile::operator=(InputFile&& other) noexcept {
    if (this != &other) {
        if (fd_ >= 0) ::close(fd_);
        fd_ = std::exchange(other.fd_, -1);
        size_ = other.size_;
        path_ = std::move(other.path_);
        kind_ = other.kind_;
    }
    return *this;
}

InputFile::~InputFile() {
    if (fd_ >= 0) ::close(fd_);
}

std::string InputFile::readAll(const CancelCheck& cancelled) const {
    SV_ASSERT(fd_ >= 0);
    SV_CHECK(size_ <= uint64_t(std::numeric_limits<size_t>::max() / 2), label(path_, kind_),
             " is too large to read into memory");
    std::string bytes(size_t(size_), '\0');
    size_t done = 0;
    while (done < bytes.size()) {
        if (cancelled && cancelled())
            throw Cancelled(concat("cancelled while reading ", label(path_, kind_)));
        const size_t want = std::min(kReadChunk, bytes.size() - done);
        const ssize_t n = ::pread(fd_, bytes.data() + done, want, off_t(done));
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) fail("cannot read ", label(path_, kind_), ": ", std::strerror(errno));
        SV_CHECK(n > 0, label(path_, kind_), " became shorter while it was being read");
        done += size_t(n);
    }
    char extra = 0;
    SV_CHECK(::pread(fd_, &extra, 1, off_t(done)) == 0, label(path_, kind_), " grew while it was being read");
    return bytes;
}

std::string readInputFile(const fs::path& path, InputKind kind, const CancelCheck& cancelled) {
    return InputFile::open(path, kind).readAll(cancelled);
}

void requireInputFile(const fs::path& path, InputKind kind) {
    (void)InputFile::open(path, kind);
}

}  // namespace sv::io
