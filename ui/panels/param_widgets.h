// Parameter editors built from the SDK's ParamSpec: one factory shared by the inspector (full size) and the
// inline widgets on the canvas (compact). An editor shows a value and reports edits; it never touches the
// document: the owner turns edits into SetParam commands.
#pragma once

#include <QVariant>
#include <QWidget>

#include "plugin/sdk/node_descriptor.h"

namespace sv::ui {

/// A widget editing one parameter value.
class ParamEditor : public QWidget {
    Q_OBJECT
  public:
    using QWidget::QWidget;

    /// Shows `value` without emitting edited().
    virtual void setValue(const QVariant& value) = 0;
    virtual QVariant value() const = 0;

  signals:
    /// The user changed the value. `final` is false while a slider or a text box is still being edited (so
    /// the owner can merge the steps into one undo command) and true when the edit is complete.
    void edited(const QVariant& value, bool final);
};

/// Full size (inspector) or compact (inline on a node).
enum class EditorSize { Full, Compact };

/// Whether a parameter gets an inline widget on its node: numbers, booleans, choices and one-line strings.
/// Prompts (multi-line text) and paths are edited in the inspector only.
bool showsInline(const sv::plugin::ParamSpec& spec);

/// Builds the editor for `spec`: INT/FLOAT with a range → slider + spin box (compact: spin box), else a spin
/// box; BOOL → check box; ENUM → combo box; STRING → line edit, multi-line → text box; PATH → line edit + "…"
/// picker (open file, save file or folder, with the spec's filter; the last folder used is remembered in
/// QSettings). The spec's help text becomes the tooltip.
ParamEditor* createParamEditor(const sv::plugin::ParamSpec& spec, EditorSize size, QWidget* parent = nullptr);

/// The label shown for a parameter: its caption, or its name made readable ("flow_shift" → "Flow shift").
QString paramCaption(const sv::plugin::ParamSpec& spec);

}  // namespace sv::ui
