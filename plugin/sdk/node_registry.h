// The registry of node types (descriptors + factories) and of port types (id, display name, colour, object
// tag), filled by node packs.
#pragma once

#include <functional>
#include <memory>
#include <span>
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

    /// A registry holding the SDK's value kinds (builtinPortTypes()) and no node type.
    NodeRegistry();
    NodeRegistry(const NodeRegistry&) = delete;
    NodeRegistry& operator=(const NodeRegistry&) = delete;
    NodeRegistry(NodeRegistry&&) = default;
    NodeRegistry& operator=(NodeRegistry&&) = default;

    /// Registers a port type. Registering an id again is accepted when the object tag is the same (packs
    /// sharing a type each register it; the first display name and colour stay). Throws sv::Error for an
    /// invalid id or an id already registered with another object tag.
    void addPortType(PortTypeInfo info);
    /// The registered port type, or nullptr.
    const PortTypeInfo* findPortType(const PortType& type) const;
    /// Every registered port type, in registration order (the SDK's value kinds first).
    std::span<const PortTypeInfo> portTypes() const { return portTypes_; }

    /// Registers a node type. Throws sv::Error when the descriptor is invalid (NodeDescriptor::check(), all
    /// problems listed), a port type is not registered here, the factory is empty, or the type id is already
    /// registered (naming the pack that owns it).
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

    /// Moves every node type and port type of `other` into this registry, tagging the node types with
    /// `packName`. All-or-nothing: when any node type id already exists here, or a port type id exists with
    /// another object tag, nothing is merged and sv::Error names every conflict.
    void merge(NodeRegistry&& other, const std::string& packName);

  private:
    std::string portTypeConflict(const PortTypeInfo& info) const;

    std::vector<std::unique_ptr<Entry>> entries_;  // stable addresses
    std::vector<PortTypeInfo> portTypes_;
};

}  // namespace sv::plugin
