// Ctrl-C for long-running commands: while a SigintGuard lives, the first SIGINT only sets a flag that the
// command polls (between steps, decoded chunks, written frames) to stop cleanly; a second one kills the
// process at once.
#pragma once

namespace sv::cli {

class SigintGuard {
  public:
    SigintGuard();
    ~SigintGuard();
    SigintGuard(const SigintGuard&) = delete;
    SigintGuard& operator=(const SigintGuard&) = delete;

  private:
    void (*previous_)(int);
};

/// Whether Ctrl-C was pressed since the guard was installed.
bool interrupted();
/// Throws sv::Cancelled("interrupted (Ctrl-C)") when it was.
void checkInterrupted();

}  // namespace sv::cli
