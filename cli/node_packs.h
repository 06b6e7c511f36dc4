// Node-pack loading shared by `sanavideo run` and `sanavideo nodes` (only with SV_CLI_WITH_PLUGIN).
#pragma once

#include <filesystem>
#include <vector>

#include "plugin/sdk/node_registry.h"

namespace sv::cli {

/// Loads the node packs from `extraFolders` first, then SV_PLUGIN_PATH, the install's and the build tree's
/// plugin folders; prints every skipped plugin as a warning on stderr ("sanavideo <cmd>: warning: ...").
void loadNodePacks(plugin::NodeRegistry& registry, const std::vector<std::filesystem::path>& extraFolders,
                   const char* cmd);

}  // namespace sv::cli
