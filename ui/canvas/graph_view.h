// GraphView: the canvas widget. Pans (middle-drag, or Space+drag), zooms around the cursor (wheel), frames
// the selection (F) or everything (Home), rubber-band selects, and owns the canvas actions (Delete,
// copy/paste, duplicate, bypass, view flag, add node) and the add-node palette popup. Files dropped on it are
// reported with fileDropped(); the main window decides what to do with them.
#pragma once

#include <QGraphicsView>

#include <optional>

#include "canvas/graph_scene.h"
#include "panels/node_palette.h"

class QAction;

namespace sv::ui {

class GraphView : public QGraphicsView {
    Q_OBJECT
  public:
    /// The canvas actions, for menus and tests. Their shortcuts work while the canvas has focus.
    struct Actions {
        QAction* addNode = nullptr;    ///< Tab, Shift+A
        QAction* remove = nullptr;     ///< Delete, Backspace
        QAction* cut = nullptr;        ///< Ctrl+X
        QAction* copy = nullptr;       ///< Ctrl+C
        QAction* paste = nullptr;      ///< Ctrl+V
        QAction* duplicate = nullptr;  ///< Ctrl+D
        QAction* selectAll = nullptr;  ///< Ctrl+A
        QAction* bypass = nullptr;     ///< D
        QAction* view = nullptr;       ///< V
        QAction* frame = nullptr;      ///< F
        QAction* frameAll = nullptr;   ///< Home
    };

    explicit GraphView(GraphScene& scene, QWidget* parent = nullptr);
    ~GraphView() override;

    GraphScene& graphScene() { return scene_; }
    const Actions& actions() const { return actions_; }
    NodePalette* palette() const { return palette_; }

    /// Opens the add-node palette at a viewport position (the new node goes there).
    void openPalette(QPoint viewPos, std::optional<PendingLink> pending = std::nullopt);
    /// Frames the selected nodes, or every node when none is selected.
    void frameSelection();
    void frameAll();
    /// Zoom factor (1 = 100 %).
    qreal zoom() const { return transform().m11(); }
    void setZoom(qreal zoom, std::optional<QPoint> anchorViewPos = std::nullopt);
    /// Where a pasted or added node goes: under the cursor when it is over the canvas, else the view's
    /// centre.
    QPointF insertionPoint() const;
    /// Adds a node of `typeId` beside the selected nodes (else in the middle of the view), where it covers no
    /// node, selects it and keeps it in sight. Returns its id ("" for an unknown type).
    QString addNodeBesideSelection(const QString& typeId);
    /// Frames everything now, and again while the view is resized, until the user zooms or pans (a graph
    /// that was just opened, while the window settles).
    void frameAllWhenReady();
    /// The hint drawn on an empty canvas ("" when the graph has nodes).
    QString emptyHint() const;
    /// What Escape does on the canvas before anything else: closes a node editor's popup or ends an edit on a
    /// node. Returns false when there was nothing to close (Escape may then cancel the run).
    bool escape();

  signals:
    /// A file was dropped on the canvas (a graph JSON or an MP4 with an embedded graph).
    void fileDropped(const QString& path);
    /// Something to tell the user (a value typed on a node snapped to a valid one).
    void hintMessage(const QString& text);

  protected:
    void wheelEvent(QWheelEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;
    void keyReleaseEvent(QKeyEvent* event) override;
    void focusOutEvent(QFocusEvent* event) override;
    bool event(QEvent* event) override;
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dragMoveEvent(QDragMoveEvent* event) override;
    void dropEvent(QDropEvent* event) override;
    void contextMenuEvent(QContextMenuEvent* event) override;
    void drawForeground(QPainter* painter, const QRectF& rect) override;
    void resizeEvent(QResizeEvent* event) override;

  private:
    void createActions();
    QList<PaletteEntry> paletteEntries(const std::optional<PendingLink>& pending) const;
    void fitRect(const QRectF& rect);
    /// `topLeft`, or the nearest spot where a new node of `typeId` covers no node.
    QPointF freeSpotFor(const QString& typeId, QPointF topLeft) const;

    GraphScene& scene_;
    Actions actions_;
    NodePalette* palette_ = nullptr;
    QPointF paletteScenePos_;
    std::optional<PendingLink> palettePending_;
    bool spaceHeld_ = false;
    bool panning_ = false;
    bool autoFrame_ = false;
    QPoint panLast_;
};

}  // namespace sv::ui
