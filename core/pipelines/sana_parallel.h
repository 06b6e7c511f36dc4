// Multi-GPU sampling (issue 15): the transformer call of the denoising loop split over ranks. CFG-parallel:
// the unconditional rows of the CFG batch on cfg rank 0, the conditional rows on cfg rank 1. Sequence-
// parallel: the token frames split over the sequence ranks (parallel/frame_split.h) with
// SanaTransformer::forward(…, SequenceShard). Both at once: 2·N ranks, each in one sequence group (its CFG
// half) and one CFG pair. Every rank runs the same loop on its own copy of the models and ends with the same
// latents. Design: docs/ARCHITECTURE.md, "Several GPUs".
#pragma once

#include <functional>

#include "models/sana_transformer.h"
#include "parallel/communicator.h"
#include "pipelines/sana_stages.h"

namespace sv {

/// This rank's communicators for sampleLatents(…, SamplingRanks).
struct SamplingRanks {
    /// The ranks that split the frames (null or size 1: this rank computes every frame).
    Communicator* sequence = nullptr;
    /// The pair that splits the CFG batch (null: this rank computes both halves); needs guidance.
    Communicator* cfg = nullptr;
};

/// The model call of one denoising step: input [rows, C, F, H, W] and its timesteps (one per row or one per
/// token) → the full output [rows, C, F, H, W] F32, the same on every rank.
using ModelCall = std::function<Tensor(const Tensor& input, const Tensor& timestep)>;

/// The split model call for `rows` CFG-batch rows and the prepared text of all rows. sv::Error when the
/// split is impossible (CFG-parallel without guidance, a CFG group that is not two ranks, fewer token
/// frames than sequence ranks).
ModelCall parallelModelCall(const SanaTransformer& model, const TransformerTextContext& text, int64_t rows,
                            const SamplingRanks& ranks);

/// sampleLatents (pipelines/sana_stages.h) as one rank of a multi-GPU run: every rank calls it with its own
/// models (on its device), the same prompts and request, and its communicators; all return the same latents.
/// The callback runs on every rank; a cancel on any rank cancels all (sv::Cancelled everywhere).
Tensor sampleLatents(const SanaModels& models, const PromptEncoding& prompts, const SampleRequest& request,
                     const StepCallback& callback, const SamplingRanks& ranks);

/// Whether every rank wants to go on (a logical AND over both groups), so that a cancel on one rank stops all
/// of them at the same step instead of leaving the others waiting in a collective.
bool allRanksContinue(const SamplingRanks& ranks, bool mine, Device device);

}  // namespace sv
