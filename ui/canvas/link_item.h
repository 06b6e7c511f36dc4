// LinkItem: a bezier curve from an output port to an input port, in the output type's colour. It knows only
// its end points (set by the scene through setEnds(), with prepareGeometryChange) and the link it stands for;
// the draft link shown while dragging is a LinkItem without a document link.
#pragma once

#include <QColor>
#include <QGraphicsItem>
#include <QPainterPath>

#include <optional>

#include "canvas/graph_model.h"
#include "canvas/item_types.h"

namespace sv::ui {

class LinkItem : public QGraphicsItem {
  public:
    enum { Type = kLinkItemType };

    /// A link of the document (`link` set) or a draft (nullopt).
    explicit LinkItem(std::optional<sp::GraphLink> link);

    int type() const override { return Type; }
    QRectF boundingRect() const override;
    QPainterPath shape() const override;
    void paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget* widget) override;

    const std::optional<sp::GraphLink>& link() const { return link_; }
    /// Moves the ends (scene coordinates; `from` is the output side) and sets the colour.
    void setEnds(QPointF from, QPointF to);
    void setColor(const QColor& color);
    /// Draft feedback: a refused target draws the draft dashed red.
    void setRefused(bool refused);
    /// Highlighted by the cut gesture.
    void setMarked(bool marked);
    QPointF fromPos() const { return from_; }
    QPointF toPos() const { return to_; }
    /// The curve itself (scene coordinates).
    const QPainterPath& path() const { return path_; }

    /// The bezier used for links between two points.
    static QPainterPath curve(QPointF from, QPointF to);

  protected:
    void hoverEnterEvent(QGraphicsSceneHoverEvent* event) override;
    void hoverLeaveEvent(QGraphicsSceneHoverEvent* event) override;

  private:
    std::optional<sp::GraphLink> link_;
    QPointF from_, to_;
    QPainterPath path_;
    QPainterPath shape_;
    QColor color_{0xbd, 0xbd, 0xbd};
    bool refused_ = false;
    bool marked_ = false;
    bool hover_ = false;
};

}  // namespace sv::ui
