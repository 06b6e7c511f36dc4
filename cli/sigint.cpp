#include "sigint.h"

#include <atomic>
#include <csignal>

#include "base/cancelled.h"

namespace sv::cli {

namespace {

// The one flag a signal handler may set (lock-free atomic; process-wide by nature).
std::atomic<bool> gInterrupted{false};

extern "C" void onSigint(int) {
    gInterrupted.store(true);
    std::signal(SIGINT, SIG_DFL);  // a second Ctrl-C terminates at once
}

}  // namespace

SigintGuard::SigintGuard() {
    gInterrupted.store(false);
    previous_ = std::signal(SIGINT, onSigint);
}

SigintGuard::~SigintGuard() {
    std::signal(SIGINT, previous_ == SIG_ERR ? SIG_DFL : previous_);
}

bool interrupted() {
    return gInterrupted.load();
}

void checkInterrupted() {
    if (gInterrupted.load()) throw Cancelled("interrupted (Ctrl-C)");
}

}  // namespace sv::cli
