#include "canvas/link_item.h"

#include <QPainter>
#include <QPainterPathStroker>
#include <QStyleOptionGraphicsItem>

#include <algorithm>
#include <cmath>

#include "app/theme.h"

namespace sv::ui {

namespace {
constexpr qreal kWidth = 2.6;
constexpr qreal kHitWidth = 10.0;
}  // namespace

LinkItem::LinkItem(std::optional<sp::GraphLink> link) : link_(std::move(link)) {
    setZValue(link_ ? zorder::kLinks : zorder::kDraft);
    if (link_) {
        setFlag(ItemIsSelectable, true);
        setAcceptHoverEvents(true);
    }
}

QPainterPath LinkItem::curve(QPointF from, QPointF to) {
    // Horizontal tangents; the handles grow with the distance so backwards links loop around instead of
    // folding.
    const qreal dx = std::max(std::abs(to.x() - from.x()) * 0.5, 40.0 + std::abs(to.y() - from.y()) * 0.1);
    QPainterPath p(from);
    p.cubicTo(from + QPointF(dx, 0), to - QPointF(dx, 0), to);
    return p;
}

void LinkItem::setEnds(QPointF from, QPointF to) {
    if (from == from_ && to == to_ && !path_.isEmpty()) return;
    prepareGeometryChange();
    from_ = from;
    to_ = to;
    path_ = curve(from, to);
    QPainterPathStroker stroker;
    stroker.setWidth(kHitWidth);
    shape_ = stroker.createStroke(path_);
}

void LinkItem::setColor(const QColor& color) {
    color_ = color;
    update();
}

void LinkItem::setRefused(bool refused) {
    if (refused == refused_) return;
    refused_ = refused;
    update();
}

void LinkItem::setMarked(bool marked) {
    if (marked == marked_) return;
    marked_ = marked;
    update();
}

QRectF LinkItem::boundingRect() const {
    return path_.controlPointRect().adjusted(-kHitWidth, -kHitWidth, kHitWidth, kHitWidth);
}

QPainterPath LinkItem::shape() const {
    return shape_;
}

void LinkItem::paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget*) {
    painter->setRenderHint(QPainter::Antialiasing, true);
    const bool selected = option->state & QStyle::State_Selected;
    QColor colour = refused_ || marked_ ? canvasColors().cutLine : color_;
    qreal width = kWidth;
    if (selected || hover_) {
        width += 1.4;
        colour = colour.lighter(130);
    }
    if (selected) {
        painter->setPen(QPen(QColor(255, 255, 255, 70), width + 4, Qt::SolidLine, Qt::RoundCap));
        painter->drawPath(path_);
    }
    QPen pen(colour, width, refused_ || !link_ ? Qt::DashLine : Qt::SolidLine, Qt::RoundCap);
    if (!link_ && !refused_) pen.setStyle(Qt::SolidLine);
    painter->setPen(pen);
    painter->setBrush(Qt::NoBrush);
    painter->drawPath(path_);
}

void LinkItem::hoverEnterEvent(QGraphicsSceneHoverEvent*) {
    hover_ = true;
    update();
}

void LinkItem::hoverLeaveEvent(QGraphicsSceneHoverEvent*) {
    hover_ = false;
    update();
}

}  // namespace sv::ui
