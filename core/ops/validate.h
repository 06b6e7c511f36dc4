// The checks the public op entry points share (core/ops/*.cpp): each op validates its operands here, once,
// for every backend. Shape and device mismatches between operands are programmer errors (SV_ASSERT, always
// on); what a backend cannot run is its supports() answer, an sv::Error (backend/registry.h).
#pragma once

#include <initializer_list>
#include <string_view>

#include "base/tensor.h"

namespace sv::ops::check {

/// `t` is defined.
void defined(std::string_view op, const Tensor& t, std::string_view what);
/// `t` is defined and of rank `rank`; `layout` names the dimensions in the message ("[B, N, D]").
void rank(std::string_view op, const Tensor& t, int rank, std::string_view what, std::string_view layout);
/// Every defined tensor of `others` sits on `primary`'s device (ops never move activations).
void sameDevice(std::string_view op, const Tensor& primary, std::initializer_list<const Tensor*> others);
/// A [R, D] table of modulation rows (ops/dit_norm.h).
void rows(std::string_view op, const Tensor& t, int64_t D, std::string_view what);
/// The row index of ops/dit_norm.h for B samples of N tokens over R rows: undefined (then R == B), or I32 of
/// B or B·N entries on `primary`'s device, contiguous; entries in [0, R) when the index is in host memory.
void rowIndex(std::string_view op, const Tensor& index, const Tensor& primary, int64_t B, int64_t N,
              int64_t R);

}  // namespace sv::ops::check
