#include "io/output_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <system_error>

#include "base/error.h"

namespace fs = std::filesystem;

namespace sv::io {

namespace {

[[noreturn]] void failExists(const fs::path& target) {
    fail("cannot write '", target.string(),
         "': a file of that name appeared while it was being written; it was not replaced");
}

}  // namespace

fs::path temporarySibling(const fs::path& target) {
    std::random_device rd;
    const uint64_t tag = ((uint64_t(rd()) << 32) | uint64_t(rd())) ^
                         uint64_t(std::chrono::steady_clock::now().time_since_epoch().count());
    char hex[17];
    for (int i = 0; i < 16; ++i) hex[i] = "0123456789abcdef"[(tag >> (60 - 4 * i)) & 15];
    hex[16] = 0;
    std::string name = ".";
    name.append(target.stem().string()).append(".partial-").append(hex).append(target.extension().string());
    return (target.has_parent_path() ? target.parent_path() : fs::path(".")) / name;
}

void moveIntoPlace(const fs::path& temp, const fs::path& target, Overwrite overwrite) {
    if (overwrite == Overwrite::Replace) {
        std::error_code ec;
        fs::rename(temp, target, ec);
        SV_CHECK(!ec, "cannot move the finished file into place as '", target.string(), "': ", ec.message());
        return;
    }
    if (::renameat2(AT_FDCWD, temp.c_str(), AT_FDCWD, target.c_str(), RENAME_NOREPLACE) == 0) return;
    const int err = errno;
    if (err == EEXIST) failExists(target);
    SV_CHECK(err == EINVAL || err == ENOSYS || err == ENOTSUP,
             "cannot move the finished file into place as '", target.string(), "': ", std::strerror(err));
    // No RENAME_NOREPLACE here: link() fails with EEXIST rather than replace (and does not follow a link).
    if (::link(temp.c_str(), target.c_str()) != 0) {
        if (errno == EEXIST) failExists(target);
        fail("cannot move the finished file into place as '", target.string(), "': ", std::strerror(errno));
    }
    (void)::unlink(temp.c_str());
}

}  // namespace sv::io
