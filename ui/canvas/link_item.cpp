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

LinkItem::LinkItem(std::optional<sp::GraphLink> link) : m_link(std::move(link)) {
    setZValue(m_link ? zorder::kLinks : zorder::kDraft);
    if (m_link) {
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
    if (from == m_from && to == m_to && !m_path.isEmpty()) return;
    prepareGeometryChange();
    m_from = from;
    m_to = to;
    m_path = curve(from, to);
    QPainterPathStroker stroker;
    stroker.setWidth(kHitWidth);
    m_shape = stroker.createStroke(m_path);
}

void LinkItem::setColor(const QColor& color) {
    m_color = color;
    update();
}

void LinkItem::setRefused(bool refused) {
    if (refused == m_refused) return;
    m_refused = refused;
    update();
}

void LinkItem::setMarked(bool marked) {
    if (marked == m_marked) return;
    m_marked = marked;
    update();
}

QRectF LinkItem::boundingRect() const {
    return m_path.controlPointRect().adjusted(-kHitWidth, -kHitWidth, kHitWidth, kHitWidth);
}

QPainterPath LinkItem::shape() const {
    return m_shape;
}

void LinkItem::paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget*) {
    painter->setRenderHint(QPainter::Antialiasing, true);
    const bool selected = option->state & QStyle::State_Selected;
    QColor colour = m_refused || m_marked ? canvasColors().cutLine : m_color;
    qreal width = kWidth;
    if (selected || m_hover) {
        width += 1.4;
        colour = colour.lighter(130);
    }
    if (selected) {
        painter->setPen(QPen(QColor(255, 255, 255, 70), width + 4, Qt::SolidLine, Qt::RoundCap));
        painter->drawPath(m_path);
    }
    QPen pen(colour, width, m_refused || !m_link ? Qt::DashLine : Qt::SolidLine, Qt::RoundCap);
    if (!m_link && !m_refused) pen.setStyle(Qt::SolidLine);
    painter->setPen(pen);
    painter->setBrush(Qt::NoBrush);
    painter->drawPath(m_path);
}

void LinkItem::hoverEnterEvent(QGraphicsSceneHoverEvent*) {
    m_hover = true;
    update();
}

void LinkItem::hoverLeaveEvent(QGraphicsSceneHoverEvent*) {
    m_hover = false;
    update();
}

}  // namespace sv::ui
