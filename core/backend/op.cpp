#include "backend/op.h"

#include "backend/kernels.h"
#include "base/error.h"

namespace sv {

namespace {

struct OpInfo {
    std::string_view name, operands;
};

constexpr OpInfo kOps[] = {
#define SV_OP_INFO(name, entry, operands, kernel) {entry, operands},
    SV_OPS(SV_OP_INFO)
#undef SV_OP_INFO
};
static_assert(std::size(kOps) == size_t(Op::Count));

const OpInfo& info(Op op) {
    SV_ASSERT(op < Op::Count);
    return kOps[size_t(op)];
}

}  // namespace

std::string_view opName(Op op) {
    return info(op).name;
}

std::string_view opOperands(Op op) {
    return info(op).operands;
}

bool hasKernel(const Kernels& k, Op op) {
    switch (op) {
#define SV_OP_HAS_KERNEL(name, entry, operands, kernel) \
    case Op::name:                                      \
        return k.kernel != nullptr;
        SV_OPS(SV_OP_HAS_KERNEL)
#undef SV_OP_HAS_KERNEL
        case Op::Count:
            break;
    }
    SV_ASSERT(false);
}

}  // namespace sv
