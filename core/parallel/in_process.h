// A Communicator whose ranks are threads of this process (parallel/communicator.h). Data moves through host
// copies, so it works for tensors on any device, slowly: it is the reference the NCCL path is checked
// against and what the CPU tests of sequence- and CFG-parallel sampling run on.
#pragma once

#include <functional>
#include <memory>

#include "parallel/communicator.h"

namespace sv {

/// N ranks that share one rendezvous. If a rank fails (abort(), or a body of runRanks throws), the other
/// ranks' pending and later calls throw sv::Error instead of waiting forever.
class InProcessGroup {
  public:
    explicit InProcessGroup(int size);
    ~InProcessGroup();
    InProcessGroup(const InProcessGroup&) = delete;
    InProcessGroup& operator=(const InProcessGroup&) = delete;

    int size() const;
    /// Rank r's communicator (owned by the group; one thread uses it).
    Communicator& rank(int r);
    /// Wakes every waiting rank with an sv::Error (a rank failed and will not make its calls).
    void abort();

    struct State;

  private:
    std::unique_ptr<State> state_;
    std::vector<std::unique_ptr<Communicator>> ranks_;
};

/// Runs body(rank) for rank 0..size−1 on `size` threads and waits for all; the first exception (by rank) is
/// rethrown after every thread ended, and a throwing rank aborts the group so that no other rank hangs.
void runRanks(InProcessGroup& group, const std::function<void(int rank)>& body);

}  // namespace sv
