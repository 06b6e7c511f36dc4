#include "parallel/frame_split.h"

namespace sv {

std::vector<FrameRange> splitFrames(int64_t frames, int ranks) {
    SV_ASSERT_MSG(ranks >= 1, "splitFrames: ", ranks, " ranks");
    SV_CHECK(frames >= ranks, "sequence-parallel sampling: ", frames,
             " latent frames (after the temporal patch) ", "cannot be split across ", ranks,
             " GPUs; every GPU needs at least one frame (use fewer GPUs or more ", "frames)");
    std::vector<FrameRange> out;
    int64_t begin = 0;
    for (int r = 0; r < ranks; ++r) {
        const int64_t n = frames / ranks + (r < frames % ranks ? 1 : 0);
        out.push_back({begin, begin + n});
        begin += n;
    }
    return out;
}

Halo exchangeHalo(Communicator& comm, const Tensor& x) {
    SV_ASSERT_MSG(x.defined() && x.rank() >= 2 && x.dim(1) >= 1, "exchangeHalo: [B, F ≥ 1, …], got ",
                  x.defined() ? x.describe() : std::string("nothing"));
    const int r = comm.rank(), n = comm.size();
    const int64_t F = x.dim(1);
    const int prevRank = r > 0 ? r - 1 : Communicator::kNone;
    const int nextRank = r + 1 < n ? r + 1 : Communicator::kNone;
    Shape edge = x.shape();
    edge[1] = 1;
    Halo h;
    const Tensor last = x.slice(1, F - 1, F).contiguous(), first = x.slice(1, 0, 1).contiguous();
    Tensor prev = Tensor::empty(edge, x.dtype(), x.device());
    Tensor next = Tensor::empty(edge, x.dtype(), x.device());
    // Step 1: last frames travel forward (r → r + 1); step 2: first frames travel back (r → r − 1).
    comm.sendRecv(last, nextRank, prev, prevRank);
    comm.sendRecv(first, prevRank, next, nextRank);
    if (prevRank != Communicator::kNone) h.prev = prev;
    if (nextRank != Communicator::kNone) h.next = next;
    return h;
}

Tensor gatherParts(Communicator& comm, const Tensor& local, int dim, const std::vector<FrameRange>& ranges) {
    SV_ASSERT_MSG(int(ranges.size()) == comm.size() && local.dtype() == DType::F32 &&
                      local.dim(dim) == ranges[size_t(comm.rank())].size(),
                  "gatherParts: part ", local.describe(), " of rank ", comm.rank(), " for ", ranges.size(),
                  " ranges");
    Shape full = local.shape();
    full[size_t(dim)] = ranges.back().end;
    Tensor out = Tensor::zeros(full, DType::F32, local.device());
    const FrameRange mine = ranges[size_t(comm.rank())];
    out.slice(dim, mine.begin, mine.end).copyFrom(local);
    comm.allReduceSum(out);
    return out;
}

}  // namespace sv
