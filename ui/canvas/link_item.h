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

    const std::optional<sp::GraphLink>& link() const { return m_link; }
    /// Moves the ends (scene coordinates; `from` is the output side) and sets the colour.
    void setEnds(QPointF from, QPointF to);
    void setColor(const QColor& color);
    /// Draft feedback: a refused target draws the draft dashed red.
    void setRefused(bool refused);
    /// Highlighted by the cut gesture.
    void setMarked(bool marked);
    QPointF fromPos() const { return m_from; }
    QPointF toPos() const { return m_to; }
    /// The curve itself (scene coordinates).
    const QPainterPath& path() const { return m_path; }

    /// The bezier used for links between two points.
    static QPainterPath curve(QPointF from, QPointF to);

  protected:
    void hoverEnterEvent(QGraphicsSceneHoverEvent* event) override;
    void hoverLeaveEvent(QGraphicsSceneHoverEvent* event) override;

  private:
    std::optional<sp::GraphLink> m_link;
    QPointF m_from, m_to;
    QPainterPath m_path;
    QPainterPath m_shape;
    QColor m_color{0xbd, 0xbd, 0xbd};
    bool m_refused = false;
    bool m_marked = false;
    bool m_hover = false;
};

}  // namespace sv::ui
