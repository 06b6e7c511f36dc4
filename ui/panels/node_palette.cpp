#include "panels/node_palette.h"

#include <QGuiApplication>
#include <QHeaderView>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QMap>
#include <QScreen>
#include <QTreeWidget>
#include <QVBoxLayout>

#include <algorithm>

#include "app/theme.h"

namespace sv::ui {

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
    m_filter = new QLineEdit(this);
    m_filter->setObjectName(QStringLiteral("paletteFilter"));
    m_filter->setPlaceholderText(tr("Search nodes…"));
    m_filter->setClearButtonEnabled(true);
    m_filter->installEventFilter(this);
    connect(m_filter, &QLineEdit::textChanged, this, &NodeList::rebuild);
    connect(m_filter, &QLineEdit::returnPressed, this, &NodeList::chooseCurrent);

    m_tree = new QTreeWidget(this);
    m_tree->setObjectName(QStringLiteral("paletteTree"));
    m_tree->setHeaderHidden(true);
    m_tree->setRootIsDecorated(true);
    m_tree->setUniformRowHeights(true);
    m_tree->installEventFilter(this);
    connect(m_tree, &QTreeWidget::itemActivated, this, [this](QTreeWidgetItem* item) {
        const QString id = item->data(0, Qt::UserRole).toString();
        if (!id.isEmpty()) emit nodeChosen(id);
    });

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    layout->addWidget(m_filter);
    layout->addWidget(m_tree, 1);
}

void NodeList::setEntries(QList<PaletteEntry> entries) {
    m_entries = std::move(entries);
    rebuild();
}

void NodeList::setFilterText(const QString& text) {
    m_filter->setText(text);
}
QString NodeList::filterText() const {
    return m_filter->text();
}

void NodeList::rebuild() {
    m_tree->clear();
    const QString filter = m_filter->text();
    if (filter.trimmed().isEmpty()) {
        // Grouped by category, alphabetical.
        QMap<QString, QList<const PaletteEntry*>> groups;
        for (const PaletteEntry& e : m_entries) groups[e.category.isEmpty() ? tr("Other") : e.category] << &e;
        for (auto it = groups.begin(); it != groups.end(); ++it) {
            auto* group = new QTreeWidgetItem(m_tree, {it.key()});
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
        m_tree->expandAll();
    } else {
        // Flat, best match first, with the category as a hint.
        QList<std::pair<int, const PaletteEntry*>> hits;
        for (const PaletteEntry& e : m_entries) {
            const int s = paletteMatchScore(e, filter);
            if (s >= 0) hits.append({s, &e});
        }
        std::stable_sort(hits.begin(), hits.end(), [](auto& a, auto& b) {
            return a.first != b.first ? a.first > b.first : a.second->caption < b.second->caption;
        });
        for (const auto& [score, e] : hits) {
            auto* item = new QTreeWidgetItem(m_tree, {e->caption + QStringLiteral("   — ") + e->category});
            item->setData(0, Qt::UserRole, e->typeId);
            item->setToolTip(0, e->description.isEmpty() ? e->typeId : e->typeId + u'\n' + e->description);
        }
    }
    // Highlight the first node entry so Enter adds it.
    for (QTreeWidgetItemIterator it(m_tree); *it; ++it) {
        if (!(*it)->data(0, Qt::UserRole).toString().isEmpty()) {
            m_tree->setCurrentItem(*it);
            break;
        }
    }
}

QStringList NodeList::visibleTypeIds() const {
    QStringList ids;
    for (QTreeWidgetItemIterator it(m_tree); *it; ++it) {
        const QString id = (*it)->data(0, Qt::UserRole).toString();
        if (!id.isEmpty()) ids << id;
    }
    return ids;
}

QString NodeList::currentTypeId() const {
    const QTreeWidgetItem* item = m_tree->currentItem();
    return item ? item->data(0, Qt::UserRole).toString() : QString();
}

void NodeList::chooseCurrent() {
    const QString id = currentTypeId();
    if (!id.isEmpty()) emit nodeChosen(id);
}

bool NodeList::eventFilter(QObject* watched, QEvent* event) {
    if (event->type() == QEvent::KeyPress) {
        auto* key = static_cast<QKeyEvent*>(event);
        if (watched == m_filter && (key->key() == Qt::Key_Down || key->key() == Qt::Key_Up)) {
            // Arrow keys in the filter field move the highlight, skipping category rows.
            QTreeWidgetItem* item = m_tree->currentItem();
            do {
                item = item ? (key->key() == Qt::Key_Down ? m_tree->itemBelow(item) : m_tree->itemAbove(item))
                            : m_tree->topLevelItem(0);
            } while (item && item->data(0, Qt::UserRole).toString().isEmpty());
            if (item) m_tree->setCurrentItem(item);
            return true;
        }
        if (watched == m_tree && (key->key() == Qt::Key_Return || key->key() == Qt::Key_Enter)) {
            chooseCurrent();
            return true;
        }
    }
    return QWidget::eventFilter(watched, event);
}

NodePalette::NodePalette(QWidget* parent) : QFrame(parent, Qt::Popup) {
    setObjectName(QStringLiteral("nodePalette"));
    setFrameShape(QFrame::StyledPanel);
    m_title = new QLabel(this);
    m_title->setVisible(false);
    m_list = new NodeList(this);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(m_title);
    layout->addWidget(m_list);
    resize(300, 360);
    connect(m_list, &NodeList::nodeChosen, this, [this](const QString& id) {
        m_chose = true;
        hide();
        emit nodeChosen(id);
    });
}

void NodePalette::popup(const QPoint& globalPos, QList<PaletteEntry> entries, const QString& title) {
    m_chose = false;
    m_title->setText(title);
    m_title->setVisible(!title.isEmpty());
    m_list->setEntries(std::move(entries));
    m_list->setFilterText(QString());
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
    m_list->filterEdit()->setFocus(Qt::PopupFocusReason);
}

void NodePalette::hideEvent(QHideEvent* event) {
    QFrame::hideEvent(event);
    if (!m_chose) emit dismissed();
}

}  // namespace sv::ui
