// Entry points of ops/quantize.h.
#include "ops/quantize.h"

#include "backend/registry.h"
#include "ops/validate.h"

namespace sv::ops {

float eightBitMax(DType format) {
    SV_ASSERT_MSG(isEightBit(format), "eightBitMax: ", dtypeName(format), " is not an 8-bit format");
    return format == DType::I8 ? 127.0f : 448.0f;
}

Tensor quantizePerChannel(const Tensor& w, DType format) {
    constexpr std::string_view op = "ops::quantizePerChannel";
    check::defined(op, w, "w");
    SV_ASSERT_MSG(w.rank() >= 1 && isEightBit(format), op, ": ", w.describe(), " to ", dtypeName(format));
    SV_ASSERT_MSG(w.dtype() == DType::F32 || w.dtype() == DType::BF16 || w.dtype() == DType::F16, op, ": ",
                  w.describe(), " is not an F32, BF16 or F16 tensor");
    return backend::kernelsFor(Op::QuantizePerChannel, {&w}).quantize(w, format);
}

Tensor dequantize(const Tensor& w, DType dtype) {
    constexpr std::string_view op = "ops::dequantize";
    check::defined(op, w, "w");
    SV_ASSERT_MSG(w.isQuantized() && w.quantScales().shape() == Shape{w.dim(0)}, op, ": ", w.describe(),
                  " is not a per-channel quantized tensor");
    SV_ASSERT_MSG(dtype == DType::F32 || dtype == DType::BF16 || dtype == DType::F16, op, ": to ",
                  dtypeName(dtype));
    return backend::kernelsFor(Op::Dequantize, {&w}).dequantize(w, dtype);
}

}  // namespace sv::ops
