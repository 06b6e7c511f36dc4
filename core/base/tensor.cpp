#include "base/tensor.h"

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <sstream>

#include "base/device_hooks.h"
#include "base/fp8.h"
#include "base/half.h"

namespace sv {

namespace {

// Live and peak bytes of host tensor storage (allocation statistics for memory tests; lock-free).
std::atomic<int64_t> gHostBytes{0};
std::atomic<int64_t> gHostPeak{0};

class HostStorage final : public Storage {
  public:
    explicit HostStorage(size_t bytes) : Storage(allocate(bytes), bytes, Device::cpu()) {
        const int64_t now = gHostBytes.fetch_add(int64_t(bytes)) + int64_t(bytes);
        int64_t peak = gHostPeak.load();
        while (now > peak && !gHostPeak.compare_exchange_weak(peak, now)) {
        }
    }
    ~HostStorage() override {
        gHostBytes.fetch_sub(int64_t(bytes()));
        std::free(data());
    }

  private:
    static void* allocate(size_t bytes) {
        size_t rounded = (std::max<size_t>(bytes, 1) + 63) / 64 * 64;
        void* p = std::aligned_alloc(64, rounded);
        if (!p) fail("out of host memory allocating ", bytes, " bytes");
        return p;
    }
};

class BorrowedStorage final : public Storage {
  public:
    BorrowedStorage(void* data, size_t bytes, Device device, std::shared_ptr<const void> owner)
        : Storage(data, bytes, device), owner_(std::move(owner)) {}

