// The editor and a real Slurm (`.ci/slurm.sh up`), run under Xvfb: "Submit to Farm…" on the shipped
// text-to-video graph (tiny settings, demo model) with a seed axis, the farm panel following the job until
// every task is finished, double-clicking a task opening its clip, re-submission saying nothing is left.
// Skipped without a cluster unless SV_REQUIRE_SLURM=1.
#include <QAction>
#include <QDockWidget>
#include <QFileInfo>
#include <QMenuBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QTreeWidget>

#include <set>

#include "app/graph_editor.h"
#include "canvas/graph_model.h"
#include "farm/farm_integration.h"
#include "farm/farm_monitor.h"
#include "farm/farm_panel.h"
#include "farm/farm_submit_dialog.h"
#include "panels/log_panel.h"
#include "plugin/farm/process_runner.h"
#include "sana_test_support.h"
#include "ui_test_support.h"

namespace sv::ui::test {
namespace {

using namespace std::chrono_literals;

bool slurmAnswers(std::string& why) {
    const farm::ProcessResult r = farm::runProcess("sinfo", {"--noheader"}, 20s);
    why = r.describe("sinfo");
    return r.ok();
}

struct FarmStudio {
    QTemporaryDir dir;
    std::unique_ptr<sp::NodeRegistry> registry = std::make_unique<sp::NodeRegistry>();
    std::unique_ptr<MainWindow> window;
    FarmIntegration* farm = nullptr;

    FarmStudio() {
        app();
        sv::test::loadSanaPack(*registry);
        StudioOptions o;
        o.autosaveDir = dir.filePath(QStringLiteral("autosave"));
        o.outputDir = dir.filePath(QStringLiteral("out"));
        o.confirmDiscard = false;
        window = std::make_unique<MainWindow>(*registry, o);
        farm = new FarmIntegration(*window);  // as the application does
        window->resize(1500, 950);
        window->show();
        EXPECT_TRUE(QTest::qWaitForWindowExposed(window.get()));
    }
    ~FarmStudio() { window.reset(); }

    void openTinyGraph(const std::filesystem::path& model) {
        ASSERT_TRUE(window->openTemplate(defaultGraphPath(QStringLiteral("text-to-video.json"))));
        for (const auto& s : sv::test::tinySettings(model, false)) {
            const sp::ParamSpec* spec =
                registry->find(window->document().findNode(s.node)->type)->findParam(s.param);
            window->editor().setParam(QString::fromStdString(s.node), QString::fromStdString(s.param),
                                      GraphModel::toVariant(spec->parseText(s.value)));
        }
    }
};

class UiFarmTest : public ::testing::Test {
  protected:
    void SetUp() override {
        std::string why;
        if (slurmAnswers(why)) return;
        if (qEnvironmentVariable("SV_REQUIRE_SLURM") == QStringLiteral("1"))
            FAIL() << "no Slurm cluster answers (" << why << "); start one with .ci/slurm.sh up";
        GTEST_SKIP() << "no Slurm cluster (" << why << "); .ci/slurm.sh up starts one";
    }
    sv::test::TempDir tmp;
};

TEST_F(UiFarmTest, SubmitToFarmShowsTheTasksFinishingAndOpensTheirClips) {
    FarmStudio studio;
    studio.openTinyGraph(sv::test::makeDemoModel(tmp.path()));
    // The menu and the dock are there, beside the queue.
    ASSERT_NE(studio.window->findChild<QDockWidget*>(QStringLiteral("farmDock")), nullptr);
    EXPECT_EQ(studio.farm->submitAction()->text(), QStringLiteral("Submit to &Farm…"));

    FarmSubmitSettings settings;
    settings.jobRoot = QString::fromStdString((tmp.path() / "jobs").string());
    settings.program = QStringLiteral(SV_SANAVIDEO_EXE);
    settings.chunk = 2;
    std::unique_ptr<FarmSubmitDialog> dialog(studio.farm->createSubmitDialog());
    dialog->setSettings(settings);
    dialog->addAxis(QStringLiteral("sampler.steps"), QStringLiteral("0..2"));
    EXPECT_EQ(dialog->variantCount(), -1);
    EXPECT_TRUE(
        dialog->problem().contains(QStringLiteral("axis sampler.steps=0..2: 0 is below the minimum 1")))
        << dialog->problem().toStdString();
    std::unique_ptr<FarmSubmitDialog> good(studio.farm->createSubmitDialog());
    good->setSettings(settings);
    good->addAxis(QStringLiteral("sampler.seed"), QStringLiteral("21..24"));
    ASSERT_EQ(good->variantCount(), 4) << good->problem().toStdString();
    ASSERT_TRUE(good->submit()) << good->problem().toStdString();
    studio.farm->jobSubmitted(*good);
    const QString jobId = QString::fromStdString(good->outcome()->jobId);
    EXPECT_TRUE(studio.window->logPanel()->plainText().contains(QStringLiteral("Submitted ") + jobId));

    FarmPanel* panel = studio.farm->panel();
    studio.farm->monitor().setInterval(500);
    std::set<std::string> seen;  // every state a task row showed
    const bool finished = QTest::qWaitFor(
        [&] {
            for (int t = 0; t < 2; ++t)
                if (QTreeWidgetItem* row = panel->item(jobId, t)) seen.insert(row->text(1).toStdString());
            const QTreeWidgetItem* a = panel->item(jobId, 0);
            const QTreeWidgetItem* b = panel->item(jobId, 1);
            return a && b && a->text(1) == QStringLiteral("finished") &&
                   b->text(1) == QStringLiteral("finished");
        },
        400000);
    ASSERT_TRUE(finished) << panel->rowText(panel->item(jobId, 0)).toStdString() << "\n"
                          << panel->rowText(panel->item(jobId, 1)).toStdString();
    EXPECT_TRUE(seen.count("pending") || seen.count("running")) << "the panel followed the tasks as they ran";
    EXPECT_EQ(panel->item(jobId, 1)->text(2), QStringLiteral("2/2"));
    EXPECT_TRUE(panel->item(jobId)->text(3).contains(QStringLiteral("variants: 4 of 4 done")));

    // Double-clicking a finished task opens its first clip; a variant row opens its own.
    QStringList opened;
    panel->setClipOpener([&](const QString& path) { opened << path; });
    const QString clip = panel->activate(panel->item(jobId, 1));
    EXPECT_TRUE(clip.endsWith(QStringLiteral("/outputs/003_seed-23.mp4"))) << clip.toStdString();
    EXPECT_TRUE(QFileInfo::exists(clip));
    panel->activate(panel->item(jobId, 1, QStringLiteral("004_seed-24")));
    ASSERT_EQ(opened.size(), 2);
    EXPECT_TRUE(opened[1].endsWith(QStringLiteral("004_seed-24.mp4")));
    // Nothing failed: re-submitting says so.
    panel->tree()->setCurrentItem(panel->item(jobId));
    QSignalSpy messages(panel, &FarmPanel::message);
    for (QPushButton* b : panel->findChildren<QPushButton*>())
        if (b->text() == QStringLiteral("Re-submit failed")) b->click();
    ASSERT_EQ(messages.size(), 1);
    EXPECT_EQ(messages[0][0].toString(), QStringLiteral("No task needs to run again"));
    const QString shot = qEnvironmentVariable("SV_FARM_SCREENSHOT");
    if (!shot.isEmpty()) studio.window->grab().save(shot);
}

}  // namespace
}  // namespace sv::ui::test
