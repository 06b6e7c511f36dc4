// NodeItem: one node on the canvas. Holds its id, a const reference to the model and view-only state (the
// thumbnail of an image parameter, whether a popup of one of its editors is open); paints through NodePainter
// and lays out through NodeGeometry. Its ports are PortItem children; its parameter editors are proxy-widget
// children whose edits go to a callback (the scene turns them into commands). It is not movable by itself:
// the scene moves nodes through commands, and the item follows the document's position. Hovering shows the
// whole text of whatever is elided (title, labels) and the message of a failed or invalid node.
#pragma once

#include <QGraphicsItem>
#include <QImage>

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
    using Hint = std::function<void(const QString& text)>;

    NodeItem(QString id, const GraphModel& model, ParamEdited onParamEdited, Hint onHint = {});
    ~NodeItem() override;

    int type() const override { return Type; }
    QRectF boundingRect() const override;
    QPainterPath shape() const override;
    void paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget* widget) override;

    const QString& id() const { return id_; }
    const NodeGeometry& geometry() const { return geo_; }

    /// Re-reads ports, parameters shown on the node and size from the model (new node, reset, a parameter
    /// moved to or from the node).
    void rebuild();
    /// Follows the document's position.
    void syncPosition();
    /// Shows the parameter's current value in its inline editor (if it has one).
    void syncParam(const QString& name);
    /// Repaints after a flag (bypass, view), link or status change; resizes for an error message.
    void syncState();

    PortItem* port(PortSide side, const QString& name) const;
    const std::vector<PortItem*>& ports() const { return ports_; }
    /// Scene position of a port's centre (the node's right/left edge when the port is unknown).
    QPointF portScenePos(PortSide side, const QString& name) const;
    /// The inline editor of a parameter (nullptr when it has none): for tests and focus handling.
    ParamEditor* inlineEditor(const QString& name) const;
    QGraphicsProxyWidget* inlineProxy(const QString& name) const;
    /// Whether a scene point is over the title bar (where dragging moves the node).
    bool isOverTitle(QPointF scenePos) const;
    /// The tooltip for a point in item coordinates (the whole text of an elided label, a problem's message).
    QString toolTipAt(QPointF pos) const;
    /// The thumbnail of the image parameter (null when there is none or the file cannot be read).
    const QImage& thumbnail() const { return thumbnail_; }

  protected:
    QVariant itemChange(GraphicsItemChange change, const QVariant& value) override;
    void hoverMoveEvent(QGraphicsSceneHoverEvent* event) override;

  private:
    struct Inline {
        QString name;
        QGraphicsProxyWidget* proxy = nullptr;
        ParamEditor* editor = nullptr;
    };

    void buildInline(const sp::ParamSpec& spec, const NodeGeometry::ParamRow& row);
    void syncUnused();
    void loadThumbnail();
    void updateZ();
    void setPopupOpen(QGraphicsProxyWidget* proxy, bool open);

    QString id_;
    const GraphModel& model_;
    ParamEdited onParamEdited_;
    Hint onHint_;
    NodeGeometry geo_;
    std::vector<PortItem*> ports_;  // children (owned by the item tree)
    std::vector<Inline> inline_;    // children (owned by the item tree)
    QRectF errorRect_;
    QImage thumbnail_;
    bool popupOpen_ = false;
};

}  // namespace sv::ui
