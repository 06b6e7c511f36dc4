// The files and folders a graph reads (PATH parameters opened for reading: model folders, images, latents),
// checked where a task runs, so that a model folder the compute nodes cannot see fails the task at once with
// a message saying so, instead of failing every variant.
#pragma once

#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "plugin/graph/graph_document.h"
#include "plugin/sdk/node_registry.h"

namespace sv::farm {

namespace fs = std::filesystem;
namespace sp = sv::plugin;

struct InputProblem {
    std::string node;
    std::string param;
    fs::path path;
    std::string reason;  ///< "No such file or directory", "not a folder", ...

    /// "node 'load_model' parameter 'folder': /models/x is not readable (No such file or directory)".
    std::string describe() const;
};

/// Every non-empty OpenFile / Folder PATH parameter of a non-bypassed node of a known type that cannot be
/// read here: missing, of the wrong kind (a file where a folder is expected) or not permitted. Parameters
/// named in `skip` ("node.param") are left out (a sweep's axes, checked per variant).
std::vector<InputProblem> unreadableInputs(const sp::GraphDocument& doc, const sp::NodeRegistry& registry,
                                           const std::set<std::string>& skip = {});

/// Makes every relative OpenFile / Folder PATH parameter absolute against `baseDir`, so that the graph reads
/// the same files from a farm task's working folder.
void absolutizeInputPaths(sp::GraphDocument& doc, const sp::NodeRegistry& registry, const fs::path& baseDir);

}  // namespace sv::farm
