// The shape of a graph's links: cycles, reachability and evaluation order. One implementation, used by
// validation (cycle issues, checkConnection) and by the executor (its plan). Iterative throughout, so a
// hostile document with a very long chain cannot exhaust the stack.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "plugin/graph/graph_document.h"

namespace sv::plugin {

/// Every cycle of the link graph: each strongly connected component of more than one node, or a node linked
/// to itself, with its node ids in document order. Links to or from missing nodes are ignored. Empty when the
/// graph is acyclic.
std::vector<std::vector<std::string>> findCycles(const GraphDocument& doc);

/// "a -> b -> c -> a": the message text of a cycle from findCycles().
std::string describeCycle(const std::vector<std::string>& cycle);

/// Whether a path of links leads from node `from` to node `to` (a node reaches itself).
bool reaches(const GraphDocument& doc, std::string_view from, std::string_view to);

/// Puts a node's input links (document order on entry) into the order its inputs are to be visited.
using InputOrder = std::function<void(const GraphNode& node, std::vector<GraphLink>& inputs)>;

/// The nodes `targets` (existing node ids) depend on, themselves included, dependencies first: a depth-first
/// post-order over input links, visiting a node's inputs in the order `inputOrder` puts them (so the order is
/// deterministic). Throws sv::Error naming the nodes when the part to order contains a cycle (findCycles'
/// message). O((nodes + links) log nodes).
std::vector<std::string> dependencyOrder(const GraphDocument& doc, const std::vector<std::string>& targets,
                                         const InputOrder& inputOrder);

}  // namespace sv::plugin
