// LongSANA's streaming state: what the causal SANA-Video transformer (SanaVideoCausalTransformer3DModel)
// carries from one chunk of latent frames to the next, and the rule that turns the chunks finished so far
// into the context of the next one.
//
// Ref: diffusers pull request #12723 (head 437cc9d7): transformer_sana_video_causal.py (the per-block cache
// [vk, k_sum, temporal_cache] of SanaCausalLinearAttnProcessor1_0 and CachedGLUMBConvTemp) and
// pipeline_longsana.py, LongSanaVideoPipeline._accumulate_kv_cache; NVlabs/Sana
// diffusion/scheduler/longlive_flow_euler_sampler.py, LongLiveFlowEuler._accumulate_kv_cache (the same rule).
//
// Per block the state is constant in the video's length: Σ Vᵀ·K̃ (heads × d × d) and Σ relu(K) (heads × d) of
// the chunks in the window, and the last frame of the feed-forward's conv_point output for the temporal conv.
#pragma once

#include <cstdint>
#include <deque>
#include <vector>

#include "base/tensor.h"
#include "ops/dit_causal_attention.h"

namespace sv {

/// One block's cache (the reference's [vk, k_sum, temporal_cache]).
struct CausalBlockCache {
    ops::dit::LinearAttentionState attention;  // vk [B, heads, d, d], kSum [B, heads, d], F32
    Tensor temporal;  // [B, 1, P, D] (channels last, activation dtype): the last conv_point output frame
};

/// One cache per transformer block.
using CausalCache = std::vector<CausalBlockCache>;

/// How one chunk's forward uses the cache.
struct CausalStep {
    /// Read: the context of the previous chunks (CausalChunkHistory::context()); null or empty entries for
    /// the first chunk.
    const CausalCache* context = nullptr;
    /// Written (when not null): the chunk's own state — its Σ Vᵀ·K̃ and Σ relu(K) without the context, and its
    /// last conv_point frame. The reference saves it in the extra forward at timestep 0 after a chunk is
    /// denoised ("save_kv_cache=True"); the denoising passes save nothing.
    CausalCache* save = nullptr;
    /// Position of the chunk's first latent frame in the RoPE tables (after the temporal patch). diffusers
    /// PR #12723 builds every chunk's tables from 0 (WanRotaryPosEmbed); NVlabs/Sana, which trained the
    /// weights, uses the absolute position (CausalWanRotaryPosEmbed over (start_f, end_f)).
    int64_t ropeFrameOffset = 0;
};

/// The chunks committed so far and the context they give the next chunk: the attention states summed over
/// the last `window` chunks (all of them when window ≤ 0), in the reference's order ((s₀ + s₁) + s₂) + …, and
/// the temporal frame of the last chunk. Memory: one state per block for window ≤ 0 (a running sum, which
/// adds in the same order as the reference's fresh sum), `window` + 1 states otherwise.
class CausalChunkHistory {
  public:
    CausalChunkHistory(int numBlocks, int window);

    /// The context for the next chunk; empty entries (undefined tensors) before the first commit.
    const CausalCache& context() const { return context_; }
    /// Adds a finished chunk's own state (CausalStep::save of its cache pass; one entry per block).
    void commit(CausalCache chunk);
    int64_t committed() const { return committed_; }
    /// Bytes held (context and window), for memory checks.
    int64_t stateBytes() const;

  private:
    int numBlocks_;
    int window_;
    int64_t committed_ = 0;
    CausalCache context_;
    std::deque<CausalCache> recent_;  // the last `window` chunks' own states (window > 0 only)
};

}  // namespace sv
