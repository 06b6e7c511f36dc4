// The inspector: the selected node's parameters as full-size editors built from its ParamSpecs (text boxes
// for prompts, sliders + spin boxes for ranges, combo boxes, file and folder pickers), with each parameter's
// help text as tooltip, plus its bypass and view flags. Each parameter has a toggle that shows it on the node
// or only here. Edits go through the GraphEditor (undoable); the editors follow the document when it changes
// elsewhere (canvas, undo), and a parameter whose value a connected input supplies is greyed out.
#pragma once

#include <QHash>
#include <QWidget>

class QCheckBox;
class QFormLayout;
class QLabel;
class QScrollArea;
class QToolButton;

namespace sv::plugin {
struct ParamSpec;
}

namespace sv::ui {

class GraphEditor;
class ParamEditor;

class Inspector : public QWidget {
    Q_OBJECT
  public:
    explicit Inspector(GraphEditor& editor, QWidget* parent = nullptr);

    /// Shows node `id` ("" shows a hint instead).
    void setNode(const QString& id);
    const QString& nodeId() const { return nodeId_; }
    /// The editor of a parameter of the shown node (nullptr when none).
    ParamEditor* paramEditor(const QString& name) const { return editors_.value(name); }
    /// The "show on the node" toggle of a parameter (nullptr when none).
    QToolButton* onNodeToggle(const QString& name) const { return pins_.value(name); }

  signals:
    /// Something to tell the user about an edit (a value snapped to a valid one).
    void hint(const QString& text);

  private:
    void rebuild();
    void syncParam(const QString& name);
    void syncFlags();
    void syncUnused();
    void addParamRow(const sv::plugin::ParamSpec& spec);

    GraphEditor& editor_;
    QString nodeId_;
    QLabel* title_ = nullptr;
    QLabel* help_ = nullptr;
    QCheckBox* bypass_ = nullptr;
    QToolButton* view_ = nullptr;
    QWidget* form_ = nullptr;
    QFormLayout* formLayout_ = nullptr;
    QScrollArea* scroll_ = nullptr;
    QHash<QString, ParamEditor*> editors_;
    QHash<QString, QToolButton*> pins_;
};

}  // namespace sv::ui
