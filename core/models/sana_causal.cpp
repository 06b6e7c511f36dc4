#include "models/sana_causal.h"

#include "ops/elementwise.h"

namespace sv {

namespace {

int64_t bytesOf(const Tensor& t) {
    return t.defined() ? t.numel() * int64_t(dtypeSize(t.dtype())) : 0;
}

int64_t bytesOf(const CausalCache& cache) {
    int64_t n = 0;
    for (const CausalBlockCache& b : cache)
        n += bytesOf(b.attention.vk) + bytesOf(b.attention.kSum) + bytesOf(b.temporal);
    return n;
}

}  // namespace

CausalChunkHistory::CausalChunkHistory(int numBlocks, int window)
    : numBlocks_(numBlocks), window_(window), context_(size_t(numBlocks)) {
    SV_ASSERT_MSG(numBlocks > 0, "CausalChunkHistory: ", numBlocks, " blocks");
}

void CausalChunkHistory::commit(CausalCache chunk) {
    SV_ASSERT_MSG(int(chunk.size()) == numBlocks_, "CausalChunkHistory::commit: ", chunk.size(),
                  " block states for a model of ", numBlocks_, " blocks");
    for (const CausalBlockCache& b : chunk)
        SV_ASSERT_MSG(b.attention.defined() && b.attention.kSum.defined() && b.temporal.defined(),
                      "CausalChunkHistory::commit: a block state is missing (was the chunk's cache pass run "
                      "with CausalStep::save?)");
    ++committed_;
    if (window_ <= 0) {
        // Running sum: ((s₀ + s₁) + s₂) + … is what the reference recomputes for every chunk.
        for (size_t i = 0; i < chunk.size(); ++i) {
            CausalBlockCache& c = context_[i];
            CausalBlockCache& s = chunk[i];
            if (c.attention.defined()) {
                c.attention.vk = ops::add(c.attention.vk, s.attention.vk);
                c.attention.kSum = ops::add(c.attention.kSum, s.attention.kSum);
            } else {
                c.attention = std::move(s.attention);
            }
            c.temporal = std::move(s.temporal);
        }
        return;
    }
    recent_.push_back(std::move(chunk));
    if (int(recent_.size()) > window_) recent_.pop_front();
    // The sum over the window, oldest first (the reference's loop over range(chunk − window, chunk)).
    for (size_t i = 0; i < context_.size(); ++i) {
        CausalBlockCache& c = context_[i];
        c.attention = recent_.front()[i].attention;
        for (size_t k = 1; k < recent_.size(); ++k) {
            c.attention.vk = ops::add(c.attention.vk, recent_[k][i].attention.vk);
            c.attention.kSum = ops::add(c.attention.kSum, recent_[k][i].attention.kSum);
        }
        c.temporal = recent_.back()[i].temporal;
    }
}

int64_t CausalChunkHistory::stateBytes() const {
    int64_t n = bytesOf(context_);
    for (const CausalCache& c : recent_) n += bytesOf(c);
    return n;
}

}  // namespace sv
