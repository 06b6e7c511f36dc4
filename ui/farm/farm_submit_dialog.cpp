#include "farm/farm_submit_dialog.h"

#include <QComboBox>
#include <QCoreApplication>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTableWidget>
#include <QVBoxLayout>

#include "base/error.h"

namespace sv::ui {

namespace {

enum AxisColumn { kParam, kValues };

QString qs(const std::string& s) {
    return QString::fromStdString(s);
}

QLineEdit* lineEdit(QWidget* parent, const QString& name, const QString& placeholder) {
    auto* e = new QLineEdit(parent);
    e->setObjectName(name);
    e->setPlaceholderText(placeholder);
    return e;
}

QSpinBox* spinBox(QWidget* parent, const QString& name, int lo, int hi) {
    auto* s = new QSpinBox(parent);
    s->setObjectName(name);
    s->setRange(lo, hi);
    return s;
}

}  // namespace

FarmSubmitSettings FarmSubmitSettings::load() {
    const QSettings q;
    FarmSubmitSettings s;
    s.jobRoot = q.value(QStringLiteral("farm/jobRoot"), qs(farm::defaultJobRoot().string())).toString();
    s.program = q.value(QStringLiteral("farm/program"), defaultFarmProgram()).toString();
    s.partition = q.value(QStringLiteral("farm/partition")).toString();
    s.timeLimit = q.value(QStringLiteral("farm/timeLimit")).toString();
    s.memory = q.value(QStringLiteral("farm/memory")).toString();
    s.chunk = q.value(QStringLiteral("farm/chunk"), 1).toInt();
    s.gpus = q.value(QStringLiteral("farm/gpus"), 0).toInt();
    s.cpus = q.value(QStringLiteral("farm/cpus"), 0).toInt();
    return s;
}

void FarmSubmitSettings::save() const {
    QSettings q;
    q.setValue(QStringLiteral("farm/jobRoot"), jobRoot);
    q.setValue(QStringLiteral("farm/program"), program);
    q.setValue(QStringLiteral("farm/partition"), partition);
    q.setValue(QStringLiteral("farm/timeLimit"), timeLimit);
    q.setValue(QStringLiteral("farm/memory"), memory);
    q.setValue(QStringLiteral("farm/chunk"), chunk);
    q.setValue(QStringLiteral("farm/gpus"), gpus);
    q.setValue(QStringLiteral("farm/cpus"), cpus);
}

QString defaultFarmProgram() {
    const QString env = qEnvironmentVariable("SV_SANAVIDEO_EXE");
    if (!env.isEmpty()) return env;
    const QString dir = QCoreApplication::applicationDirPath();
    for (const QString& c : {dir + QStringLiteral("/sanavideo"), dir + QStringLiteral("/../cli/sanavideo")})
        if (QFileInfo(c).isExecutable()) return QFileInfo(c).canonicalFilePath();
    return QStandardPaths::findExecutable(QStringLiteral("sanavideo"));
}

FarmSubmitDialog::FarmSubmitDialog(const sp::GraphDocument& doc, const sp::NodeRegistry& registry,
                                   const QString& graphFile, QWidget* parent)
    : QDialog(parent), doc_(doc), registry_(registry), graphFile_(graphFile) {
    setObjectName(QStringLiteral("farmSubmitDialog"));
    setWindowTitle(tr("Submit to Farm"));
    for (const sp::GraphNode& n : doc_.nodes())
        if (const sp::NodeDescriptor* d = registry_.find(n.type))
            for (const sp::ParamSpec& p : d->params) params_ << qs(n.id + "." + p.name);

    auto* form = new QFormLayout;
    buildAxesBox(this, form);
    combine_ = new QComboBox(this);
    combine_->setObjectName(QStringLiteral("farmCombine"));
    combine_->addItems({tr("every combination (product)"), tr("element by element (zip)")});
    form->addRow(tr("Combine"), combine_);
    chunk_ = spinBox(this, QStringLiteral("farmChunk"), 1, 100000);
    chunk_->setToolTip(tr("Variants per task: a task loads the models once for all of them"));
    form->addRow(tr("Variants per task"), chunk_);
    gpus_ = spinBox(this, QStringLiteral("farmGpus"), 0, 64);
    form->addRow(tr("GPUs per task"), gpus_);
    cpus_ = spinBox(this, QStringLiteral("farmCpus"), 0, 4096);
    cpus_->setSpecialValueText(tr("cluster default"));
    form->addRow(tr("CPU cores per task"), cpus_);
    memory_ = lineEdit(this, QStringLiteral("farmMemory"), tr("cluster default, e.g. 48G"));
    form->addRow(tr("Memory per task"), memory_);
    partition_ = lineEdit(this, QStringLiteral("farmPartition"), tr("cluster default"));
    form->addRow(tr("Partition"), partition_);
    timeLimit_ = lineEdit(this, QStringLiteral("farmTime"), tr("cluster default, e.g. 02:00:00"));
    form->addRow(tr("Time limit per task"), timeLimit_);
    jobRoot_ = lineEdit(this, QStringLiteral("farmJobRoot"), tr("a folder the compute nodes share"));
    auto* browse = new QPushButton(tr("Browse…"), this);
    connect(browse, &QPushButton::clicked, this, [this] {
        const QString d = QFileDialog::getExistingDirectory(this, tr("Job root"), jobRoot_->text());
        if (!d.isEmpty()) jobRoot_->setText(d);
    });
    auto* rootRow = new QHBoxLayout;
    rootRow->addWidget(jobRoot_, 1);
    rootRow->addWidget(browse);
    form->addRow(tr("Job root"), rootRow);
    program_ = lineEdit(this, QStringLiteral("farmProgram"), tr("sanavideo as the compute nodes see it"));
    form->addRow(tr("Program"), program_);

    preview_ = new QLabel(this);
    preview_->setObjectName(QStringLiteral("farmPreview"));
    error_ = new QLabel(this);
    error_->setObjectName(QStringLiteral("farmError"));
    error_->setWordWrap(true);
    error_->setStyleSheet(QStringLiteral("color: #ff6b66"));
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, this);
    buttons->addButton(tr("Submit"), QDialogButtonBox::AcceptRole);
    connect(buttons, &QDialogButtonBox::accepted, this, [this] { submit(); });
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(preview_);
    layout->addWidget(error_);
    layout->addWidget(buttons);

