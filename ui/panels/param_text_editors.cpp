#include "panels/param_text_editors.h"

#include <QFileDialog>
#include <QFileInfo>
#include <QFocusEvent>
#include <QHBoxLayout>
#include <QHelpEvent>
#include <QMenu>
#include <QPlainTextEdit>
#include <QSettings>
#include <QSignalBlocker>
#include <QTimer>
#include <QToolButton>
#include <QToolTip>

namespace sv::ui {

namespace sp = sv::plugin;

// ---- ElidingLineEdit
// ---------------------------------------------------------------------------------------------

ElidingLineEdit::ElidingLineEdit(QWidget* parent) : QLineEdit(parent) {
    connect(this, &QLineEdit::textEdited, this, [this](const QString& t) { full_ = t; });
}

void ElidingLineEdit::setFullText(const QString& text) {
    full_ = text;
    if (hasFocus()) {
        setText(text);
    } else {
        showElided();
    }
}

void ElidingLineEdit::showElided() {
    const int room = contentsRect().width() - 2 * textMargins().left() - 8;
    const QString shown = fontMetrics().elidedText(full_, Qt::ElideMiddle, std::max(room, 20));
    if (text() != shown) setText(shown);
    setCursorPosition(0);
}

void ElidingLineEdit::focusInEvent(QFocusEvent* event) {
    if (text() != full_) setText(full_);
    QLineEdit::focusInEvent(event);
}

void ElidingLineEdit::focusOutEvent(QFocusEvent* event) {
    QLineEdit::focusOutEvent(event);  // emits editingFinished with the whole text
    full_ = text();
    showElided();
}

void ElidingLineEdit::resizeEvent(QResizeEvent* event) {
    QLineEdit::resizeEvent(event);
    if (!hasFocus()) showElided();
}

bool ElidingLineEdit::event(QEvent* event) {
    if (event->type() == QEvent::ToolTip && isElided()) {
        // The whole value under the help text.
        const QString tip = toolTip().isEmpty()
                                ? full_.toHtmlEscaped()
                                : toolTip() + QStringLiteral("<br><tt>%1</tt>").arg(full_.toHtmlEscaped());
        QToolTip::showText(static_cast<QHelpEvent*>(event)->globalPos(), tip, this);
        return true;
    }
    return QLineEdit::event(event);
}

namespace {

// ---- one line, many lines
// ----------------------------------------------------------------------------------------

class LineEditor : public ParamEditor {
  public:
    explicit LineEditor(QWidget* parent) : ParamEditor(parent) {
        edit_ = new ElidingLineEdit(this);
        rowLayout(this)->addWidget(edit_, 1);
        connect(edit_, &QLineEdit::textEdited, this, [this](const QString& t) { emit edited(t, false); });
        connect(edit_, &QLineEdit::editingFinished, this, [this] { emit edited(edit_->fullText(), true); });
    }
    void setValue(const QVariant& v) override {
        if (edit_->fullText() == v.toString()) return;  // keep the cursor while typing
        QSignalBlocker b(edit_);
        edit_->setFullText(v.toString());
    }
    QVariant value() const override { return edit_->fullText(); }

  protected:
    ElidingLineEdit* edit_ = nullptr;
};

class TextEditor : public ParamEditor {
  public:
    TextEditor(const sp::ParamSpec& spec, EditorSize size, QWidget* parent) : ParamEditor(parent) {
        edit_ = new QPlainTextEdit(this);
        edit_->setTabChangesFocus(true);
        if (size == EditorSize::Full) {
            edit_->setMinimumHeight(72);
            edit_->setFixedHeight(96);
        } else {
            edit_->setLineWrapMode(QPlainTextEdit::WidgetWidth);
            edit_->setVerticalScrollBarPolicy(Qt::ScrollBarAsNeeded);
            edit_->setPlaceholderText(paramCaption(spec));
        }
        rowLayout(this)->addWidget(edit_, 1);
        // Typing merges into one undo step; it is closed when the box loses focus or after a pause.
        idle_ = new QTimer(this);
        idle_->setSingleShot(true);
        idle_->setInterval(1200);
        connect(idle_, &QTimer::timeout, this, [this] { emit edited(value(), true); });
        connect(edit_, &QPlainTextEdit::textChanged, this, [this] {
            emit edited(value(), false);
            idle_->start();
        });
        edit_->installEventFilter(this);
    }
    void setValue(const QVariant& v) override {
        if (edit_->toPlainText() == v.toString()) return;
        QSignalBlocker b(edit_);
        edit_->setPlainText(v.toString());
    }
    QVariant value() const override { return edit_->toPlainText(); }

