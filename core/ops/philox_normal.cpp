// Entry point of ops/philox_normal.h.
#include "ops/philox_normal.h"

#include <cstdint>

#include "backend/registry.h"

namespace sv::ops {

Tensor philoxNormal(const Shape& shape, DType dtype, Device device, const PhiloxNormalLaunch& launch) {
    constexpr std::string_view op = "ops::philoxNormal";
    SV_ASSERT_MSG(dtype == DType::F32 || dtype == DType::BF16 || dtype == DType::F16, op, ": dtype ",
                  dtypeName(dtype));
    SV_ASSERT_MSG(launch.blocks >= 1 && launch.blocks <= INT32_MAX, op, ": blocks = ", launch.blocks);
    for (int64_t d : shape) SV_ASSERT_MSG(d >= 0, op, ": shape ", shapeToString(shape));
    const int64_t numel = shapeNumel(shape);
    // TensorIterator::can_use_32bit_indexing: larger tensors are split into several launches in torch.
    SV_ASSERT_MSG(numel == 0 || 1 + (numel - 1) * int64_t(dtypeSize(dtype)) <= int64_t(INT32_MAX), op, ": ",
                  shapeToString(shape), " needs torch's 64-bit-indexing split (not reproduced)");
    return backend::kernelsFor(Op::PhiloxNormal, device).philoxNormal(shape, dtype, device, launch);
}

}  // namespace sv::ops
