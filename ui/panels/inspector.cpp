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

Inspector::Inspector(GraphEditor& editor, QWidget* parent) : QWidget(parent), editor_(editor) {
    title_ = new QLabel(this);
    title_->setObjectName(QStringLiteral("inspectorTitle"));
    title_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    help_ = new QLabel(this);
    help_->setObjectName(QStringLiteral("inspectorHelp"));
    help_->setWordWrap(true);

    bypass_ = new QCheckBox(tr("Bypass (D)"), this);
    bypass_->setObjectName(QStringLiteral("inspectorBypass"));
    bypass_->setToolTip(tr("A bypassed node passes its first matching input through and is drawn dimmed"));
    connect(bypass_, &QCheckBox::clicked, this, [this] { editor_.toggleBypass({nodeId_}); });
    view_ = new QToolButton(this);
    view_->setObjectName(QStringLiteral("inspectorView"));
    view_->setText(tr("View (V)"));
    view_->setCheckable(true);
    view_->setToolTip(tr("Show this node's previews and results in the preview pane"));
    connect(view_, &QToolButton::clicked, this, [this] { editor_.setViewed(nodeId_); });

    auto* flags = new QHBoxLayout;
    flags->addWidget(bypass_);
    flags->addStretch(1);
    flags->addWidget(view_);

    form_ = new QWidget;
    formLayout_ = new QFormLayout(form_);
    formLayout_->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    formLayout_->setLabelAlignment(Qt::AlignRight | Qt::AlignTop);
    scroll_ = new QScrollArea(this);
    scroll_->setWidgetResizable(true);
    scroll_->setFrameShape(QFrame::NoFrame);
    scroll_->setWidget(form_);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 4, 6, 4);
    layout->addWidget(title_);
    layout->addWidget(help_);
    layout->addLayout(flags);
    layout->addWidget(scroll_, 1);

    GraphModel& model = editor_.model();
    connect(&model, &GraphModel::paramChanged, this, [this](const QString& id, const QString& name) {
        if (id == nodeId_) syncParam(name);
    });
    connect(&model, &GraphModel::bypassChanged, this, [this](const QString& id) {
        if (id == nodeId_) syncFlags();
    });
    connect(&model, &GraphModel::uiDataChanged, this, [this](const QString&) { syncFlags(); });
    connect(&model, &GraphModel::nodeRemoved, this, [this](const QString& id) {
        if (id == nodeId_) setNode({});
    });
    connect(&model, &GraphModel::reset, this, [this] { setNode({}); });
    auto linksChanged = [this](const sp::GraphLink& l) {
        if (GraphModel::qs(l.to.node) == nodeId_) syncUnused();
    };
    connect(&model, &GraphModel::linkAdded, this, linksChanged);
    connect(&model, &GraphModel::linkRemoved, this, linksChanged);
    rebuild();
}

void Inspector::setNode(const QString& id) {
    if (id == nodeId_ && !id.isEmpty()) return;
    nodeId_ = id;
    rebuild();
}

void Inspector::rebuild() {
    editors_.clear();
    pins_.clear();
    while (formLayout_->rowCount() > 0) formLayout_->removeRow(0);
    const GraphModel& model = editor_.model();
    const bool has = !nodeId_.isEmpty() && model.hasNode(nodeId_);
    bypass_->setVisible(has);
    view_->setVisible(has);
    if (!has) {
        title_->setText(tr("No node selected"));
        help_->setText(
            tr("Select a node to edit its parameters. Tab or double-click on the canvas adds a node."));
        return;
    }
    const sp::NodeDescriptor* d = model.descriptor(nodeId_);
    title_->setText(QStringLiteral("%1  <span style='color:#80868e; font-weight:normal'>%2</span>")
                        .arg(model.title(nodeId_).toHtmlEscaped(), nodeId_.toHtmlEscaped()));
    if (!d) {
        help_->setText(tr("Unknown node type \"%1\": no installed node pack provides it.")
                           .arg(GraphModel::qs(model.node(nodeId_)->type)));
        return;
    }
    help_->setText(GraphModel::qs(d->help));
    help_->setVisible(!d->help.empty());
    for (const sp::ParamSpec& spec : d->params) addParamRow(spec);
    if (d->params.empty()) formLayout_->addRow(new QLabel(tr("This node has no parameters."), form_));
    syncFlags();
}

void Inspector::addParamRow(const sp::ParamSpec& spec) {
    ParamEditor* editor = createParamEditor(spec, EditorSize::Full, form_);
    const QString name = GraphModel::qs(spec.name);
    connect(editor, &ParamEditor::edited, this,
            [this, name](const QVariant& v, bool final) { editor_.setParam(nodeId_, name, v, final); });
    connect(editor, &ParamEditor::hint, this, &Inspector::hint);
    // Shown on the node, or only here.
    auto* pin = new QToolButton(form_);
    pin->setObjectName(QStringLiteral("onNode_") + name);
    pin->setCheckable(true);
    pin->setText(QStringLiteral("◧"));
    pin->setToolTip(tr("Show %1 on the node (off: only here in the inspector)").arg(paramCaption(spec)));
    connect(pin, &QToolButton::clicked, this,
            [this, name](bool on) { editor_.setParamOnNode(nodeId_, name, on); });
    auto* field = new QWidget(form_);
    auto* row = new QHBoxLayout(field);
    row->setContentsMargins(0, 0, 0, 0);
    row->setSpacing(4);
    row->addWidget(editor, 1);
    row->addWidget(pin, 0, Qt::AlignTop);
    // A bool's editor carries its own caption.
    if (spec.type == sp::PortType::Bool) {
        formLayout_->addRow(QString(), field);
    } else {
        auto* label = new QLabel(paramCaption(spec), form_);
        label->setToolTip(editor->toolTip());
        formLayout_->addRow(label, field);
    }
    editors_.insert(name, editor);
    pins_.insert(name, pin);
    syncParam(name);
}

void Inspector::syncUnused() {
    for (auto it = editors_.begin(); it != editors_.end(); ++it)
        it.value()->setUnusedBecause(editor_.model().unusedBecause(nodeId_, it.key()));
}

void Inspector::syncParam(const QString& name) {
    if (ParamEditor* e = editors_.value(name)) e->setValue(editor_.model().paramValue(nodeId_, name));
}

void Inspector::syncFlags() {
    if (nodeId_.isEmpty() || !editor_.model().hasNode(nodeId_)) return;
    bypass_->setChecked(editor_.model().isBypassed(nodeId_));
    view_->setChecked(editor_.model().isViewed(nodeId_));
    for (auto it = pins_.begin(); it != pins_.end(); ++it)
        it.value()->setChecked(editor_.model().isParamOnNode(nodeId_, it.key()));
    syncUnused();
}

}  // namespace sv::ui
