// NodeGeometry: where everything of a node goes (title, port rows, parameter rows with their label and
// widget, the image thumbnail, port centres), computed from the model alone. Painting and hit-testing read
// it; nothing here changes the document. Sizes follow the node fonts, which follow the application font, so
// nodes read the same at 100 % on any screen (Qt scales fonts and coordinates for HiDPI).
#pragma once

#include <QFont>
#include <QList>
#include <QPointF>
#include <QRectF>
#include <QStringList>

#include "canvas/graph_model.h"

namespace sv::ui {

struct NodeGeometry {
    static constexpr qreal kPadding = 9.0;
    static constexpr qreal kPortRadius = 6.0;
    static constexpr qreal kMinWidth = 210.0;
    static constexpr qreal kMaxLabelWidth = 150.0;  ///< longer parameter labels are elided (tooltip: whole)
    static constexpr qreal kCorner = 6.0;
    static constexpr qreal kThumbnailHeight = 120.0;

    /// One parameter shown on the node.
    struct ParamRow {
        QString name;
        QRectF rect;    ///< the whole row
        QRectF label;   ///< the label (above the widget for multi-line text)
        QRectF widget;  ///< the editor
    };

    qreal width = kMinWidth;
    qreal height = 0;
    qreal titleHeight = 30;
    qreal portRow = 24;
    qreal badgeHeight = 20;  ///< room above the node for the status badge
    QList<PortInfo> inputs;
    QList<PortInfo> outputs;
    QList<ParamRow> params;  ///< parameters shown on the node, in descriptor order
    QRectF thumbnail;        ///< the image preview of an image-file parameter (null when none)
    QString thumbnailParam;  ///< that parameter

    QRectF body() const { return {0, 0, width, height}; }
    QRectF titleRect() const { return {0, 0, width, titleHeight}; }
    QPointF inputPos(int i) const { return {0, titleHeight + portRow * (i + 0.5) + 4}; }
    QPointF outputPos(int i) const { return {width, titleHeight + portRow * (i + 0.5) + 4}; }
    /// The label of port row i (input or output side).
    QRectF portLabelRect(PortSide side, int i) const;
    /// The widget part of parameter row i.
    QRectF paramWidgetRect(int i) const { return params.value(i).widget; }
    /// The names of the parameters shown on the node.
    QStringList inlineParams() const;

    /// The layout of node `id`.
    static NodeGeometry compute(const GraphModel& model, const QString& id);
    /// The layout a new node of type `d` would get (for placing it before it exists).
    static NodeGeometry forType(const sp::NodeDescriptor& d);
    /// The node fonts: a little larger than the application font, so node text reads at 100 %.
    static QFont titleFont();
    static QFont labelFont();

  private:
    struct Input {
        QString title;
        QList<PortInfo> inputs, outputs;
        std::vector<const sp::ParamSpec*> params;  // shown on the node
    };
    static NodeGeometry layout(const Input& in);
};

/// Whether an OpenFile PATH parameter names images (its filter lists png/jpg/…): the node shows a thumbnail.
bool isImageFileParam(const sp::ParamSpec& spec);

}  // namespace sv::ui
