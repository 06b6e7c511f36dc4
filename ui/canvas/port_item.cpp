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
    : QGraphicsItem(parent), nodeId_(std::move(nodeId)), side_(side), info_(std::move(info)) {
    setAcceptHoverEvents(true);
    setCursor(Qt::CrossCursor);
    QString tip = QStringLiteral("<b>%1</b> — %2").arg(info_.caption.toHtmlEscaped(), info_.typeName);
    if (info_.optional && side == PortSide::In) tip += QObject::tr(" (optional)");
    if (!info_.help.isEmpty()) tip += QStringLiteral("<br>") + info_.help.toHtmlEscaped();
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
    const QColor colour = info_.color;
    qreal r = NodeGeometry::kPortRadius + (hover_ || feedback_ > 0 ? 1.5 : 0.0);
    painter->setRenderHint(QPainter::Antialiasing, true);
    if (feedback_ != 0) {
        const QColor ring = feedback_ > 0 ? colour : canvasColors().error;
        painter->setPen(QPen(ring, 2.0));
        painter->setBrush(Qt::NoBrush);
        painter->drawEllipse(QPointF(0, 0), r + 3, r + 3);
    }
    painter->setPen(QPen(colour.darker(160), 1.2));
    painter->setBrush(connected_ ? colour : canvasColors().nodeBody.darker(130));
    painter->drawEllipse(QPointF(0, 0), r, r);
    if (!connected_) {
        painter->setBrush(colour);
        painter->setPen(Qt::NoPen);
        painter->drawEllipse(QPointF(0, 0), r * 0.45, r * 0.45);
    }
}

void PortItem::setConnected(bool connected) {
    if (connected == connected_) return;
    connected_ = connected;
    update();
}

void PortItem::setFeedback(int feedback) {
    if (feedback == feedback_) return;
    feedback_ = feedback;
    update();
}

void PortItem::hoverEnterEvent(QGraphicsSceneHoverEvent*) {
    hover_ = true;
    update();
}

void PortItem::hoverLeaveEvent(QGraphicsSceneHoverEvent*) {
    hover_ = false;
    update();
}

}  // namespace sv::ui
