// Write-then-rename: a file is produced under a temporary name in the target's folder and only renamed to the
// requested name once it is complete, so an exception or a cancel never leaves a half-written file there.
#pragma once

#include <filesystem>

#include "io/output_file.h"

namespace sv::media {

class TempTarget {
  public:
    /// Checks that the target's folder exists and that the target is not a folder (sv::Error naming the file
    /// otherwise) and picks a fresh hidden temporary name next to it that keeps the target's extension.
    /// `overwrite` says what commit() does when the target exists by then.
    explicit TempTarget(std::filesystem::path target, io::Overwrite overwrite = io::Overwrite::Replace);
    /// Removes the temporary file unless commit() succeeded.
    ~TempTarget();
    TempTarget(const TempTarget&) = delete;
    TempTarget& operator=(const TempTarget&) = delete;

    const std::filesystem::path& target() const { return target_; }
    const std::filesystem::path& temp() const { return temp_; }
    /// Renames the temporary file to the target (io::moveIntoPlace: an existing file is replaced, or with
    /// Overwrite::Refuse left alone and sv::Error thrown). Throws sv::Error on failure.
    void commit();
    /// Deletes the temporary file now (idempotent, never throws).
    void discard() noexcept;
    bool committed() const { return committed_; }

  private:
    std::filesystem::path target_;
    std::filesystem::path temp_;
    io::Overwrite overwrite_ = io::Overwrite::Replace;
    bool committed_ = false;
};

}  // namespace sv::media
