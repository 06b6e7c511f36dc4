#include "panels/log_panel.h"

#include <QDateTime>
#include <QHBoxLayout>
#include <QPlainTextEdit>
#include <QScrollBar>
#include <QToolButton>
#include <QVBoxLayout>

namespace sv::ui {

LogPanel::LogPanel(QWidget* parent) : QWidget(parent) {
    text_ = new QPlainTextEdit(this);
    text_->setObjectName(QStringLiteral("logView"));
    text_->setReadOnly(true);
    text_->setMaximumBlockCount(20000);
    text_->setLineWrapMode(QPlainTextEdit::WidgetWidth);

    auto* clearButton = new QToolButton(this);
    clearButton->setText(tr("Clear"));
    connect(clearButton, &QToolButton::clicked, this, &LogPanel::clear);

    auto* bar = new QHBoxLayout;
    bar->setContentsMargins(4, 2, 4, 0);
    bar->addStretch(1);
    bar->addWidget(clearButton);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addLayout(bar);
    layout->addWidget(text_, 1);
}

void LogPanel::append(Level level, const QString& source, const QString& text) {
    const char* colour = level == Level::Error ? "#ff6b66" : level == Level::Warning ? "#ffc66d" : "#c8ccd2";
    const char* tag = level == Level::Error ? "error" : level == Level::Warning ? "warning" : "info";
    const QString time = QDateTime::currentDateTime().toString(QStringLiteral("HH:mm:ss"));
    QString body = text.toHtmlEscaped();
    body.replace(u'\n', QStringLiteral("<br>&nbsp;&nbsp;"));
    const QString html =
        QStringLiteral(
            "<span style='color:#80868e'>%1</span> <span style='color:%2'>%3</span> "
            "<b>%4</b>: <span style='color:%2'>%5</span>")
            .arg(time, QLatin1String(colour), QLatin1String(tag), source.toHtmlEscaped(), body);
    QScrollBar* bar = text_->verticalScrollBar();
    const bool atEnd = bar->value() == bar->maximum();
    text_->appendHtml(html);
    if (atEnd) bar->setValue(bar->maximum());
    if (level == Level::Error) {
        ++errors_;
        emit errorLogged(source, text);
    }
}

QString LogPanel::plainText() const {
    return text_->toPlainText();
}

void LogPanel::clear() {
    text_->clear();
    errors_ = 0;
}

}  // namespace sv::ui
