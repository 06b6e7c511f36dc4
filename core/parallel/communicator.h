// Communication between the ranks of a multi-GPU sampling run: the few collectives that sequence-parallel
// and CFG-parallel sampling need (docs/ARCHITECTURE.md, "Several GPUs"). Two implementations: InProcessGroup
// (parallel/in_process.h: N ranks as N threads of one process, host copies; for tests and as a reference) and
// NCCL loaded at run time (parallel/nccl.h). Device-neutral: no CUDA or NCCL header is needed to build this.
#pragma once

#include "base/tensor.h"

namespace sv {

/// One rank's end of a communicator. Every rank of the group makes the same calls in the same order (as
/// with MPI or NCCL); a call blocks until the data it returns is in place. One thread per rank.
class Communicator {
  public:
    /// "No peer" for sendRecv.
    static constexpr int kNone = -1;

    virtual ~Communicator() = default;
    Communicator() = default;
    Communicator(const Communicator&) = delete;
    Communicator& operator=(const Communicator&) = delete;

    virtual int rank() const = 0;
    virtual int size() const = 0;

    /// t ← Σ over the ranks of t, in place. t: contiguous F32 on this rank's device, the same shape on every
    /// rank. Every rank receives the same sum (ranks added in a fixed order).
    virtual void allReduceSum(Tensor& t) = 0;
    /// Sends `send` to rank `to` and receives into `recv` from rank `from` as one grouped step (so that a
    /// ring of exchanges cannot deadlock); `to`/`from` kNone skip that side (the tensor is then ignored).
    /// Contiguous tensors on this rank's device; the sizes and dtypes of a matching pair must agree.
    virtual void sendRecv(const Tensor& send, int to, Tensor& recv, int from) = 0;
    /// Returns once every rank has called it.
    virtual void barrier() = 0;
};

}  // namespace sv
