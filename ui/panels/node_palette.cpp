#include "panels/node_palette.h"

#include <QGuiApplication>
#include <QHeaderView>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QMap>
#include <QMimeData>
#include <QScreen>
#include <QTreeWidget>
#include <QVBoxLayout>

#include <algorithm>

#include "app/theme.h"

namespace sv::ui {

namespace {
/// The list's tree: dragging an entry carries its node type id.
class NodeTree : public QTreeWidget {
  public:
    using QTreeWidget::QTreeWidget;

  protected:
    QStringList mimeTypes() const override { return {QString::fromLatin1(NodeList::kNodeTypeMime)}; }
    QMimeData* mimeData(const QList<QTreeWidgetItem*>& items) const override {
        if (items.isEmpty() || items.first()->data(0, Qt::UserRole).toString().isEmpty()) return nullptr;
        auto* mime = new QMimeData;
        mime->setData(QString::fromLatin1(NodeList::kNodeTypeMime),
                      items.first()->data(0, Qt::UserRole).toString().toUtf8());
        return mime;
    }
};
}  // namespace

int paletteMatchScore(const PaletteEntry& entry, const QString& filter) {
    const QStringList words = filter.simplified().toLower().split(u' ', Qt::SkipEmptyParts);
    if (words.isEmpty()) return 0;
    const QString caption = entry.caption.toLower(), id = entry.typeId.toLower(),
                  cat = entry.category.toLower();
    int score = 0;
    for (const QString& w : words) {
        if (caption.startsWith(w)) {
            score += 100;
        } else if (caption.contains(u' ' + w)) {
            score += 60;  // word start inside the caption
        } else if (caption.contains(w)) {
            score += 40;
        } else if (id.contains(w)) {
            score += 20;
        } else if (cat.contains(w)) {
            score += 10;
        } else {
            // Subsequence match on the caption ("smpl" finds "Sampler").
            qsizetype at = 0;
            for (QChar c : w) {
                at = caption.indexOf(c, at);
                if (at < 0) return -1;
                ++at;
            }
            score += 5;
        }
    }
    return score;
}

NodeList::NodeList(QWidget* parent) : QWidget(parent) {
    filter_ = new QLineEdit(this);
    filter_->setObjectName(QStringLiteral("paletteFilter"));
    filter_->setPlaceholderText(tr("Search nodes…"));
    filter_->setClearButtonEnabled(true);
    filter_->installEventFilter(this);
    connect(filter_, &QLineEdit::textChanged, this, &NodeList::rebuild);
    connect(filter_, &QLineEdit::returnPressed, this, &NodeList::chooseCurrent);

    tree_ = new NodeTree(this);
    tree_->setObjectName(QStringLiteral("paletteTree"));
    tree_->setHeaderHidden(true);
    tree_->setRootIsDecorated(true);
    tree_->setUniformRowHeights(true);
    tree_->installEventFilter(this);
    connect(tree_, &QTreeWidget::itemActivated, this, [this](QTreeWidgetItem* item) {
        const QString id = item->data(0, Qt::UserRole).toString();
        if (!id.isEmpty()) emit nodeChosen(id);
    });

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    layout->addWidget(filter_);
    layout->addWidget(tree_, 1);
}

void NodeList::setEntries(QList<PaletteEntry> entries) {
    entries_ = std::move(entries);
    rebuild();
}

void NodeList::setFilterText(const QString& text) {
    filter_->setText(text);
}
QString NodeList::filterText() const {
    return filter_->text();
}

void NodeList::rebuild() {
    tree_->clear();
    const QString filter = filter_->text();
    if (filter.trimmed().isEmpty()) {
        // Grouped by category, alphabetical.
        QMap<QString, QList<const PaletteEntry*>> groups;
        for (const PaletteEntry& e : entries_) groups[e.category.isEmpty() ? tr("Other") : e.category] << &e;
        for (auto it = groups.begin(); it != groups.end(); ++it) {
            auto* group = new QTreeWidgetItem(tree_, {it.key()});
            group->setFlags(Qt::ItemIsEnabled);
            group->setForeground(0, categoryColor(it.key()).lighter(170));
            std::sort(it->begin(), it->end(), [](auto* a, auto* b) { return a->caption < b->caption; });
            for (const PaletteEntry* e : *it) {
                auto* item = new QTreeWidgetItem(group, {e->caption});
                item->setData(0, Qt::UserRole, e->typeId);
                item->setToolTip(0,
                                 e->description.isEmpty() ? e->typeId : e->typeId + u'\n' + e->description);
            }
        }
        tree_->expandAll();
    } else {
        // Flat, best match first, with the category as a hint.
        QList<std::pair<int, const PaletteEntry*>> hits;
        for (const PaletteEntry& e : entries_) {
            const int s = paletteMatchScore(e, filter);
            if (s >= 0) hits.append({s, &e});
        }
        std::stable_sort(hits.begin(), hits.end(), [](auto& a, auto& b) {
            return a.first != b.first ? a.first > b.first : a.second->caption < b.second->caption;
        });
        for (const auto& [score, e] : hits) {
            auto* item = new QTreeWidgetItem(tree_, {e->caption + QStringLiteral("   — ") + e->category});
            item->setData(0, Qt::UserRole, e->typeId);
            item->setToolTip(0, e->description.isEmpty() ? e->typeId : e->typeId + u'\n' + e->description);
        }
    }
    // Highlight the first node entry so Enter adds it.
    for (QTreeWidgetItemIterator it(tree_); *it; ++it) {
        if (!(*it)->data(0, Qt::UserRole).toString().isEmpty()) {
            tree_->setCurrentItem(*it);
            break;
        }
    }
}

void NodeList::setDragEnabled(bool on) {
    tree_->setDragEnabled(on);
    tree_->setDragDropMode(on ? QAbstractItemView::DragOnly : QAbstractItemView::NoDragDrop);
}

void NodeList::clearHighlight() {
    tree_->clearSelection();
    tree_->setCurrentItem(nullptr);
}

QStringList NodeList::visibleTypeIds() const {
    QStringList ids;
    for (QTreeWidgetItemIterator it(tree_); *it; ++it) {
        const QString id = (*it)->data(0, Qt::UserRole).toString();
        if (!id.isEmpty()) ids << id;
    }
    return ids;
}

QString NodeList::currentTypeId() const {
    const QTreeWidgetItem* item = tree_->currentItem();
    return item ? item->data(0, Qt::UserRole).toString() : QString();
}

void NodeList::chooseCurrent() {
    const QString id = currentTypeId();
    if (!id.isEmpty()) emit nodeChosen(id);
}

bool NodeList::eventFilter(QObject* watched, QEvent* event) {
    if (event->type() == QEvent::KeyPress) {
        auto* key = static_cast<QKeyEvent*>(event);
        if (watched == filter_ && (key->key() == Qt::Key_Down || key->key() == Qt::Key_Up)) {
            // Arrow keys in the filter field move the highlight, skipping category rows.
            QTreeWidgetItem* item = tree_->currentItem();
            do {
                item = item ? (key->key() == Qt::Key_Down ? tree_->itemBelow(item) : tree_->itemAbove(item))
                            : tree_->topLevelItem(0);
            } while (item && item->data(0, Qt::UserRole).toString().isEmpty());
            if (item) tree_->setCurrentItem(item);
            return true;
        }
        if (watched == tree_ && (key->key() == Qt::Key_Return || key->key() == Qt::Key_Enter)) {
            chooseCurrent();
            return true;
        }
    }
    return QWidget::eventFilter(watched, event);
}

NodePalette::NodePalette(QWidget* parent) : QFrame(parent, Qt::Popup) {
    setObjectName(QStringLiteral("nodePalette"));
    setFrameShape(QFrame::StyledPanel);
    title_ = new QLabel(this);
    title_->setVisible(false);
    list_ = new NodeList(this);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(title_);
    layout->addWidget(list_);
    resize(300, 360);
    connect(list_, &NodeList::nodeChosen, this, [this](const QString& id) {
        chose_ = true;
        hide();
        emit nodeChosen(id);
    });
}

void NodePalette::popup(const QPoint& globalPos, QList<PaletteEntry> entries, const QString& title) {
    chose_ = false;
    title_->setText(title);
    title_->setVisible(!title.isEmpty());
    list_->setEntries(std::move(entries));
    list_->setFilterText(QString());
    QPoint pos = globalPos;
    if (const QScreen* screen = QGuiApplication::screenAt(globalPos)) {
        const QRect area = screen->availableGeometry();
        pos.setX(std::clamp(pos.x(), area.left(), std::max(area.left(), area.right() - width())));
        pos.setY(std::clamp(pos.y(), area.top(), std::max(area.top(), area.bottom() - height())));
    }
    move(pos);
    show();
    raise();
    activateWindow();
    list_->filterEdit()->setFocus(Qt::PopupFocusReason);
}

bool NodePalette::event(QEvent* event) {
    // Escape closes the palette, and only that: it must not reach the canvas's "cancel the run" shortcut.
    if (event->type() == QEvent::ShortcutOverride &&
        static_cast<QKeyEvent*>(event)->key() == Qt::Key_Escape) {
        event->accept();
        return true;
    }
    if (event->type() == QEvent::KeyPress && static_cast<QKeyEvent*>(event)->key() == Qt::Key_Escape) {
        hide();
        return true;
    }
    return QFrame::event(event);
}

void NodePalette::hideEvent(QHideEvent* event) {
    QFrame::hideEvent(event);
    if (!chose_) emit dismissed();
}

}  // namespace sv::ui
