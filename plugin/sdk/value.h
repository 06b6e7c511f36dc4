// Values flowing along links and held in parameters: immutable, cheap to copy (heavy payloads are shared),
// each with a stable 64-bit hash that the executor uses in cache keys.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "base/error.h"

namespace sv::plugin {

/// A live preview (nodePreview events): frameCount small 8-bit sRGB RGB pictures, interleaved, frame-major:
/// rgb.size() == frameCount * height * width * 3. A sampler sends one per step, one picture per latent frame
/// (the editor plays them as an animation); a single picture has frameCount 1.
struct PreviewImage {
    int width = 0;
    int height = 0;
    std::vector<uint8_t> rgb;
    int frameCount = 1;
    /// Playback rate of the frames; 0 = the viewer's default (a latent frame stands for 4 output frames, so
    /// about a quarter of the clip's fps).
    double fps = 0.0;
    /// The step this preview shows (1-based) of totalSteps; 0 = unknown (the executor then stamps the event
    /// with the node's last progress(k, n)).
    int64_t step = 0;
    int64_t totalSteps = 0;

    size_t frameBytes() const { return size_t(width) * size_t(height) * 3; }
    /// Positive sizes and rgb.size() == frameCount * frameBytes().
    bool isValid() const;
    /// Frame i's pixels (throws sv::Error when out of range or the preview is malformed).
    std::span<const uint8_t> frame(int i) const;
};

/// The payload of IMAGE values: float pixels, interleaved, channels 3 (RGB) or 4 (RGBA), sRGB-encoded display
/// values nominally in [0, 1] (loaders convert linear sources such as EXR). pixels.size() == width * height *
/// channels.
struct Image {
    int width = 0;
    int height = 0;
    int channels = 3;
    std::vector<float> pixels;
};

/// The payload of VIDEO values: frameCount frames of 8-bit sRGB RGB, interleaved, frame-major:
/// rgb.size() == frameCount * height * width * 3.
struct Video {
    int width = 0;
    int height = 0;
    int frameCount = 0;
    double fps = 16.0;
    std::vector<uint8_t> rgb;

    size_t frameBytes() const { return size_t(width) * size_t(height) * 3; }
    /// Frame i's pixels (throws sv::Error when out of range).
    std::span<const uint8_t> frame(int i) const;
};

/// Memory accounting of an object value, used by the executor's bounded cache.
struct SizeHint {
    size_t bytes = 0;       ///< estimated bytes held (host or device)
    bool gpuHeavy = false;  ///< holds device memory: evicted first under memory pressure
};

/// Well-known object tags of the SDK's own payload types.
inline constexpr std::string_view kImageTag = "sv.image";
inline constexpr std::string_view kVideoTag = "sv.video";

/// An immutable value: nothing, a plain value (int, float, bool, string) or an object (a typed opaque handle:
/// std::shared_ptr<const void> + a type tag such as "sana.latent", with an identity and a size hint).
///
/// Hash: plain values hash their content (with their kind); objects hash their identity. An object gets a
/// fresh unique identity when made; the executor replaces the identity of every node output with one derived
/// from the producing node's cache key, so equal computations give equal identities across runs and cache
/// evictions.
class Value {
  public:
    enum class Kind : uint8_t { None, Int, Float, Bool, String, Object };

    Value() = default;
    static Value fromInt(int64_t v);
    static Value fromFloat(double v);
    static Value fromBool(bool v);
    static Value fromString(std::string v);

    /// An object value holding `payload` under `typeTag` (must be non-empty; payload non-null). T may be
    /// const or not (the value only ever gives out const access).
    template <class T>
    static Value object(std::string typeTag, std::shared_ptr<T> payload, SizeHint hint = {}) {
        return makeObject(std::move(typeTag), std::shared_ptr<const void>(std::move(payload)), hint);
    }
    /// IMAGE / VIDEO values (tags kImageTag / kVideoTag; the size hint is the pixel bytes, host memory).
    static Value image(std::shared_ptr<const Image> img);
    static Value video(std::shared_ptr<const Video> vid);

    Kind kind() const { return Kind(data_.index()); }
    bool isNone() const { return kind() == Kind::None; }
    bool isObject() const { return kind() == Kind::Object; }

    /// Plain accessors; each throws sv::Error naming the expected and actual kind on mismatch.
    int64_t toInt() const;
    double toFloat() const;  ///< also accepts Int
    bool toBool() const;
    const std::string& toString() const;

    /// The object's type tag ("" when not an object).
    const std::string& typeTag() const;
    /// The payload as T when this is an object with tag `typeTag`, else nullptr.
    template <class T>
    std::shared_ptr<const T> as(std::string_view typeTag) const {
        const auto* o = std::get_if<ObjectData>(&data_);
        if (!o || o->tag != typeTag) return nullptr;
        return std::static_pointer_cast<const T>(o->payload);
    }
    /// The payload as T; throws sv::Error naming the expected and actual tag on mismatch.
    template <class T>
    const T& get(std::string_view typeTag) const {
        auto p = as<T>(typeTag);
        if (!p) throwTagMismatch(typeTag);
        return *p;
    }
    std::shared_ptr<const Image> toImage() const;  ///< throws sv::Error when not an IMAGE value
    std::shared_ptr<const Video> toVideo() const;  ///< throws sv::Error when not a VIDEO value

    /// Content hash (plain) or identity (object); None hashes to a fixed constant.
    uint64_t hash() const;
    /// A copy whose object identity is `identity` (plain values are returned unchanged).
    Value withIdentity(uint64_t identity) const;
    /// Estimated bytes held (objects: their size hint; plain values: their own size).
    size_t sizeBytes() const;
    bool gpuHeavy() const;

    /// Short human text for logs and the CLI: "42", "0.5", "true", "\"text\"", "<sv.video 81x480x832
    /// @16fps>".
    std::string describe() const;

    /// Equality: plain values by content, objects by tag + identity.
    friend bool operator==(const Value& a, const Value& b);

  private:
    struct ObjectData {
        std::string tag;
        std::shared_ptr<const void> payload;
        uint64_t identity = 0;
        SizeHint hint;
        friend bool operator==(const ObjectData& a, const ObjectData& b) {
            return a.tag == b.tag && a.identity == b.identity;
        }
    };
    using Data = std::variant<std::monostate, int64_t, double, bool, std::string, ObjectData>;

    explicit Value(Data d) : data_(std::move(d)) {}
    static Value makeObject(std::string tag, std::shared_ptr<const void> payload, SizeHint hint);
    [[noreturn]] void throwTagMismatch(std::string_view expected) const;

    Data data_;
};

}  // namespace sv::plugin
