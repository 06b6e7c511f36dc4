// QGraphicsItem type ids of the canvas items, for qgraphicsitem_cast.
#pragma once

#include <QGraphicsItem>

namespace sv::ui {

enum ItemType : int {
    kNodeItemType = QGraphicsItem::UserType + 1,
    kPortItemType = QGraphicsItem::UserType + 2,
    kLinkItemType = QGraphicsItem::UserType + 3,
};

/// Stacking order on the canvas.
namespace zorder {
constexpr qreal kLinks = -1.0;
constexpr qreal kNodes = 0.0;
constexpr qreal kProblemNode = 0.5;  ///< a failed or invalid node: its message box covers its neighbours
constexpr qreal kSelectedNode = 1.0;
constexpr qreal kActiveNode = 2.0;  ///< a node whose editor has a popup open
constexpr qreal kDraft = 10.0;
}  // namespace zorder

}  // namespace sv::ui
