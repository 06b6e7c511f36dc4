#include "panels/prompt_track_widgets.h"

#include <QDialog>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHelpEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QToolTip>

#include <algorithm>

namespace sv::ui {

ChunkStrip::ChunkStrip(QWidget* parent) : QWidget(parent) {
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    setMouseTracking(true);
}

void ChunkStrip::setState(qint64 chunks, qint64 rendering, qint64 done, const PromptRows& rows,
                          std::function<QString(qint64)> describe) {
    chunks_ = std::max<qint64>(1, chunks);
    rendering_ = rendering;
    done_ = done;
    rows_ = rows;
    describe_ = std::move(describe);
    update();
}

QSize ChunkStrip::sizeHint() const {
    return {240, fontMetrics().height() + 16};
}

QSize ChunkStrip::minimumSizeHint() const {
    return {80, fontMetrics().height() + 16};
}

QRectF ChunkStrip::cellRect(qint64 chunk) const {
    const double w = double(width() - 2) / double(chunks_);
    return {1 + w * double(chunk), 6.0, w, double(height() - 8)};
}

qint64 ChunkStrip::chunkAt(int x) const {
    const double w = double(width() - 2) / double(chunks_);
    return std::clamp<qint64>(qint64((x - 1) / w), 0, chunks_ - 1);
}

void ChunkStrip::paintEvent(QPaintEvent*) {
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    const QPalette& pal = palette();
    QColor doneColor = pal.color(QPalette::Highlight);
    doneColor.setAlpha(110);
    for (qint64 c = 0; c < chunks_; ++c) {
        const QRectF r = cellRect(c).adjusted(0.5, 0.5, -0.5, -0.5);
        const bool done = rendering_ >= 0 ? c < done_ : false;
        p.setPen(pal.color(QPalette::Mid));
        p.setBrush(c == rendering_ ? pal.color(QPalette::Highlight)
                   : done          ? doneColor
                                   : pal.color(QPalette::Base));
        p.drawRect(r);
    }
    // A mark above the chunk where each row starts.
    p.setPen(Qt::NoPen);
    p.setBrush(pal.color(QPalette::WindowText));
    for (const PromptRow& row : rows_) {
        if (row.chunk >= chunks_) continue;
        const QRectF r = cellRect(row.chunk);
        const QPointF tip(r.left() + 1, 6);
        p.drawPolygon(QPolygonF({tip, tip + QPointF(-4, -5), tip + QPointF(4, -5)}));
    }
}

void ChunkStrip::mousePressEvent(QMouseEvent* event) {
    if (event->button() == Qt::LeftButton) emit chunkClicked(chunkAt(int(event->position().x())));
}

bool ChunkStrip::event(QEvent* event) {
    if (event->type() == QEvent::ToolTip && describe_) {
        const auto* help = static_cast<QHelpEvent*>(event);
        QToolTip::showText(help->globalPos(), describe_(chunkAt(help->pos().x())), this);
        return true;
    }
    return QWidget::event(event);
}

bool askPromptRow(QWidget* parent, const QString& title, PromptRow& row, qint64 minChunk, qint64 chunks,
                  bool chunkFixed) {
    QDialog dialog(parent);
    dialog.setWindowTitle(title);
    auto* form = new QFormLayout(&dialog);
    auto* chunk = new QSpinBox(&dialog);
    chunk->setRange(int(minChunk) + 1, int(std::max(chunks, minChunk + 1)));
    chunk->setValue(int(std::clamp(row.chunk, minChunk, std::max(chunks - 1, minChunk))) + 1);
    chunk->setEnabled(!chunkFixed);
    chunk->setToolTip(QObject::tr("The chunk where this prompt starts; it holds until the next row."));
    auto* prompt = new QPlainTextEdit(row.prompt, &dialog);
    prompt->setTabChangesFocus(true);
    prompt->setMinimumSize(420, 90);
    form->addRow(QObject::tr("From chunk"), chunk);
    form->addRow(QObject::tr("Prompt"), prompt);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, &dialog);
    form->addRow(buttons);
    auto updateOk = [&] {
        buttons->button(QDialogButtonBox::Ok)->setEnabled(!normalizedPrompt(prompt->toPlainText()).isEmpty());
    };
    QObject::connect(prompt, &QPlainTextEdit::textChanged, &dialog, updateOk);
    QObject::connect(buttons, &QDialogButtonBox::accepted, &dialog, &QDialog::accept);
    QObject::connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    updateOk();
    prompt->setFocus();
    if (dialog.exec() != QDialog::Accepted) return false;
    row = {chunk->value() - 1, normalizedPrompt(prompt->toPlainText())};
    return true;
}

}  // namespace sv::ui
