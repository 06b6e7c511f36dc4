#include "canvas/port_item.h"

#include <QCursor>
#include <QPainter>

#include "app/theme.h"
#include "canvas/node_geometry.h"

namespace sv::ui {

namespace {
constexpr qreal kHitRadius = 9.0;
}

PortItem::PortItem(QString nodeId, PortSide side, PortInfo info, QGraphicsItem* parent)
    : QGraphicsItem(parent), m_nodeId(std::move(nodeId)), m_side(side), m_info(std::move(info)) {
    setAcceptHoverEvents(true);
    setCursor(Qt::CrossCursor);
    QString tip = QStringLiteral("<b>%1</b> — %2").arg(m_info.caption.toHtmlEscaped(), m_info.typeName);
    if (m_info.optional && side == PortSide::In) tip += QObject::tr(" (optional)");
    if (!m_info.help.isEmpty()) tip += QStringLiteral("<br>") + m_info.help.toHtmlEscaped();
    setToolTip(tip);
}

QRectF PortItem::boundingRect() const {
    return {-kHitRadius, -kHitRadius, 2 * kHitRadius, 2 * kHitRadius};
}

QPainterPath PortItem::shape() const {
    QPainterPath p;
    p.addEllipse(boundingRect());
    return p;
}

void PortItem::paint(QPainter* painter, const QStyleOptionGraphicsItem*, QWidget*) {
    const QColor colour = m_info.color;
    qreal r = NodeGeometry::kPortRadius + (m_hover || m_feedback > 0 ? 1.5 : 0.0);
    painter->setRenderHint(QPainter::Antialiasing, true);
    if (m_feedback != 0) {
        const QColor ring = m_feedback > 0 ? colour : canvasColors().error;
        painter->setPen(QPen(ring, 2.0));
        painter->setBrush(Qt::NoBrush);
        painter->drawEllipse(QPointF(0, 0), r + 3, r + 3);
    }
    painter->setPen(QPen(colour.darker(160), 1.2));
    painter->setBrush(m_connected ? colour : canvasColors().nodeBody.darker(130));
    painter->drawEllipse(QPointF(0, 0), r, r);
    if (!m_connected) {
        painter->setBrush(colour);
        painter->setPen(Qt::NoPen);
        painter->drawEllipse(QPointF(0, 0), r * 0.45, r * 0.45);
    }
}

void PortItem::setConnected(bool connected) {
    if (connected == m_connected) return;
    m_connected = connected;
    update();
}

void PortItem::setFeedback(int feedback) {
    if (feedback == m_feedback) return;
    m_feedback = feedback;
    update();
}

void PortItem::hoverEnterEvent(QGraphicsSceneHoverEvent*) {
    m_hover = true;
    update();
}

void PortItem::hoverLeaveEvent(QGraphicsSceneHoverEvent*) {
    m_hover = false;
    update();
}

}  // namespace sv::ui
