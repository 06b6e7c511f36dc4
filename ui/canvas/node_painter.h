// NodePainter: draws a node from its geometry and a snapshot of what to show. Pure painting: no geometry
// changes, no document access.
#pragma once

#include <QPainter>
#include <QString>

#include "canvas/graph_model.h"
#include "canvas/node_geometry.h"

namespace sv::ui {

struct NodePaintState {
    QString title;
    QString category;
    QStringList paramLabels;  ///< labels of the inline parameter rows
    bool selected = false;
    bool bypassed = false;
    bool viewed = false;
    bool unknownType = false;
    NodeStatus status;
};

class NodePainter {
  public:
    /// The box below the node holding an error message (empty when there is none).
    static QRectF errorRect(const NodeGeometry& g, const QString& message);
    /// The status badge text ("cached", "12/50", "error", ...); empty when none.
    static QString badgeText(const NodeStatus& s);
    static void paint(QPainter& p, const NodeGeometry& g, const NodePaintState& s);
};

}  // namespace sv::ui
