// The registry of node types: descriptors + factories, filled by node packs.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "plugin/sdk/node.h"
#include "plugin/sdk/node_descriptor.h"

namespace sv::plugin {

class NodeRegistry {
  public:
    using Factory = std::function<std::unique_ptr<Node>()>;

    struct Entry {
        NodeDescriptor descriptor;
        Factory factory;
        std::string pack;  ///< name of the node pack that registered it ("" for in-process registration)
    };

    NodeRegistry() = default;
    NodeRegistry(const NodeRegistry&) = delete;
    NodeRegistry& operator=(const NodeRegistry&) = delete;
    NodeRegistry(NodeRegistry&&) = default;
    NodeRegistry& operator=(NodeRegistry&&) = default;

    /// Registers a node type. Throws sv::Error when the descriptor is invalid (NodeDescriptor::check(), all
    /// problems listed), the factory is empty, or the type id is already registered (naming the pack that
    /// owns it).
    void add(NodeDescriptor descriptor, Factory factory);
    /// Registers node class N (default-constructible, derived from Node).
    template <class N>
    void add(NodeDescriptor descriptor) {
        add(std::move(descriptor), [] { return std::unique_ptr<Node>(std::make_unique<N>()); });
    }

    /// The descriptor of `typeId`, or nullptr.
    const NodeDescriptor* find(std::string_view typeId) const;
    const Entry* findEntry(std::string_view typeId) const;
    bool contains(std::string_view typeId) const { return find(typeId) != nullptr; }
    /// A new node instance; throws sv::Error for an unknown type.
    std::unique_ptr<Node> create(std::string_view typeId) const;

    /// Every entry, sorted by category then caption then type id.
    std::vector<const Entry*> entries() const;
    size_t size() const { return entries_.size(); }

    /// Moves every entry of `other` into this registry, tagging them with `packName`. All-or-nothing: when
    /// any type id already exists here, nothing is merged and sv::Error names every duplicate and its owner.
    void merge(NodeRegistry&& other, const std::string& packName);

  private:
    std::vector<std::unique_ptr<Entry>> entries_;  // stable addresses
};

}  // namespace sv::plugin
