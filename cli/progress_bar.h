// A terminal progress bar on stderr: "  sampling [########------------] 3/8  1.21 s/step  ETA 0:06".
// On a terminal the line is redrawn in place; otherwise (a log file, a pipe) one line per update is printed.
#pragma once

#include <chrono>
#include <string>

namespace sv::cli {

class ProgressBar {
  public:
    /// `unit` names what is counted ("step", "frame").
    explicit ProgressBar(std::string label, std::string unit = "step", bool enabled = true);
    /// `done` of `total` units finished.
    void update(int done, int total);
    /// Ends the line (idempotent).
    void finish();
    ~ProgressBar() { finish(); }
    ProgressBar(const ProgressBar&) = delete;
    ProgressBar& operator=(const ProgressBar&) = delete;

  private:
    std::string label_;
    std::string unit_;
    bool enabled_;
    bool tty_;
    bool open_ = false;
    std::chrono::steady_clock::time_point start_;
};

/// "1:05" / "1:02:03" for a duration in seconds.
std::string formatDuration(double seconds);

}  // namespace sv::cli
