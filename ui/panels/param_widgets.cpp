#include "panels/param_widgets.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QSettings>
#include <QSignalBlocker>
#include <QSlider>
#include <QSpinBox>
#include <QTimer>
#include <QToolButton>

#include <cmath>
#include <limits>

namespace sv::ui {

namespace sp = sv::plugin;

namespace {

QHBoxLayout* rowLayout(QWidget* w) {
    auto* l = new QHBoxLayout(w);
    l->setContentsMargins(0, 0, 0, 0);
    l->setSpacing(4);
    return l;
}

int decimalsFor(const sp::ParamSpec& spec) {
    if (!spec.step) return 3;
    const double s = *spec.step;
    int d = 0;
    for (double v = s; d < 6 && std::abs(v - std::round(v)) > 1e-9; v *= 10) ++d;
    return std::max(d, 1);
}

/// INT and FLOAT: a spin box, plus a slider when the range is finite and not huge (full size only).
class NumberEditor : public ParamEditor {
  public:
    NumberEditor(const sp::ParamSpec& spec, EditorSize size, QWidget* parent)
        : ParamEditor(parent), isInt_(spec.type == sp::PortType::Int) {
        auto* layout = rowLayout(this);
        const double lo = spec.min.value_or(isInt_ ? double(std::numeric_limits<int>::min()) : -1e12);
        const double hi = spec.max.value_or(isInt_ ? double(std::numeric_limits<int>::max()) : 1e12);
        spin_ = new QDoubleSpinBox(this);
        spin_->setObjectName(QStringLiteral("spin"));
        spin_->setRange(lo, hi);
        spin_->setDecimals(isInt_ ? 0 : decimalsFor(spec));
        spin_->setSingleStep(spec.step.value_or(isInt_ ? 1.0 : 0.1));
        spin_->setKeyboardTracking(false);
        spin_->setAccelerated(true);
        spin_->setMinimumWidth(size == EditorSize::Compact ? 70 : 90);
        const bool slider = size == EditorSize::Full && spec.min && spec.max && *spec.max > *spec.min &&
                            (!isInt_ || *spec.max - *spec.min <= 100000);
        if (slider) {
            slider_ = new QSlider(Qt::Horizontal, this);
            slider_->setObjectName(QStringLiteral("slider"));
            slider_->setRange(0, kSliderSteps);
            layout->addWidget(slider_, 1);
            connect(slider_, &QSlider::valueChanged, this, [this](int pos) {
                const double v = fromSlider(pos);
                {
                    QSignalBlocker b(spin_);
                    spin_->setValue(v);
                }
                emit edited(value(), !slider_->isSliderDown());
            });
            connect(slider_, &QSlider::sliderReleased, this, [this] { emit edited(value(), true); });
        }
        layout->addWidget(spin_, slider ? 0 : 1);
        connect(spin_, &QDoubleSpinBox::valueChanged, this, [this](double) {
            syncSlider();
            emit edited(value(), true);
        });
    }

    void setValue(const QVariant& v) override {
        QSignalBlocker b(spin_);
        spin_->setValue(v.toDouble());
        syncSlider();
    }
    QVariant value() const override {
        if (isInt_) return QVariant::fromValue<qlonglong>(qlonglong(std::llround(spin_->value())));
        return spin_->value();
    }

  private:
    static constexpr int kSliderSteps = 1000;

    double fromSlider(int pos) const {
        double v = spin_->minimum() + (spin_->maximum() - spin_->minimum()) * pos / kSliderSteps;
        const double step = spin_->singleStep();
        if (step > 0) v = spin_->minimum() + std::round((v - spin_->minimum()) / step) * step;
        return isInt_ ? std::round(v) : v;
    }
    void syncSlider() {
        if (!slider_) return;
        QSignalBlocker b(slider_);
        const double span = spin_->maximum() - spin_->minimum();
        slider_->setValue(int(std::lround((spin_->value() - spin_->minimum()) / span * kSliderSteps)));
    }

    bool isInt_;
    QDoubleSpinBox* spin_ = nullptr;
    QSlider* slider_ = nullptr;
};

class BoolEditor : public ParamEditor {
  public:
    BoolEditor(const sp::ParamSpec& spec, QWidget* parent) : ParamEditor(parent) {
        box_ = new QCheckBox(paramCaption(spec), this);
        rowLayout(this)->addWidget(box_);
        connect(box_, &QCheckBox::toggled, this, [this](bool on) { emit edited(on, true); });
    }
    void setValue(const QVariant& v) override {
        QSignalBlocker b(box_);
        box_->setChecked(v.toBool());
    }
    QVariant value() const override { return box_->isChecked(); }

  private:
    QCheckBox* box_ = nullptr;
};

class EnumEditor : public ParamEditor {
  public:
    EnumEditor(const sp::ParamSpec& spec, QWidget* parent) : ParamEditor(parent) {
        combo_ = new QComboBox(this);
        for (const auto& c : spec.choices) combo_->addItem(QString::fromStdString(c));
        rowLayout(this)->addWidget(combo_, 1);
        connect(combo_, &QComboBox::activated, this, [this](int) { emit edited(value(), true); });
    }
    void setValue(const QVariant& v) override {
        QSignalBlocker b(combo_);
        const int i = combo_->findText(v.toString());
        if (i < 0)
            combo_->addItem(v.toString());  // keep an out-of-list value visible (validation reports it)
        combo_->setCurrentIndex(combo_->findText(v.toString()));
    }
    QVariant value() const override { return combo_->currentText(); }

