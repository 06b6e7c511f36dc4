#include "canvas/node_geometry.h"

#include <QFontMetricsF>

#include <algorithm>

#include "panels/param_widgets.h"

namespace sv::ui {

QFont NodeGeometry::titleFont() {
    QFont f;
    f.setPointSizeF(9.5);
    f.setBold(true);
    return f;
}

QFont NodeGeometry::labelFont() {
    QFont f;
    f.setPointSizeF(8.5);
    return f;
}

QRectF NodeGeometry::paramWidgetRect(int i) const {
    const QRectF row = paramRows.value(i);
    const qreal labelWidth = std::min(row.width() * 0.42, 96.0);
    return row.adjusted(labelWidth, 2, 0, -2);
}

NodeGeometry NodeGeometry::compute(const GraphModel& model, const QString& id, const QFont& titleFont,
                                   const QFont& labelFont) {
    NodeGeometry g;
    g.inputs = model.ports(id, PortSide::In);
    g.outputs = model.ports(id, PortSide::Out);
    if (const sp::NodeDescriptor* d = model.descriptor(id))
        for (const sp::ParamSpec& p : d->params)
            if (showsInline(p)) g.inlineParams << GraphModel::qs(p.name);

    const QFontMetricsF tm(titleFont), lm(labelFont);
    qreal w = tm.horizontalAdvance(model.title(id)) + 2 * kPadding + 40;  // room for the badges
    const int rows = int(std::max(g.inputs.size(), g.outputs.size()));
    for (int r = 0; r < rows; ++r) {
        const qreal in = r < g.inputs.size() ? lm.horizontalAdvance(g.inputs[r].caption) : 0;
        const qreal out = r < g.outputs.size() ? lm.horizontalAdvance(g.outputs[r].caption) : 0;
        w = std::max(w, in + out + 4 * kPadding + 16);
    }
    g.width = std::max(kMinWidth, std::ceil(w));
    qreal y = kTitleHeight + 4 + rows * kPortRow;
    if (!g.inlineParams.isEmpty()) y += 4;
    for (int i = 0; i < g.inlineParams.size(); ++i) {
        g.paramRows << QRectF(kPadding, y, g.width - 2 * kPadding, kParamRow);
        y += kParamRow;
    }
    g.height = std::max(y + kPadding, kTitleHeight + 2 * kPadding);
    return g;
}

}  // namespace sv::ui
