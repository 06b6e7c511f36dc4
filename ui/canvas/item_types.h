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
constexpr qreal kSelectedNode = 1.0;
constexpr qreal kDraft = 10.0;
}  // namespace zorder

}  // namespace sv::ui
