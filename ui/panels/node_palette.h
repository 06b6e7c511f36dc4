// The add-node palette: a filter field over every registered node type, grouped by category. Used twice: as
// the searchable popup that Tab / double-click / Shift+A open at the cursor (type to filter, Enter adds,
// Escape closes), and as the "Nodes" dock (double-click or Enter adds beside the selection; entries can be
// dragged onto the canvas).
#pragma once

#include <QFrame>
#include <QList>
#include <QString>

class QLabel;
class QLineEdit;
class QTreeWidget;
class QTreeWidgetItem;

namespace sv::ui {

/// One addable node type, as the palette lists it.
struct PaletteEntry {
    QString typeId;       ///< stable type id, e.g. "sana.sampler"
    QString caption;      ///< what the user reads, e.g. "Sampler"
    QString category;     ///< grouping, "Sampling"
    QString description;  ///< tooltip
};

/// Score of `entry` for the filter text: < 0 hides it, higher ranks first. Matches words of the filter
/// against the caption, type id and category (case-insensitive; every word must match somewhere).
int paletteMatchScore(const PaletteEntry& entry, const QString& filter);

class NodeList : public QWidget {
    Q_OBJECT
  public:
    /// MIME type of a node type dragged from the list (the data is the type id, UTF-8).
    static constexpr const char* kNodeTypeMime = "application/x-sanavideo-node-type";

    explicit NodeList(QWidget* parent = nullptr);

    void setEntries(QList<PaletteEntry> entries);
    const QList<PaletteEntry>& entries() const { return entries_; }
    void setFilterText(const QString& text);
    QString filterText() const;
    /// The type ids now shown, in display order.
    QStringList visibleTypeIds() const;
    /// The highlighted type id ("" when none).
    QString currentTypeId() const;
    QLineEdit* filterEdit() const { return filter_; }
    QTreeWidget* tree() const { return tree_; }
    /// Lets entries be dragged (onto the canvas).
    void setDragEnabled(bool on);
    /// No entry highlighted (after a node was added from the list, so the next Enter does not add another).
    void clearHighlight();

  signals:
    void nodeChosen(const QString& typeId);

  protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

  private:
    void rebuild();
    void chooseCurrent();

    QList<PaletteEntry> entries_;
    QLineEdit* filter_ = nullptr;
    QTreeWidget* tree_ = nullptr;
};

/// The popup form: a frameless NodeList that closes itself after a choice or on Escape / focus loss.
class NodePalette : public QFrame {
    Q_OBJECT
  public:
    explicit NodePalette(QWidget* parent = nullptr);

    /// Opens at `globalPos` listing `entries` (already narrowed by the caller, e.g. to types compatible with
    /// a dragged link), with the filter field focused and empty.
    void popup(const QPoint& globalPos, QList<PaletteEntry> entries, const QString& title = {});
    NodeList* list() const { return list_; }

  signals:
    void nodeChosen(const QString& typeId);
    void dismissed();

  protected:
    void hideEvent(QHideEvent* event) override;
    bool event(QEvent* event) override;

  private:
    NodeList* list_ = nullptr;
    QLabel* title_ = nullptr;
    bool chose_ = false;
};

}  // namespace sv::ui
