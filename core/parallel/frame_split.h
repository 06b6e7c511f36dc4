// Sequence parallelism over the latent frames of the token grid: which frames each rank owns, the one-frame
// halo of the feed-forward's temporal (3,1) conv, and reassembling a split tensor. The design and why the
// split forward is exact: docs/ARCHITECTURE.md, "Several GPUs".
#pragma once

#include <cstdint>
#include <vector>

#include "parallel/communicator.h"

namespace sv {

/// Token frames [begin, end) of one rank.
struct FrameRange {
    int64_t begin = 0;
    int64_t end = 0;
    int64_t size() const { return end - begin; }
    bool operator==(const FrameRange&) const = default;
};

/// The split rule: `frames` token frames (latent frames / temporal patch) in contiguous ranges, in rank
/// order, the first frames % ranks ranks one frame longer (21 frames on 4 ranks: 6, 5, 5, 5). Every rank
/// needs at least one frame: sv::Error when frames < ranks.
std::vector<FrameRange> splitFrames(int64_t frames, int ranks);

/// The neighbours' boundary frames of x ([B, F, …], frames on dim 1, F ≥ 1): `prev` is rank − 1's last
/// frame, `next` rank + 1's first frame ([B, 1, …] each), undefined at the ends of the video (rank 0 has no
/// prev, the last rank no next), where the full-video conv pads with zeros.
struct Halo {
    Tensor prev;
    Tensor next;
};
Halo exchangeHalo(Communicator& comm, const Tensor& x);

/// The full tensor from every rank's part along `dim` (rank r's part covers `ranges[r]` of that dim):
/// each rank writes its part into zeros and the ranks all-reduce (x + 0 = x, so the result is exact and the
/// same on every rank). local: F32.
Tensor gatherParts(Communicator& comm, const Tensor& local, int dim, const std::vector<FrameRange>& ranges);

}  // namespace sv
