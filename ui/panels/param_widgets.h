// Parameter editors built from the SDK's ParamSpec: one factory shared by the inspector (full size) and the
// inline widgets on the canvas (compact). An editor shows a value and reports edits; it never touches the
// document: the owner turns edits into SetParam commands.
#pragma once

#include <QStringList>
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
    /// Greys the editor out, saying why in its tooltip (the value comes from a connected input); "" enables
    /// it again.
    void setUnusedBecause(const QString& why);

  signals:
    /// The user changed the value. `final` is false while a slider or a text box is still being edited (so
    /// the owner can merge the steps into one undo command) and true when the edit is complete.
    void edited(const QVariant& value, bool final);
    /// A popup of the editor (a combo box's list, a menu) opened or closed: on the canvas the node raises the
    /// editor above its neighbours so the popup is not drawn under them.
    void popupShown(bool shown);
    /// Something the user should know about an edit (a typed value snapped to the nearest valid one).
    void hint(const QString& text);

  private:
    QString baseToolTip_;
};

/// Full size (inspector) or compact (inline on a node).
enum class EditorSize { Full, Compact };

/// Builds the editor for `spec`: INT/FLOAT with a range → slider + spin box (compact: spin box), snapped INTs
/// snap typed values and show their rule; BOOL → check box (compact: the box alone, the node draws the
/// label); ENUM → combo box; STRING → line edit, multi-line → text box; PATH → line edit + "…" picker (open
/// file, save file or folder, with the spec's filter), folders with a menu of recent model folders. Long
/// texts are elided in the middle while the field is not being edited. The spec's help text becomes the
/// tooltip.
ParamEditor* createParamEditor(const sv::plugin::ParamSpec& spec, EditorSize size, QWidget* parent = nullptr);

/// The label shown for a parameter: its caption, or its name made readable ("flow_shift" → "Flow shift").
QString paramCaption(const sv::plugin::ParamSpec& spec);
/// The tooltip of a parameter: caption, help, range and the rule of a step grid (ParamSpec::gridRule).
QString paramToolTip(const sv::plugin::ParamSpec& spec);
/// How many text lines a multi-line STRING gets on the node.
int inlineTextLines(const sv::plugin::ParamSpec& spec);

/// Model folders used recently, newest first (QSettings "paths/modelFolders").
QStringList recentModelFolders();
/// Puts `folder` first in recentModelFolders() (kept to ten).
void rememberModelFolder(const QString& folder);

}  // namespace sv::ui
