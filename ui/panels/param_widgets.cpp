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
        : ParamEditor(parent), m_isInt(spec.type == sp::PortType::Int) {
        auto* layout = rowLayout(this);
        const double lo = spec.min.value_or(m_isInt ? double(std::numeric_limits<int>::min()) : -1e12);
        const double hi = spec.max.value_or(m_isInt ? double(std::numeric_limits<int>::max()) : 1e12);
        m_spin = new QDoubleSpinBox(this);
        m_spin->setObjectName(QStringLiteral("spin"));
        m_spin->setRange(lo, hi);
        m_spin->setDecimals(m_isInt ? 0 : decimalsFor(spec));
        m_spin->setSingleStep(spec.step.value_or(m_isInt ? 1.0 : 0.1));
        m_spin->setKeyboardTracking(false);
        m_spin->setAccelerated(true);
        m_spin->setMinimumWidth(size == EditorSize::Compact ? 70 : 90);
        const bool slider = size == EditorSize::Full && spec.min && spec.max && *spec.max > *spec.min &&
                            (!m_isInt || *spec.max - *spec.min <= 100000);
        if (slider) {
            m_slider = new QSlider(Qt::Horizontal, this);
            m_slider->setObjectName(QStringLiteral("slider"));
            m_slider->setRange(0, kSliderSteps);
            layout->addWidget(m_slider, 1);
            connect(m_slider, &QSlider::valueChanged, this, [this](int pos) {
                const double v = fromSlider(pos);
                {
                    QSignalBlocker b(m_spin);
                    m_spin->setValue(v);
                }
                emit edited(value(), !m_slider->isSliderDown());
            });
            connect(m_slider, &QSlider::sliderReleased, this, [this] { emit edited(value(), true); });
        }
        layout->addWidget(m_spin, slider ? 0 : 1);
        connect(m_spin, &QDoubleSpinBox::valueChanged, this, [this](double) {
            syncSlider();
            emit edited(value(), true);
        });
    }

    void setValue(const QVariant& v) override {
        QSignalBlocker b(m_spin);
        m_spin->setValue(v.toDouble());
        syncSlider();
    }
    QVariant value() const override {
        if (m_isInt) return QVariant::fromValue<qlonglong>(qlonglong(std::llround(m_spin->value())));
        return m_spin->value();
    }

  private:
    static constexpr int kSliderSteps = 1000;

    double fromSlider(int pos) const {
        double v = m_spin->minimum() + (m_spin->maximum() - m_spin->minimum()) * pos / kSliderSteps;
        const double step = m_spin->singleStep();
        if (step > 0) v = m_spin->minimum() + std::round((v - m_spin->minimum()) / step) * step;
        return m_isInt ? std::round(v) : v;
    }
    void syncSlider() {
        if (!m_slider) return;
        QSignalBlocker b(m_slider);
        const double span = m_spin->maximum() - m_spin->minimum();
        m_slider->setValue(int(std::lround((m_spin->value() - m_spin->minimum()) / span * kSliderSteps)));
    }

    bool m_isInt;
    QDoubleSpinBox* m_spin = nullptr;
    QSlider* m_slider = nullptr;
};

class BoolEditor : public ParamEditor {
  public:
    BoolEditor(const sp::ParamSpec& spec, QWidget* parent) : ParamEditor(parent) {
        m_box = new QCheckBox(paramCaption(spec), this);
        rowLayout(this)->addWidget(m_box);
        connect(m_box, &QCheckBox::toggled, this, [this](bool on) { emit edited(on, true); });
    }
    void setValue(const QVariant& v) override {
        QSignalBlocker b(m_box);
        m_box->setChecked(v.toBool());
    }
    QVariant value() const override { return m_box->isChecked(); }

  private:
    QCheckBox* m_box = nullptr;
};

class EnumEditor : public ParamEditor {
  public:
    EnumEditor(const sp::ParamSpec& spec, QWidget* parent) : ParamEditor(parent) {
        m_combo = new QComboBox(this);
        for (const auto& c : spec.choices) m_combo->addItem(QString::fromStdString(c));
        rowLayout(this)->addWidget(m_combo, 1);
        connect(m_combo, &QComboBox::activated, this, [this](int) { emit edited(value(), true); });
    }
    void setValue(const QVariant& v) override {
        QSignalBlocker b(m_combo);
        const int i = m_combo->findText(v.toString());
        if (i < 0)
            m_combo->addItem(v.toString());  // keep an out-of-list value visible (validation reports it)
        m_combo->setCurrentIndex(m_combo->findText(v.toString()));
    }
    QVariant value() const override { return m_combo->currentText(); }

  private:
    QComboBox* m_combo = nullptr;
};

class LineEditor : public ParamEditor {
  public:
    LineEditor(QWidget* parent) : ParamEditor(parent) {
        m_edit = new QLineEdit(this);
        rowLayout(this)->addWidget(m_edit, 1);
        connect(m_edit, &QLineEdit::textEdited, this, [this](const QString& t) { emit edited(t, false); });
        connect(m_edit, &QLineEdit::editingFinished, this, [this] { emit edited(m_edit->text(), true); });
    }
    void setValue(const QVariant& v) override {
        if (m_edit->text() == v.toString()) return;  // keep the cursor while typing
        QSignalBlocker b(m_edit);
        m_edit->setText(v.toString());
    }
    QVariant value() const override { return m_edit->text(); }
    QLineEdit* lineEdit() const { return m_edit; }

