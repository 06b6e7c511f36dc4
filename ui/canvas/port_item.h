// PortItem: one port circle on a node (a child of its NodeItem). Paints in its type's colour (filled when
// connected) and hit-tests a slightly larger circle, so ports are easy to grab.
#pragma once

#include <QGraphicsItem>

#include "canvas/graph_model.h"
#include "canvas/item_types.h"

namespace sv::ui {

class PortItem : public QGraphicsItem {
  public:
    enum { Type = kPortItemType };

    PortItem(QString nodeId, PortSide side, PortInfo info, QGraphicsItem* parent);

    int type() const override { return Type; }
    QRectF boundingRect() const override;
    QPainterPath shape() const override;
    void paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget* widget) override;

    const QString& nodeId() const { return nodeId_; }
    PortSide side() const { return side_; }
    const PortInfo& info() const { return info_; }
    sp::PortRef ref() const { return {GraphModel::ss(nodeId_), GraphModel::ss(info_.name)}; }

    /// View state, set by the scene: whether a link is attached, and the drag feedback (0 none, 1 accepts,
    /// -1 refuses).
    void setConnected(bool connected);
    void setFeedback(int feedback);

  protected:
    void hoverEnterEvent(QGraphicsSceneHoverEvent* event) override;
    void hoverLeaveEvent(QGraphicsSceneHoverEvent* event) override;

  private:
    QString nodeId_;
    PortSide side_;
    PortInfo info_;
    bool connected_ = false;
    bool hover_ = false;
    int feedback_ = 0;
};

}  // namespace sv::ui
