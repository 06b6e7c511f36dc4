#include "panels/param_widgets.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QSettings>
#include <QSignalBlocker>
#include <QSlider>

#include <cmath>
#include <limits>

#include "panels/param_text_editors.h"

namespace sv::ui {

namespace sp = sv::plugin;

namespace {

const QString kModelFoldersKey = QStringLiteral("paths/modelFolders");
constexpr int kRecentModelFolders = 10;

int decimalsFor(const sp::ParamSpec& spec) {
    if (!spec.step) return 3;
    const double s = *spec.step;
    int d = 0;
    for (double v = s; d < 6 && std::abs(v - std::round(v)) > 1e-9; v *= 10) ++d;
    return std::max(d, 1);
}

QString numberText(const sp::ParamSpec& spec, double v) {
    if (spec.type == sp::PortType::Int) return QString::number(qlonglong(std::llround(v)));
    return QString::number(v, 'g', 10);
}

/// INT and FLOAT: a spin box, plus a slider when the range is finite and not huge (full size only). Snapped
/// INTs move typed values to the nearest valid one and say so.
class NumberEditor : public ParamEditor {
  public:
    NumberEditor(const sp::ParamSpec& spec, EditorSize size, QWidget* parent)
        : ParamEditor(parent), spec_(spec), isInt_(spec.type == sp::PortType::Int) {
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
        spin_->setMinimumWidth(size == EditorSize::Compact ? 60 : 90);
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
        if (size == EditorSize::Full && spec.onGrid) {
            auto* rule =
                new QLabel(QString::fromStdString(spec.gridRule()), this);  // the visible hint: "1 + 4·k"
            rule->setObjectName(QStringLiteral("snapRule"));
            rule->setEnabled(false);
            layout->addWidget(rule);
        }
        connect(spin_, &QDoubleSpinBox::valueChanged, this, [this](double typed) {
            const double valid = spec_.nearestValid(typed);
            if (spec_.onGrid && valid != typed) {
                {
                    QSignalBlocker b(spin_);
                    spin_->setValue(valid);
                }
                emit hint(tr("%1: %2 snapped to %3 (%4)")
                              .arg(paramCaption(spec_), numberText(spec_, typed), numberText(spec_, valid),
                                   QString::fromStdString(spec_.gridRule())));
            }
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
        return isInt_ ? std::round(spec_.nearestValid(v)) : v;
    }
    void syncSlider() {
        if (!slider_) return;
        QSignalBlocker b(slider_);
        const double span = spin_->maximum() - spin_->minimum();
        slider_->setValue(int(std::lround((spin_->value() - spin_->minimum()) / span * kSliderSteps)));
    }

    sp::ParamSpec spec_;
    bool isInt_;
    QDoubleSpinBox* spin_ = nullptr;
    QSlider* slider_ = nullptr;
};

class BoolEditor : public ParamEditor {
  public:
    BoolEditor(const sp::ParamSpec& spec, EditorSize size, QWidget* parent) : ParamEditor(parent) {
        // On the node the label is drawn beside the box (and elided there); in the inspector the box says it.
        box_ = new QCheckBox(size == EditorSize::Full ? paramCaption(spec) : QString(), this);
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

/// A combo box that says when its list opens and closes.
class ChoiceBox : public QComboBox {
  public:
    ChoiceBox(ParamEditor* owner) : QComboBox(owner), owner_(owner) {}
    void showPopup() override {
        shown_ = true;
        emit owner_->popupShown(true);
        QComboBox::showPopup();
    }
    void hidePopup() override {
        QComboBox::hidePopup();
        if (!shown_) return;  // also called while the box is destroyed
        shown_ = false;
        emit owner_->popupShown(false);
    }

  private:
    ParamEditor* owner_;
    bool shown_ = false;
};

class EnumEditor : public ParamEditor {
  public:
    EnumEditor(const sp::ParamSpec& spec, QWidget* parent) : ParamEditor(parent) {
        combo_ = new ChoiceBox(this);
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

}  // namespace

QHBoxLayout* rowLayout(QWidget* w) {
    auto* l = new QHBoxLayout(w);
    l->setContentsMargins(0, 0, 0, 0);
    l->setSpacing(4);
    return l;
}

void ParamEditor::setUnusedBecause(const QString& why) {
    if (baseToolTip_.isEmpty()) baseToolTip_ = toolTip();
    setEnabled(why.isEmpty());
    const QString tip = why.isEmpty()
                            ? baseToolTip_
                            : baseToolTip_ + QStringLiteral("<br><b>%1</b>").arg(why.toHtmlEscaped());
    setToolTip(tip);
    for (QWidget* child : findChildren<QWidget*>()) child->setToolTip(tip);
}

QString paramCaption(const sp::ParamSpec& spec) {
    if (!spec.caption.empty()) return QString::fromStdString(spec.caption);
    QString s = QString::fromStdString(spec.name);
    s.replace(u'_', u' ');
    if (!s.isEmpty()) s[0] = s[0].toUpper();
    return s;
}

QString paramToolTip(const sp::ParamSpec& spec) {
    QString tip = QStringLiteral("<b>%1</b>").arg(paramCaption(spec).toHtmlEscaped());
    if (!spec.help.empty()) tip += QStringLiteral("<br>") + QString::fromStdString(spec.help).toHtmlEscaped();
    if (spec.min || spec.max)
        tip += QStringLiteral("<br><i>%1 … %2</i>")
                   .arg(spec.min ? numberText(spec, *spec.min) : QStringLiteral("−∞"),
                        spec.max ? numberText(spec, *spec.max) : QStringLiteral("∞"));
    if (spec.onGrid)
        tip += QObject::tr("<br><i>Valid values: %1</i>").arg(QString::fromStdString(spec.gridRule()));
    return tip;
}

int inlineTextLines(const sp::ParamSpec& spec) {
    return spec.name.find("negative") != std::string::npos ? 2 : 4;
}

QStringList recentModelFolders() {
    return QSettings().value(kModelFoldersKey).toStringList();
}

void rememberModelFolder(const QString& folder) {
    if (folder.isEmpty()) return;
    const QString clean = QDir::cleanPath(folder);
    QStringList recent = recentModelFolders();
    recent.removeAll(clean);
    recent.prepend(clean);
    QSettings().setValue(kModelFoldersKey, recent.mid(0, kRecentModelFolders));
}

ParamEditor* createParamEditor(const sp::ParamSpec& spec, EditorSize size, QWidget* parent) {
    using T = sp::PortType;
    ParamEditor* editor = nullptr;
    if (spec.type == T::Int || spec.type == T::Float) {
        editor = new NumberEditor(spec, size, parent);
    } else if (spec.type == T::Bool) {
        editor = new BoolEditor(spec, size, parent);
    } else if (spec.type == T::Enum) {
        editor = new EnumEditor(spec, parent);
    } else if (spec.type == T::Path) {
        editor = makePathEditor(spec, size, parent);
    } else if (spec.type == T::String && spec.multiline) {
        editor = makeTextEditor(spec, size, parent);
    } else {
        editor = makeLineEditor(parent);
    }
    editor->setObjectName(QStringLiteral("param_") + QString::fromStdString(spec.name));
    const QString tip = paramToolTip(spec);
    editor->setToolTip(tip);
    for (QWidget* child : editor->findChildren<QWidget*>())
        if (child->toolTip().isEmpty()) child->setToolTip(tip);
    return editor;
}

}  // namespace sv::ui
