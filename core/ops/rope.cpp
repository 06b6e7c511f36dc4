// Entry points of ops/dit_rope.h and the rotary half of ops/gemma_attention.h. The tables are built on the
// host by the CPU backend's arithmetic (core/cpu/rope.cpp) for every target device.
#include "backend/registry.h"
#include "cpu/ops.h"
#include "ops/dit_rope.h"
#include "ops/gemma_attention.h"
#include "ops/validate.h"

namespace sv::ops {

namespace dit {

RopeTables ropeTables(std::array<int, 3> split, int maxSeqLen, double theta, std::array<int64_t, 3> grid,
                      Device device, int64_t frameOffset) {
    static constexpr const char* kAxis[3] = {"frames", "height", "width"};
    SV_ASSERT_MSG(frameOffset >= 0, "ops::dit::ropeTables: negative frame offset ", frameOffset);
    const int64_t start[3] = {frameOffset, 0, 0};
    for (int a = 0; a < 3; ++a) {
        SV_ASSERT_MSG(split[size_t(a)] > 0 && split[size_t(a)] % 2 == 0,
                      "ops::dit::ropeTables: sub-dimension ", split[size_t(a)], " must be positive and even");
        SV_CHECK(grid[size_t(a)] >= 1 && start[a] + grid[size_t(a)] <= maxSeqLen, "RoPE: the token grid has ",
                 grid[size_t(a)], " positions along ", kAxis[a],
                 start[a] > 0 ? concat(" from ", start[a]) : "", "; the model supports positions 0 to ",
                 maxSeqLen - 1, " (rope_max_seq_len)");
    }
    // Only the small per-axis tables are made here; the target backend expands them to [N, headDim] (on the
    // GPU, so that only they cross the bus).
    const cpu::RopeAxisTables axes = cpu::ropeAxisTables(split, theta, grid, frameOffset);
    return backend::kernelsFor(Op::ExpandRope, device).expandRope(axes.cos, axes.sin, split, grid, device);
}

Tensor applyRope(const Tensor& x, const RopeTables& rope) {
    constexpr std::string_view op = "ops::dit::applyRope";
    check::rank(op, x, 3, "x", "[B, N, H·d]");
    check::rank(op, rope.cos, 2, "the cos table", "[N, d]");
    SV_ASSERT_MSG(rope.sin.defined() && rope.sin.shape() == rope.cos.shape() && x.dim(1) == rope.cos.dim(0) &&
                      rope.cos.dim(1) % 2 == 0 && x.dim(2) % rope.cos.dim(1) == 0,
                  op, ": x ", x.describe(), " does not fit tables ", rope.cos.describe());
    return backend::kernelsFor(Op::ApplyRope, {&x, &rope.cos, &rope.sin}).applyRope(x, rope);
}

}  // namespace dit

GemmaRotary gemmaRotaryTables(int64_t length, int64_t headDim, double theta) {
    SV_ASSERT_MSG(length >= 0 && headDim > 0 && headDim % 2 == 0, "ops::gemmaRotaryTables: length ", length,
                  ", headDim ", headDim);
    return cpu::gemmaRotaryTables(length, headDim, theta);
}

Tensor gemmaApplyRotary(const Tensor& x, const GemmaRotary& tables) {
    constexpr std::string_view op = "ops::gemmaApplyRotary";
    check::rank(op, x, 4, "x", "[B, L, heads, D]");
    check::rank(op, tables.cos, 2, "the cos table", "[length, D]");
    SV_ASSERT_MSG(x.dim(3) % 2 == 0 && tables.cos.dim(1) == x.dim(3) && tables.cos.dim(0) >= x.dim(1) &&
                      tables.sin.defined() && tables.sin.shape() == tables.cos.shape(),
                  op, ": x ", x.describe(), " vs tables ", tables.cos.describe());
    return backend::kernelsFor(Op::HalfRotary, {&x, &tables.cos, &tables.sin}).halfRotary(x, tables);
}

}  // namespace sv::ops
