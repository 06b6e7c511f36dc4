#include "canvas/node_geometry.h"

#include <QApplication>
#include <QFontMetricsF>

#include <algorithm>
#include <cmath>

#include "panels/param_widgets.h"

namespace sv::ui {

namespace {

/// The least room an editor of this parameter needs to be usable.
qreal widgetMinWidth(const sp::ParamSpec& p, const QFontMetricsF& fm) {
    using T = sp::PortType;
    if (p.type == T::Bool) return 22;
    if (p.type == T::Enum) {
        qreal w = 0;
        for (const auto& c : p.choices) w = std::max(w, fm.horizontalAdvance(QString::fromStdString(c)));
        return w + 40;  // the arrow
    }
    if (p.type == T::Path) return 200;
    if (p.type == T::String) return p.multiline ? 280 : 150;
    return fm.horizontalAdvance(QStringLiteral("000000.00")) + 30;
}

}  // namespace

QFont NodeGeometry::titleFont() {
    QFont f = QApplication::font();
    f.setPointSizeF(std::max(10.5, f.pointSizeF() + 1.5));
    f.setBold(true);
    return f;
}

QFont NodeGeometry::labelFont() {
    QFont f = QApplication::font();
    f.setPointSizeF(std::max(9.5, f.pointSizeF() + 0.5));
    return f;
}

bool isImageFileParam(const sp::ParamSpec& spec) {
    if (spec.type != sp::PortType::Path || spec.pathMode != sp::PathMode::OpenFile) return false;
    const QString filter = QString::fromStdString(spec.fileFilter).toLower();
    return filter.contains(QStringLiteral("*.png")) || filter.contains(QStringLiteral("*.jpg"));
}

QRectF NodeGeometry::portLabelRect(PortSide side, int i) const {
    const QPointF at = side == PortSide::In ? inputPos(i) : outputPos(i);
    const qreal half = width / 2 - kPadding - 6;
    return side == PortSide::In ? QRectF(kPadding + 4, at.y() - portRow / 2, half, portRow)
                                : QRectF(width / 2 + 2, at.y() - portRow / 2, half, portRow);
}

QStringList NodeGeometry::inlineParams() const {
    QStringList names;
    for (const ParamRow& r : params) names << r.name;
    return names;
}

NodeGeometry NodeGeometry::compute(const GraphModel& model, const QString& id) {
    Input in;
    in.title = model.title(id);
    in.inputs = model.ports(id, PortSide::In);
    in.outputs = model.ports(id, PortSide::Out);
    if (const sp::NodeDescriptor* d = model.descriptor(id))
        for (const sp::ParamSpec& p : d->params)
            if (model.isParamOnNode(id, GraphModel::qs(p.name))) in.params.push_back(&p);
    return layout(in);
}

NodeGeometry NodeGeometry::forType(const sp::NodeDescriptor& d) {
    Input in;
    in.title = GraphModel::qs(d.caption.empty() ? d.typeId : d.caption);
    auto port = [](const sp::PortSpec& p) {
        PortInfo info;
        info.name = info.caption = GraphModel::qs(p.name);
        info.optional = p.optional;
        return info;
    };
    for (const sp::PortSpec& p : d.inputs) in.inputs.append(port(p));
    for (const sp::PortSpec& p : d.outputs) in.outputs.append(port(p));
    for (const sp::ParamSpec& p : d.params)
        if (showsOnNodeByDefault(p)) in.params.push_back(&p);
    return layout(in);
}

NodeGeometry NodeGeometry::layout(const Input& in) {
    NodeGeometry g;
    g.inputs = in.inputs;
    g.outputs = in.outputs;
    const QFontMetricsF tm(titleFont()), lm(labelFont());
    g.titleHeight = std::ceil(tm.height() + 12);
    g.portRow = std::ceil(lm.height() + 8);
    g.badgeHeight = std::ceil(lm.height() + 6);
    const qreal rowHeight = std::ceil(lm.height() + 14);

    // Width: the title, the port captions side by side, each parameter's label plus its editor.
    qreal w = tm.horizontalAdvance(in.title) + 2 * kPadding + 28;  // the view dot
    const int portRows = int(std::max(g.inputs.size(), g.outputs.size()));
    for (int r = 0; r < portRows; ++r) {
        const qreal a = r < g.inputs.size() ? lm.horizontalAdvance(g.inputs[r].caption) : 0;
        const qreal b = r < g.outputs.size() ? lm.horizontalAdvance(g.outputs[r].caption) : 0;
        w = std::max(w, 2 * std::max(a, b) + 4 * kPadding + 16);
    }
    qreal labelWidth = 0;
    for (const sp::ParamSpec* p : in.params)
        if (!(p->type == sp::PortType::String && p->multiline))
            labelWidth =
                std::max(labelWidth, std::min(kMaxLabelWidth, lm.horizontalAdvance(paramCaption(*p)) + 4));
    for (const sp::ParamSpec* p : in.params) {
        const bool stacked = p->type == sp::PortType::String && p->multiline;
        w = std::max(w, 2 * kPadding + (stacked ? 0 : labelWidth + 8) + widgetMinWidth(*p, lm));
        if (isImageFileParam(*p) && g.thumbnailParam.isEmpty()) g.thumbnailParam = GraphModel::qs(p->name);
    }
    g.width = std::max(kMinWidth, std::ceil(w));

    qreal y = g.titleHeight + 4 + portRows * g.portRow;
    if (!in.params.empty()) y += 4;
    const qreal inner = g.width - 2 * kPadding;
    for (const sp::ParamSpec* p : in.params) {
        ParamRow row;
        row.name = GraphModel::qs(p->name);
        if (p->type == sp::PortType::String && p->multiline) {
            // Multi-line text: the label on its own line, the box across the node below it.
            const qreal box = std::ceil(lm.lineSpacing() * inlineTextLines(*p) + 12);
            row.rect = QRectF(kPadding, y, inner, lm.height() + 4 + box + 4);
            row.label = QRectF(kPadding, y, inner, lm.height() + 4);
            row.widget = QRectF(kPadding, y + lm.height() + 4, inner, box);
        } else {
            row.rect = QRectF(kPadding, y, inner, rowHeight);
            row.label = QRectF(kPadding, y, labelWidth, rowHeight);
            row.widget = QRectF(kPadding + labelWidth + 8, y + 2, inner - labelWidth - 8, rowHeight - 4);
        }
        y += row.rect.height();
        g.params.append(row);
    }
    if (!g.thumbnailParam.isEmpty()) {
        g.thumbnail = QRectF(kPadding, y + 4, inner, kThumbnailHeight);
        y += kThumbnailHeight + 8;
    }
    g.height = std::max(y + kPadding, g.titleHeight + 2 * kPadding);
    return g;
}

}  // namespace sv::ui
