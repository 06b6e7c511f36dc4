// NodeGeometry: where everything of a node goes (title, port rows, inline parameter rows, port centres),
// computed from the model alone. Painting and hit-testing read it; nothing here changes the document.
#pragma once

#include <QFont>
#include <QList>
#include <QPointF>
#include <QRectF>
#include <QStringList>

#include "canvas/graph_model.h"

namespace sv::ui {

struct NodeGeometry {
    static constexpr qreal kTitleHeight = 26.0;
    static constexpr qreal kPortRow = 22.0;
    static constexpr qreal kParamRow = 26.0;
    static constexpr qreal kPadding = 8.0;
    static constexpr qreal kPortRadius = 5.5;
    static constexpr qreal kMinWidth = 190.0;
    static constexpr qreal kCorner = 6.0;
    static constexpr qreal kBadgeHeight = 18.0;  ///< room above the node for the status badge

    qreal width = kMinWidth;
    qreal height = kTitleHeight;
    QList<PortInfo> inputs;
    QList<PortInfo> outputs;
    QStringList inlineParams;  ///< parameters with an inline widget, in descriptor order
    QList<QRectF> paramRows;   ///< one per inline parameter (label + widget)

    QRectF body() const { return {0, 0, width, height}; }
    QRectF titleRect() const { return {0, 0, width, kTitleHeight}; }
    QPointF inputPos(int i) const { return {0, kTitleHeight + kPortRow * (i + 0.5) + 4}; }
    QPointF outputPos(int i) const { return {width, kTitleHeight + kPortRow * (i + 0.5) + 4}; }
    /// The widget part of an inline parameter row.
    QRectF paramWidgetRect(int i) const;

    /// The layout of node `id` with fonts `titleFont` / `labelFont`.
    static NodeGeometry compute(const GraphModel& model, const QString& id, const QFont& titleFont,
                                const QFont& labelFont);
    static QFont titleFont();
    static QFont labelFont();
};

}  // namespace sv::ui
