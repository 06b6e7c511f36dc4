// GraphModel: the editor's adapter over the SDK's GraphDocument (the only graph state) and the node registry.
// It turns document change callbacks into Qt signals, answers the questions the canvas asks (title, ports,
// position, flags, parameter values as QVariant) and keeps the run status of each node (UI state, not graph
// state: cached / running k of N / error). It never edits the document itself: edits are QUndoCommands
// (ui/commands/).
//
// Editor data kept in each node's opaque "ui" object: "pos": [x, y] and "view": true on the one viewed node.
#pragma once

#include <QColor>
#include <QHash>
#include <QObject>
#include <QPointF>
#include <QString>
#include <QStringList>
#include <QVariant>

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

/// Run status of one node in the latest run (or its queued state).
struct NodeStatus {
    enum class State : quint8 { Idle, Pending, Running, Cached, Done, Error, Cancelled };
    State state = State::Idle;
    qint64 step = 0;
    qint64 total = 0;
    double etaSeconds = -1.0;
    QString message;  ///< the error text (Error)
};

class GraphModel : public QObject {
    Q_OBJECT
  public:
    /// Observes `doc` (which must outlive the model) and reads node types from `registry`.
    GraphModel(sp::GraphDocument& doc, const sp::NodeRegistry& registry, QObject* parent = nullptr);
    ~GraphModel() override;

    sp::GraphDocument& document() { return m_doc; }
    const sp::GraphDocument& document() const { return m_doc; }
    const sp::NodeRegistry& registry() const { return m_registry; }

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
    NodeStatus status(const QString& id) const { return m_status.value(id); }
    void setStatus(const QString& id, const NodeStatus& status);
    void clearStatuses();

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

    sp::GraphDocument& m_doc;
    const sp::NodeRegistry& m_registry;
    sp::GraphDocument::ObserverId m_observer = 0;
    QHash<QString, NodeStatus> m_status;
};

}  // namespace sv::ui

Q_DECLARE_METATYPE(sv::plugin::GraphLink)
