#include "plugin/sdk/value.h"

#include <atomic>
#include <cstdio>
#include <cstdlib>

#include "plugin/sdk/hash.h"
#include "plugin/sdk/value_map.h"

namespace sv::plugin {

namespace {
uint64_t freshIdentity() {
    // Unique per process; only used until the executor assigns a provenance identity.
    static std::atomic<uint64_t> counter{0};
    return Hasher().add("fresh-object").addU64(++counter).value();
}

std::string fmtFloat(double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.17g", v);
    // Prefer the shortest representation that round-trips.
    for (int prec = 1; prec <= 17; ++prec) {
        char t[64];
        std::snprintf(t, sizeof t, "%.*g", prec, v);
        if (std::strtod(t, nullptr) == v) return t;
    }
    return buf;
}
}  // namespace

std::span<const uint8_t> Video::frame(int i) const {
    SV_CHECK(i >= 0 && i < frameCount, "video frame ", i, " out of range (", frameCount, " frames)");
    SV_CHECK(rgb.size() >= size_t(frameCount) * frameBytes(), "video holds ", rgb.size(), " bytes, expected ",
             size_t(frameCount) * frameBytes(), " for ", frameCount, " frames of ", width, "x", height);
    return {rgb.data() + size_t(i) * frameBytes(), frameBytes()};
}

bool PreviewImage::isValid() const {
    return width > 0 && height > 0 && frameCount > 0 && rgb.size() == size_t(frameCount) * frameBytes();
}

std::span<const uint8_t> PreviewImage::frame(int i) const {
    SV_CHECK(i >= 0 && i < frameCount, "preview frame ", i, " out of range (", frameCount, " frames)");
    SV_CHECK(isValid(), "preview holds ", rgb.size(), " bytes, expected ", size_t(frameCount) * frameBytes(),
             " for ", frameCount, " frames of ", width, "x", height);
    return {rgb.data() + size_t(i) * frameBytes(), frameBytes()};
}

Value Value::fromInt(int64_t v) {
    return Value(Data(std::in_place_type<int64_t>, v));
}
Value Value::fromFloat(double v) {
    return Value(Data(std::in_place_type<double>, v));
}
Value Value::fromBool(bool v) {
    return Value(Data(std::in_place_type<bool>, v));
}
Value Value::fromString(std::string v) {
    return Value(Data(std::in_place_type<std::string>, std::move(v)));
}

Value Value::makeObject(std::string tag, std::shared_ptr<const void> payload, SizeHint hint) {
    SV_CHECK(!tag.empty(), "object value without a type tag");
    SV_CHECK(payload != nullptr, "object value '", tag, "' without a payload");
    return Value(Data(std::in_place_type<ObjectData>,
                      ObjectData{std::move(tag), std::move(payload), freshIdentity(), hint}));
}

Value Value::image(std::shared_ptr<const Image> img) {
    SV_CHECK(img != nullptr, "null IMAGE");
    SV_CHECK(img->width > 0 && img->height > 0 && (img->channels == 3 || img->channels == 4),
             "invalid IMAGE ", img->width, "x", img->height, "x", img->channels);
    SV_CHECK(img->pixels.size() == size_t(img->width) * img->height * img->channels, "IMAGE ", img->width,
             "x", img->height, "x", img->channels, " holds ", img->pixels.size(), " floats");
    SizeHint hint{img->pixels.size() * sizeof(float), false};
    return object(std::string(kImageTag), std::move(img), hint);
}

Value Value::video(std::shared_ptr<const Video> vid) {
    SV_CHECK(vid != nullptr, "null VIDEO");
    SV_CHECK(vid->width > 0 && vid->height > 0 && vid->frameCount >= 0 && vid->fps > 0, "invalid VIDEO ",
             vid->frameCount, "x", vid->width, "x", vid->height, " @", vid->fps, " fps");
    SV_CHECK(vid->rgb.size() == size_t(vid->frameCount) * vid->frameBytes(), "VIDEO of ", vid->frameCount,
             " frames ", vid->width, "x", vid->height, " holds ", vid->rgb.size(), " bytes");
    SizeHint hint{vid->rgb.size(), false};
    return object(std::string(kVideoTag), std::move(vid), hint);
}

int64_t Value::toInt() const {
    if (auto* p = std::get_if<int64_t>(&data_)) return *p;
    fail("expected an int value, got ", describe());
}

double Value::toFloat() const {
    if (auto* p = std::get_if<double>(&data_)) return *p;
    if (auto* p = std::get_if<int64_t>(&data_)) return double(*p);
    fail("expected a float value, got ", describe());
}

bool Value::toBool() const {
    if (auto* p = std::get_if<bool>(&data_)) return *p;
    fail("expected a bool value, got ", describe());
}

const std::string& Value::toString() const {
    if (auto* p = std::get_if<std::string>(&data_)) return *p;
    fail("expected a string value, got ", describe());
}

const std::string& Value::typeTag() const {
    static const std::string kEmpty;
    if (auto* o = std::get_if<ObjectData>(&data_)) return o->tag;
    return kEmpty;
}

void Value::throwTagMismatch(std::string_view expected) const {
    fail("expected a '", expected, "' object, got ", describe());
}

std::shared_ptr<const Image> Value::toImage() const {
    auto p = as<Image>(kImageTag);
    SV_CHECK(p != nullptr, "expected an IMAGE value, got ", describe());
    return p;
}

std::shared_ptr<const Video> Value::toVideo() const {
    auto p = as<Video>(kVideoTag);
    SV_CHECK(p != nullptr, "expected a VIDEO value, got ", describe());
    return p;
}

uint64_t Value::hash() const {
    Hasher h;
    h.addU64(data_.index());
    switch (kind()) {
        case Kind::None:
            break;
        case Kind::Int:
            h.addU64(uint64_t(std::get<int64_t>(data_)));
            break;
        case Kind::Float:
            h.addDouble(std::get<double>(data_));
            break;
        case Kind::Bool:
            h.addU64(std::get<bool>(data_) ? 1 : 0);
            break;
        case Kind::String:
            h.add(std::get<std::string>(data_));
            break;
        case Kind::Object: {
            const auto& o = std::get<ObjectData>(data_);
            h.add(o.tag).addU64(o.identity);
            break;
        }
    }
    return h.value();
}

Value Value::withIdentity(uint64_t identity) const {
    Value v = *this;
    if (auto* o = std::get_if<ObjectData>(&v.data_)) o->identity = identity;
    return v;
}

size_t Value::sizeBytes() const {
    switch (kind()) {
        case Kind::String:
            return sizeof(Value) + std::get<std::string>(data_).size();
        case Kind::Object:
            return std::get<ObjectData>(data_).hint.bytes;
        default:
            return sizeof(Value);
    }
}

bool Value::gpuHeavy() const {
    if (auto* o = std::get_if<ObjectData>(&data_)) return o->hint.gpuHeavy;
    return false;
}

std::string Value::describe() const {
    switch (kind()) {
        case Kind::None:
            return "none";
        case Kind::Int:
            return std::to_string(std::get<int64_t>(data_));
        case Kind::Float:
            return fmtFloat(std::get<double>(data_));
        case Kind::Bool:
            return std::get<bool>(data_) ? "true" : "false";
        case Kind::String: {
            return concat("\"", excerpt(std::get<std::string>(data_), 60), "\"");
        }
        case Kind::Object: {
            const auto& o = std::get<ObjectData>(data_);
            if (o.tag == kVideoTag) {
                const auto& v = *std::static_pointer_cast<const Video>(o.payload);
                return concat("<", o.tag, " ", v.frameCount, "x", v.height, "x", v.width, " @",
                              fmtFloat(v.fps), "fps>");
            }
            if (o.tag == kImageTag) {
                const auto& im = *std::static_pointer_cast<const Image>(o.payload);
                return concat("<", o.tag, " ", im.width, "x", im.height, "x", im.channels, ">");
            }
            return concat("<", o.tag, ">");
        }
    }
    return "?";
}

bool operator==(const Value& a, const Value& b) {
    return a.data_ == b.data_;
}

// ---- ValueMap
// ----------------------------------------------------------------------------------------------------

void ValueMap::set(std::string name, Value v) {
    for (auto& [n, val] : entries_)
        if (n == name) {
            val = std::move(v);
            return;
        }
    entries_.emplace_back(std::move(name), std::move(v));
}

const Value* ValueMap::find(std::string_view name) const {
    for (const auto& [n, v] : entries_)
        if (n == name) return &v;
    return nullptr;
}

bool ValueMap::has(std::string_view name) const {
    const Value* v = find(name);
    return v && !v->isNone();
}

const Value& ValueMap::get(std::string_view name) const {
    const Value* v = find(name);
    SV_CHECK(v && !v->isNone(), "no ", label_, " '", name, "'");
    return *v;
}

int64_t ValueMap::getInt(std::string_view name) const {
    const Value& v = get(name);
    try {
        return v.toInt();
    } catch (const Error& e) {
        fail(label_, " '", name, "': ", e.what());
    }
}

double ValueMap::getFloat(std::string_view name) const {
    const Value& v = get(name);
    try {
        return v.toFloat();
    } catch (const Error& e) {
        fail(label_, " '", name, "': ", e.what());
    }
}

bool ValueMap::getBool(std::string_view name) const {
    const Value& v = get(name);
    try {
        return v.toBool();
    } catch (const Error& e) {
        fail(label_, " '", name, "': ", e.what());
    }
}

const std::string& ValueMap::getString(std::string_view name) const {
    const Value& v = get(name);
    try {
        return v.toString();
    } catch (const Error& e) {
        fail(label_, " '", name, "': ", e.what());
    }
}

}  // namespace sv::plugin
