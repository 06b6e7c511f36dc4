// The inspector: the selected node's parameters as full-size editors built from its ParamSpecs (text boxes
// for prompts, sliders + spin boxes for ranges, combo boxes, file and folder pickers), with each parameter's
// help text as tooltip, plus its bypass and view flags. Edits go through the GraphEditor (undoable); the
// editors follow the document when it changes elsewhere (canvas, undo).
#pragma once

#include <QHash>
#include <QWidget>

class QCheckBox;
class QFormLayout;
class QLabel;
class QScrollArea;
class QToolButton;

namespace sv::ui {

class GraphEditor;
class ParamEditor;

class Inspector : public QWidget {
    Q_OBJECT
  public:
    explicit Inspector(GraphEditor& editor, QWidget* parent = nullptr);

    /// Shows node `id` ("" shows a hint instead).
    void setNode(const QString& id);
    const QString& nodeId() const { return m_nodeId; }
    /// The editor of a parameter of the shown node (nullptr when none).
    ParamEditor* paramEditor(const QString& name) const { return m_editors.value(name); }

  private:
    void rebuild();
    void syncParam(const QString& name);
    void syncFlags();

    GraphEditor& m_editor;
    QString m_nodeId;
    QLabel* m_title = nullptr;
    QLabel* m_help = nullptr;
    QCheckBox* m_bypass = nullptr;
    QToolButton* m_view = nullptr;
    QWidget* m_form = nullptr;
    QFormLayout* m_formLayout = nullptr;
    QScrollArea* m_scroll = nullptr;
    QHash<QString, ParamEditor*> m_editors;
};

}  // namespace sv::ui
