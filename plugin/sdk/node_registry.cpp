#include "plugin/sdk/node_registry.h"

#include <algorithm>
#include <tuple>

namespace sv::plugin {

NodeRegistry::NodeRegistry() : portTypes_(builtinPortTypes().begin(), builtinPortTypes().end()) {}

std::string NodeRegistry::portTypeConflict(const PortTypeInfo& info) const {
    const PortTypeInfo* known = findPortType(info.type);
    if (!known || known->objectTag == info.objectTag) return {};
    return concat("port type '", info.type.id(), "' is already registered with object tag '",
                  known->objectTag, "', not '", info.objectTag, "'");
}

void NodeRegistry::addPortType(PortTypeInfo info) {
    SV_CHECK(isValidPortTypeId(info.type.id()), "port type id '", info.type.id(),
             "' is invalid (use letters, digits, '_', '.' and '-')");
    const std::string conflict = portTypeConflict(info);
    SV_CHECK(conflict.empty(), conflict);
    if (findPortType(info.type)) return;
    if (info.displayName.empty()) info.displayName = info.type.id();
    portTypes_.push_back(std::move(info));
}

const PortTypeInfo* NodeRegistry::findPortType(const PortType& type) const {
    for (const auto& t : portTypes_)
        if (t.type == type) return &t;
    return nullptr;
}

void NodeRegistry::add(NodeDescriptor descriptor, Factory factory) {
    auto problems = descriptor.check();
    for (const auto* ports : {&descriptor.inputs, &descriptor.outputs})
        for (const auto& p : *ports)
            if (!p.type.empty() && !findPortType(p.type))
                problems.push_back(concat("node type '", descriptor.typeId, "': port '", p.name,
                                          "' has the unregistered type '", p.type.id(),
                                          "' (register it with addPortType first)"));
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
    std::string typeConflicts;
    for (const auto& t : other.portTypes_)
        if (auto why = portTypeConflict(t); !why.empty())
            typeConflicts += (typeConflicts.empty() ? "" : "; ") + why;
    SV_CHECK(dups.empty() && typeConflicts.empty(),
             dups.empty() ? "" : concat("duplicate node types: ", dups),
             !dups.empty() && !typeConflicts.empty() ? "; " : "", typeConflicts);
    for (auto& t : other.portTypes_)
        if (!findPortType(t.type)) portTypes_.push_back(std::move(t));
    other.portTypes_.assign(builtinPortTypes().begin(), builtinPortTypes().end());
    for (auto& e : other.entries_) {
        e->pack = packName;
        entries_.push_back(std::move(e));
    }
    other.entries_.clear();
}

}  // namespace sv::plugin
