// The undoable edits of the editor. Each command calls only the GraphDocument API and stores ids plus
// before/after values, or the records of what it removed. Moves and parameter edits merge while a drag /
// slider / typing lasts (id() + mergeWith); a command that changes nothing marks itself obsolete.
#pragma once

#include <QUndoCommand>

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "plugin/graph/graph_document.h"

namespace sv::ui {

namespace sp = sv::plugin;

/// Command ids for merging.
enum CommandId : int { kMoveNodesId = 1001, kSetParamId = 1002 };

/// Inserts complete node records and links (add node, paste, duplicate). Links are connected after all nodes.
class InsertNodesCommand : public QUndoCommand {
  public:
    InsertNodesCommand(sp::GraphDocument& doc, std::vector<sp::GraphNode> nodes,
                       std::vector<sp::GraphLink> links, const QString& text, QUndoCommand* parent = nullptr);
    void redo() override;
    void undo() override;

  private:
    sp::GraphDocument& doc_;
    std::vector<sp::GraphNode> nodes_;
    std::vector<sp::GraphLink> links_;
    std::vector<sp::GraphLink> replaced_;  // links that fed the same inputs before (restored on undo)
};

/// Removes nodes (with every link touching them) and single links. Undo restores the node records and every
/// link.
class RemoveItemsCommand : public QUndoCommand {
  public:
    RemoveItemsCommand(sp::GraphDocument& doc, std::vector<std::string> nodeIds,
                       std::vector<sp::GraphLink> links, const QString& text, QUndoCommand* parent = nullptr);
    void redo() override;
    void undo() override;

  private:
    sp::GraphDocument& doc_;
    std::vector<std::string> nodeIds_;
    std::vector<sp::GraphLink> links_;
    std::vector<sp::GraphDocument::RemovedNode> removed_;
    std::vector<sp::GraphLink> removedLinks_;
};

/// Connects an output to an input; the link that fed the input before is restored on undo.
class ConnectCommand : public QUndoCommand {
  public:
    ConnectCommand(sp::GraphDocument& doc, sp::PortRef from, sp::PortRef to, QUndoCommand* parent = nullptr);
    void redo() override;
    void undo() override;

  private:
    sp::GraphDocument& doc_;
    sp::GraphLink link_;
    std::optional<sp::GraphLink> replaced_;
};

/// Sets per-node opaque UI data (before/after per node id). Base of moves and of the view flag.
class SetUiDataCommand : public QUndoCommand {
  public:
    using Change = std::pair<nlohmann::json, nlohmann::json>;  // before, after
    SetUiDataCommand(sp::GraphDocument& doc, std::map<std::string, Change> changes, const QString& text,
                     QUndoCommand* parent = nullptr);
    void redo() override;
    void undo() override;

  protected:
    sp::GraphDocument& doc_;
    std::map<std::string, Change> changes_;
};

/// Moves nodes; consecutive moves of one drag (same `dragSerial`) merge into one undo step.
class MoveNodesCommand : public SetUiDataCommand {
  public:
    MoveNodesCommand(sp::GraphDocument& doc, std::map<std::string, Change> changes, int dragSerial);
    int id() const override { return kMoveNodesId; }
    bool mergeWith(const QUndoCommand* other) override;

  private:
    int serial_;
};

/// Sets one parameter's JSON value (null removes it: the default applies). Edits of the same parameter merge
/// until an edit marked final arrives.
class SetParamCommand : public QUndoCommand {
  public:
    SetParamCommand(sp::GraphDocument& doc, std::string nodeId, std::string name, nlohmann::json before,
                    nlohmann::json after, bool final, const QString& text);
    void redo() override;
    void undo() override;
    int id() const override { return kSetParamId; }
    bool mergeWith(const QUndoCommand* other) override;

  private:
    sp::GraphDocument& doc_;
    std::string node_;
    std::string name_;
    nlohmann::json before_;
    nlohmann::json after_;
    bool closed_;
};

/// Sets the bypass flag of nodes (after value per node id).
class SetBypassCommand : public QUndoCommand {
  public:
    SetBypassCommand(sp::GraphDocument& doc, std::map<std::string, bool> after, const QString& text);
    void redo() override;
    void undo() override;

  private:
    sp::GraphDocument& doc_;
    std::map<std::string, std::pair<bool, bool>> changes_;  // before, after
};

}  // namespace sv::ui
