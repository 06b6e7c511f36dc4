// NodeItem: one node on the canvas. Holds its id, a const reference to the model and view-only state; paints
// through NodePainter and lays out through NodeGeometry. Its ports are PortItem children; its inline
// parameter editors are proxy-widget children whose edits go to a callback (the scene turns them into
// commands). It is not movable by itself: the scene moves nodes through commands, and the item follows the
// document's position.
#pragma once

#include <QGraphicsItem>

#include <functional>
#include <vector>

#include "canvas/graph_model.h"
#include "canvas/item_types.h"
#include "canvas/node_geometry.h"

class QGraphicsProxyWidget;

namespace sv::ui {

class ParamEditor;
class PortItem;

class NodeItem : public QGraphicsItem {
  public:
    enum { Type = kNodeItemType };
    using ParamEdited =
        std::function<void(const QString& node, const QString& param, const QVariant& value, bool final)>;

    NodeItem(QString id, const GraphModel& model, ParamEdited onParamEdited);
    ~NodeItem() override;

    int type() const override { return Type; }
    QRectF boundingRect() const override;
    QPainterPath shape() const override;
    void paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget* widget) override;

    const QString& id() const { return id_; }
    const NodeGeometry& geometry() const { return geo_; }

    /// Re-reads ports, inline parameters and size from the model (new node, reset).
    void rebuild();
    /// Follows the document's position.
    void syncPosition();
    /// Shows the parameter's current value in its inline editor (if it has one).
    void syncParam(const QString& name);
    /// Repaints after a flag (bypass, view) or status change; resizes for an error message.
    void syncState();

    PortItem* port(PortSide side, const QString& name) const;
    const std::vector<PortItem*>& ports() const { return ports_; }
    /// Scene position of a port's centre (the node's right/left edge when the port is unknown).
    QPointF portScenePos(PortSide side, const QString& name) const;
    /// The inline editor of a parameter (nullptr when it has none): for tests and focus handling.
    ParamEditor* inlineEditor(const QString& name) const;
    /// Whether a scene point is over the title bar (where dragging moves the node).
    bool isOverTitle(QPointF scenePos) const;

  protected:
    QVariant itemChange(GraphicsItemChange change, const QVariant& value) override;

  private:
    struct Inline {
        QString name;
        QGraphicsProxyWidget* proxy = nullptr;
        ParamEditor* editor = nullptr;
    };

    QString id_;
    const GraphModel& model_;
    ParamEdited onParamEdited_;
    NodeGeometry geo_;
    std::vector<PortItem*> ports_;  // children (owned by the item tree)
    std::vector<Inline> inline_;    // children (owned by the item tree)
    QRectF errorRect_;
};

}  // namespace sv::ui
