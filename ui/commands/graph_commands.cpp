#include "commands/graph_commands.h"

#include <algorithm>

namespace sv::ui {

// ---- InsertNodesCommand
// ---------------------------------------------------------------------------------------

InsertNodesCommand::InsertNodesCommand(sp::GraphDocument& doc, std::vector<sp::GraphNode> nodes,
                                       std::vector<sp::GraphLink> links, const QString& text,
                                       QUndoCommand* parent)
    : QUndoCommand(text, parent), doc_(doc), nodes_(std::move(nodes)), links_(std::move(links)) {
    if (nodes_.empty() && links_.empty()) setObsolete(true);
}

void InsertNodesCommand::redo() {
    for (const sp::GraphNode& n : nodes_) doc_.insertNode(n);
    replaced_.clear();
    for (const sp::GraphLink& l : links_)
        if (auto old = doc_.connect(l.from, l.to)) replaced_.push_back(*old);
}

void InsertNodesCommand::undo() {
    for (auto it = links_.rbegin(); it != links_.rend(); ++it) doc_.removeLink(*it);
    for (auto it = nodes_.rbegin(); it != nodes_.rend(); ++it)
        if (doc_.findNode(it->id)) doc_.removeNode(it->id);
    for (const sp::GraphLink& l : replaced_) doc_.connect(l.from, l.to);
}

// ---- RemoveItemsCommand
// ---------------------------------------------------------------------------------------

RemoveItemsCommand::RemoveItemsCommand(sp::GraphDocument& doc, std::vector<std::string> nodeIds,
                                       std::vector<sp::GraphLink> links, const QString& text,
                                       QUndoCommand* parent)
    : QUndoCommand(text, parent), doc_(doc), nodeIds_(std::move(nodeIds)), links_(std::move(links)) {
    // Links of removed nodes go with their nodes.
    std::erase_if(links_, [this](const sp::GraphLink& l) {
        return std::ranges::find(nodeIds_, l.from.node) != nodeIds_.end() ||
               std::ranges::find(nodeIds_, l.to.node) != nodeIds_.end();
    });
    if (nodeIds_.empty() && links_.empty()) setObsolete(true);
}

void RemoveItemsCommand::redo() {
    removedLinks_.clear();
    for (const sp::GraphLink& l : links_)
        if (doc_.removeLink(l)) removedLinks_.push_back(l);
    removed_.clear();
    for (const std::string& id : nodeIds_)
        if (doc_.findNode(id)) removed_.push_back(doc_.removeNode(id));
}

void RemoveItemsCommand::undo() {
    for (const auto& r : removed_) doc_.insertNode(r.node);
    // Links between two removed nodes appear in both records: connect each once.
    std::vector<sp::GraphLink> restored;
    for (const auto& r : removed_)
        for (const sp::GraphLink& l : r.links)
            if (std::ranges::find(restored, l) == restored.end()) restored.push_back(l);
    for (const sp::GraphLink& l : removedLinks_) restored.push_back(l);
    for (const sp::GraphLink& l : restored) doc_.connect(l.from, l.to);
}

// ---- ConnectCommand
// -------------------------------------------------------------------------------------------

ConnectCommand::ConnectCommand(sp::GraphDocument& doc, sp::PortRef from, sp::PortRef to, QUndoCommand* parent)
    : QUndoCommand(QObject::tr("Connect"), parent), doc_(doc), link_{std::move(from), std::move(to)} {
    if (const sp::GraphLink* existing = doc.inputLink(link_.to.node, link_.to.port);
        existing && *existing == link_)
        setObsolete(true);
}

void ConnectCommand::redo() {
    replaced_ = doc_.connect(link_.from, link_.to);
}

void ConnectCommand::undo() {
    doc_.removeLink(link_);
    if (replaced_) doc_.connect(replaced_->from, replaced_->to);
}

// ---- SetUiDataCommand / MoveNodesCommand
// ----------------------------------------------------------------------

SetUiDataCommand::SetUiDataCommand(sp::GraphDocument& doc, std::map<std::string, Change> changes,
                                   const QString& text, QUndoCommand* parent)
    : QUndoCommand(text, parent), doc_(doc), changes_(std::move(changes)) {
    std::erase_if(changes_, [](const auto& kv) { return kv.second.first == kv.second.second; });
    if (changes_.empty()) setObsolete(true);
}

void SetUiDataCommand::redo() {
    for (const auto& [id, change] : changes_)
        if (doc_.findNode(id)) doc_.setNodeUiData(id, change.second);
}

void SetUiDataCommand::undo() {
    for (const auto& [id, change] : changes_)
        if (doc_.findNode(id)) doc_.setNodeUiData(id, change.first);
}

MoveNodesCommand::MoveNodesCommand(sp::GraphDocument& doc, std::map<std::string, Change> changes,
                                   int dragSerial)
    : SetUiDataCommand(doc, std::move(changes), QObject::tr("Move nodes")), serial_(dragSerial) {}

bool MoveNodesCommand::mergeWith(const QUndoCommand* other) {
    const auto* o = static_cast<const MoveNodesCommand*>(other);
    if (o->serial_ != serial_) return false;
    for (const auto& [id, change] : o->changes_) {
        auto it = changes_.find(id);
        if (it == changes_.end()) {
            changes_.emplace(id, change);
        } else {
            it->second.second = change.second;
        }
    }
    std::erase_if(changes_, [](const auto& kv) { return kv.second.first == kv.second.second; });
    setObsolete(changes_.empty());
    return true;
}

// ---- SetParamCommand
// ------------------------------------------------------------------------------------------

SetParamCommand::SetParamCommand(sp::GraphDocument& doc, std::string nodeId, std::string name,
                                 nlohmann::json before, nlohmann::json after, bool final, const QString& text)
    : QUndoCommand(text),
      doc_(doc),
      node_(std::move(nodeId)),
      name_(std::move(name)),
      before_(std::move(before)),
      after_(std::move(after)),
      closed_(final) {
    if (before_ == after_ && closed_) setObsolete(true);
}

void SetParamCommand::redo() {
    if (doc_.findNode(node_)) doc_.setParam(node_, name_, after_);
}

void SetParamCommand::undo() {
    if (doc_.findNode(node_)) doc_.setParam(node_, name_, before_);
}

bool SetParamCommand::mergeWith(const QUndoCommand* other) {
    const auto* o = static_cast<const SetParamCommand*>(other);
    if (closed_ || o->node_ != node_ || o->name_ != name_) return false;
    after_ = o->after_;
    closed_ = o->closed_;
    setObsolete(before_ == after_);
    return true;
}

// ---- SetBypassCommand
// -----------------------------------------------------------------------------------------

SetBypassCommand::SetBypassCommand(sp::GraphDocument& doc, std::map<std::string, bool> after,
                                   const QString& text)
    : QUndoCommand(text), doc_(doc) {
    for (const auto& [id, on] : after)
        if (const sp::GraphNode* n = doc.findNode(id); n && n->bypass != on) changes_[id] = {n->bypass, on};
    if (changes_.empty()) setObsolete(true);
}

void SetBypassCommand::redo() {
    for (const auto& [id, c] : changes_)
        if (doc_.findNode(id)) doc_.setBypass(id, c.second);
}

void SetBypassCommand::undo() {
    for (const auto& [id, c] : changes_)
        if (doc_.findNode(id)) doc_.setBypass(id, c.first);
}

}  // namespace sv::ui
