#include "canvas/node_painter.h"

#include <QFontMetricsF>
#include <QPainterPath>

#include <algorithm>

#include "app/theme.h"

namespace sv::ui {

namespace {
constexpr int kErrorMaxLines = 6;
const int kErrorFlags = Qt::AlignLeft | Qt::AlignTop | Qt::TextWordWrap;

QColor statusColor(const NodeStatus& s) {
    const CanvasColors& c = canvasColors();
    switch (s.state) {
        case NodeStatus::State::Running:
            return c.running;
        case NodeStatus::State::Cached:
            return c.cached;
        case NodeStatus::State::Done:
            return c.cached.darker(120);
        case NodeStatus::State::Error:
            return c.error;
        case NodeStatus::State::Cancelled:
            return c.bypass;
        default:
            return c.nodeSubtleText;
    }
}
}  // namespace

QRectF NodePainter::errorRect(const NodeGeometry& g, const QString& message) {
    if (message.isEmpty()) return {};
    const QFontMetricsF fm(NodeGeometry::labelFont());
    const qreal width = std::max(g.width, 240.0);
    QRectF text =
        fm.boundingRect(QRectF(0, 0, width - 12, fm.lineSpacing() * kErrorMaxLines), kErrorFlags, message);
    return {0, g.height + 6, width, std::min(text.height(), fm.lineSpacing() * kErrorMaxLines) + 10};
}

QString NodePainter::badgeText(const NodeStatus& s) {
    switch (s.state) {
        case NodeStatus::State::Pending:
            return QObject::tr("queued");
        case NodeStatus::State::Running:
            return s.total > 0 ? QStringLiteral("%1/%2").arg(s.step).arg(s.total) : QObject::tr("running");
        case NodeStatus::State::Cached:
            return QObject::tr("cached");
        case NodeStatus::State::Done:
            return QObject::tr("done");
        case NodeStatus::State::Error:
            return QObject::tr("error");
        case NodeStatus::State::Cancelled:
            return QObject::tr("cancelled");
        case NodeStatus::State::Idle:
            break;
    }
    return {};
}

void NodePainter::paint(QPainter& p, const NodeGeometry& g, const NodePaintState& s) {
    const CanvasColors& c = canvasColors();
    p.setRenderHint(QPainter::Antialiasing, true);
    p.setRenderHint(QPainter::TextAntialiasing, true);
    if (s.bypassed) p.setOpacity(0.45);

    const QRectF body = g.body();
    const qreal r = NodeGeometry::kCorner;
    // Shadow and body.
    p.setPen(Qt::NoPen);
    p.setBrush(QColor(0, 0, 0, 70));
    p.drawRoundedRect(body.translated(2, 3), r, r);
    p.setBrush(c.nodeBody);
    p.drawRoundedRect(body, r, r);

    // Title bar in the category colour (grey-red for unknown types).
    QColor titleColour = s.unknownType ? QColor(0x6a, 0x2a, 0x2a) : categoryColor(s.category);
    if (s.bypassed) titleColour = QColor::fromHsv(titleColour.hsvHue(), 30, titleColour.value());
    QPainterPath title;
    title.setFillRule(Qt::WindingFill);
    title.addRoundedRect(g.titleRect(), r, r);
    title.addRect(g.titleRect().adjusted(0, r, 0, 0));
    p.setBrush(titleColour);
    p.drawPath(title.simplified());

    // Title text, leaving room for the view dot.
    p.setFont(NodeGeometry::titleFont());
    p.setPen(c.nodeText);
    const QRectF titleText =
        g.titleRect().adjusted(NodeGeometry::kPadding, 0, -NodeGeometry::kPadding - 16, 0);
    const QString shown = QFontMetricsF(p.font()).elidedText(s.title, Qt::ElideRight, titleText.width());
    p.drawText(titleText, Qt::AlignVCenter | Qt::AlignLeft, shown);

    // View flag: a filled dot on the title bar and a cyan outline.
    const QPointF dot(g.width - NodeGeometry::kPadding - 5, NodeGeometry::kTitleHeight / 2);
    p.setPen(QPen(s.viewed ? c.viewFlag : QColor(255, 255, 255, 60), 1.4));
    p.setBrush(s.viewed ? c.viewFlag : Qt::NoBrush);
    p.drawEllipse(dot, 4.5, 4.5);

    // Progress bar along the bottom of the title while running.
    if (s.status.state == NodeStatus::State::Running && s.status.total > 0) {
        const qreal frac = std::clamp(double(s.status.step) / double(s.status.total), 0.0, 1.0);
        const QRectF track(0, NodeGeometry::kTitleHeight - 3, g.width, 3);
        p.setPen(Qt::NoPen);
        p.setBrush(QColor(0, 0, 0, 90));
        p.drawRect(track);
        p.setBrush(c.running.lighter(120));
        p.drawRect(QRectF(track.topLeft(), QSizeF(track.width() * frac, track.height())));
    }

    // Port labels.
    p.setFont(NodeGeometry::labelFont());
    p.setPen(c.nodeText);
    for (int i = 0; i < g.inputs.size(); ++i) {
        const QPointF at = g.inputPos(i);
        p.drawText(QRectF(NodeGeometry::kPadding + 4, at.y() - 9, g.width / 2, 18),
                   Qt::AlignVCenter | Qt::AlignLeft, g.inputs[i].caption);
    }
    for (int i = 0; i < g.outputs.size(); ++i) {
        const QPointF at = g.outputPos(i);
        p.drawText(QRectF(g.width / 2 - NodeGeometry::kPadding - 4, at.y() - 9, g.width / 2, 18),
                   Qt::AlignVCenter | Qt::AlignRight, g.outputs[i].caption);
    }
    // Inline parameter labels (the widgets are child items).
    p.setPen(c.nodeSubtleText);
    for (int i = 0; i < g.paramRows.size() && i < s.paramLabels.size(); ++i) {
        const QRectF row = g.paramRows[i];
        const QRectF label(row.left(), row.top(), g.paramWidgetRect(i).left() - row.left() - 4, row.height());
        p.drawText(label, Qt::AlignVCenter | Qt::AlignLeft,
                   QFontMetricsF(p.font()).elidedText(s.paramLabels[i], Qt::ElideRight, label.width()));
    }

    // Outline: selection, error, view flag.
    QColor outline = c.nodeBorder;
    qreal outlineWidth = 1.0;
    if (s.status.state == NodeStatus::State::Error) {
        outline = c.error;
        outlineWidth = 2.0;
    }
    if (s.viewed) {
        outline = c.viewFlag;
        outlineWidth = 1.6;
    }
    if (s.selected) {
        outline = c.nodeSelected;
        outlineWidth = 2.0;
    }
    p.setBrush(Qt::NoBrush);
    p.setPen(QPen(outline, outlineWidth));
    p.drawRoundedRect(body, r, r);

    p.setOpacity(1.0);
    // Status badge above the title, right-aligned.
    QString badge = badgeText(s.status);
    if (s.bypassed) badge = badge.isEmpty() ? QObject::tr("bypassed") : QObject::tr("bypassed · ") + badge;
    if (!badge.isEmpty()) {
        QFont f = NodeGeometry::labelFont();
        f.setBold(true);
        p.setFont(f);
        const qreal w = QFontMetricsF(f).horizontalAdvance(badge) + 12;
        const QRectF rect(g.width - w, -NodeGeometry::kBadgeHeight, w, NodeGeometry::kBadgeHeight - 3);
        p.setPen(Qt::NoPen);
        p.setBrush(s.bypassed && s.status.state == NodeStatus::State::Idle ? c.bypass
                                                                           : statusColor(s.status));
        p.drawRoundedRect(rect, 4, 4);
        p.setPen(Qt::white);
        p.drawText(rect, Qt::AlignCenter, badge);
    }
    // Error message box below the node.
    if (s.status.state == NodeStatus::State::Error && !s.status.message.isEmpty()) {
        const QRectF box = errorRect(g, s.status.message);
        p.setPen(QPen(c.error, 1));
        p.setBrush(QColor(0x3a, 0x14, 0x14, 230));
        p.drawRoundedRect(box, 4, 4);
        p.setFont(NodeGeometry::labelFont());
        p.setPen(QColor(0xff, 0xd0, 0xd0));
        p.drawText(box.adjusted(6, 5, -6, -5), kErrorFlags, s.status.message);
    }
}

}  // namespace sv::ui
