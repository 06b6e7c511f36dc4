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
        case NodeStatus::State::Invalid:
            return c.error;
        case NodeStatus::State::Cancelled:
            return c.bypass;
        default:
            return c.nodeSubtleText;
    }
}

/// The text drawn in `rect`, elided at the right when it does not fit.
void drawElided(QPainter& p, const QRectF& rect, int flags, const QString& text) {
    p.drawText(rect, flags, QFontMetricsF(p.font()).elidedText(text, Qt::ElideRight, rect.width()));
}
}  // namespace

QRectF NodePainter::errorRect(const NodeGeometry& g, const QString& message) {
    if (message.isEmpty()) return {};
    const QFontMetricsF fm(NodeGeometry::labelFont());
    const qreal width = std::max(g.width, 260.0);
    QRectF text =
        fm.boundingRect(QRectF(0, 0, width - 12, fm.lineSpacing() * kErrorMaxLines), kErrorFlags, message);
    return {0, g.height + 6, width, std::min(text.height(), fm.lineSpacing() * kErrorMaxLines) + 10};
}

QString NodePainter::badgeText(const NodeStatus& s, const std::optional<StepProgress>& progress) {
    switch (s.state) {
        case NodeStatus::State::Pending:
            return QObject::tr("queued");
        case NodeStatus::State::Running:
            return progress && progress->total > 0
                       ? QStringLiteral("%1/%2").arg(progress->step).arg(progress->total)
                       : QObject::tr("running");
        case NodeStatus::State::Cached:
            return QObject::tr("cached");
        case NodeStatus::State::Done:
            return QObject::tr("done");
        case NodeStatus::State::Error:
            return QObject::tr("error");
        case NodeStatus::State::Invalid:
            return QObject::tr("invalid");
        case NodeStatus::State::Cancelled:
            return QObject::tr("cancelled");
        case NodeStatus::State::Idle:
            break;
    }
    return {};
}

void NodePainter::paint(QPainter& p, const NodeGeometry& g, const NodePaintState& s) {
    p.setRenderHint(QPainter::Antialiasing, true);
    p.setRenderHint(QPainter::TextAntialiasing, true);
    if (s.bypassed) p.setOpacity(0.45);
    paintBody(p, g, s);
    paintTitle(p, g, s);
    paintPorts(p, g);
    paintParams(p, g, s);
    paintThumbnail(p, g, s);
    paintOutline(p, g, s);
    p.setOpacity(1.0);
    paintBadge(p, g, s);
    paintError(p, g, s);
}

void NodePainter::paintBody(QPainter& p, const NodeGeometry& g, const NodePaintState& s) {
    const CanvasColors& c = canvasColors();
    const QRectF body = g.body();
    const qreal r = NodeGeometry::kCorner;
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
}

void NodePainter::paintTitle(QPainter& p, const NodeGeometry& g, const NodePaintState& s) {
    const CanvasColors& c = canvasColors();
    // Title text, leaving room for the view dot.
    p.setFont(NodeGeometry::titleFont());
    p.setPen(c.nodeText);
    drawElided(p, g.titleRect().adjusted(NodeGeometry::kPadding, 0, -NodeGeometry::kPadding - 18, 0),
               Qt::AlignVCenter | Qt::AlignLeft, s.title);

    // View flag: a filled dot on the title bar and a cyan outline.
    const QPointF dot(g.width - NodeGeometry::kPadding - 5, g.titleHeight / 2);
    p.setPen(QPen(s.viewed ? c.viewFlag : QColor(255, 255, 255, 60), 1.4));
    p.setBrush(s.viewed ? c.viewFlag : Qt::NoBrush);
    p.drawEllipse(dot, 5, 5);

    // Progress bar along the bottom of the title while running.
    if (s.status.state == NodeStatus::State::Running && s.progress && s.progress->total > 0) {
        const qreal frac = std::clamp(double(s.progress->step) / double(s.progress->total), 0.0, 1.0);
        const QRectF track(0, g.titleHeight - 4, g.width, 4);
        p.setPen(Qt::NoPen);
        p.setBrush(QColor(0, 0, 0, 90));
        p.drawRect(track);
        p.setBrush(c.running.lighter(120));
        p.drawRect(QRectF(track.topLeft(), QSizeF(track.width() * frac, track.height())));
    }
}

void NodePainter::paintPorts(QPainter& p, const NodeGeometry& g) {
    p.setFont(NodeGeometry::labelFont());
    p.setPen(canvasColors().nodeText);
    for (int i = 0; i < g.inputs.size(); ++i)
        drawElided(p, g.portLabelRect(PortSide::In, i), Qt::AlignVCenter | Qt::AlignLeft,
                   g.inputs[i].caption);
    for (int i = 0; i < g.outputs.size(); ++i) {
        const QRectF r = g.portLabelRect(PortSide::Out, i);
        const QString text =
            QFontMetricsF(p.font()).elidedText(g.outputs[i].caption, Qt::ElideRight, r.width());
        p.drawText(r, Qt::AlignVCenter | Qt::AlignRight, text);
    }
}

