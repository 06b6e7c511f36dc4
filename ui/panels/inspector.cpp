#include "panels/inspector.h"

#include <QCheckBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QScrollArea>
#include <QToolButton>
#include <QVBoxLayout>

#include "app/graph_editor.h"
#include "panels/param_widgets.h"

namespace sv::ui {

Inspector::Inspector(GraphEditor& editor, QWidget* parent) : QWidget(parent), m_editor(editor) {
    m_title = new QLabel(this);
    m_title->setObjectName(QStringLiteral("inspectorTitle"));
    m_title->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_help = new QLabel(this);
    m_help->setObjectName(QStringLiteral("inspectorHelp"));
    m_help->setWordWrap(true);

    m_bypass = new QCheckBox(tr("Bypass (D)"), this);
    m_bypass->setObjectName(QStringLiteral("inspectorBypass"));
    m_bypass->setToolTip(tr("A bypassed node passes its first matching input through and is drawn dimmed"));
    connect(m_bypass, &QCheckBox::clicked, this, [this] { m_editor.toggleBypass({m_nodeId}); });
    m_view = new QToolButton(this);
    m_view->setObjectName(QStringLiteral("inspectorView"));
    m_view->setText(tr("View (V)"));
    m_view->setCheckable(true);
    m_view->setToolTip(tr("Show this node's previews and results in the preview pane"));
    connect(m_view, &QToolButton::clicked, this, [this] { m_editor.setViewed(m_nodeId); });

    auto* flags = new QHBoxLayout;
    flags->addWidget(m_bypass);
    flags->addStretch(1);
    flags->addWidget(m_view);

    m_form = new QWidget;
    m_formLayout = new QFormLayout(m_form);
    m_formLayout->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    m_formLayout->setLabelAlignment(Qt::AlignRight | Qt::AlignTop);
    m_scroll = new QScrollArea(this);
    m_scroll->setWidgetResizable(true);
    m_scroll->setFrameShape(QFrame::NoFrame);
    m_scroll->setWidget(m_form);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 4, 6, 4);
    layout->addWidget(m_title);
    layout->addWidget(m_help);
    layout->addLayout(flags);
    layout->addWidget(m_scroll, 1);

    GraphModel& model = m_editor.model();
    connect(&model, &GraphModel::paramChanged, this, [this](const QString& id, const QString& name) {
        if (id == m_nodeId) syncParam(name);
    });
    connect(&model, &GraphModel::bypassChanged, this, [this](const QString& id) {
        if (id == m_nodeId) syncFlags();
    });
    connect(&model, &GraphModel::uiDataChanged, this, [this](const QString&) { syncFlags(); });
    connect(&model, &GraphModel::nodeRemoved, this, [this](const QString& id) {
        if (id == m_nodeId) setNode({});
    });
    connect(&model, &GraphModel::reset, this, [this] { setNode({}); });
    rebuild();
}

void Inspector::setNode(const QString& id) {
    if (id == m_nodeId && !id.isEmpty()) return;
    m_nodeId = id;
    rebuild();
}

void Inspector::rebuild() {
    m_editors.clear();
    while (m_formLayout->rowCount() > 0) m_formLayout->removeRow(0);
    const GraphModel& model = m_editor.model();
    const bool has = !m_nodeId.isEmpty() && model.hasNode(m_nodeId);
    m_bypass->setVisible(has);
    m_view->setVisible(has);
    if (!has) {
        m_title->setText(tr("No node selected"));
        m_help->setText(
            tr("Select a node to edit its parameters. Tab or double-click on the canvas adds a node."));
        return;
    }
    const sp::NodeDescriptor* d = model.descriptor(m_nodeId);
    m_title->setText(QStringLiteral("%1  <span style='color:#80868e; font-weight:normal'>%2</span>")
                         .arg(model.title(m_nodeId).toHtmlEscaped(), m_nodeId.toHtmlEscaped()));
    if (!d) {
        m_help->setText(tr("Unknown node type \"%1\": no installed node pack provides it.")
                            .arg(GraphModel::qs(model.node(m_nodeId)->type)));
        return;
    }
    m_help->setText(GraphModel::qs(d->help));
    m_help->setVisible(!d->help.empty());
    for (const sp::ParamSpec& spec : d->params) {
        ParamEditor* editor = createParamEditor(spec, EditorSize::Full, m_form);
        const QString name = GraphModel::qs(spec.name);
        connect(editor, &ParamEditor::edited, this,
                [this, name](const QVariant& v, bool final) { m_editor.setParam(m_nodeId, name, v, final); });
        auto* label = new QLabel(paramCaption(spec), m_form);
        label->setToolTip(editor->toolTip());
        // A bool's editor carries its own caption.
        if (spec.type == sp::PortType::Bool) {
            m_formLayout->addRow(QString(), editor);
            delete label;
        } else {
            m_formLayout->addRow(label, editor);
        }
        m_editors.insert(name, editor);
        syncParam(name);
    }
    if (d->params.empty()) m_formLayout->addRow(new QLabel(tr("This node has no parameters."), m_form));
    syncFlags();
}

void Inspector::syncParam(const QString& name) {
    if (ParamEditor* e = m_editors.value(name)) e->setValue(m_editor.model().paramValue(m_nodeId, name));
}

void Inspector::syncFlags() {
    if (m_nodeId.isEmpty() || !m_editor.model().hasNode(m_nodeId)) return;
    m_bypass->setChecked(m_editor.model().isBypassed(m_nodeId));
    m_view->setChecked(m_editor.model().isViewed(m_nodeId));
}

}  // namespace sv::ui
