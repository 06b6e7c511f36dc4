// The Qt plugin interface of a node pack. A pack is a MODULE library containing one QObject class:
//
//   class MyPack : public QObject, public sv::plugin::NodePackInterface {
//       Q_OBJECT
//       Q_PLUGIN_METADATA(IID SV_NODE_PACK_IID)
//       Q_INTERFACES(sv::plugin::NodePackInterface)
//   public:
//       std::string name() const override { return "my-pack"; }
//       void registerNodes(sv::plugin::NodeRegistry& r) override { r.add<MyNode>(myDescriptor()); }
//   };
//
// Build it with the CMake function sv_add_node_pack(<target> <sources...>) (defined in
// plugin/CMakeLists.txt), which links sv_plugin, runs moc and puts the module into the build tree's plugin
// folder and the install's lib/sanavideo/plugins.
#pragma once

#include <string>

#include <QtPlugin>

#include "plugin/sdk/node_registry.h"

/// Versioned interface id; bumped on any incompatible SDK change. Loaders refuse other versions.
#define SV_NODE_PACK_IID "org.sanavideo.NodePack/1.1"

namespace sv::plugin {

class NodePackInterface {
  public:
    virtual ~NodePackInterface() = default;
    /// Short stable pack name ("sana-video"), shown in reports and `sanavideo nodes`.
    virtual std::string name() const = 0;
    /// Registers every node type of the pack. May throw sv::Error: the loader then skips the pack.
    virtual void registerNodes(NodeRegistry& registry) = 0;
};

}  // namespace sv::plugin

Q_DECLARE_INTERFACE(sv::plugin::NodePackInterface, SV_NODE_PACK_IID)