void NodePainter::paintParams(QPainter& p, const NodeGeometry& g, const NodePaintState& s) {
    // The labels; the editors are child items.
    const CanvasColors& c = canvasColors();
    p.setFont(NodeGeometry::labelFont());
    for (int i = 0; i < g.params.size() && i < s.paramLabels.size(); ++i) {
        const bool unused = s.paramUnused.value(i);
        p.setPen(unused ? c.nodeSubtleText.darker(150) : c.nodeSubtleText);
        drawElided(p, g.params[i].label, Qt::AlignVCenter | Qt::AlignLeft, s.paramLabels[i]);
    }
}

void NodePainter::paintThumbnail(QPainter& p, const NodeGeometry& g, const NodePaintState& s) {
    if (g.thumbnail.isNull()) return;
    p.setPen(QPen(canvasColors().nodeBorder, 1));
    p.setBrush(QColor(0x12, 0x13, 0x15));
    p.drawRoundedRect(g.thumbnail, 3, 3);
    if (s.thumbnail.isNull()) {
        p.setPen(canvasColors().nodeSubtleText);
        p.setFont(NodeGeometry::labelFont());
        p.drawText(g.thumbnail.adjusted(6, 6, -6, -6), Qt::AlignCenter | Qt::TextWordWrap, s.thumbnailNote);
        return;
    }
    QSizeF size = s.thumbnail.size();
    size.scale(g.thumbnail.size() - QSizeF(4, 4), Qt::KeepAspectRatio);
    const QRectF target(g.thumbnail.center() - QPointF(size.width() / 2, size.height() / 2), size);
    p.setRenderHint(QPainter::SmoothPixmapTransform, true);
    p.drawImage(target, s.thumbnail);
}

void NodePainter::paintOutline(QPainter& p, const NodeGeometry& g, const NodePaintState& s) {
    // Selection wins, then a problem (failed or invalid: red), then the view flag.
    const CanvasColors& c = canvasColors();
    QColor outline = c.nodeBorder;
    qreal width = 1.0;
    if (s.viewed) {
        outline = c.viewFlag;
        width = 1.6;
    }
    if (s.status.isProblem()) {
        outline = c.error;
        width = 2.5;
    }
    if (s.selected) {
        outline = c.nodeSelected;
        width = 2.0;
    }
    p.setBrush(Qt::NoBrush);
    p.setPen(QPen(outline, width));
    p.drawRoundedRect(g.body(), NodeGeometry::kCorner, NodeGeometry::kCorner);
    if (s.selected && s.status.isProblem()) {  // still say it is broken
        p.setPen(QPen(c.error, 2.0));
        p.drawRoundedRect(g.body().adjusted(-3, -3, 3, 3), NodeGeometry::kCorner + 2,
                          NodeGeometry::kCorner + 2);
    }
}

void NodePainter::paintBadge(QPainter& p, const NodeGeometry& g, const NodePaintState& s) {
    // Status badge above the title, right-aligned.
    QString badge = badgeText(s.status, s.progress);
    if (s.bypassed) badge = badge.isEmpty() ? QObject::tr("bypassed") : QObject::tr("bypassed · ") + badge;
    if (badge.isEmpty()) return;
    QFont f = NodeGeometry::labelFont();
    f.setBold(true);
    p.setFont(f);
    const qreal w = QFontMetricsF(f).horizontalAdvance(badge) + 14;
    const QRectF rect(g.width - w, -g.badgeHeight, w, g.badgeHeight - 3);
    p.setPen(Qt::NoPen);
    p.setBrush(s.bypassed && s.status.state == NodeStatus::State::Idle ? canvasColors().bypass
                                                                       : statusColor(s.status));
    p.drawRoundedRect(rect, 4, 4);
    p.setPen(Qt::white);
    p.drawText(rect, Qt::AlignCenter, badge);
}

void NodePainter::paintError(QPainter& p, const NodeGeometry& g, const NodePaintState& s) {
    // The message box below the node (the node is raised above its neighbours while it has one).
    if (!s.status.isProblem() || s.status.message.isEmpty()) return;
    const QRectF box = errorRect(g, s.status.message);
    p.setPen(QPen(canvasColors().error, 1));
    p.setBrush(QColor(0x3a, 0x14, 0x14, 240));
    p.drawRoundedRect(box, 4, 4);
    p.setFont(NodeGeometry::labelFont());
    p.setPen(QColor(0xff, 0xd0, 0xd0));
    const QFontMetricsF fm(p.font());
    const QRectF inner = box.adjusted(6, 5, -6, -5);
    // Too long for the box: the end is cut off with "…" (the tooltip and the log have the whole text).
    QString text = s.status.message;
    if (fm.boundingRect(QRectF(0, 0, inner.width(), 1e6), kErrorFlags, text).height() > inner.height() + 1) {
        while (text.size() > 8 &&
               fm.boundingRect(QRectF(0, 0, inner.width(), 1e6), kErrorFlags, text + QStringLiteral("…"))
                       .height() > inner.height() + 1)
            text.chop(std::max<qsizetype>(1, text.size() / 20));
        text += QStringLiteral("…");
    }
    p.drawText(inner, kErrorFlags, text);
}

}  // namespace sv::ui
