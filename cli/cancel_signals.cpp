#include "cancel_signals.h"

#include <atomic>

#include "base/cancelled.h"
#include "base/error.h"

namespace sv::cli {

namespace {

constexpr int kSignals[3] = {SIGINT, SIGTERM, SIGHUP};

// The one piece of process-wide mutable state the CLI has: a signal handler can reach nothing else. Set by
// the handler (lock-free, async-signal-safe), read by the command's threads.
std::atomic<int> gCancelSignal{0};
static_assert(std::atomic<int>::is_always_lock_free);

extern "C" void onCancelSignal(int signo) {
    int none = 0;
    if (gCancelSignal.compare_exchange_strong(none, signo)) return;
    // A second signal: the user insists. Default action (terminate) at once. Both calls are
    // async-signal-safe.
    std::signal(signo, SIG_DFL);
    std::raise(signo);
}

}  // namespace

CancelOnSignals::CancelOnSignals() {
    gCancelSignal.store(0);
    struct sigaction action = {};
    action.sa_handler = onCancelSignal;
    action.sa_flags = SA_RESTART;  // reads and waits in progress carry on; the request is polled
    sigemptyset(&action.sa_mask);
    for (size_t i = 0; i < std::size(kSignals); ++i) sigaction(kSignals[i], &action, &previous_[i]);
}

CancelOnSignals::~CancelOnSignals() {
    for (size_t i = 0; i < std::size(kSignals); ++i) sigaction(kSignals[i], &previous_[i], nullptr);
}

int CancelOnSignals::signal() const {
    return gCancelSignal.load();
}

void CancelOnSignals::throwIfRequested() const {
    if (const int s = signal()) throw Cancelled(concat("interrupted by ", describe(s)));
}

int CancelOnSignals::exitCode() const {
    return 128 + (signal() != 0 ? signal() : SIGINT);
}

std::string CancelOnSignals::describe(int signal) {
    switch (signal) {
        case SIGINT:
            return "SIGINT (Ctrl-C)";
        case SIGTERM:
            return "SIGTERM";
        case SIGHUP:
            return "SIGHUP";
        default:
            return concat("signal ", signal);
    }
}

}  // namespace sv::cli
