#include "plugin/graph/topology.h"

#include <algorithm>
#include <map>
#include <set>
#include <utility>

#include "base/error.h"

namespace sv::plugin {

namespace {

/// The link graph over node indices (first occurrence of each id, as GraphDocument::findNode).
struct LinkGraph {
    std::vector<std::string> ids;
    std::vector<std::vector<int>> successors;
    std::map<std::string, int, std::less<>> index;

    explicit LinkGraph(const GraphDocument& doc) {
        for (const auto& n : doc.nodes())
            if (index.emplace(n.id, int(ids.size())).second) ids.push_back(n.id);
        successors.resize(ids.size());
        for (const auto& l : doc.links()) {
            auto from = index.find(l.from.node), to = index.find(l.to.node);
            if (from != index.end() && to != index.end())
                successors[size_t(from->second)].push_back(to->second);
        }
    }
};

/// Tarjan's strongly connected components without recursion: `frames` holds (node, next successor index).
std::vector<std::vector<int>> stronglyConnected(const LinkGraph& g) {
    const int n = int(g.ids.size());
    std::vector<int> order(size_t(n), -1), low(size_t(n), 0);
    std::vector<bool> onStack(size_t(n), false);
    std::vector<int> stack;
    std::vector<std::vector<int>> components;
    int counter = 0;
    for (int root = 0; root < n; ++root) {
        if (order[size_t(root)] >= 0) continue;
        std::vector<std::pair<int, size_t>> frames{{root, 0}};
        order[size_t(root)] = low[size_t(root)] = counter++;
        stack.push_back(root);
        onStack[size_t(root)] = true;
        while (!frames.empty()) {
            auto& [v, next] = frames.back();
            const auto& succ = g.successors[size_t(v)];
            if (next < succ.size()) {
                const int w = succ[next++];
                if (order[size_t(w)] < 0) {
                    order[size_t(w)] = low[size_t(w)] = counter++;
                    stack.push_back(w);
                    onStack[size_t(w)] = true;
                    frames.emplace_back(w, 0);
                } else if (onStack[size_t(w)]) {
                    low[size_t(v)] = std::min(low[size_t(v)], order[size_t(w)]);
                }
                continue;
            }
            const int done = v;
            frames.pop_back();
            if (!frames.empty())
                low[size_t(frames.back().first)] =
                    std::min(low[size_t(frames.back().first)], low[size_t(done)]);
            if (low[size_t(done)] != order[size_t(done)]) continue;
            std::vector<int> component;
            int w = -1;
            do {
                w = stack.back();
                stack.pop_back();
                onStack[size_t(w)] = false;
                component.push_back(w);
            } while (w != done);
            components.push_back(std::move(component));
        }
    }
    return components;
}

}  // namespace

std::vector<std::vector<std::string>> findCycles(const GraphDocument& doc) {
    const LinkGraph g(doc);
    std::vector<std::vector<std::string>> out;
    for (auto& component : stronglyConnected(g)) {
        const int v = component.front();
        const auto& succ = g.successors[size_t(v)];
        const bool selfLoop = std::find(succ.begin(), succ.end(), v) != succ.end();
        if (component.size() < 2 && !selfLoop) continue;
        std::sort(component.begin(), component.end());  // indices follow document order
        std::vector<std::string> ids;
        for (int i : component) ids.push_back(g.ids[size_t(i)]);
        out.push_back(std::move(ids));
    }
    // Stable: cycles ordered by their first node in the document.
    std::sort(out.begin(), out.end(), [&](const auto& a, const auto& b) {
        return g.index.find(a.front())->second < g.index.find(b.front())->second;
    });
    return out;
}

std::string describeCycle(const std::vector<std::string>& cycle) {
    std::string path;
    for (const auto& id : cycle) path += excerpt(id, 60) + " -> ";  // ids come from the document
    return cycle.empty() ? path : path + excerpt(cycle.front(), 60);
}

bool reaches(const GraphDocument& doc, std::string_view from, std::string_view to) {
    if (from == to) return true;
    std::vector<std::string> todo{std::string(from)};
    std::set<std::string, std::less<>> seen{std::string(from)};
    while (!todo.empty()) {
        const std::string cur = std::move(todo.back());
        todo.pop_back();
        for (const auto& l : doc.links()) {
            if (l.from.node != cur) continue;
            if (l.to.node == to) return true;
            if (seen.insert(l.to.node).second) todo.push_back(l.to.node);
        }
    }
    return false;
}

std::vector<std::string> dependencyOrder(const GraphDocument& doc, const std::vector<std::string>& targets,
                                         const InputOrder& inputOrder) {
    std::map<std::string, const GraphNode*, std::less<>> nodes;
    for (const auto& n : doc.nodes()) nodes.emplace(n.id, &n);
    std::map<std::string, std::vector<GraphLink>, std::less<>>
        inputs;  // links into each node, from existing nodes
    for (const auto& l : doc.links())
        if (nodes.count(l.from.node)) inputs[l.to.node].push_back(l);

    // The nodes to order: the targets and everything upstream of them.
    std::set<std::string, std::less<>> needed(targets.begin(), targets.end());
    for (std::vector<std::string> todo = targets; !todo.empty();) {
        const std::string id = std::move(todo.back());
        todo.pop_back();
        for (const auto& l : inputs[id])
            if (needed.insert(l.from.node).second) todo.push_back(l.from.node);
    }
    for (const auto& cycle : findCycles(doc))
        SV_CHECK(!needed.count(cycle.front()), "cycle in the graph through nodes ", describeCycle(cycle));

    // Depth-first post-order; acyclic now, so a visited set is enough.
    std::vector<std::string> order;
    std::set<std::string, std::less<>> visited;
    std::vector<std::pair<std::string, std::vector<std::string>>> frames;  // node, sources still to visit
    auto push = [&](const std::string& id) {
        std::vector<GraphLink> links = inputs[id];
        inputOrder(*nodes.at(id), links);
        std::vector<std::string> sources;
        for (auto it = links.rbegin(); it != links.rend(); ++it)
            sources.push_back(it->from.node);  // popped last first
        frames.emplace_back(id, std::move(sources));
    };
    for (const auto& target : targets) {
        if (!visited.insert(target).second) continue;
        push(target);
        while (!frames.empty()) {
            auto& pending = frames.back().second;
            if (pending.empty()) {
                order.push_back(std::move(frames.back().first));
                frames.pop_back();
                continue;
            }
            std::string next = std::move(pending.back());
            pending.pop_back();
            if (visited.insert(next).second) push(next);
        }
    }
    return order;
}

}  // namespace sv::plugin
