// Tensor: shape, strides (in elements), dtype and device over shared storage. Views (reshape of contiguous
// tensors, permute, slice, select) share storage; contiguous()/clone()/to() copy.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "base/dtype.h"
#include "base/error.h"

namespace sv {

using Shape = std::vector<int64_t>;

/// "[1, 16, 21, 60, 104]"; a shape of more than 11 dimensions shows its first 8 and last 2 (shapes come from
/// files too, and a message must not quote a 300 KB list).
std::string shapeToString(std::span<const int64_t> shape);
int64_t shapeNumel(std::span<const int64_t> shape);

struct Device {
    enum class Kind : uint8_t { Cpu, Cuda };
    Kind kind = Kind::Cpu;
    int index = 0;

    static Device cpu() { return {}; }
    static Device cuda(int i = 0) { return {Kind::Cuda, i}; }
    bool isCpu() const { return kind == Kind::Cpu; }
    bool isCuda() const { return kind == Kind::Cuda; }
    bool operator==(const Device&) const = default;
    std::string toString() const;
};

/// A block of memory on one device. Subclasses own it (aligned host memory, an mmap, a CUDA allocation).
class Storage {
  public:
    virtual ~Storage() = default;
    Storage(const Storage&) = delete;
    Storage& operator=(const Storage&) = delete;

    void* data() const { return data_; }
    size_t bytes() const { return bytes_; }
    Device device() const { return device_; }

  protected:
    Storage(void* data, size_t bytes, Device device) : data_(data), bytes_(bytes), device_(device) {}

  private:
    void* data_;
    size_t bytes_;
    Device device_;
};

/// Allocates uninitialised storage on the device (CUDA goes through the CUDA backend's caching allocator).
std::shared_ptr<Storage> allocateStorage(size_t bytes, Device device);

/// Bytes of host tensor storage allocated by allocateStorage (borrowed memory such as mmaps excluded): live
/// now, and the most live at once since the last resetHostTensorPeak(). Process-wide, thread-safe.
struct HostMemoryStats {
    int64_t current = 0;
    int64_t peak = 0;
};
HostMemoryStats hostTensorMemory();
/// Starts a new peak measurement: peak = current.
void resetHostTensorPeak();

/// Storage that borrows memory kept alive by an owner (e.g. a memory-mapped file).
std::shared_ptr<Storage> borrowStorage(void* data, size_t bytes, Device device,
                                       std::shared_ptr<const void> owner);

class Tensor {
  public:
    Tensor() = default;

    static Tensor empty(Shape shape, DType dtype, Device device = Device::cpu());
    static Tensor zeros(Shape shape, DType dtype, Device device = Device::cpu());
    static Tensor full(Shape shape, float value, DType dtype = DType::F32, Device device = Device::cpu());
    /// A CPU F32 tensor holding a copy of the values.
    static Tensor fromFloats(std::span<const float> values, Shape shape);
    static Tensor fromInts(std::span<const int64_t> values, Shape shape);
    /// A view over existing storage (contiguous, starting at the given byte offset).
    static Tensor fromStorage(std::shared_ptr<Storage> storage, size_t byteOffset, Shape shape, DType dtype);

    bool defined() const { return storage_ != nullptr; }
    const Shape& shape() const { return shape_; }
    const Shape& strides() const { return strides_; }
    int rank() const { return int(shape_.size()); }
    /// Size of dimension d; negative d counts from the end.
    int64_t dim(int d) const;
    int64_t numel() const { return shapeNumel(shape_); }
    size_t nbytes() const { return size_t(numel()) * dtypeSize(dtype_); }
    DType dtype() const { return dtype_; }
    Device device() const { return storage_ ? storage_->device() : Device::cpu(); }
    bool isContiguous() const;
    const std::shared_ptr<Storage>& storage() const { return storage_; }
    size_t byteOffset() const { return offset_; }

    void* rawData() const;
    template <class T>
    T* data() const {
        SV_ASSERT_MSG(dtype_ == dtypeOf<T>(), "tensor dtype is ", dtypeName(dtype_));
        return static_cast<T*>(rawData());
    }
    /// Raw 16-bit storage for BF16/F16 tensors.
    uint16_t* data16() const {
        SV_ASSERT(dtype_ == DType::BF16 || dtype_ == DType::F16);
        return static_cast<uint16_t*>(rawData());
    }

    // ---- views (share storage) ----
    /// Reinterprets the shape; one entry may be -1. Requires a contiguous tensor.
    Tensor view(Shape shape) const;
    /// view() when contiguous, otherwise a contiguous copy reshaped.
    Tensor reshape(Shape shape) const;
    Tensor permute(std::span<const int> order) const;
    Tensor permute(std::initializer_list<int> order) const {
        return permute(std::span<const int>(order.begin(), order.size()));
    }
    Tensor transpose(int a, int b) const;
    /// Elements [start, end) along dim.
    Tensor slice(int dim, int64_t start, int64_t end) const;
    /// Removes dim, keeping index i.
    Tensor select(int dim, int64_t i) const;
    Tensor unsqueeze(int dim) const;

    // ---- copies ----
    Tensor contiguous() const;
    Tensor clone() const;
    /// Converts dtype (same device). Float conversions round to nearest even (to F8E4M3: base/fp8.h; to I8:
    /// rounded to nearest even and clamped to [−128, 127]).
    Tensor to(DType dtype) const;
    Tensor to(Device device) const;
    /// Copies src (same shape, any strides, any dtype convertible) into this tensor.
    void copyFrom(const Tensor& src);

    // ---- per-channel quantized tensors (8-bit weights, ops/quantize.h)
    /// An I8 / F8E4M3 tensor with scales stands for q · quantScales()[i0], i0 its index along dim 0: one F32
    /// scale per output channel, on the tensor's device. Undefined for other tensors. Views keep the scales
    /// while dim 0 stays dim 0 with its size (view() and reshape() keeping the first size, permute() keeping
    /// dim 0 first, slice() and select() of other dims; slice() of dim 0 slices the scales); other views of a
    /// quantized tensor, and converting one to another dtype, are programmer errors: ops::dequantize()
    /// converts.
    const Tensor& quantScales() const;
    bool isQuantized() const { return scales_ != nullptr; }
    /// This 8-bit tensor (rank ≥ 1) with `scales` (F32 [dim(0)], same device) attached.
    Tensor withQuantScales(Tensor scales) const;

    /// CPU: element at a flat row-major index of the logical shape, converted to double (for tests and
    /// tools). An 8-bit tensor's stored value (the code, without its scale).
    double item(int64_t flatIndex = 0) const;
    /// CPU F32 copy as a std::vector in row-major logical order.
    std::vector<float> toFloatVector() const;

    std::string describe() const;  // "F32[2, 3] cpu"

  private:
    std::shared_ptr<Storage> storage_;
    size_t offset_ = 0;  // in bytes
    Shape shape_;
    Shape strides_;  // in elements
    DType dtype_ = DType::F32;
    std::shared_ptr<const Tensor> scales_;  // per-channel quantization scales (8-bit tensors only)
};

Shape contiguousStrides(std::span<const int64_t> shape);

}  // namespace sv
