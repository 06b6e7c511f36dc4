// Internal to the parameter editors (param_widgets.cpp): the text editors — one-line fields that elide long
// values in the middle while not being edited, multi-line prompt boxes, path fields with a picker and the
// recent model folders.
#pragma once

#include <QLineEdit>

#include "panels/param_widgets.h"

class QHBoxLayout;

namespace sv::ui {

/// A row layout without margins for an editor's parts.
QHBoxLayout* rowLayout(QWidget* w);

/// A line edit that shows a long value elided in the middle ("sana_t2v_…_{counter:05}") while it does not
/// have the focus, and the whole value (also in its tooltip) otherwise.
class ElidingLineEdit : public QLineEdit {
    Q_OBJECT
  public:
    explicit ElidingLineEdit(QWidget* parent = nullptr);
    /// The whole value.
    const QString& fullText() const { return full_; }
    void setFullText(const QString& text);
    /// Whether the shown text is shortened.
    bool isElided() const { return text() != full_; }

  protected:
    void focusInEvent(QFocusEvent* event) override;
    void focusOutEvent(QFocusEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;
    bool event(QEvent* event) override;

  private:
    void showElided();
    QString full_;
};

ParamEditor* makeLineEditor(QWidget* parent);
ParamEditor* makeTextEditor(const sv::plugin::ParamSpec& spec, EditorSize size, QWidget* parent);
ParamEditor* makePathEditor(const sv::plugin::ParamSpec& spec, EditorSize size, QWidget* parent);

}  // namespace sv::ui
