// GraphScene: mirrors the GraphModel as items (one NodeItem per node, one LinkItem per link), rebuilt from
// the model's signals, and turns mouse gestures into GraphEditor calls: drag from port to port to connect
// (with type feedback), drag a link off its input to disconnect or move it, drag nodes to move them (one
// merged undo step per drag), Ctrl+drag across links to cut them, double-click on empty canvas to ask for the
// palette. It owns only view objects; the document is the only graph state.
#pragma once

#include <QGraphicsScene>
#include <QHash>

#include <memory>
#include <optional>
#include <unordered_map>

#include "canvas/graph_model.h"

class QGraphicsPathItem;

namespace sv::ui {

class GraphEditor;
class LinkItem;
class NodeItem;
class PortItem;

/// A link end left dangling when the user released a drag over empty canvas: the palette then offers node
/// types that can connect to it.
struct PendingLink {
    sp::PortRef port;
    PortSide side = PortSide::Out;  ///< side of `port`
    QString typeName;
};

class GraphScene : public QGraphicsScene {
    Q_OBJECT
  public:
    explicit GraphScene(GraphEditor& editor, QObject* parent = nullptr);
    GraphScene() = delete;
    ~GraphScene() override;

    GraphEditor& editor() { return editor_; }
    GraphModel& model();

    NodeItem* nodeItem(const QString& id) const;
    LinkItem* linkItem(const sp::GraphLink& link) const;
    int nodeItemCount() const { return int(nodes_.size()); }
    int linkItemCount() const { return int(links_.size()); }

    QStringList selectedNodeIds() const;
    std::vector<sp::GraphLink> selectedLinks() const;
    void selectNodes(const QStringList& ids);
    /// Bounding rect of the given nodes (all when empty), in scene coordinates.
    QRectF nodesBoundingRect(const QStringList& ids = {}) const;
    /// Scene position of a port's centre.
    QPointF portScenePos(const sp::PortRef& ref, PortSide side) const;
    /// A top-left position for a new node of `size` near `preferred` where it overlaps no node: `preferred`
    /// when it is free, else the nearest free spot around it.
    QPointF freeSpot(QPointF preferred, QSizeF size) const;
    /// Where a node added without a position goes: right of the selected nodes, else `fallback`; then the
    /// nearest free spot (freeSpot).
    QPointF placeNode(QSizeF size, QPointF fallback) const;

  signals:
    /// The user asked for the add-node palette at `screenPos` (scene position `scenePos`), optionally to
    /// connect the new node to a dangling link end.
    void paletteRequested(const QPoint& screenPos, const QPointF& scenePos,
                          std::optional<PendingLink> pending);
    /// A connection was refused; `reason` says why (also shown as a tooltip at the cursor).
    void connectionRefused(const QString& reason);
    /// Something to tell the user about an edit made on a node (a value snapped to a valid one).
    void hint(const QString& text);

  protected:
    void mousePressEvent(QGraphicsSceneMouseEvent* event) override;
    void mouseMoveEvent(QGraphicsSceneMouseEvent* event) override;
    void mouseReleaseEvent(QGraphicsSceneMouseEvent* event) override;
    void mouseDoubleClickEvent(QGraphicsSceneMouseEvent* event) override;
    void drawBackground(QPainter* painter, const QRectF& rect) override;

  private:
    struct LinkDrag {
        PortItem* origin = nullptr;             ///< the port the drag started from (fixed end)
        std::optional<sp::GraphLink> detached;  ///< the link pulled off its input, if any
        std::unique_ptr<LinkItem> draft;
        PortItem* target = nullptr;      ///< the port under the cursor
        std::optional<QString> refusal;  ///< why `target` refuses
    };
    struct NodeDrag {
        int serial = 0;
        QPointF start;
        QHash<QString, QPointF> origins;
        bool moved = false;
    };
    struct Cut {
        QPolygonF stroke;
        std::unique_ptr<QGraphicsPathItem> line;
    };

    void rebuildAll();
    void addNodeItem(const QString& id);
    void addLinkItem(const sp::GraphLink& link);
    void updateLinksOf(const QString& nodeId);
    void updateLink(LinkItem& item);
    void refreshNode(const QString& id);

    PortItem* portAt(QPointF scenePos) const;
    bool overWidget(QPointF scenePos) const;
    void startLinkDrag(PortItem* port);
    void updateLinkDrag(QGraphicsSceneMouseEvent* event);
    void finishLinkDrag(QGraphicsSceneMouseEvent* event);
    void updateCut(QPointF scenePos);
    void finishCut();
    /// The fixed end as (port, side) and the output/input pair for a candidate target.
    std::optional<QString> checkTarget(PortItem* target) const;

    GraphEditor& editor_;
    std::unordered_map<QString, std::unique_ptr<NodeItem>> nodes_;
    std::unordered_map<QString, std::unique_ptr<LinkItem>> links_;  // keyed by the input end
    std::optional<LinkDrag> linkDrag_;
    std::optional<NodeDrag> nodeDrag_;
    std::optional<Cut> cut_;
};

}  // namespace sv::ui
