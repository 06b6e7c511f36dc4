#include "commands/graph_commands.h"

#include <algorithm>

namespace sv::ui {

// ---- InsertNodesCommand
// ---------------------------------------------------------------------------------------

InsertNodesCommand::InsertNodesCommand(sp::GraphDocument& doc, std::vector<sp::GraphNode> nodes,
                                       std::vector<sp::GraphLink> links, const QString& text,
                                       QUndoCommand* parent)
    : QUndoCommand(text, parent), m_doc(doc), m_nodes(std::move(nodes)), m_links(std::move(links)) {
    if (m_nodes.empty() && m_links.empty()) setObsolete(true);
}

void InsertNodesCommand::redo() {
    for (const sp::GraphNode& n : m_nodes) m_doc.insertNode(n);
    m_replaced.clear();
    for (const sp::GraphLink& l : m_links)
        if (auto old = m_doc.connect(l.from, l.to)) m_replaced.push_back(*old);
}

void InsertNodesCommand::undo() {
    for (auto it = m_links.rbegin(); it != m_links.rend(); ++it) m_doc.removeLink(*it);
    for (auto it = m_nodes.rbegin(); it != m_nodes.rend(); ++it)
        if (m_doc.findNode(it->id)) m_doc.removeNode(it->id);
    for (const sp::GraphLink& l : m_replaced) m_doc.connect(l.from, l.to);
}

// ---- RemoveItemsCommand
// ---------------------------------------------------------------------------------------

RemoveItemsCommand::RemoveItemsCommand(sp::GraphDocument& doc, std::vector<std::string> nodeIds,
                                       std::vector<sp::GraphLink> links, const QString& text,
                                       QUndoCommand* parent)
    : QUndoCommand(text, parent), m_doc(doc), m_nodeIds(std::move(nodeIds)), m_links(std::move(links)) {
    // Links of removed nodes go with their nodes.
    std::erase_if(m_links, [this](const sp::GraphLink& l) {
        return std::ranges::find(m_nodeIds, l.from.node) != m_nodeIds.end() ||
               std::ranges::find(m_nodeIds, l.to.node) != m_nodeIds.end();
    });
    if (m_nodeIds.empty() && m_links.empty()) setObsolete(true);
}

void RemoveItemsCommand::redo() {
    m_removedLinks.clear();
    for (const sp::GraphLink& l : m_links)
        if (m_doc.removeLink(l)) m_removedLinks.push_back(l);
    m_removed.clear();
    for (const std::string& id : m_nodeIds)
        if (m_doc.findNode(id)) m_removed.push_back(m_doc.removeNode(id));
}

void RemoveItemsCommand::undo() {
    for (const auto& r : m_removed) m_doc.insertNode(r.node);
    // Links between two removed nodes appear in both records: connect each once.
    std::vector<sp::GraphLink> restored;
    for (const auto& r : m_removed)
        for (const sp::GraphLink& l : r.links)
            if (std::ranges::find(restored, l) == restored.end()) restored.push_back(l);
    for (const sp::GraphLink& l : m_removedLinks) restored.push_back(l);
    for (const sp::GraphLink& l : restored) m_doc.connect(l.from, l.to);
}

// ---- ConnectCommand
// -------------------------------------------------------------------------------------------

ConnectCommand::ConnectCommand(sp::GraphDocument& doc, sp::PortRef from, sp::PortRef to, QUndoCommand* parent)
    : QUndoCommand(QObject::tr("Connect"), parent), m_doc(doc), m_link{std::move(from), std::move(to)} {
    if (const sp::GraphLink* existing = doc.inputLink(m_link.to.node, m_link.to.port);
        existing && *existing == m_link)
        setObsolete(true);
}

void ConnectCommand::redo() {
    m_replaced = m_doc.connect(m_link.from, m_link.to);
}

void ConnectCommand::undo() {
    m_doc.removeLink(m_link);
    if (m_replaced) m_doc.connect(m_replaced->from, m_replaced->to);
}

// ---- SetUiDataCommand / MoveNodesCommand
// ----------------------------------------------------------------------

SetUiDataCommand::SetUiDataCommand(sp::GraphDocument& doc, std::map<std::string, Change> changes,
                                   const QString& text, QUndoCommand* parent)
    : QUndoCommand(text, parent), m_doc(doc), m_changes(std::move(changes)) {
    std::erase_if(m_changes, [](const auto& kv) { return kv.second.first == kv.second.second; });
    if (m_changes.empty()) setObsolete(true);
}

void SetUiDataCommand::redo() {
    for (const auto& [id, change] : m_changes)
        if (m_doc.findNode(id)) m_doc.setNodeUiData(id, change.second);
}

void SetUiDataCommand::undo() {
    for (const auto& [id, change] : m_changes)
        if (m_doc.findNode(id)) m_doc.setNodeUiData(id, change.first);
}

MoveNodesCommand::MoveNodesCommand(sp::GraphDocument& doc, std::map<std::string, Change> changes,
                                   int dragSerial)
    : SetUiDataCommand(doc, std::move(changes), QObject::tr("Move nodes")), m_serial(dragSerial) {}

bool MoveNodesCommand::mergeWith(const QUndoCommand* other) {
    const auto* o = static_cast<const MoveNodesCommand*>(other);
    if (o->m_serial != m_serial) return false;
    for (const auto& [id, change] : o->m_changes) {
        auto it = m_changes.find(id);
        if (it == m_changes.end()) {
            m_changes.emplace(id, change);
        } else {
            it->second.second = change.second;
        }
    }
    std::erase_if(m_changes, [](const auto& kv) { return kv.second.first == kv.second.second; });
    setObsolete(m_changes.empty());
    return true;
}

// ---- SetParamCommand
// ------------------------------------------------------------------------------------------

SetParamCommand::SetParamCommand(sp::GraphDocument& doc, std::string nodeId, std::string name,
                                 nlohmann::json before, nlohmann::json after, bool final, const QString& text)
    : QUndoCommand(text),
      m_doc(doc),
      m_node(std::move(nodeId)),
      m_name(std::move(name)),
      m_before(std::move(before)),
      m_after(std::move(after)),
      m_closed(final) {
    if (m_before == m_after && m_closed) setObsolete(true);
}

void SetParamCommand::redo() {
    if (m_doc.findNode(m_node)) m_doc.setParam(m_node, m_name, m_after);
}

void SetParamCommand::undo() {
    if (m_doc.findNode(m_node)) m_doc.setParam(m_node, m_name, m_before);
}

bool SetParamCommand::mergeWith(const QUndoCommand* other) {
    const auto* o = static_cast<const SetParamCommand*>(other);
    if (m_closed || o->m_node != m_node || o->m_name != m_name) return false;
    m_after = o->m_after;
    m_closed = o->m_closed;
    setObsolete(m_before == m_after);
    return true;
}

// ---- SetBypassCommand
// -----------------------------------------------------------------------------------------

SetBypassCommand::SetBypassCommand(sp::GraphDocument& doc, std::map<std::string, bool> after,
                                   const QString& text)
    : QUndoCommand(text), m_doc(doc) {
    for (const auto& [id, on] : after)
        if (const sp::GraphNode* n = doc.findNode(id); n && n->bypass != on) m_changes[id] = {n->bypass, on};
    if (m_changes.empty()) setObsolete(true);
}

void SetBypassCommand::redo() {
    for (const auto& [id, c] : m_changes)
        if (m_doc.findNode(id)) m_doc.setBypass(id, c.second);
}

void SetBypassCommand::undo() {
    for (const auto& [id, c] : m_changes)
        if (m_doc.findNode(id)) m_doc.setBypass(id, c.first);
}

}  // namespace sv::ui
