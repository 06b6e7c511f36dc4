// The one way the CLI turns termination signals into cancellation. While a CancelOnSignals lives, SIGINT
// (Ctrl-C), SIGTERM (kill, a job scheduler) and SIGHUP (the terminal went away) only record a cancel request;
// the command polls it, stops within a step and cleans up (no temporary or partial files), then exits with
// 128 + the signal number. A second signal ends the process at once with the signal's default action.
#pragma once

#include <csignal>
#include <string>

namespace sv::cli {

class CancelOnSignals {
  public:
    /// Installs the handlers (one instance at a time per process).
    CancelOnSignals();
    /// Restores the previous handlers.
    ~CancelOnSignals();
    CancelOnSignals(const CancelOnSignals&) = delete;
    CancelOnSignals& operator=(const CancelOnSignals&) = delete;

    /// The signal that asked to cancel, or 0 while none did. Thread safety: any thread.
    int signal() const;
    bool requested() const { return signal() != 0; }
    /// Throws sv::Cancelled naming the signal once one arrived.
    void throwIfRequested() const;
    /// 128 + the signal number (the shell's convention for a process ended by a signal); 130 for SIGINT.
    int exitCode() const;
    /// "SIGINT (Ctrl-C)", "SIGTERM", "SIGHUP".
    static std::string describe(int signal);

  private:
    struct sigaction previous_[3] = {};
};

}  // namespace sv::cli
