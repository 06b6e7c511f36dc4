#include "io/safetensors.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <fstream>

#include "io/json_util.h"

namespace sv {

namespace {
constexpr uint64_t kMaxHeader = 100ull << 20;  // 100 MiB, as the reference implementation
constexpr uint64_t kMaxElements = 1ull << 59;  // per tensor and per dimension

// One tensor entry of the header: dtype, shape and data offsets checked against each other and the data
// section (dataSize bytes).
TensorInfo parseEntry(const std::string& src, const std::string& name, const nlohmann::json& v,
                      uint64_t dataSize) {
    SV_CHECK(v.is_object(), src, ": tensor \"", name, "\": entry is not an object");
    auto dt = v.find("dtype");
    auto sh = v.find("shape");
    auto off = v.find("data_offsets");
    SV_CHECK(dt != v.end() && dt->is_string(), src, ": tensor \"", name, "\": missing or invalid \"dtype\"");
    SV_CHECK(sh != v.end() && sh->is_array(), src, ": tensor \"", name, "\": missing or invalid \"shape\"");
    SV_CHECK(off != v.end() && off->is_array() && off->size() == 2, src, ": tensor \"", name,
             "\": missing or invalid \"data_offsets\"");
    TensorInfo info;
    info.name = name;
    SV_CHECK(parseDType(dt->get<std::string>(), info.dtype), src, ": tensor \"", name, "\": unknown dtype \"",
             dt->get<std::string>(), "\"");
    uint64_t numel = 1;
    for (const auto& d : *sh) {
        SV_CHECK(d.is_number_unsigned() || (d.is_number_integer() && d.get<int64_t>() >= 0), src,
                 ": tensor \"", name, "\": invalid dimension in shape");
        const uint64_t dim = d.get<uint64_t>();
        // Bounded so that neither the element count nor the byte count can overflow (2^59 · 8 < 2^63).
        SV_CHECK(dim <= kMaxElements && (dim == 0 || numel <= kMaxElements / dim), src, ": tensor \"", name,
                 "\": shape too large");
        numel *= dim;
        info.shape.push_back(int64_t(dim));
    }
    for (const auto& o : *off)
        SV_CHECK(o.is_number_unsigned() || (o.is_number_integer() && o.get<int64_t>() >= 0), src,
                 ": tensor \"", name, "\": invalid data_offsets");
    info.begin = (*off)[0].get<uint64_t>();
    info.end = (*off)[1].get<uint64_t>();
    SV_CHECK(info.begin <= info.end && info.end <= dataSize, src, ": tensor \"", name, "\": data_offsets [",
             info.begin, ", ", info.end, "] out of range (data section holds ", dataSize,
             " bytes): truncated file?");
    const uint64_t expected = numel * dtypeSize(info.dtype);
    SV_CHECK(info.end - info.begin == expected, src, ": tensor \"", name, "\": shape ",
             shapeToString(info.shape), " of ", dtypeName(info.dtype), " needs ", expected, " bytes but ",
             info.end - info.begin, " are stored");
    return info;
}
}  // namespace

SafetensorsFile::~SafetensorsFile() {
    if (map_) munmap(map_, mapSize_);
}

std::shared_ptr<SafetensorsFile> SafetensorsFile::open(const std::filesystem::path& path) {
    const std::string src = path.string();
    int fd = ::open(src.c_str(), O_RDONLY | O_CLOEXEC);
    SV_CHECK(fd >= 0, src, ": cannot open safetensors file: ", std::strerror(errno));
    struct stat st {};
    if (fstat(fd, &st) != 0) {
        ::close(fd);
        fail(src, ": cannot stat file");
    }
    if (!S_ISREG(st.st_mode)) {
        ::close(fd);
        fail(src, ": not a regular file");
    }
    size_t size = size_t(st.st_size);
    void* map = nullptr;
    if (size > 0) {
        map = mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (map == MAP_FAILED) {
            ::close(fd);
            fail(src, ": mmap failed: ", std::strerror(errno));
        }
    }
    ::close(fd);
    std::shared_ptr<SafetensorsFile> f(new SafetensorsFile());
    f->path_ = path;
    f->source_ = src;
    f->map_ = map;
    f->mapSize_ = size;
    f->parse({static_cast<const uint8_t*>(map), size});
    return f;
}

std::shared_ptr<SafetensorsFile> SafetensorsFile::fromMemory(std::span<const uint8_t> bytes,
                                                             std::string source) {
    std::shared_ptr<SafetensorsFile> f(new SafetensorsFile());
    f->source_ = std::move(source);
    f->path_ = f->source_;
    f->parse(bytes);
    return f;
}

void SafetensorsFile::parse(std::span<const uint8_t> bytes) {
    const std::string& src = source_;
    SV_CHECK(bytes.size() >= 8, src, ": truncated safetensors file (", bytes.size(),
             " bytes, the 8-byte header length is missing)");
    uint64_t n = 0;
    for (int i = 7; i >= 0; --i) n = (n << 8) | bytes[size_t(i)];
    SV_CHECK(n <= bytes.size() - 8, src, ": header length ", n, " runs past the end of the file (",
             bytes.size(), " bytes): truncated or not a safetensors file");
    SV_CHECK(n <= kMaxHeader, src, ": header length ", n, " exceeds the 100 MiB limit");
    std::string_view headerText(reinterpret_cast<const char*>(bytes.data() + 8), size_t(n));
    nlohmann::json header;
    try {
        header = nlohmann::json::parse(headerText);
    } catch (const nlohmann::json::exception& e) {  // parse_error, or out_of_range for numbers like 1e999
        fail(src, ": invalid JSON in the safetensors header: ", e.what());
    }
    SV_CHECK(header.is_object(), src, ": safetensors header is not a JSON object");
    data_ = bytes.data() + 8 + n;
    const uint64_t dataSize = bytes.size() - 8 - n;

    for (auto it = header.begin(); it != header.end(); ++it) {
        const std::string& name = it.key();
        const auto& v = it.value();
        if (name == "__metadata__") {
            SV_CHECK(v.is_object(), src, ": __metadata__ is not an object");
            for (auto m = v.begin(); m != v.end(); ++m) {
                SV_CHECK(m.value().is_string(), src, ": __metadata__ value \"", m.key(),
                         "\" is not a string");
                metadata_[m.key()] = m.value().get<std::string>();
            }
            continue;
        }
        tensors_.push_back(parseEntry(src, name, v, dataSize));
    }
    // Non-empty byte ranges must be disjoint; sorted by start, checking neighbours is enough (empty ones
    // skipped).
    std::vector<size_t> order;
    for (size_t i = 0; i < tensors_.size(); ++i)
        if (tensors_[i].end > tensors_[i].begin) order.push_back(i);
    std::sort(order.begin(), order.end(),
              [&](size_t a, size_t b) { return tensors_[a].begin < tensors_[b].begin; });
    for (size_t i = 1; i < order.size(); ++i) {
        const auto& prev = tensors_[order[i - 1]];
        const auto& cur = tensors_[order[i]];
        SV_CHECK(cur.begin >= prev.end, src, ": tensors \"", prev.name, "\" and \"", cur.name,
                 "\" overlap in the data section (bytes [", prev.begin, ", ", prev.end, ") and [", cur.begin,
                 ", ", cur.end, "))");
    }
    for (size_t i = 0; i < tensors_.size(); ++i) index_[tensors_[i].name] = i;
}

const TensorInfo* SafetensorsFile::find(std::string_view name) const {
    auto it = index_.find(name);
    return it == index_.end() ? nullptr : &tensors_[it->second];
}

Tensor SafetensorsFile::get(std::string_view name) const {
    const TensorInfo* info = find(name);
    SV_CHECK(info, source_, ": no tensor named \"", name, "\"");
    void* p = const_cast<uint8_t*>(data_ + info->begin);
    size_t bytes = size_t(info->end - info->begin);
    auto storage = borrowStorage(p, bytes, Device::cpu(), shared_from_this());
    Tensor view = Tensor::fromStorage(std::move(storage), 0, info->shape, info->dtype);
    if (reinterpret_cast<uintptr_t>(p) % dtypeSize(info->dtype) != 0)
        return view.clone();  // misaligned bytes
    return view;
}

}  // namespace sv
