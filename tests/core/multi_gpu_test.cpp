// Multi-GPU sampling logic on the CPU (issue 15), with the in-process communicator: the frame split rule, the
// collectives, the halo at the video's ends, the sequence-parallel transformer forward against the unsplit
// forward and the diffusers fixtures (every transformer_* folder, SV_REFERENCE_DIR honoured), the all-reduced
// linear-attention sums against the unsplit sums, CFG-parallel against the CFG batch, whole denoising loops
// split against one device, and the error when NCCL is missing.
#include <algorithm>
#include <atomic>
#include <fstream>
#include <iterator>
#include <random>

#include <gtest/gtest.h>

#include "models/sana_transformer.h"
#include "ops/dit_causal_attention.h"
#include "parallel/frame_split.h"
#include "parallel/in_process.h"
#include "parallel/nccl.h"
#include "pipelines/demo_model.h"
#include "pipelines/sana_parallel.h"
#include "pipelines/sana_pipeline.h"
#include "support/reference.h"

namespace sv {
namespace {

namespace fs = std::filesystem;

// Tolerances: the CPU fp32 column of shared/reference/README.md (as transformer_parity_test.cpp).
constexpr double kRelTol = 1e-5;
constexpr double kOutputMaxAbsFactor = 1e-4;

Tensor randomTensor(const Shape& shape, uint32_t seed) {
    std::mt19937 gen(seed);
    std::normal_distribution<float> dist(0.0f, 1.0f);
    int64_t n = 1;
    for (int64_t d : shape) n *= d;
    std::vector<float> v(static_cast<size_t>(n));
    for (float& x : v) x = dist(gen);
    return Tensor::fromFloats(v, shape);
}

// Concatenates per-rank parts along `dim`.
Tensor concatParts(const std::vector<Tensor>& parts, int dim) {
    Shape shape = parts.at(0).shape();
    shape[size_t(dim)] = 0;
    for (const Tensor& p : parts) shape[size_t(dim)] += p.dim(dim);
    Tensor out = Tensor::empty(shape, parts[0].dtype());
    int64_t at = 0;
    for (const Tensor& p : parts) {
        out.slice(dim, at, at + p.dim(dim)).copyFrom(p);
        at += p.dim(dim);
    }
    return out;
}

TEST(FrameSplit, UnevenSplitsInRankOrder) {
    const std::vector<FrameRange> a = splitFrames(21, 4);
    EXPECT_EQ(a, (std::vector<FrameRange>{{0, 6}, {6, 11}, {11, 16}, {16, 21}}));
    EXPECT_EQ(splitFrames(3, 2), (std::vector<FrameRange>{{0, 2}, {2, 3}}));
    EXPECT_EQ(splitFrames(3, 3), (std::vector<FrameRange>{{0, 1}, {1, 2}, {2, 3}}));
    EXPECT_EQ(splitFrames(5, 1), (std::vector<FrameRange>{{0, 5}}));
    EXPECT_NE(test::errorMessage([] { splitFrames(2, 3); }).find("cannot be split across 3 GPUs"),
              std::string::npos);
}

TEST(InProcessCommunicator, AllReduceAndSendRecv) {
    InProcessGroup group(3);
    std::vector<Tensor> sums(3), got(3);
    runRanks(group, [&](int r) {
        Communicator& c = group.rank(r);
        EXPECT_EQ(c.rank(), r);
        EXPECT_EQ(c.size(), 3);
        Tensor t = Tensor::fromFloats(std::vector<float>{float(r + 1), float(10 * r)}, {2});
        c.allReduceSum(t);
        sums[size_t(r)] = t;
        // A ring: r → r + 1 (mod 3).
        Tensor recv = Tensor::empty({1}, DType::F32);
        c.sendRecv(Tensor::fromFloats(std::vector<float>{float(100 + r)}, {1}), (r + 1) % 3, recv,
                   (r + 2) % 3);
        got[size_t(r)] = recv;
        c.barrier();
    });
    for (int r = 0; r < 3; ++r) {
        EXPECT_EQ(sums[size_t(r)].toFloatVector(), (std::vector<float>{6.0f, 30.0f}));
        EXPECT_EQ(got[size_t(r)].item(0), 100.0 + (r + 2) % 3);
    }
}

// A failing rank must not leave the others waiting in a collective: the failure comes back, nothing hangs.
TEST(InProcessCommunicator, FailingRankDoesNotHangTheOthers) {
    InProcessGroup group(3);
    const std::string message = test::errorMessage([&] {
        runRanks(group, [&](int r) {
            if (r == 1) fail("rank 1 broke");
            Tensor t = Tensor::zeros({1}, DType::F32);
            group.rank(r).allReduceSum(t);
        });
    });
    EXPECT_EQ(message, "rank 1 broke");
}

// The neighbours' boundary frames, and nothing at the video's ends (where the conv pads with zeros).
TEST(SequenceParallel, HaloExchangeAtEdgesAndInside) {
    for (int n : {1, 2, 3}) {
        const std::vector<FrameRange> frames = splitFrames(5, n);
        InProcessGroup group(n);
        std::vector<Halo> halos(static_cast<size_t>(n));
        runRanks(group, [&](int r) {
            const FrameRange f = frames[size_t(r)];
            // x[b, j, p] = 1000·b + 10·(global frame) + p
            Tensor x = Tensor::empty({2, f.size(), 3}, DType::F32);
            for (int64_t b = 0; b < 2; ++b)
                for (int64_t j = 0; j < f.size(); ++j)
                    for (int64_t p = 0; p < 3; ++p)
                        x.data<float>()[(b * f.size() + j) * 3 + p] =
                            float(1000 * b + 10 * (f.begin + j) + p);
            halos[size_t(r)] = exchangeHalo(group.rank(r), x);
        });
        for (int r = 0; r < n; ++r) {
            SCOPED_TRACE(testing::Message() << n << " ranks, rank " << r);
            const Halo& h = halos[size_t(r)];
            const FrameRange f = frames[size_t(r)];
            ASSERT_EQ(h.prev.defined(), r > 0);
            ASSERT_EQ(h.next.defined(), r + 1 < n);
            auto expectFrame = [](const Tensor& t, int64_t frame) {
                ASSERT_EQ(t.shape(), (Shape{2, 1, 3}));
                for (int64_t b = 0; b < 2; ++b)
                    for (int64_t p = 0; p < 3; ++p)
                        EXPECT_EQ(t.data<float>()[b * 3 + p], float(1000 * b + 10 * frame + p));
            };
            if (h.prev.defined()) expectFrame(h.prev, f.begin - 1);
            if (h.next.defined()) expectFrame(h.next, f.end);
        }
    }
}

TEST(SequenceParallel, GatherPartsIsExact) {
    const Tensor full = randomTensor({2, 5, 3}, 11);
    const std::vector<FrameRange> frames = splitFrames(5, 3);
    InProcessGroup group(3);
    std::vector<Tensor> out(3);
    runRanks(group, [&](int r) {
        const FrameRange f = frames[size_t(r)];
        out[size_t(r)] = gatherParts(group.rank(r), full.slice(1, f.begin, f.end).contiguous(), 1, frames);
    });
    for (const Tensor& t : out) EXPECT_EQ(test::compare(t, full).maxAbs, 0.0);
}

// Runs the transformer split over n ranks; returns the concatenated outputs (as the unsplit output).
Tensor splitForward(const SanaTransformer& model, const Tensor& x, const Tensor& timestep,
                    const TransformerTextContext& text, int n) {
    const int64_t pt = model.config().patchSize[0];
    const std::vector<FrameRange> frames = splitFrames(x.dim(2) / pt, n);
    const bool perToken = timestep.rank() == 5;
    InProcessGroup group(n);
    std::vector<Tensor> parts(static_cast<size_t>(n));
    runRanks(group, [&](int r) {
        const FrameRange f = frames[size_t(r)];
        const Tensor xr = x.slice(2, f.begin * pt, f.end * pt).contiguous();
        const Tensor tr = perToken ? timestep.slice(2, f.begin, f.end).contiguous() : timestep;
        parts[size_t(r)] =
            model.forward(xr, tr, text, SequenceShard{.comm = &group.rank(r), .frameOffset = f.begin});
    });
    return concatParts(parts, 2);
}

std::vector<fs::path> transformerFixtures() {
    std::vector<fs::path> out;
    for (const fs::path& f : test::referenceFolders("transformer_"))
        if (test::openIo(f)->contains("output")) out.push_back(f);  // not LongSANA's full./chunk*. layout
    return out;
}

// The split forward equals the unsplit one and the reference, at 1, 2 and 3 ranks (uneven splits; one rank
// with a single frame), for the scalar and the per-token timestep.
TEST(SequenceParallel, SplitForwardMatchesUnsplitAndReference) {
    const auto folders = transformerFixtures();
    ASSERT_FALSE(folders.empty()) << "no transformer_* fixtures in " << test::referenceDir();
    int splitCases = 0;
    for (const fs::path& folder : folders) {
        const SanaTransformer model = SanaTransformer::load(folder);
        const auto io = test::openIo(folder);
        const Tensor x = io->get("hidden_states");
        const TransformerTextContext text =
            model.prepareText(io->get("encoder_hidden_states"), io->get("encoder_attention_mask"));
        const int64_t tokenFrames = x.dim(2) / model.config().patchSize[0];
        for (const std::string prefix : {"", "pertoken."}) {
            if (!io->contains(prefix + "timestep")) continue;
            const Tensor t = io->get(prefix + "timestep");
            const Tensor whole = model.forward(x, t, text);
            const Tensor ref = io->get(prefix + "output");
            for (int n = 1; n <= std::min<int64_t>(3, tokenFrames); ++n) {
                SCOPED_TRACE(testing::Message()
                             << folder.filename() << " " << prefix << "timestep, " << n << " ranks");
                const Tensor split = splitForward(model, x, t, text, n);
                ASSERT_EQ(split.shape(), whole.shape());
                const test::Diff dWhole = test::compare(split, whole), dRef = test::compare(split, ref);
                std::printf(
                    "    %s %d ranks: vs unsplit rel L2 %.3e, vs reference rel L2 %.3e max abs %.3e\n",
                    folder.filename().string().c_str(), n, dWhole.relL2, dRef.relL2, dRef.maxAbs);
                EXPECT_LE(dWhole.relL2, kRelTol);
                EXPECT_LE(dRef.relL2, kRelTol);
                EXPECT_LE(dRef.maxAbs, kOutputMaxAbsFactor * std::max(1.0, dRef.refMaxAbs));
                if (n == 1) {
                    EXPECT_EQ(dWhole.maxAbs, 0.0);  // one rank: the same arithmetic
                }
                splitCases += n > 1;
            }
        }
    }
    EXPECT_GT(splitCases, 0) << "no fixture has two token frames to split";
}

// What the exchange is for: a frame computed alone (no halo, no shared sums) differs from the same frame of
// the whole video, so the parity above is not trivially met by any split.
TEST(SequenceParallel, SplitFramesNeedTheExchange) {
    const fs::path folder = transformerFixtures().at(0);
    const SanaTransformer model = SanaTransformer::load(folder);
    const auto io = test::openIo(folder);
    const Tensor x = io->get("hidden_states"), t = io->get("timestep");
    const int64_t pt = model.config().patchSize[0];
    if (x.dim(2) / pt < 2) GTEST_SKIP() << "the fixture has one token frame";
    const TransformerTextContext text =
        model.prepareText(io->get("encoder_hidden_states"), io->get("encoder_attention_mask"));
    const Tensor whole = model.forward(x, t, text);
    const Tensor alone = model.forward(x.slice(2, 0, pt).contiguous(), t, text);
    EXPECT_GT(test::compare(alone, whole.slice(2, 0, pt)).relL2, 1e-3);
}

// Σ v·k̃ᵀ and Σ relu(k) all-reduced over the ranks' tokens equal the sums over all tokens.
TEST(SequenceParallel, AllReducedSumsEqualUnsplitSums) {
    const SanaTransformer model = SanaTransformer::load(transformerFixtures().at(0));
    const TransformerConfig& c = model.config();
    const int64_t B = 2, F = 5, P = 6, C = int64_t(c.numHeads) * c.headDim;
    const Tensor q = randomTensor({B, F * P, C}, 1), k = randomTensor({B, F * P, C}, 2),
                 v = randomTensor({B, F * P, C}, 3);
    const std::array<int64_t, 3> grid = {F, 2, 3};
    ops::dit::LinearAttentionState whole;
    ops::dit::reluLinearAttentionCached(
        q, k, v, c.numHeads,
        ops::dit::ropeTables(c.ropeSplit(), c.ropeMaxSeqLen, 10000.0, grid, Device::cpu()), nullptr, &whole);
    for (int n : {2, 3}) {
        const std::vector<FrameRange> frames = splitFrames(F, n);
        InProcessGroup group(n);
        std::vector<ops::dit::LinearAttentionState> sums(static_cast<size_t>(n));
        runRanks(group, [&](int r) {
            const FrameRange f = frames[size_t(r)];
            auto part = [&](const Tensor& t) { return t.slice(1, f.begin * P, f.end * P).contiguous(); };
            const auto rope = ops::dit::ropeTables(c.ropeSplit(), c.ropeMaxSeqLen, 10000.0, {f.size(), 2, 3},
                                                   Device::cpu(), f.begin);
            ops::dit::LinearAttentionState s;
            ops::dit::reluLinearAttentionCached(part(q), part(k), part(v), c.numHeads, rope, nullptr, &s);
            group.rank(r).allReduceSum(s.vk);
            group.rank(r).allReduceSum(s.kSum);
            sums[size_t(r)] = s;
        });
        for (const auto& s : sums) {
            SV_EXPECT_CLOSE(s.vk, whole.vk, 1e-6);
            SV_EXPECT_CLOSE(s.kSum, whole.kSum, 1e-6);
        }
    }
}

// CFG-parallel (2 ranks), sequence-parallel (3 ranks) and both (2 × 2 ranks) give the CFG batch's output.
TEST(CfgParallel, SplitModelCallEqualsTheCfgBatch) {
    const fs::path folder = transformerFixtures().at(0);
    const SanaTransformer model = SanaTransformer::load(folder);
    const auto io = test::openIo(folder);
    const Tensor x = io->get("hidden_states"), t = io->get("timestep");
    const int64_t rows = x.dim(0);
    if (rows % 2 != 0) GTEST_SKIP() << "the fixture's batch is odd: no CFG halves";
    const TransformerTextContext text =
        model.prepareText(io->get("encoder_hidden_states"), io->get("encoder_attention_mask"));
    const Tensor whole = model.forward(x, t, text);
    const int64_t tokenFrames = x.dim(2) / model.config().patchSize[0];
    for (const auto& [cfgRanks, seqRanks] : {std::pair{2, 1}, std::pair{1, 3}, std::pair{2, 2}}) {
        if (seqRanks > tokenFrames) continue;
        SCOPED_TRACE(testing::Message() << cfgRanks << " CFG × " << seqRanks << " sequence ranks");
        const int world = cfgRanks * seqRanks;
        std::vector<std::unique_ptr<InProcessGroup>> seq, cfg;
        for (int i = 0; i < cfgRanks; ++i) seq.push_back(std::make_unique<InProcessGroup>(seqRanks));
        for (int i = 0; i < seqRanks; ++i) cfg.push_back(std::make_unique<InProcessGroup>(cfgRanks));
        InProcessGroup all(world);  // runs the threads
        std::vector<Tensor> out(static_cast<size_t>(world));
        runRanks(all, [&](int r) {
            const int ci = r / seqRanks, si = r % seqRanks;
            const SamplingRanks ranks{.sequence = &seq[size_t(ci)]->rank(si),
                                      .cfg = &cfg[size_t(si)]->rank(ci)};
            out[size_t(r)] = parallelModelCall(model, text, rows, ranks)(x, t);
        });
        for (const Tensor& o : out) {
            EXPECT_LE(test::compare(o, whole).relL2, kRelTol);
            EXPECT_EQ(test::compare(o, out[0]).maxAbs, 0.0);  // every rank holds the same output
        }
    }
}

TEST(CfgParallel, NeedsGuidance) {
    const SanaTransformer model = SanaTransformer::load(transformerFixtures().at(0));
    InProcessGroup pair(2);
    const SamplingRanks ranks{.cfg = &pair.rank(0)};
    EXPECT_NE(test::errorMessage([&] {
                  parallelModelCall(model, TransformerTextContext{}, 1, ranks);
              }).find("needs classifier-free guidance"),
              std::string::npos);
}

// Whole denoising loops on the demo model: CFG-parallel, sequence-parallel and both end with the latents of
// one device; a cancel on one rank cancels every rank.
TEST(ParallelSampling, LoopsEqualOneDevice) {
    const test::TempDir dir;
    const std::vector<uint8_t> tokenizer = test::tinyTokenizerBytes();
    writeDemoModel(dir.path() / "demo", tokenizer, 0);
    const SanaModels models = SanaModels::load(dir.path() / "demo");
    PromptRequest p;
    p.prompts = {"a red fox runs through snow"};
    const PromptEncoding prompts = encodePrompts(models, p);
    SampleRequest r;
    r.height = 32, r.width = 32, r.frames = 9, r.steps = 3, r.seed = 7, r.guidanceScale = 4.5;
    const Tensor one = sampleLatents(models, prompts, r);
    for (const auto& [cfgRanks, seqRanks] : {std::pair{2, 1}, std::pair{1, 3}, std::pair{2, 2}}) {
        SCOPED_TRACE(testing::Message() << cfgRanks << " CFG × " << seqRanks << " sequence ranks");
        const int world = cfgRanks * seqRanks;
        std::vector<std::unique_ptr<InProcessGroup>> seq, cfg;
        for (int i = 0; i < cfgRanks; ++i) seq.push_back(std::make_unique<InProcessGroup>(seqRanks));
        for (int i = 0; i < seqRanks; ++i) cfg.push_back(std::make_unique<InProcessGroup>(cfgRanks));
        InProcessGroup all(world);
        std::vector<Tensor> out(static_cast<size_t>(world));
        std::atomic<int> cancelled = 0;
        auto ranksOf = [&](int rank) {
            const int ci = rank / seqRanks, si = rank % seqRanks;
            return SamplingRanks{.sequence = &seq[size_t(ci)]->rank(si), .cfg = &cfg[size_t(si)]->rank(ci)};
        };
        runRanks(all,
                 [&](int rank) { out[size_t(rank)] = sampleLatents(models, prompts, r, {}, ranksOf(rank)); });
        for (const Tensor& o : out) EXPECT_LE(test::compare(o, one).relL2, kRelTol);
        // The last rank cancels after step 1: every rank stops there with sv::Cancelled.
        InProcessGroup again(world);
        runRanks(again, [&](int rank) {
            const StepCallback stopOnLast = [&](int step, int, double, const Tensor&, const Tensor&) {
                return !(rank == world - 1 && step == 1);
            };
            try {
                sampleLatents(models, prompts, r, stopOnLast, ranksOf(rank));
            } catch (const Cancelled&) {
                ++cancelled;
            }
        });
        EXPECT_EQ(cancelled, world);
    }
}

TEST(Nccl, MissingLibraryGivesAClearError) {
    const int devices[] = {0};
    const std::string message =
        test::errorMessage([&] { makeNcclCommunicators(devices, "libsv-missing-nccl-for-test.so.2"); });
    EXPECT_NE(message.find("NCCL (libsv-missing-nccl-for-test.so.2) not found: install"), std::string::npos)
        << message;
}

}  // namespace
}  // namespace sv
