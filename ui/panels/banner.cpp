#include "panels/banner.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QStyle>
#include <QToolButton>
#include <QVBoxLayout>

namespace sv::ui {

Banner::Banner(QWidget* parent) : QFrame(parent) {
    setObjectName(QStringLiteral("banner"));
    setFrameShape(QFrame::NoFrame);
    setAutoFillBackground(true);
    title_ = new QLabel(this);
    title_->setObjectName(QStringLiteral("bannerTitle"));
    title_->setWordWrap(true);
    title_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    body_ = new QLabel(this);
    body_->setObjectName(QStringLiteral("bannerBody"));
    body_->setWordWrap(true);
    body_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    body_->setTextFormat(Qt::PlainText);

    show_ = new QPushButton(tr("Show"), this);
    show_->setObjectName(QStringLiteral("bannerShow"));
    show_->setToolTip(tr("Select and frame the nodes concerned"));
    connect(show_, &QPushButton::clicked, this, [this] { emit showNodesRequested(nodeIds_); });
    auto* close = new QToolButton(this);
    close->setObjectName(QStringLiteral("bannerClose"));
    close->setText(QStringLiteral("✕"));
    close->setToolTip(tr("Close"));
    connect(close, &QToolButton::clicked, this, &Banner::dismiss);

    auto* text = new QVBoxLayout;
    text->setSpacing(2);
    text->addWidget(title_);
    text->addWidget(body_);
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(10, 6, 6, 6);
    layout->addLayout(text, 1);
    layout->addWidget(show_, 0, Qt::AlignTop);
    layout->addWidget(close, 0, Qt::AlignTop);
    hide();
}

void Banner::showMessage(Kind kind, const QString& title, const QStringList& lines,
                         const QStringList& nodeIds, const QString& context) {
    kind_ = kind;
    context_ = context;
    lines_ = lines;
    nodeIds_ = nodeIds;
    title_->setText(title);
    QStringList shown = lines.mid(0, kMaxLines);
    if (lines.size() > kMaxLines)
        shown << tr("… and %n more (see the log)", nullptr, int(lines.size() - kMaxLines));
    body_->setText(shown.join(u'\n'));
    body_->setVisible(!shown.isEmpty());
    show_->setVisible(!nodeIds.isEmpty());
    const char* kindName = kind == Kind::Error ? "error" : kind == Kind::Warning ? "warning" : "info";
    setProperty("kind", QString::fromLatin1(kindName));
    style()->unpolish(this);
    style()->polish(this);
    show();
}

void Banner::dismiss() {
    hide();
}

QString Banner::title() const {
    return title_->text();
}

QString Banner::text() const {
    return body_->text().isEmpty() ? title_->text() : title_->text() + u'\n' + body_->text();
}

}  // namespace sv::ui
