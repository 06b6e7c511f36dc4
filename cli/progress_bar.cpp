#include "progress_bar.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <utility>

namespace sv::cli {

std::string formatDuration(double seconds) {
    const auto s = static_cast<long long>(std::llround(std::max(0.0, seconds)));
    char buf[32];
    if (s >= 3600)
        std::snprintf(buf, sizeof buf, "%lld:%02lld:%02lld", s / 3600, (s / 60) % 60, s % 60);
    else
        std::snprintf(buf, sizeof buf, "%lld:%02lld", s / 60, s % 60);
    return buf;
}

ProgressBar::ProgressBar(std::string label, std::string unit, bool enabled)
    : label_(std::move(label)),
      unit_(std::move(unit)),
      enabled_(enabled),
      tty_(isatty(fileno(stderr)) != 0),
      start_(std::chrono::steady_clock::now()) {}

void ProgressBar::update(int done, int total) {
    if (!enabled_ || total <= 0) return;
    constexpr int kWidth = 24;
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    const double perUnit = done > 0 ? elapsed / done : 0.0;
    const int filled = int(double(kWidth) * done / total);
    std::string bar(size_t(filled), '#');
    bar.append(size_t(kWidth - filled), '-');
    char rate[48] = "";
    if (done > 0) std::snprintf(rate, sizeof rate, "  %.2f s/%s", perUnit, unit_.c_str());
    const std::string eta = done > 0 && done < total
                                ? "  ETA " + formatDuration(perUnit * (total - done))
                                : (done >= total ? "  " + formatDuration(elapsed) : std::string());
    std::fprintf(stderr, "%s  %s [%s] %d/%d%s%s%s", tty_ ? "\r" : "", label_.c_str(), bar.c_str(), done,
                 total, rate, eta.c_str(), tty_ ? "\033[K" : "\n");
    std::fflush(stderr);
    open_ = tty_;
}

void ProgressBar::finish() {
    if (open_) std::fputc('\n', stderr);
    open_ = false;
}

}  // namespace sv::cli
