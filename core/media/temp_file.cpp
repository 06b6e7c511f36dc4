#include "media/temp_file.h"

#include <chrono>
#include <random>
#include <system_error>

#include "base/error.h"

namespace fs = std::filesystem;

namespace sv::media {

TempTarget::TempTarget(fs::path target) : target_(std::move(target)) {
    SV_CHECK(!target_.empty() && target_.has_filename(), "output file name is empty or names a folder: '",
             target_.string(), "'");
    const fs::path dir = target_.has_parent_path() ? target_.parent_path() : fs::path(".");
    std::error_code ec;
    SV_CHECK(fs::is_directory(dir, ec), "cannot write '", target_.string(), "': folder '", dir.string(),
             "' does not exist");
    SV_CHECK(!fs::is_directory(target_, ec), "cannot write '", target_.string(), "': it is a folder");
    // A name no other writer (thread or process) picks: 64 random bits mixed with the clock.
    std::random_device rd;
    const uint64_t tag = ((uint64_t(rd()) << 32) | uint64_t(rd())) ^
                         uint64_t(std::chrono::steady_clock::now().time_since_epoch().count());
    char hex[17];
    for (int i = 0; i < 16; ++i) hex[i] = "0123456789abcdef"[(tag >> (60 - 4 * i)) & 15];
    hex[16] = 0;
    std::string name = ".";
    name.append(target_.stem().string()).append(".partial-").append(hex).append(target_.extension().string());
    temp_ = dir / name;
}

TempTarget::~TempTarget() {
    if (!committed_) discard();
}

void TempTarget::commit() {
    std::error_code ec;
    fs::rename(temp_, target_, ec);
    SV_CHECK(!ec, "cannot move the finished file into place as '", target_.string(), "': ", ec.message());
    committed_ = true;
}

void TempTarget::discard() noexcept {
    std::error_code ec;
    fs::remove(temp_, ec);
}

}  // namespace sv::media
