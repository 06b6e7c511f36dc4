// "Submit to Farm…": the current graph as a sweep on the farm. The artist picks parameter axes (a node's
// parameter and its values: 1..16, @prompts.txt, shots/*.png, a,b,c), product or zip, the chunk size
// (variants per task: each task loads the models once), GPUs, CPUs and memory per task, the partition, the
// time limit, the job root (a folder the compute nodes share) and the sanavideo the tasks run. The variant
// count updates as they type; problems (an unknown file, a value out of range) show before anything is
// submitted.
#pragma once

#include <QDialog>

#include <optional>

#include "plugin/farm/farm_jobs.h"

class QComboBox;
class QFormLayout;
class QLabel;
class QLineEdit;
class QSpinBox;
class QTableWidget;

namespace sv::ui {

namespace sp = sv::plugin;

/// The dialog's remembered settings (QSettings "farm/...").
struct FarmSubmitSettings {
    QString jobRoot;
    QString program;
    QString partition;
    QString timeLimit;
    QString memory;
    int chunk = 1;
    int gpus = 0;
    int cpus = 0;

    static FarmSubmitSettings load();
    void save() const;
};

/// The sanavideo the farm tasks run: $SV_SANAVIDEO_EXE, next to this program (installed), the build tree's
/// cli/sanavideo, or the one on PATH ("" when none).
QString defaultFarmProgram();

class FarmSubmitDialog : public QDialog {
    Q_OBJECT
  public:
    /// `graphFile`: the document's file ("" when untitled): names the job and anchors relative axis files.
    FarmSubmitDialog(const sp::GraphDocument& doc, const sp::NodeRegistry& registry, const QString& graphFile,
                     QWidget* parent = nullptr);

    /// Adds an axis row: `param` "node.param", `values` in the axis syntax.
    void addAxis(const QString& param, const QString& values);
    void setZip(bool zip);
    void setSettings(const FarmSubmitSettings& s);
    FarmSubmitSettings settings() const;

    /// Variants of the axes as they stand, -1 when they do not resolve (problem() says why).
    int variantCount() const { return variantCount_; }
    QString problem() const;

    /// Writes the job folder and submits it; on success remembers the settings and accepts the dialog.
    /// On failure shows the error in the dialog and returns false.
    bool submit();
    const std::optional<farm::SubmitOutcome>& outcome() const { return outcome_; }

  private:
    void buildAxesBox(QWidget* parent, QFormLayout* form);
    farm::SweepSpec spec() const;
    void updatePreview();

    const sp::GraphDocument& doc_;
    const sp::NodeRegistry& registry_;
    QString graphFile_;
    QStringList params_;  ///< every "node.param" of the graph
    QTableWidget* axes_ = nullptr;
    QComboBox* combine_ = nullptr;
    QSpinBox* chunk_ = nullptr;
    QSpinBox* gpus_ = nullptr;
    QSpinBox* cpus_ = nullptr;
    QLineEdit* memory_ = nullptr;
    QLineEdit* partition_ = nullptr;
    QLineEdit* timeLimit_ = nullptr;
    QLineEdit* jobRoot_ = nullptr;
    QLineEdit* program_ = nullptr;
    QLabel* preview_ = nullptr;
    QLabel* error_ = nullptr;
    int variantCount_ = -1;
    std::optional<farm::SubmitOutcome> outcome_;
};

}  // namespace sv::ui