  protected:
    QLineEdit* m_edit = nullptr;
};

class TextEditor : public ParamEditor {
  public:
    TextEditor(QWidget* parent) : ParamEditor(parent) {
        m_edit = new QPlainTextEdit(this);
        m_edit->setTabChangesFocus(true);
        m_edit->setMinimumHeight(72);
        m_edit->setFixedHeight(96);
        rowLayout(this)->addWidget(m_edit, 1);
        // Typing merges into one undo step; it is closed when the box loses focus or after a pause.
        m_idle = new QTimer(this);
        m_idle->setSingleShot(true);
        m_idle->setInterval(1200);
        connect(m_idle, &QTimer::timeout, this, [this] { emit edited(value(), true); });
        connect(m_edit, &QPlainTextEdit::textChanged, this, [this] {
            emit edited(value(), false);
            m_idle->start();
        });
        m_edit->installEventFilter(this);
    }
    void setValue(const QVariant& v) override {
        if (m_edit->toPlainText() == v.toString()) return;
        QSignalBlocker b(m_edit);
        m_edit->setPlainText(v.toString());
    }
    QVariant value() const override { return m_edit->toPlainText(); }

  protected:
    bool eventFilter(QObject* watched, QEvent* event) override {
        if (watched == m_edit && event->type() == QEvent::FocusOut && m_idle->isActive()) {
            m_idle->stop();
            emit edited(value(), true);
        }
        return ParamEditor::eventFilter(watched, event);
    }

  private:
    QPlainTextEdit* m_edit = nullptr;
    QTimer* m_idle = nullptr;
};

class PathEditor : public LineEditor {
  public:
    PathEditor(const sp::ParamSpec& spec, QWidget* parent)
        : LineEditor(parent),
          m_mode(spec.pathMode),
          m_filter(QString::fromStdString(spec.fileFilter)),
          m_key(QString::fromStdString(spec.name)) {
        auto* browse = new QToolButton(this);
        browse->setObjectName(QStringLiteral("browse"));
        browse->setText(QStringLiteral("…"));
        browse->setToolTip(m_mode == sp::PathMode::Folder ? tr("Choose a folder") : tr("Choose a file"));
        static_cast<QHBoxLayout*>(layout())->addWidget(browse);
        connect(browse, &QToolButton::clicked, this, &PathEditor::browse);
    }

  private:
    void browse() {
        QSettings settings;
        const QString settingsKey = QStringLiteral("paths/lastFolder/") + m_key;
        QString start = m_edit->text();
        if (start.isEmpty()) start = settings.value(settingsKey).toString();
        QString chosen;
        switch (m_mode) {
            case sp::PathMode::Folder:
                chosen = QFileDialog::getExistingDirectory(this, tr("Choose a folder"), start);
                break;
            case sp::PathMode::SaveFile:
                chosen = QFileDialog::getSaveFileName(this, tr("Choose a file"), start, m_filter);
                break;
            case sp::PathMode::OpenFile:
                chosen = QFileDialog::getOpenFileName(this, tr("Choose a file"), start, m_filter);
                break;
        }
        if (chosen.isEmpty()) return;
        settings.setValue(settingsKey,
                          m_mode == sp::PathMode::Folder ? chosen : QFileInfo(chosen).absolutePath());
        if (m_mode == sp::PathMode::Folder) {
            // Model folders are remembered across sessions (File ▸ recent model folders, first in the list).
            QStringList recent = settings.value(QStringLiteral("paths/modelFolders")).toStringList();
            recent.removeAll(chosen);
            recent.prepend(chosen);
            settings.setValue(QStringLiteral("paths/modelFolders"), recent.mid(0, 10));
        }
        m_edit->setText(chosen);
        emit edited(chosen, true);
    }

    sp::PathMode m_mode;
    QString m_filter;
    QString m_key;
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
    using T = sp::PortType;
    if (spec.type == T::Int || spec.type == T::Float || spec.type == T::Bool || spec.type == T::Enum)
        return true;
    return spec.type == T::String && !spec.multiline;
}

ParamEditor* createParamEditor(const sp::ParamSpec& spec, EditorSize size, QWidget* parent) {
    using T = sp::PortType;
    ParamEditor* editor = nullptr;
    if (spec.type == T::Int || spec.type == T::Float)
        editor = new NumberEditor(spec, size, parent);
    else if (spec.type == T::Bool)
        editor = new BoolEditor(spec, parent);
    else if (spec.type == T::Enum)
        editor = new EnumEditor(spec, parent);
    else if (spec.type == T::Path)
        editor = new PathEditor(spec, parent);
    else if (spec.type == T::String && spec.multiline && size == EditorSize::Full)
        editor = new TextEditor(parent);
    else
        editor = new LineEditor(parent);
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
