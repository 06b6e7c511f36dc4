#include "backend/backend.h"

namespace sv {

Support Backend::supports(Op op, std::span<const Tensor* const> operands) const {
    if (!hasKernel(kernels_, op)) return Support::no("this backend has no kernel for it");
    return admits(op, operands);
}

}  // namespace sv