    connect(combine_, &QComboBox::currentIndexChanged, this, &FarmSubmitDialog::updatePreview);
    connect(chunk_, &QSpinBox::valueChanged, this, &FarmSubmitDialog::updatePreview);
    setSettings(FarmSubmitSettings::load());
    updatePreview();
    resize(720, 560);
}

void FarmSubmitDialog::buildAxesBox(QWidget* parent, QFormLayout* form) {
    axes_ = new QTableWidget(0, 2, parent);
    axes_->setObjectName(QStringLiteral("farmAxes"));
    axes_->setHorizontalHeaderLabels({tr("Parameter"), tr("Values")});
    axes_->horizontalHeader()->setSectionResizeMode(kValues, QHeaderView::Stretch);
    axes_->horizontalHeader()->resizeSection(kParam, 220);
    axes_->setToolTip(
        tr("Values: 1..16 or 1..16:2 (numbers), @prompts.txt (one value per line), shots/*.png "
           "(files, for path parameters), or a,b,c"));
    auto* add = new QPushButton(tr("Add axis"), parent);
    auto* remove = new QPushButton(tr("Remove"), parent);
    connect(add, &QPushButton::clicked, this, [this] { addAxis({}, {}); });
    connect(remove, &QPushButton::clicked, this, [this] {
        if (axes_->currentRow() >= 0) axes_->removeRow(axes_->currentRow());
        updatePreview();
    });
    auto* box = new QVBoxLayout;
    box->addWidget(axes_, 1);
    auto* row = new QHBoxLayout;
    row->addWidget(add);
    row->addWidget(remove);
    row->addStretch(1);
    box->addLayout(row);
    form->addRow(tr("Axes"), box);
}

void FarmSubmitDialog::addAxis(const QString& param, const QString& values) {
    const int row = axes_->rowCount();
    axes_->insertRow(row);
    auto* pick = new QComboBox(axes_);
    pick->setEditable(true);
    pick->addItems(params_);
    pick->setCurrentText(param.isEmpty() && !params_.isEmpty() ? params_.first() : param);
    auto* text = new QLineEdit(values, axes_);
    text->setPlaceholderText(QStringLiteral("1..16 · @prompts.txt · shots/*.png · a,b,c"));
    axes_->setCellWidget(row, kParam, pick);
    axes_->setCellWidget(row, kValues, text);
    connect(pick, &QComboBox::currentTextChanged, this, &FarmSubmitDialog::updatePreview);
    connect(text, &QLineEdit::textChanged, this, &FarmSubmitDialog::updatePreview);
    updatePreview();
}

