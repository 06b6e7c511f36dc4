// NodePainter: draws a node from its geometry and a snapshot of what to show. Pure painting: no geometry
// changes, no document access.
#pragma once

#include <QImage>
#include <QPainter>
#include <QString>

#include <optional>

#include "canvas/graph_model.h"
#include "canvas/node_geometry.h"

namespace sv::ui {

struct NodePaintState {
    QString title;
    QString category;
    QStringList paramLabels;  ///< labels of the parameter rows (geometry order)
    QList<bool> paramUnused;  ///< rows whose value a connected input supplies (drawn dimmed)
    bool selected = false;
    bool bypassed = false;
    bool viewed = false;
    bool unknownType = false;
    NodeStatus status;
    std::optional<StepProgress> progress;  ///< the running node's step
    QImage thumbnail;                      ///< the image parameter's picture (geometry.thumbnail)
    QString thumbnailNote;                 ///< said instead when there is no picture
};

class NodePainter {
  public:
    /// The box below the node holding an error or the problems found (empty when there is none).
    static QRectF errorRect(const NodeGeometry& g, const QString& message);
    /// The status badge text ("cached", "12/50", "error", "invalid", ...); empty when none.
    static QString badgeText(const NodeStatus& s, const std::optional<StepProgress>& progress = std::nullopt);
    static void paint(QPainter& p, const NodeGeometry& g, const NodePaintState& s);

  private:
    static void paintBody(QPainter& p, const NodeGeometry& g, const NodePaintState& s);
    static void paintTitle(QPainter& p, const NodeGeometry& g, const NodePaintState& s);
    static void paintPorts(QPainter& p, const NodeGeometry& g);
    static void paintParams(QPainter& p, const NodeGeometry& g, const NodePaintState& s);
    static void paintThumbnail(QPainter& p, const NodeGeometry& g, const NodePaintState& s);
    static void paintOutline(QPainter& p, const NodeGeometry& g, const NodePaintState& s);
    static void paintBadge(QPainter& p, const NodeGeometry& g, const NodePaintState& s);
    static void paintError(QPainter& p, const NodeGeometry& g, const NodePaintState& s);
};

}  // namespace sv::ui
