// Token embedding lookup with Gemma's scale (the table rows times √hidden).
#pragma once

#include "base/tensor.h"

namespace sv::ops {

/// table: [V, H]; ids: [...] I64, every id in [0, V) (the caller validates ids; an out-of-range id is a
/// programmer error here). Returns [..., H] F32 with out[..., :] = table[id, :] · scale (one float multiply
/// per element).
Tensor gemmaEmbed(const Tensor& table, const Tensor& ids, float scale);

}  // namespace sv::ops