  private:
    std::shared_ptr<const void> owner_;
};

int normDim(int d, int rank) {
    int r = d < 0 ? d + rank : d;
    SV_ASSERT_MSG(r >= 0 && r < rank, "dimension ", d, " out of range for rank ", rank);
    return r;
}

// Reads element i (by pointer) of dtype dt as double / writes it.
inline double loadAs(const char* p, DType dt) {
    switch (dt) {
        case DType::F32:
            return *reinterpret_cast<const float*>(p);
        case DType::F64:
            return *reinterpret_cast<const double*>(p);
        case DType::BF16:
            return bf16ToFloat(*reinterpret_cast<const uint16_t*>(p));
        case DType::F16:
            return f16ToFloat(*reinterpret_cast<const uint16_t*>(p));
        case DType::I64:
            return double(*reinterpret_cast<const int64_t*>(p));
        case DType::I32:
            return *reinterpret_cast<const int32_t*>(p);
        case DType::U8:
            return *reinterpret_cast<const uint8_t*>(p);
        case DType::Bool:
            return *reinterpret_cast<const uint8_t*>(p) ? 1.0 : 0.0;
        case DType::I8:
            return *reinterpret_cast<const int8_t*>(p);
        case DType::F8E4M3:
            return e4m3ToFloat(*reinterpret_cast<const uint8_t*>(p));
    }
    SV_ASSERT(false);
}

inline void storeAs(char* p, DType dt, double v) {
    switch (dt) {
        case DType::F32:
            *reinterpret_cast<float*>(p) = float(v);
            return;
        case DType::F64:
            *reinterpret_cast<double*>(p) = v;
            return;
        case DType::BF16:
            *reinterpret_cast<uint16_t*>(p) = floatToBf16(float(v));
            return;
        case DType::F16:
            *reinterpret_cast<uint16_t*>(p) = floatToF16(float(v));
            return;
        case DType::I64:
            *reinterpret_cast<int64_t*>(p) = int64_t(v);
            return;
        case DType::I32:
            *reinterpret_cast<int32_t*>(p) = int32_t(v);
            return;
        case DType::U8:
            *reinterpret_cast<uint8_t*>(p) = uint8_t(v);
            return;
        case DType::Bool:
            *reinterpret_cast<uint8_t*>(p) = v != 0.0;
            return;
        case DType::I8:
            *reinterpret_cast<int8_t*>(p) = int8_t(std::clamp(std::nearbyint(v), -128.0, 127.0));
            return;
        case DType::F8E4M3:
            *reinterpret_cast<uint8_t*>(p) = floatToE4m3(float(v));
            return;
    }
}

// Copies CPU src into CPU dst (same shape), converting dtype. Fast paths for contiguous same-dtype and for
// the common float conversions on contiguous data.
void cpuCopy(const Tensor& dst, const Tensor& src) {
    const int64_t n = dst.numel();
    if (n == 0) return;
    const DType sd = src.dtype(), dd = dst.dtype();
    char* dp = static_cast<char*>(dst.rawData());
    const char* sp = static_cast<const char*>(src.rawData());
    if (dst.isContiguous() && src.isContiguous()) {
        if (sd == dd) {
            std::memcpy(dp, sp, size_t(n) * dtypeSize(dd));
            return;
        }
        if (sd == DType::F32 && dd == DType::BF16) {
            auto* o = reinterpret_cast<uint16_t*>(dp);
            auto* s = reinterpret_cast<const float*>(sp);
            for (int64_t i = 0; i < n; ++i) o[i] = floatToBf16(s[i]);
            return;
        }
        if (sd == DType::BF16 && dd == DType::F32) {
            auto* o = reinterpret_cast<float*>(dp);
            auto* s = reinterpret_cast<const uint16_t*>(sp);
            for (int64_t i = 0; i < n; ++i) o[i] = bf16ToFloat(s[i]);
            return;
        }
        if (sd == DType::F16 && dd == DType::F32) {
            auto* o = reinterpret_cast<float*>(dp);
            auto* s = reinterpret_cast<const uint16_t*>(sp);
            for (int64_t i = 0; i < n; ++i) o[i] = f16ToFloat(s[i]);
            return;
        }
    }
    const int rank = dst.rank();
    const size_t ses = dtypeSize(sd), des = dtypeSize(dd);
    std::vector<int64_t> idx(size_t(rank), 0);
    const auto& shape = dst.shape();
    const auto& ss = src.strides();
    const auto& ds = dst.strides();
    // Innermost loop over the last dim; odometer over the rest.
    const int64_t inner = rank ? shape[size_t(rank - 1)] : 1;
    const int64_t sInner = rank ? ss[size_t(rank - 1)] : 0;
    const int64_t dInner = rank ? ds[size_t(rank - 1)] : 0;
    const int64_t outer = n / inner;
    for (int64_t o = 0; o < outer; ++o) {
        int64_t soff = 0, doff = 0;
        for (int d = 0; d + 1 < rank; ++d) {
            soff += idx[size_t(d)] * ss[size_t(d)];
            doff += idx[size_t(d)] * ds[size_t(d)];
        }
        if (sd == dd) {
            for (int64_t i = 0; i < inner; ++i)
                std::memcpy(dp + size_t(doff + i * dInner) * des, sp + size_t(soff + i * sInner) * ses, des);
        } else {
            for (int64_t i = 0; i < inner; ++i)
                storeAs(dp + size_t(doff + i * dInner) * des, dd,
                        loadAs(sp + size_t(soff + i * sInner) * ses, sd));
        }
        for (int d = rank - 2; d >= 0; --d) {
            if (++idx[size_t(d)] < shape[size_t(d)]) break;
            idx[size_t(d)] = 0;
        }
    }
}

}  // namespace

std::string Device::toString() const {
    return isCpu() ? std::string("cpu") : concat("cuda:", index);
}

std::string shapeToString(std::span<const int64_t> shape) {
    // A shape read from a file can have any number of dimensions: messages show the first and last few.
    constexpr size_t kHead = 8, kTail = 2;
    std::ostringstream os;
    os << '[';
    for (size_t i = 0; i < shape.size(); ++i) {
        if (shape.size() > kHead + kTail + 1 && i == kHead) {
            os << ", \u2026 " << shape.size() - kHead - kTail << " more";
            i = shape.size() - kTail - 1;
            continue;
        }
        os << (i ? ", " : "") << shape[i];
    }
    os << ']';
    return os.str();
}

int64_t shapeNumel(std::span<const int64_t> shape) {
    int64_t n = 1;
    for (int64_t s : shape) n *= s;
    return n;
}

Shape contiguousStrides(std::span<const int64_t> shape) {
    Shape st(shape.size());
    int64_t s = 1;
    for (size_t i = shape.size(); i-- > 0;) {
        st[i] = s;
        s *= shape[i];
    }
    return st;
}

HostMemoryStats hostTensorMemory() {
    return {gHostBytes.load(), gHostPeak.load()};
}

void resetHostTensorPeak() {
    gHostPeak.store(gHostBytes.load());
}

std::shared_ptr<Storage> allocateStorage(size_t bytes, Device device) {
    if (device.isCuda()) return detail::cudaAllocate(bytes, device.index);
    return std::make_shared<HostStorage>(bytes);
}

std::shared_ptr<Storage> borrowStorage(void* data, size_t bytes, Device device,
                                       std::shared_ptr<const void> owner) {
    return std::make_shared<BorrowedStorage>(data, bytes, device, std::move(owner));
}

Tensor Tensor::empty(Shape shape, DType dtype, Device device) {
    for (int64_t s : shape) SV_ASSERT_MSG(s >= 0, "negative size in shape ", shapeToString(shape));
    size_t bytes = size_t(shapeNumel(shape)) * dtypeSize(dtype);
    return fromStorage(allocateStorage(bytes, device), 0, std::move(shape), dtype);
}

Tensor Tensor::zeros(Shape shape, DType dtype, Device device) {
    Tensor t = empty(std::move(shape), dtype, device);
    if (device.isCuda())
        detail::cudaZero(t);
    else
        std::memset(t.rawData(), 0, t.nbytes());
    return t;
}

Tensor Tensor::full(Shape shape, float value, DType dtype, Device device) {
    Tensor t = empty(shape, dtype, Device::cpu());
    char* p = static_cast<char*>(t.rawData());
    for (int64_t i = 0; i < t.numel(); ++i) storeAs(p + size_t(i) * dtypeSize(dtype), dtype, value);
    return device.isCpu() ? t : t.to(device);
}

Tensor Tensor::fromFloats(std::span<const float> values, Shape shape) {
    SV_ASSERT_MSG(shapeNumel(shape) == int64_t(values.size()), "fromFloats: ", values.size(),
                  " values for shape ", shapeToString(shape));
    Tensor t = empty(std::move(shape), DType::F32);
    if (!values.empty()) std::memcpy(t.rawData(), values.data(), values.size() * sizeof(float));
    return t;
}

Tensor Tensor::fromInts(std::span<const int64_t> values, Shape shape) {
    SV_ASSERT(shapeNumel(shape) == int64_t(values.size()));
    Tensor t = empty(std::move(shape), DType::I64);
    if (!values.empty()) std::memcpy(t.rawData(), values.data(), values.size() * sizeof(int64_t));
    return t;
}

Tensor Tensor::fromStorage(std::shared_ptr<Storage> storage, size_t byteOffset, Shape shape, DType dtype) {
    SV_ASSERT(storage);
    SV_ASSERT_MSG(byteOffset + size_t(shapeNumel(shape)) * dtypeSize(dtype) <= storage->bytes(),
                  "view past the end of its storage");
    Tensor t;
    t.storage_ = std::move(storage);
    t.offset_ = byteOffset;
    t.strides_ = contiguousStrides(shape);
    t.shape_ = std::move(shape);
    t.dtype_ = dtype;
    return t;
}

int64_t Tensor::dim(int d) const {
    return shape_[size_t(normDim(d, rank()))];
}

bool Tensor::isContiguous() const {
    int64_t expect = 1;
    for (size_t i = shape_.size(); i-- > 0;) {
        if (shape_[i] != 1 && strides_[i] != expect) return false;
        expect *= shape_[i];
    }
    return true;
}

void* Tensor::rawData() const {
    SV_ASSERT_MSG(storage_, "use of an undefined tensor");
    return static_cast<char*>(storage_->data()) + offset_;
}

Tensor Tensor::view(Shape shape) const {
    SV_ASSERT_MSG(isContiguous(), "view() of a non-contiguous tensor ", describe());
    int64_t known = 1;
    int inferred = -1;
    for (size_t i = 0; i < shape.size(); ++i) {
        if (shape[i] == -1) {
            SV_ASSERT(inferred < 0);
            inferred = int(i);
        } else {
            known *= shape[i];
        }
    }
    if (inferred >= 0) {
        SV_ASSERT(known > 0 && numel() % known == 0);
        shape[size_t(inferred)] = numel() / known;
    }
    SV_ASSERT_MSG(shapeNumel(shape) == numel(), "view ", shapeToString(shape), " of ", describe());
    SV_ASSERT_MSG(!scales_ || (!shape.empty() && shape[0] == shape_[0]), "view ", shapeToString(shape),
                  " of the quantized ", describe(), " moves its channel dim 0");
    Tensor t = *this;
    t.strides_ = contiguousStrides(shape);
    t.shape_ = std::move(shape);
    return t;
}

Tensor Tensor::reshape(Shape shape) const {
    return isContiguous() ? view(std::move(shape)) : contiguous().view(std::move(shape));
}

Tensor Tensor::permute(std::span<const int> order) const {
    SV_ASSERT(int(order.size()) == rank());
    SV_ASSERT_MSG(!scales_ || normDim(order[0], rank()) == 0, "permute of the quantized ", describe(),
                  " moves its channel dim 0");
    Tensor t = *this;
    std::vector<bool> seen(order.size(), false);
    for (size_t i = 0; i < order.size(); ++i) {
        int d = normDim(order[i], rank());
        SV_ASSERT(!seen[size_t(d)]);
        seen[size_t(d)] = true;
        t.shape_[i] = shape_[size_t(d)];
        t.strides_[i] = strides_[size_t(d)];
    }
    return t;
}

Tensor Tensor::transpose(int a, int b) const {
    std::vector<int> order(static_cast<size_t>(rank()));
    for (int i = 0; i < rank(); ++i) order[size_t(i)] = i;
    std::swap(order[size_t(normDim(a, rank()))], order[size_t(normDim(b, rank()))]);
    return permute(order);
}

Tensor Tensor::slice(int d, int64_t start, int64_t end) const {
    int nd = normDim(d, rank());
    SV_ASSERT_MSG(start >= 0 && start <= end && end <= shape_[size_t(nd)], "slice [", start, ", ", end,
                  ") of dim ", nd, " in ", describe());
    Tensor t = *this;
    t.offset_ += size_t(start * strides_[size_t(nd)]) * dtypeSize(dtype_);
    t.shape_[size_t(nd)] = end - start;
    if (scales_ && nd == 0) t.scales_ = std::make_shared<const Tensor>(scales_->slice(0, start, end));
    return t;
}

Tensor Tensor::select(int d, int64_t i) const {
    int nd = normDim(d, rank());
    SV_ASSERT_MSG(!scales_ || nd != 0, "select of dim 0 of the quantized ", describe());
    Tensor t = slice(nd, i, i + 1);
    t.shape_.erase(t.shape_.begin() + nd);
    t.strides_.erase(t.strides_.begin() + nd);
    return t;
}

Tensor Tensor::unsqueeze(int d) const {
    int nd = d < 0 ? d + rank() + 1 : d;
    SV_ASSERT(nd >= 0 && nd <= rank());
    SV_ASSERT_MSG(!scales_ || nd != 0, "unsqueeze(0) of the quantized ", describe());
    Tensor t = *this;
    int64_t stride = nd < rank() ? strides_[size_t(nd)] * shape_[size_t(nd)] : 1;
    t.shape_.insert(t.shape_.begin() + nd, 1);
    t.strides_.insert(t.strides_.begin() + nd, stride);
    return t;
}

Tensor Tensor::contiguous() const {
    return isContiguous() ? *this : clone();
}

Tensor Tensor::clone() const {
    Tensor t = empty(shape_, dtype_, device());
    t.copyFrom(*this);
    t.scales_ = scales_;
    return t;
}

Tensor Tensor::to(DType dtype) const {
    if (dtype == dtype_) return *this;
    Tensor t = empty(shape_, dtype, device());
    t.copyFrom(*this);
    return t;
}

Tensor Tensor::to(Device device) const {
    if (device == this->device()) return *this;
    Tensor t = empty(shape_, dtype_, device);
    t.copyFrom(*this);
    if (scales_) t.scales_ = std::make_shared<const Tensor>(scales_->to(device));
    return t;
}

const Tensor& Tensor::quantScales() const {
    static const Tensor kNone;
    return scales_ ? *scales_ : kNone;
}

Tensor Tensor::withQuantScales(Tensor scales) const {
    SV_ASSERT_MSG(isEightBit(dtype_) && rank() >= 1 && scales.defined() && scales.dtype() == DType::F32 &&
                      scales.shape() == Shape{shape_[0]} && scales.device() == device(),
                  "quantization scales ", scales.defined() ? scales.describe() : std::string("(none)"),
                  " for ", describe());
    Tensor t = *this;
    t.scales_ = std::make_shared<const Tensor>(std::move(scales));
    return t;
}

void Tensor::copyFrom(const Tensor& src) {
    SV_ASSERT_MSG(shape_ == src.shape_, "copy of ", src.describe(), " into ", describe());
    SV_ASSERT_MSG(!src.scales_ || src.dtype_ == dtype_, "conversion of the quantized ", src.describe(),
                  " to ", dtypeName(dtype_), ": use ops::dequantize");
    const Device dd = device(), sd = src.device();
    if (dd.isCpu() && sd.isCpu()) {
        cpuCopy(*this, src);
        return;
    }
    if (dd.isCuda() && sd.isCuda() && dd == sd) {
        detail::cudaCopyStrided(*this, src);
        return;
    }
    if (sd.isCpu()) {  // host -> device
        Tensor host = src.dtype() == dtype_ && src.isContiguous() ? src : src.to(dtype_).contiguous();
        if (isContiguous()) {
            detail::cudaCopyBytes(rawData(), dd, host.rawData(), sd, nbytes());
        } else {
            Tensor staged = empty(shape_, dtype_, dd);
            detail::cudaCopyBytes(staged.rawData(), dd, host.rawData(), sd, nbytes());
            detail::cudaCopyStrided(*this, staged);
        }
        return;
    }
    // device -> host (or device -> other device through the host)
    Tensor dev = src.contiguous();
    Tensor host = empty(shape_, src.dtype_, Device::cpu());
    detail::cudaCopyBytes(host.rawData(), Device::cpu(), dev.rawData(), sd, host.nbytes());
    if (dd.isCpu())
        cpuCopy(*this, host);
    else
        copyFrom(host);
}

double Tensor::item(int64_t flatIndex) const {
    SV_ASSERT(device().isCpu());
    SV_ASSERT(flatIndex >= 0 && flatIndex < numel());
    int64_t off = 0, rem = flatIndex;
    for (size_t i = shape_.size(); i-- > 0;) {
        off += (rem % shape_[i]) * strides_[i];
        rem /= shape_[i];
    }
    return loadAs(static_cast<const char*>(rawData()) + size_t(off) * dtypeSize(dtype_), dtype_);
}

std::vector<float> Tensor::toFloatVector() const {
    Tensor f = to(Device::cpu()).to(DType::F32).contiguous();
    const float* p = f.data<float>();
    return std::vector<float>(p, p + f.numel());
}

std::string Tensor::describe() const {
    return concat(dtypeName(dtype_), shapeToString(shape_), ' ', device().toString(),
                  scales_ ? " (per-channel scales)" : "");
}

}  // namespace sv
