#include "media/temp_file.h"

#include <system_error>

#include "base/error.h"

namespace fs = std::filesystem;

namespace sv::media {

TempTarget::TempTarget(fs::path target, io::Overwrite overwrite)
    : target_(std::move(target)), overwrite_(overwrite) {
    SV_CHECK(!target_.empty() && target_.has_filename(), "output file name is empty or names a folder: '",
             target_.string(), "'");
    const fs::path dir = target_.has_parent_path() ? target_.parent_path() : fs::path(".");
    std::error_code ec;
    SV_CHECK(fs::is_directory(dir, ec), "cannot write '", target_.string(), "': folder '", dir.string(),
             "' does not exist");
    SV_CHECK(!fs::is_directory(target_, ec), "cannot write '", target_.string(), "': it is a folder");
    temp_ = io::temporarySibling(target_);
}

TempTarget::~TempTarget() {
    if (!committed_) discard();
}

void TempTarget::commit() {
    io::moveIntoPlace(temp_, target_, overwrite_);
    committed_ = true;
}

void TempTarget::discard() noexcept {
    std::error_code ec;
    fs::remove(temp_, ec);
}

}  // namespace sv::media