void FarmSubmitDialog::setZip(bool zip) {
    combine_->setCurrentIndex(zip ? 1 : 0);
}

void FarmSubmitDialog::setSettings(const FarmSubmitSettings& s) {
    jobRoot_->setText(s.jobRoot);
    program_->setText(s.program);
    partition_->setText(s.partition);
    timeLimit_->setText(s.timeLimit);
    memory_->setText(s.memory);
    chunk_->setValue(s.chunk);
    gpus_->setValue(s.gpus);
    cpus_->setValue(s.cpus);
}

FarmSubmitSettings FarmSubmitDialog::settings() const {
    return {jobRoot_->text().trimmed(),
            program_->text().trimmed(),
            partition_->text().trimmed(),
            timeLimit_->text().trimmed(),
            memory_->text().trimmed(),
            chunk_->value(),
            gpus_->value(),
            cpus_->value()};
}

farm::SweepSpec FarmSubmitDialog::spec() const {
    farm::SweepSpec s;
    s.graph = graphFile_.toStdString();
    s.baseDir =
        (graphFile_.isEmpty() ? QDir::currentPath() : QFileInfo(graphFile_).absolutePath()).toStdString();
    for (int row = 0; row < axes_->rowCount(); ++row) {
        const auto* pick = qobject_cast<QComboBox*>(axes_->cellWidget(row, kParam));
        const auto* text = qobject_cast<QLineEdit*>(axes_->cellWidget(row, kValues));
        if (!pick || !text || text->text().trimmed().isEmpty()) continue;
        s.axes.push_back(farm::parseAxis(
            (pick->currentText().trimmed() + QLatin1Char('=') + text->text().trimmed()).toStdString()));
    }
    s.combine = combine_->currentIndex() == 1 ? farm::Combine::Zip : farm::Combine::Product;
    const FarmSubmitSettings f = settings();
    s.farm.chunk = f.chunk;
    s.farm.gpus = f.gpus;
    s.farm.cpus = f.cpus;
    s.farm.memory = f.memory.toStdString();
    s.farm.partition = f.partition.toStdString();
    s.farm.timeLimit = f.timeLimit.toStdString();
    return s;
}

QString FarmSubmitDialog::problem() const {
    return error_->text();
}

void FarmSubmitDialog::updatePreview() {
    try {
        const farm::SweepSpec s = spec();
        std::vector<farm::Axis> axes;
        for (const farm::AxisSpec& a : s.axes)
            axes.push_back(farm::resolveAxis(a, doc_, registry_, s.baseDir));
        variantCount_ = int(farm::expandVariants(axes, s.combine).size());
        const int tasks = (variantCount_ + s.farm.chunk - 1) / s.farm.chunk;
        preview_->setText(tr("%n variant(s)", nullptr, variantCount_) + tr(" in %n task(s)", nullptr, tasks));
        error_->clear();
    } catch (const Error& e) {
        variantCount_ = -1;
        preview_->clear();
        error_->setText(qs(e.what()));
    }
}

bool FarmSubmitDialog::submit() {
    try {
        farm::SubmitRequest request;
        request.spec = spec();
        request.graph = doc_;
        const FarmSubmitSettings f = settings();
        SV_CHECK(!f.jobRoot.isEmpty(), "choose a job root: a folder the compute nodes share");
        SV_CHECK(!f.program.isEmpty(), "choose the sanavideo program the tasks run");
        request.jobRoot = f.jobRoot.toStdString();
        request.program = f.program.toStdString();
        request.name =
            graphFile_.isEmpty() ? std::string("untitled") : QFileInfo(graphFile_).baseName().toStdString();
        const auto manager = farm::makeFarmManager(request.spec.farm.manager);
        outcome_ = farm::submitJob(request, registry_, *manager);
        f.save();
        accept();
        return true;
    } catch (const Error& e) {
        error_->setText(qs(e.what()));
        return false;
    }
}

}  // namespace sv::ui
