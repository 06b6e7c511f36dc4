// The pieces of the Prompt Track panel below the panel itself: the strip of chunks (done / rendering / to
// come, with a mark where each row starts) and the dialog that asks for a row.
#pragma once

#include <QWidget>

#include <functional>

#include "panels/prompt_track.h"

namespace sv::ui {

/// A row of cells, one per chunk: done ones filled, the rendering one highlighted, those to come empty; a
/// mark above the chunk where each row starts. Clicking a cell emits chunkClicked.
class ChunkStrip : public QWidget {
    Q_OBJECT
  public:
    explicit ChunkStrip(QWidget* parent = nullptr);
    /// `rendering`: the chunk rendering now (-1 when idle; done = the chunks before it).
    void setState(qint64 chunks, qint64 rendering, qint64 done, const PromptRows& rows,
                  std::function<QString(qint64)> describe);
    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

  signals:
    void chunkClicked(qint64 chunk);

  protected:
    void paintEvent(QPaintEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    bool event(QEvent* event) override;

  private:
    qint64 chunkAt(int x) const;
    QRectF cellRect(qint64 chunk) const;

    qint64 chunks_ = 1, rendering_ = -1, done_ = 0;
    PromptRows rows_;
    std::function<QString(qint64)> describe_;
};

/// Asks for a row: its first chunk (shown 1-based, from `minChunk`, fixed when `chunkFixed`) and its prompt.
/// False when cancelled.
bool askPromptRow(QWidget* parent, const QString& title, PromptRow& row, qint64 minChunk, qint64 chunks,
                  bool chunkFixed);

}  // namespace sv::ui
