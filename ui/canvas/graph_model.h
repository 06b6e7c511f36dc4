// GraphModel: the editor's adapter over the SDK's GraphDocument (the only graph state) and the node registry.
// It turns document change callbacks into Qt signals, answers the questions the canvas asks (title, ports,
// position, flags, parameter values as QVariant) and keeps the run status of each node (UI state, not graph
// state: cached / running k of N / error). It never edits the document itself: edits are QUndoCommands
// (ui/commands/).
//
// Editor data kept in each node's opaque "ui" object: "pos": [x, y], "view": true on the one viewed node, and
// "onNode": {"param": true|false} for parameters shown on the node (or only in the inspector) against their
// default.
#pragma once

#include <QColor>
#include <QHash>
#include <QObject>
#include <QPointF>
#include <QString>
#include <QStringList>
#include <QVariant>

#include <functional>
#include <optional>

#include "plugin/graph/graph_document.h"
#include "plugin/graph/validation.h"
#include "plugin/sdk/node_registry.h"

namespace sv::ui {

namespace sp = sv::plugin;

/// Which side of a node a port is on.
enum class PortSide : quint8 { In, Out };

/// A port as the canvas sees it.
struct PortInfo {
    QString name;
    QString caption;
    QString typeName;  ///< "LATENT", ... ("ANY" for ports of unknown node types)
    QColor color;      ///< the type's registered colour
    QString help;
    bool optional = false;
};

/// Run status of one node in the latest run (or its queued state), or a problem found before running. The
/// running node's step count is not here: it is the run queue's (see progress()).
struct NodeStatus {
    enum class State : quint8 { Idle, Pending, Running, Cached, Done, Error, Invalid, Cancelled };
    State state = State::Idle;
    /// The error (Error), the problems found by validation (Invalid), or what the node last reported when it
    /// ran (Done, Cached: its last info line, e.g. Load Model's "loaded ... (480p Wan 2.1) on cuda: ...").
    QString message;

    bool isProblem() const { return state == State::Error || state == State::Invalid; }
};

/// Whether a parameter is shown on its node when the node says nothing else: the spec's onNode hint, else
/// yes (every parameter type has an inline editor).
inline bool showsOnNodeByDefault(const sp::ParamSpec& spec) {
    return spec.onNode.value_or(true);
}

/// The running node's step k of n, as the canvas shows it.
struct StepProgress {
    qint64 step = 0;
    qint64 total = 0;
};

class GraphModel : public QObject {
    Q_OBJECT
  public:
    /// Observes `doc` (which must outlive the model) and reads node types from `registry`.
    GraphModel(sp::GraphDocument& doc, const sp::NodeRegistry& registry, QObject* parent = nullptr);
    ~GraphModel() override;

    sp::GraphDocument& document() { return doc_; }
    const sp::GraphDocument& document() const { return doc_; }
    const sp::NodeRegistry& registry() const { return registry_; }

    // ---- queries
    // --------------------------------------------------------------------------------------------
    QStringList nodeIds() const;
    bool hasNode(const QString& id) const { return node(id) != nullptr; }
    const sp::GraphNode* node(const QString& id) const;
    /// The node's descriptor, nullptr for a type the registry does not know.
    const sp::NodeDescriptor* descriptor(const QString& id) const;
    QString title(const QString& id) const;
    QString category(const QString& id) const;
    QList<PortInfo> ports(const QString& id, PortSide side) const;
    std::optional<PortInfo> port(const QString& id, PortSide side, const QString& name) const;
    QPointF position(const QString& id) const;
    bool isBypassed(const QString& id) const;
    bool isViewed(const QString& id) const;
    /// The node with the view flag ("" when none).
    QString viewedNode() const;
    /// The parameter's value (the stored one, else the descriptor default) as QVariant: qlonglong, double,
    /// bool or QString; invalid for unknown parameters.
    QVariant paramValue(const QString& id, const QString& name) const;
    bool isConnected(const QString& id, PortSide side, const QString& port) const;
    /// Whether parameter `name` has its editor on the node: the node's "onNode" ui entry for it, else
    /// showsOnNodeByDefault().
    bool isParamOnNode(const QString& id, const QString& name) const;
    /// Why a parameter is not used right now ("" when it is): its value comes from a connected input.
    QString unusedBecause(const QString& id, const QString& name) const;
    /// Links touching a node.
    std::vector<sp::GraphLink> linksOf(const QString& id) const;
    /// Why output `from` cannot feed input `to` (nullopt when it can). An existing link on `to` is no reason.
    std::optional<QString> checkConnection(const sp::PortRef& from, const sp::PortRef& to) const;
    /// Node types that have a port compatible with a dragged link end: an input accepting `type` (side In) or
    /// an output that can feed `type` (side Out).
    QStringList compatibleTypes(const QString& typeName, PortSide side) const;
    /// The colour the registry gives a port type (a stable fallback colour for unregistered ones).
    QColor portColor(const sp::PortType& type) const;

    // ---- run status (UI state)
    // ------------------------------------------------------------------------------
    NodeStatus status(const QString& id) const { return status_.value(id); }
    void setStatus(const QString& id, const NodeStatus& status);
    void clearStatuses();
    /// Every node's status (nodes without one are idle).
    const QHash<QString, NodeStatus>& statuses() const { return status_; }
    /// Where the running node's progress comes from (the run queue); the model keeps no copy of it.
    using ProgressSource = std::function<std::optional<StepProgress>(const QString& id)>;
    void setProgressSource(ProgressSource source) { progressSource_ = std::move(source); }
    /// The step progress of a running node (nullopt when it is not running or reports none).
    std::optional<StepProgress> progress(const QString& id) const;
    /// Tells the views that a node's progress changed (statusChanged).
    void notifyProgress(const QString& id) { emit statusChanged(id); }

    // ---- conversions
    // ---------------------------------------------------------------------------------------
    /// JSON scalar → QVariant (integers as qlonglong).
    static QVariant toVariant(const nlohmann::json& j);
    /// QVariant → JSON of the parameter's type (INT rounds, BOOL, FLOAT, strings).
    static nlohmann::json toJson(const QVariant& v, const sp::ParamSpec* spec);
    /// `ui` with "pos" set to `pos`.
    static nlohmann::json withPosition(nlohmann::json ui, QPointF pos);
    static QString qs(const std::string& s) { return QString::fromStdString(s); }
    static std::string ss(const QString& s) { return s.toStdString(); }

  signals:
    void nodeAdded(const QString& id);
    void nodeRemoved(const QString& id);
    void paramChanged(const QString& id, const QString& name);
    void bypassChanged(const QString& id);
    /// Position or view flag changed.
    void uiDataChanged(const QString& id);
    void linkAdded(const sp::GraphLink& link);
    void linkRemoved(const sp::GraphLink& link);
    void metadataChanged();
    /// The whole document was replaced: re-read everything.
    void reset();
    /// Any change of the document (for the modified flag and autosave).
    void documentChanged();
    void statusChanged(const QString& id);

  private:
    void onChange(const sp::GraphChange& change);

    sp::GraphDocument& doc_;
    const sp::NodeRegistry& registry_;
    sp::GraphDocument::ObserverId observer_ = 0;
    QHash<QString, NodeStatus> status_;
    ProgressSource progressSource_;
};

}  // namespace sv::ui

Q_DECLARE_METATYPE(sv::plugin::GraphLink)
