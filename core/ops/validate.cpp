#include "ops/validate.h"

namespace sv::ops::check {

void defined(std::string_view op, const Tensor& t, std::string_view what) {
    SV_ASSERT_MSG(t.defined(), op, ": ", what, " is undefined");
}

void rank(std::string_view op, const Tensor& t, int r, std::string_view what, std::string_view layout) {
    defined(op, t, what);
    SV_ASSERT_MSG(t.rank() == r, op, ": ", what, " must be ", layout, ", got ", t.describe());
}

void sameDevice(std::string_view op, const Tensor& primary, std::initializer_list<const Tensor*> others) {
    for (const Tensor* t : others)
        SV_ASSERT_MSG(!t->defined() || t->device() == primary.device(), op, ": ", t->describe(),
                      " is not on ", primary.device().toString(), " with ", primary.describe());
}

void rows(std::string_view op, const Tensor& t, int64_t D, std::string_view what) {
    SV_ASSERT_MSG(t.defined() && t.rank() == 2 && t.dim(1) == D, op, ": ", what, " must be [R, ", D,
                  "], got ", t.defined() ? t.describe() : std::string("nothing"));
}

void rowIndex(std::string_view op, const Tensor& index, const Tensor& primary, int64_t B, int64_t N,
              int64_t R) {
    if (!index.defined()) {
        SV_ASSERT_MSG(R == B, op, ": without a row index the modulation needs one row per sample (", B,
                      "), got ", R);
        return;
    }
    SV_ASSERT_MSG(index.device() == primary.device() && index.dtype() == DType::I32 && index.isContiguous(),
                  op, ": the row index must be a contiguous I32 tensor on ", primary.device().toString(),
                  ", got ", index.describe());
    const int64_t n = index.numel();
    SV_ASSERT_MSG(n == B || n == B * N, op, ": row index has ", n, " entries; expected ", B, " or ", B * N);
    if (!index.device().isCpu()) return;  // device memory is not read here
    const int32_t* p = index.data<int32_t>();
    for (int64_t i = 0; i < n; ++i)
        SV_ASSERT_MSG(p[i] >= 0 && p[i] < R, op, ": row index ", p[i], " out of [0, ", R, ")");
}

}  // namespace sv::ops::check
