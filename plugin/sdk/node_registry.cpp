#include "plugin/sdk/node_registry.h"

#include <algorithm>
#include <tuple>

namespace sv::plugin {

void NodeRegistry::add(NodeDescriptor descriptor, Factory factory) {
    auto problems = descriptor.check();
    if (!factory) problems.push_back(concat("node type '", descriptor.typeId, "': no factory"));
    if (const Entry* e = findEntry(descriptor.typeId))
        problems.push_back(concat("node type '", descriptor.typeId, "' is already registered",
                                  e->pack.empty() ? std::string() : concat(" by pack '", e->pack, "'")));
    if (!problems.empty()) {
        std::string msg;
        for (const auto& p : problems) msg += (msg.empty() ? "" : "; ") + p;
        throw Error(msg);
    }
    entries_.push_back(std::make_unique<Entry>(Entry{std::move(descriptor), std::move(factory), {}}));
}

const NodeRegistry::Entry* NodeRegistry::findEntry(std::string_view typeId) const {
    for (const auto& e : entries_)
        if (e->descriptor.typeId == typeId) return e.get();
    return nullptr;
}

const NodeDescriptor* NodeRegistry::find(std::string_view typeId) const {
    const Entry* e = findEntry(typeId);
    return e ? &e->descriptor : nullptr;
}

std::unique_ptr<Node> NodeRegistry::create(std::string_view typeId) const {
    const Entry* e = findEntry(typeId);
    SV_CHECK(e != nullptr, "unknown node type '", typeId, "'");
    auto node = e->factory();
    SV_CHECK(node != nullptr, "the factory of node type '", typeId, "' returned no node");
    return node;
}

std::vector<const NodeRegistry::Entry*> NodeRegistry::entries() const {
    std::vector<const Entry*> out;
    out.reserve(entries_.size());
    for (const auto& e : entries_) out.push_back(e.get());
    std::sort(out.begin(), out.end(), [](const Entry* a, const Entry* b) {
        return std::tie(a->descriptor.category, a->descriptor.caption, a->descriptor.typeId) <
               std::tie(b->descriptor.category, b->descriptor.caption, b->descriptor.typeId);
    });
    return out;
}

void NodeRegistry::merge(NodeRegistry&& other, const std::string& packName) {
    std::string dups;
    for (const auto& e : other.entries_) {
        if (const Entry* mine = findEntry(e->descriptor.typeId)) {
            dups += concat(dups.empty() ? "" : ", ", "'", e->descriptor.typeId, "' (already registered",
                           mine->pack.empty() ? std::string() : concat(" by pack '", mine->pack, "'"), ")");
        }
    }
    SV_CHECK(dups.empty(), "duplicate node types: ", dups);
    for (auto& e : other.entries_) {
        e->pack = packName;
        entries_.push_back(std::move(e));
    }
    other.entries_.clear();
}

}  // namespace sv::plugin