  protected:
    bool eventFilter(QObject* watched, QEvent* event) override {
        if (watched == edit_ && event->type() == QEvent::FocusOut && idle_->isActive()) {
            idle_->stop();
            emit edited(value(), true);
        }
        return ParamEditor::eventFilter(watched, event);
    }

  private:
    QPlainTextEdit* edit_ = nullptr;
    QTimer* idle_ = nullptr;
};

// ---- paths
// -------------------------------------------------------------------------------------------------------

class PathEditor : public LineEditor {
  public:
    PathEditor(const sp::ParamSpec& spec, QWidget* parent)
        : LineEditor(parent),
          mode_(spec.pathMode),
          filter_(QString::fromStdString(spec.fileFilter)),
          key_(QString::fromStdString(spec.name)) {
        auto* row = static_cast<QHBoxLayout*>(layout());
        row->setSpacing(1);
        if (mode_ == sp::PathMode::Folder) {
            // The model folders used recently, newest first.
            auto* recent = new QToolButton(this);
            recent->setObjectName(QStringLiteral("recent"));
            recent->setText(QStringLiteral("▾"));
            recent->setToolTip(tr("Recent model folders"));
            recent->setPopupMode(QToolButton::InstantPopup);
            auto* menu = new QMenu(recent);
            menu->setObjectName(QStringLiteral("recentMenu"));
            connect(menu, &QMenu::aboutToShow, this, [this, menu] { fillRecent(menu); });
            connect(menu, &QMenu::aboutToShow, this, [this] { emit popupShown(true); });
            connect(menu, &QMenu::aboutToHide, this, [this] { emit popupShown(false); });
            recent->setMenu(menu);
            row->addWidget(recent);
        }
        auto* browse = new QToolButton(this);
        browse->setObjectName(QStringLiteral("browse"));
        browse->setText(QStringLiteral("…"));
        browse->setToolTip(mode_ == sp::PathMode::Folder ? tr("Choose a folder") : tr("Choose a file"));
        row->addWidget(browse);
        connect(browse, &QToolButton::clicked, this, &PathEditor::browse);
        if (mode_ == sp::PathMode::Folder)
            connect(this, &ParamEditor::edited, this, [](const QVariant& v, bool final) {
                if (final && QFileInfo(v.toString()).isDir()) rememberModelFolder(v.toString());
            });
    }

  private:
    void fillRecent(QMenu* menu) {
        menu->clear();
        const QStringList folders = recentModelFolders();
        for (const QString& f : folders) {
            QAction* a = menu->addAction(fontMetrics().elidedText(f, Qt::ElideMiddle, 420));
            a->setToolTip(f);
            connect(a, &QAction::triggered, this, [this, f] { choose(f); });
        }
        if (folders.isEmpty()) menu->addAction(tr("(none yet: choose one with …)"))->setEnabled(false);
    }
    void choose(const QString& path) {
        edit_->setFullText(path);
        emit edited(path, true);
    }
    void browse() {
        QSettings settings;
        const QString settingsKey = QStringLiteral("paths/lastFolder/") + key_;
        QString start = edit_->fullText();
        if (start.isEmpty()) start = settings.value(settingsKey).toString();
        QString chosen;
        switch (mode_) {
            case sp::PathMode::Folder:
                chosen = QFileDialog::getExistingDirectory(this, tr("Choose a folder"), start);
                break;
            case sp::PathMode::SaveFile:
                chosen = QFileDialog::getSaveFileName(this, tr("Choose a file"), start, filter_);
                break;
            case sp::PathMode::OpenFile:
                chosen = QFileDialog::getOpenFileName(this, tr("Choose a file"), start, filter_);
                break;
        }
        if (chosen.isEmpty()) return;
        settings.setValue(settingsKey,
                          mode_ == sp::PathMode::Folder ? chosen : QFileInfo(chosen).absolutePath());
        choose(chosen);
    }

    sp::PathMode mode_;
    QString filter_;
    QString key_;
};

}  // namespace

ParamEditor* makeLineEditor(QWidget* parent) {
    return new LineEditor(parent);
}

ParamEditor* makeTextEditor(const sp::ParamSpec& spec, EditorSize size, QWidget* parent) {
    return new TextEditor(spec, size, parent);
}

ParamEditor* makePathEditor(const sp::ParamSpec& spec, EditorSize, QWidget* parent) {
    return new PathEditor(spec, parent);
}

}  // namespace sv::ui
