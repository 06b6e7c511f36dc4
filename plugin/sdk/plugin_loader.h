// Loading node packs (Qt plugins) from plugin folders. Failures are reported, never fatal.
#pragma once

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "plugin/sdk/node_registry.h"

namespace sv::plugin {

class NodePackInterface;

/// The outcome of one plugin file (or in-process pack).
struct PluginReport {
    std::filesystem::path file;          ///< the library ("" for an in-process pack)
    std::string pack;                    ///< the pack's name() when it could be asked
    bool loaded = false;                 ///< its nodes are in the registry
    std::string message;                 ///< why it was skipped (empty when loaded)
    std::vector<std::string> nodeTypes;  ///< type ids registered
    /// The plugin object's own Qt properties (those its class declares with Q_PROPERTY), as text: what a pack
    /// says about itself. The SANA-Video pack reports "engineInstance" (sv::engineInstance() as seen from the
    /// pack), which lets a host check that the pack shares its engine.
    std::vector<std::pair<std::string, std::string>> properties;
};

class PluginLoader {
  public:
    /// The default plugin folders, in search order, existing ones only, without duplicates:
    /// 1. every folder of the environment variable SV_PLUGIN_PATH (':'-separated);
    /// 2. <folder of the running executable>/../lib/sanavideo/plugins (the install layout);
    /// 3. the build tree's plugin folder (SV_BUILD_PLUGIN_DIR, set by CMake), only when 2. does not exist.
    static std::vector<std::filesystem::path> defaultSearchPaths();

    /// Tries every file with a shared-library suffix (.so, .dylib, .dll) in each folder (not recursive;
    /// sorted by name). Each is loaded with QPluginLoader, checked for the IID SV_NODE_PACK_IID, and asked to
    /// register its nodes into a staging registry that is merged all-or-nothing into `registry`. A file that
    /// is not a Qt plugin, has another IID, throws while registering or registers a type id that already
    /// exists is skipped with a message. Loaded libraries stay loaded for the life of the process.
    std::vector<PluginReport> loadFolders(const std::vector<std::filesystem::path>& folders,
                                          NodeRegistry& registry);
    /// One library file (same rules).
    PluginReport loadFile(const std::filesystem::path& file, NodeRegistry& registry);
    /// An in-process pack (tests, static builds): same staging and merge rules.
    static PluginReport registerPack(NodePackInterface& pack, NodeRegistry& registry);
    /// loadFolders(defaultSearchPaths() + extraFolders first).
    std::vector<PluginReport> loadDefault(NodeRegistry& registry,
                                          const std::vector<std::filesystem::path>& extraFolders = {});

    /// Reports of everything tried so far by this loader.
    const std::vector<PluginReport>& reports() const { return reports_; }
    /// The messages of skipped plugins ("<file>: <why>").
    std::vector<std::string> problems() const;

  private:
    std::vector<PluginReport> reports_;
};

}  // namespace sv::plugin
