// GraphEditor: the one place that turns user intentions into undo commands on the document ("add this node",
// "connect these ports", "paste here"). The canvas, the inspector, the menus and the tests all edit through
// it; nothing else pushes commands. Copy/paste uses JSON on the system clipboard, so it works between windows
// and between processes.
#pragma once

#include <QByteArray>
#include <QHash>
#include <QObject>
#include <QPointF>
#include <QStringList>
#include <QVariant>

#include <functional>
#include <optional>

#include "canvas/graph_model.h"

class QUndoStack;

namespace sv::ui {

class GraphEditor : public QObject {
    Q_OBJECT
  public:
    /// MIME type of graph fragments on the clipboard (the text is also offered as plain text).
    static constexpr const char* kMimeType = "application/x-sanavideo-graph+json";

    explicit GraphEditor(GraphModel& model, QObject* parent = nullptr);
    ~GraphEditor() override;

    GraphModel& model() { return model_; }
    const GraphModel& model() const { return model_; }
    QUndoStack* undoStack() const { return undo_; }

    /// Supplies a starting value for a parameter of a new node instead of the descriptor default (e.g. the
    /// last model folder used); returns null JSON to keep the default.
    using ParamDefaults = std::function<nlohmann::json(const sp::NodeDescriptor&, const sp::ParamSpec&)>;
    void setParamDefaults(ParamDefaults provider) { paramDefaults_ = std::move(provider); }

    /// Adds a node of `typeId` with its default parameters at `pos` (top-left, scene units). Returns its id,
    /// or "" when the type is unknown (message() says why).
    QString addNode(const QString& typeId, QPointF pos);
    /// Adds a node and connects it to a pending link end in one undo step: `pending` is the port the user
    /// dragged from (an output when `pendingSide` is Out); the new node's first compatible port is used.
    QString addNodeConnected(const QString& typeId, QPointF pos, const sp::PortRef& pending,
                             PortSide pendingSide);
    /// Connects output `from` to input `to` (replacing the input's link). Returns the refusal reason, nullopt
    /// on success.
    std::optional<QString> connectPorts(const sp::PortRef& from, const sp::PortRef& to);
    /// Moves the link into `to` (`old` from → `newTo`) as one step: used when a link is dragged off its input
    /// and dropped on another input. Returns the refusal reason.
    std::optional<QString> relink(const sp::GraphLink& old, const sp::PortRef& newTo);
    /// Removes the link feeding input `to`; false when there was none.
    bool disconnectInput(const sp::PortRef& to);
    /// Removes links (cut gesture, Delete on selected links).
    void removeLinks(const std::vector<sp::GraphLink>& links);
    /// Removes nodes with their links, and extra links, as one step.
    void removeItems(const QStringList& nodeIds, const std::vector<sp::GraphLink>& links = {});
    /// A new drag serial: moves pushed with the same serial merge into one undo step.
    int beginDrag() { return ++dragSerial_; }
    /// Moves nodes to new top-left positions (merged with the previous move of the same drag serial).
    void moveNodes(const QHash<QString, QPointF>& positions, int dragSerial);
    /// Sets a parameter from an editor value; edits merge until `final` (see SetParamCommand).
    void setParam(const QString& nodeId, const QString& name, const QVariant& value, bool final = true);
    /// Resets a parameter to its default (removes the stored value).
    void resetParam(const QString& nodeId, const QString& name);
    /// Toggles bypass: when any of `ids` is not bypassed all become bypassed, else all are restored.
    void toggleBypass(const QStringList& ids);
    /// Shows parameter `name` on the node (its inline editor) or only in the inspector; stored in the node's
    /// ui "onNode" entry when it differs from the parameter's default.
    void setParamOnNode(const QString& nodeId, const QString& name, bool onNode);
    /// Gives `id` the view flag (removing it from the node that had it); toggles it off when `id` already has
    /// it;
    /// "" clears it.
    void setViewed(const QString& id);

    /// The nodes `ids` and the links among them, as graph JSON text (a complete document).
    QByteArray fragmentJson(const QStringList& ids) const;
    /// Inserts a fragment (or a complete graph) with fresh ids, its top-left at `at` (or offset from where it
    /// was copied when `at` is empty). Returns the new ids; on unreadable text returns {} and emits
    /// message().
    QStringList pasteFragment(const QByteArray& json, std::optional<QPointF> at = std::nullopt);
    /// Puts fragmentJson(ids) on the clipboard.
    void copy(const QStringList& ids) const;
    /// Pastes the clipboard's graph JSON at `at`; returns the new ids.
    QStringList paste(std::optional<QPointF> at = std::nullopt);
    /// Duplicates nodes (and their inner links) with an offset; returns the new ids.
    QStringList duplicate(const QStringList& ids);

  signals:
    /// A short message for the status bar (refused connection, unknown type, bad paste).
    void message(const QString& text);

  private:
    QString uniqueId(const QString& typeId, const std::vector<std::string>& taken) const;

    GraphModel& model_;
    QUndoStack* undo_ = nullptr;
    int dragSerial_ = 0;
    ParamDefaults paramDefaults_;
};

}  // namespace sv::ui
