// Write-then-rename: a file is produced under a temporary name in the target's folder and only renamed to the
// requested name once it is complete, so an exception or a cancel never leaves a half-written file there.
#pragma once

#include <filesystem>

namespace sv::media {

class TempTarget {
  public:
    /// Checks that the target's folder exists and that the target is not a folder (sv::Error naming the file
    /// otherwise) and picks a fresh hidden temporary name next to it that keeps the target's extension.
    explicit TempTarget(std::filesystem::path target);
    /// Removes the temporary file unless commit() succeeded.
    ~TempTarget();
    TempTarget(const TempTarget&) = delete;
    TempTarget& operator=(const TempTarget&) = delete;

    const std::filesystem::path& target() const { return target_; }
    const std::filesystem::path& temp() const { return temp_; }
    /// Renames the temporary file to the target (replacing an existing file). Throws sv::Error on failure.
    void commit();
    /// Deletes the temporary file now (idempotent, never throws).
    void discard() noexcept;
    bool committed() const { return committed_; }

  private:
    std::filesystem::path target_;
    std::filesystem::path temp_;
    bool committed_ = false;
};

}  // namespace sv::media
