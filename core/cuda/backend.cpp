// The CUDA backend: its kernel table (core/cuda/ops.h), what it supports, and its devices (cuda/context.h).
//
// Supports: the op's activations (the first operand, and every operand the entry point requires on its
// device) on one CUDA device in F32, BF16 or F16; other float operands (weights, biases, tables, statistics)
// of any float dtype on any device, converted to the activation dtype and moved by the kernel; index, id and
// mask operands in their documented integer dtype. Plus the size limits of the kernels, named in cuda/ops.h.
// No image resampling (ops/resize.h is CPU only: decoding and encoding images happens on the host).
#include "backend/registry.h"
#include "cuda/context.h"
#include "cuda/ops.h"
#include "cuda/profile.h"

namespace sv {

namespace {

bool isActivation(const Tensor* t) {
    const DType d = t->dtype();
    return d == DType::F32 || d == DType::BF16 || d == DType::F16;
}
bool isFloat(const Tensor* t) {
    return !t->defined() || isFloating(t->dtype());
}
bool isInt(const Tensor* t, DType dt) {
    return !t->defined() || t->dtype() == dt;
}

// The integer operand of an op (its position in opOperands(op) order and dtype); position −1 for none.
struct IntOperand {
    int index = -1;
    DType dtype = DType::I64;
};
IntOperand intOperand(Op op) {
    switch (op) {
        case Op::LayerNormModulate:
        case Op::GatedResidual:
            return {3, DType::I32};
        case Op::GatherRows:
            return {1, DType::I32};
        case Op::CausalAttention:
            return {3, DType::I64};
        case Op::Embed:
            return {1, DType::I64};
        default:
            return {};
    }
}

// Dtypes of every operand and the kernels' size limits; nullptr when the call is supported.
const char* opRule(Op op, std::span<const Tensor* const> in) {
    const IntOperand io = intOperand(op);
    for (size_t i = 0; i < in.size(); ++i) {
        if (int(i) == io.index) {
            if (!isInt(in[i], io.dtype))
                return io.dtype == DType::I32 ? "an I32 index only" : "I64 ids or mask only";
        } else if (!isFloat(in[i])) {
            return "floating operands only";
        }
    }
    switch (op) {
        case Op::LinearCombination:
            if (in.size() > size_t(cuda::kMaxCombined)) return "at most 16 inputs";
            for (const Tensor* t : in)
                if (!isActivation(t)) return "F32, BF16 or F16 inputs only";
            return nullptr;
        case Op::CausalAttention:
            return in[0]->dim(3) <= cuda::kMaxCausalHeadDim ? nullptr : "head dims up to 256 only";
        case Op::ReluLinearAttention:
        case Op::ReluLinearAttentionCached: {
            const int64_t d = in[3]->dim(1);  // the RoPE table's width is the head dim
            return d % 2 == 0 && d <= cuda::kMaxLinearHeadDim && in[0]->dim(2) <= cuda::kMaxLinearWidth
                       ? nullptr
                       : "even head dims up to 256 and widths up to 4096 only";
        }
        default:
            return nullptr;
    }
}

// ops::linearFp8 (x; w, 8-bit; bias). Whether the FP8 tensor cores run it is the kernel's choice (linear.cu).
Support fp8LinearRule(std::span<const Tensor* const> in) {
    if (!isActivation(in[0])) return Support::no("F32, BF16 or F16 activations only");
    if (in[1]->dtype() != DType::F8E4M3) return Support::no("an F8_E4M3 weight only");
    return isFloat(in[2]) ? Support::yes() : Support::no("a floating bias only");
}

Kernels cudaKernels() {
    Kernels k;
    k.binary = cuda::binary;
    k.unary = cuda::unary;
    k.linearCombination = cuda::linearCombination;
    k.channelAffine = cuda::channelAffine;
    k.geluTanhGate = cuda::geluTanhGate;
    k.gluSilu = cuda::gluSilu;
    k.linear = cuda::linear;
    k.linearFp8 = cuda::linearFp8;
    k.gatedMlp = cuda::gatedMlp;
    k.rmsNorm = cuda::rmsNorm;
    k.offsetRmsNorm = cuda::offsetRmsNorm;
    k.channelRmsNorm = cuda::channelRmsNorm;
    k.ltxChannelNorm = cuda::ltxChannelNorm;
    k.layerNormModulate = cuda::layerNormModulate;
    k.gatedResidual = cuda::gatedResidual;
    k.gatherRows = cuda::gatherRows;
    k.expandRope = cuda::expandRope;
    k.applyRope = cuda::applyRope;
    k.halfRotary = cuda::halfRotary;
    k.reluLinearAttention = cuda::reluLinearAttention;
    k.crossAttention = cuda::crossAttention;
    k.causalAttention = cuda::causalAttention;
    k.frameAttention = cuda::frameAttention;
    k.depthwiseConv3x3 = cuda::depthwiseConv3x3;
    k.siluDepthwiseGlu = cuda::siluDepthwiseGlu;
    k.temporalConv3 = cuda::temporalConv3;
    k.causalConv3d = cuda::causalConv3d;
    k.upsampleNearest2x = cuda::upsampleNearest2x;
    k.interleaveTimeHalves = cuda::interleaveTimeHalves;
    k.depthToSpace = cuda::depthToSpace;
    k.spaceToDepth = cuda::spaceToDepth;
    k.embed = cuda::embed;
    k.quantize = cuda::quantize;
    k.dequantize = cuda::dequantize;
    k.philoxNormal = cuda::philoxNormal;
    return k;
}

class CudaBackend final : public Backend {
  public:
    CudaBackend() : Backend("cuda", Device::Kind::Cuda, cudaKernels()) {}

    Support admits(Op op, std::span<const Tensor* const> operands) const override {
        if (op == Op::LinearFp8) return fp8LinearRule(operands);
        if (op == Op::Dequantize)  // the one op whose first operand is an 8-bit weight
            return isEightBit(operands[0]->dtype()) ? Support::yes()
                                                    : Support::no("I8 or F8_E4M3 weights only");
        if (!operands.empty() && !isActivation(operands[0]))
            return Support::no("F32, BF16 or F16 activations only");
        const char* why = opRule(op, operands);
        return why ? Support::no(why) : Support::yes();
    }

    int deviceCount() const override { return cuda::deviceCount(); }
    std::string deviceName(int index) const override { return cuda::deviceName(index); }
    int computeCapability(int index) const override { return cuda::computeCapability(index); }
    void synchronize(int index) const override { cuda::synchronize(index); }
    MemoryStats memoryStats(int index) const override { return cuda::memoryStats(index); }
    void resetPeakMemory(int index) const override { cuda::resetPeakMemory(index); }
    void releaseCachedMemory(int index) const override { cuda::releaseCachedMemory(index); }
    void fillNormal(const Tensor& t, uint64_t seed, float mean, float stddev) const override {
        cuda::fillNormal(t, seed, mean, stddev);
    }
    void fillUniformInt(const Tensor& t, uint64_t seed, int64_t lo, int64_t hi) const override {
        cuda::fillUniformInt(t, seed, lo, hi);
    }
    void setOpProfiling(bool on) const override { cuda::setOpProfiling(on); }
    std::vector<OpTime> takeOpProfile(int index) const override { return cuda::takeOpProfile(index); }
};

}  // namespace

const Backend* backend::cudaBackend() {
    static const CudaBackend backend;
    return &backend;
}

}  // namespace sv
