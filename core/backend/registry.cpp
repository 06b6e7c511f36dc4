#include "backend/registry.h"

#include <array>
#include <string>
#include <vector>

namespace sv::backend {

namespace {

const std::vector<const Backend*>& registered() {
    static const std::vector<const Backend*> list = [] {
        std::vector<const Backend*> v{&cpuBackend()};
        if (const Backend* cuda = cudaBackend()) v.push_back(cuda);
        return v;
    }();
    return list;
}

// "x F32[2, 3] cpu, w undefined, ...": operand names from opOperands(op), indexed when the op takes a list.
std::string describeOperands(Op op, std::span<const Tensor* const> operands) {
    std::vector<std::string_view> names;
    std::string_view list = opOperands(op);
    while (!list.empty()) {
        const size_t comma = list.find(", ");
        names.push_back(list.substr(0, comma));
        list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 2);
    }
    std::string out;
    for (size_t i = 0; i < operands.size(); ++i) {
        const std::string name = names.size() == operands.size() ? std::string(names[i])
                                 : names.empty()                 ? concat("operand ", i)
                                                                 : concat(names.front(), "[", i, "]");
        out +=
            concat(i ? ", " : "", name, " ", operands[i]->defined() ? operands[i]->describe() : "undefined");
    }
    return out;
}

const Kernels& dispatch(Op op, Device device, std::span<const Tensor* const> operands) {
    const Backend& b = of(device);
    const Support s = b.supports(op, operands);
    if (!s)
        fail(opName(op), ": the ", b.name(), " backend cannot run this call (", s.reason, "); ",
             operands.empty() ? std::string("on ") + device.toString() : describeOperands(op, operands));
    return b.kernels();
}

Device deviceOf(std::span<const Tensor* const> operands) {
    for (const Tensor* t : operands)
        if (t->defined()) return t->device();
    return Device::cpu();
}

}  // namespace

std::span<const Backend* const> all() {
    return registered();
}

const Backend* find(Device::Kind kind) {
    for (const Backend* b : registered())
        if (b->kind() == kind) return b;
    return nullptr;
}

const Backend& of(Device device) {
    const Backend* b = find(device.kind);
    SV_CHECK(b, "this build of Sana Video Studio has no backend for ", device.toString(),
             " (rebuild with -DSV_WITH_CUDA=ON), use --device cpu");
    return *b;
}

const Kernels& kernelsFor(Op op, std::initializer_list<const Tensor*> operands) {
    const std::span<const Tensor* const> span(operands.begin(), operands.size());
    return dispatch(op, deviceOf(span), span);
}

const Kernels& kernelsFor(Op op, std::span<const Tensor> operands) {
    // Pointers on the stack for the usual few inputs: dispatch allocates nothing in a denoising step.
    constexpr size_t kInline = 16;
    std::array<const Tensor*, kInline> inline_{};
    std::vector<const Tensor*> heap;
    const Tensor** p = inline_.data();
    if (operands.size() > kInline) {
        heap.resize(operands.size());
        p = heap.data();
    }
    for (size_t i = 0; i < operands.size(); ++i) p[i] = &operands[i];
    const std::span<const Tensor* const> span(p, operands.size());
    return dispatch(op, deviceOf(span), span);
}

const Kernels& kernelsFor(Op op, Device device) {
    return dispatch(op, device, {});
}

}  // namespace sv::backend
