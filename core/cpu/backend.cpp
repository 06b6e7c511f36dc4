// The CPU backend: its kernel table (core/cpu/ops.h), what it supports, and the host as a device.
//
// Supports: every operand in host memory; activations F32 (the reference precision: the CPU computes and
// returns F32); the operands dtypeRule accepts as any float dtype (weights stored as BF16/F16, statistics)
// are converted to F32 by the kernel; index and id operands in the integer dtype their op documents.
#include "backend/registry.h"
#include "base/parallel.h"
#include "cpu/ops.h"

namespace sv {

namespace {

bool isF32(const Tensor* t) {
    return !t->defined() || t->dtype() == DType::F32;
}
bool isFloat(const Tensor* t) {
    return !t->defined() || isFloating(t->dtype());
}
bool isInt(const Tensor* t, DType dt) {
    return !t->defined() || t->dtype() == dt;
}

// Rows of a modulation table: the kernel reads them in place, so a unit stride inside each row.
bool unitRows(const Tensor* t) {
    return !t->defined() || t->dim(1) == 1 || t->strides()[1] == 1;
}

// Op-specific dtype rules (operands in opOperands(op) order); nullptr when the call is supported.
const char* dtypeRule(Op op, std::span<const Tensor* const> in) {
    // Operands [first, last) F32, or of any float dtype (the kernel converts them).
    auto f32 = [&](size_t first, size_t last) {
        for (size_t i = first; i < last; ++i)
            if (!isF32(in[i])) return false;
        return true;
    };
    auto floats = [&](size_t first, size_t last) {
        for (size_t i = first; i < last; ++i)
            if (!isFloat(in[i])) return false;
        return true;
    };
    constexpr const char* kF32 = "F32 activations only";
    switch (op) {
        case Op::LinearCombination:  // F32/F64/BF16/F16, read as they are
            return floats(0, in.size()) ? nullptr : "floating inputs only";
        case Op::Linear:  // x, w, bias
            return floats(0, 3) ? nullptr : "floating operands only";
        case Op::LinearFp8:  // x; w (8-bit); bias
            return floats(0, 1) && in[1]->dtype() == DType::F8E4M3 && floats(2, 3)
                       ? nullptr
                       : "floating x and bias and an F8_E4M3 weight only";
        case Op::GatedMlp:  // x; gateW, upW, downW
            return f32(0, 1) && floats(1, 4) ? nullptr : kF32;
        case Op::NormalizeLatents:  // z; mean, invStd
        case Op::DenormalizeLatents:
            return f32(0, 1) && floats(1, 3) ? nullptr : kF32;
        case Op::ChannelRmsNorm:  // x; gamma
            return f32(0, 1) && floats(1, 2) ? nullptr : kF32;
        case Op::LtxChannelNorm:  // x; weight, bias
            return f32(0, 1) && floats(1, 3) ? nullptr : kF32;
        case Op::CausalConv3d:  // x, cache; w, bias; residual
        case Op::LtxConv3d:
            return f32(0, 2) && floats(2, 4) && f32(4, 5) ? nullptr : kF32;
        case Op::LayerNormModulate:  // x, shift, scale; index
            return f32(0, 3) && unitRows(in[1]) && unitRows(in[2]) && isInt(in[3], DType::I32)
                       ? nullptr
                       : "F32 activations, F32 rows with unit inner stride and an I32 row index only";
        case Op::GatedResidual:  // x, branch, gate; index
            return f32(0, 3) && unitRows(in[2]) && isInt(in[3], DType::I32)
                       ? nullptr
                       : "F32 activations, F32 rows with unit inner stride and an I32 row index only";
        case Op::GatherRows:  // table; index
            return f32(0, 1) && isInt(in[1], DType::I32) ? nullptr : "an F32 table and an I32 index only";
        case Op::CausalAttention:  // q, k, v; keyMask
            return f32(0, 3) && isInt(in[3], DType::I64) ? nullptr : "F32 q, k, v and an I64 key mask only";
        case Op::Embed:  // table; ids
            return f32(0, 1) && isInt(in[1], DType::I64) ? nullptr : "an F32 table and I64 ids only";
        case Op::QuantizePerChannel:  // w
            return floats(0, 1) ? nullptr : "F32, BF16 or F16 weights only";
        case Op::Dequantize:  // w
            return isEightBit(in[0]->dtype()) ? nullptr : "I8 or F8_E4M3 weights only";
        case Op::ResizeLanczos:
            return isInt(in[0], DType::U8) ? nullptr : "a U8 image only";
        default:
            return f32(0, in.size()) ? nullptr : kF32;
    }
}

// The CPU implements every kernel entry.
Kernels cpuKernels() {
    Kernels k;
#define SV_REGISTER_CPU_KERNEL(name, type) k.name = cpu::name;
    SV_KERNELS(SV_REGISTER_CPU_KERNEL)
#undef SV_REGISTER_CPU_KERNEL
    return k;
}

class CpuBackend final : public Backend {
  public:
    CpuBackend() : Backend("cpu", Device::Kind::Cpu, cpuKernels()) {}

    Support admits(Op op, std::span<const Tensor* const> operands) const override {
        for (const Tensor* t : operands)
            if (t->defined() && !t->device().isCpu()) return Support::no("operands in host memory only");
        const char* why = dtypeRule(op, operands);
        return why ? Support::no(why) : Support::yes();
    }

    int deviceCount() const override { return 1; }
    std::string deviceName(int) const override { return concat("cpu (", cpuThreadCount(), " threads)"); }
    void synchronize(int) const override {}  // every CPU op has finished when it returns
    MemoryStats memoryStats(int) const override {
        const HostMemoryStats h = hostTensorMemory();
        return {h.current, h.peak, h.current};
    }
    void resetPeakMemory(int) const override { resetHostTensorPeak(); }
    void releaseCachedMemory(int) const override {}  // host tensors are freed when they die
    void fillNormal(const Tensor& t, uint64_t seed, float mean, float stddev) const override {
        cpu::fillNormal(t, seed, mean, stddev);
    }
    void fillUniformInt(const Tensor& t, uint64_t seed, int64_t lo, int64_t hi) const override {
        cpu::fillUniformInt(t, seed, lo, hi);
    }
    void setOpProfiling(bool) const override {}  // the CPU records no op times
    std::vector<OpTime> takeOpProfile(int) const override { return {}; }
};

}  // namespace

const Backend& backend::cpuBackend() {
    static const CpuBackend backend;
    return backend;
}

}  // namespace sv