  private:
    QComboBox* combo_ = nullptr;
};

class LineEditor : public ParamEditor {
  public:
    LineEditor(QWidget* parent) : ParamEditor(parent) {
        edit_ = new QLineEdit(this);
        rowLayout(this)->addWidget(edit_, 1);
        connect(edit_, &QLineEdit::textEdited, this, [this](const QString& t) { emit edited(t, false); });
        connect(edit_, &QLineEdit::editingFinished, this, [this] { emit edited(edit_->text(), true); });
    }
    void setValue(const QVariant& v) override {
        if (edit_->text() == v.toString()) return;  // keep the cursor while typing
        QSignalBlocker b(edit_);
        edit_->setText(v.toString());
    }
    QVariant value() const override { return edit_->text(); }
    QLineEdit* lineEdit() const { return edit_; }

  protected:
    QLineEdit* edit_ = nullptr;
};

class TextEditor : public ParamEditor {
  public:
    TextEditor(QWidget* parent) : ParamEditor(parent) {
        edit_ = new QPlainTextEdit(this);
        edit_->setTabChangesFocus(true);
        edit_->setMinimumHeight(72);
        edit_->setFixedHeight(96);
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

class PathEditor : public LineEditor {
  public:
    PathEditor(const sp::ParamSpec& spec, QWidget* parent)
        : LineEditor(parent),
          mode_(spec.pathMode),
          filter_(QString::fromStdString(spec.fileFilter)),
          key_(QString::fromStdString(spec.name)) {
        auto* browse = new QToolButton(this);
        browse->setObjectName(QStringLiteral("browse"));
        browse->setText(QStringLiteral("…"));
        browse->setToolTip(mode_ == sp::PathMode::Folder ? tr("Choose a folder") : tr("Choose a file"));
        static_cast<QHBoxLayout*>(layout())->addWidget(browse);
        connect(browse, &QToolButton::clicked, this, &PathEditor::browse);
    }

  private:
    void browse() {
        QSettings settings;
        const QString settingsKey = QStringLiteral("paths/lastFolder/") + key_;
        QString start = edit_->text();
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
        if (mode_ == sp::PathMode::Folder) {
            // Model folders are remembered across sessions (File ▸ recent model folders, first in the list).
            QStringList recent = settings.value(QStringLiteral("paths/modelFolders")).toStringList();
            recent.removeAll(chosen);
            recent.prepend(chosen);
            settings.setValue(QStringLiteral("paths/modelFolders"), recent.mid(0, 10));
        }
        edit_->setText(chosen);
        emit edited(chosen, true);
    }

    sp::PathMode mode_;
    QString filter_;
    QString key_;
};

}  // namespace

QString paramCaption(const sp::ParamSpec& spec) {
    if (!spec.caption.empty()) return QString::fromStdString(spec.caption);
    QString s = QString::fromStdString(spec.name);
    s.replace(u'_', u' ');
    if (!s.isEmpty()) s[0] = s[0].toUpper();
    return s;
}

bool showsInline(const sp::ParamSpec& spec) {
    switch (spec.type) {
        case sp::PortType::Int:
        case sp::PortType::Float:
        case sp::PortType::Bool:
        case sp::PortType::Enum:
            return true;
        case sp::PortType::String:
            return !spec.multiline;
        default:
            return false;
    }
}

ParamEditor* createParamEditor(const sp::ParamSpec& spec, EditorSize size, QWidget* parent) {
    ParamEditor* editor = nullptr;
    switch (spec.type) {
        case sp::PortType::Int:
        case sp::PortType::Float:
            editor = new NumberEditor(spec, size, parent);
            break;
        case sp::PortType::Bool:
            editor = new BoolEditor(spec, parent);
            break;
        case sp::PortType::Enum:
            editor = new EnumEditor(spec, parent);
            break;
        case sp::PortType::Path:
            editor = new PathEditor(spec, parent);
            break;
        case sp::PortType::String:
            if (spec.multiline && size == EditorSize::Full) {
                editor = new TextEditor(parent);
            } else {
                editor = new LineEditor(parent);
            }
            break;
        default:
            editor = new LineEditor(parent);
            break;
    }
    editor->setObjectName(QStringLiteral("param_") + QString::fromStdString(spec.name));
    QString tip = QStringLiteral("<b>%1</b>").arg(paramCaption(spec).toHtmlEscaped());
    if (!spec.help.empty()) tip += QStringLiteral("<br>") + QString::fromStdString(spec.help).toHtmlEscaped();
    if (spec.min || spec.max)
        tip += QStringLiteral("<br><i>%1 … %2</i>")
                   .arg(spec.min ? QString::number(*spec.min) : QStringLiteral("−∞"),
                        spec.max ? QString::number(*spec.max) : QStringLiteral("∞"));
    editor->setToolTip(tip);
    for (QWidget* child : editor->findChildren<QWidget*>()) child->setToolTip(tip);
    return editor;
}

}  // namespace sv::ui
