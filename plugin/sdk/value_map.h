// ValueMap: named values, used for a node's inputs, parameters and outputs.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "plugin/sdk/value.h"

namespace sv::plugin {

/// Ordered name → Value pairs (small; linear lookup). Accessors throw sv::Error naming the missing entry.
class ValueMap {
  public:
    ValueMap() = default;

    /// Sets (or replaces) an entry.
    void set(std::string name, Value v);
    /// The entry, or nullptr.
    const Value* find(std::string_view name) const;
    /// True when present and not None.
    bool has(std::string_view name) const;
    /// The entry; throws sv::Error "no input/parameter 'name'" when absent or None.
    const Value& get(std::string_view name) const;

    // Typed shortcuts (throw sv::Error naming the entry on absence or kind mismatch).
    int64_t getInt(std::string_view name) const;
    double getFloat(std::string_view name) const;
    bool getBool(std::string_view name) const;
    const std::string& getString(std::string_view name) const;
    template <class T>
    const T& getObject(std::string_view name, std::string_view typeTag) const {
        return get(name).get<T>(typeTag);
    }

    const std::vector<std::pair<std::string, Value>>& entries() const { return entries_; }
    size_t size() const { return entries_.size(); }
    bool empty() const { return entries_.empty(); }

    /// What the map holds, for error messages ("inputs", "parameters", "outputs").
    void setLabel(std::string label) { label_ = std::move(label); }

  private:
    std::vector<std::pair<std::string, Value>> entries_;
    std::string label_ = "value";
};

}  // namespace sv::plugin
