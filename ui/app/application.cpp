#include "app/application.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QIcon>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTimer>

#include <algorithm>
#include <cstdio>

#include "app/main_window.h"
#include "app/theme.h"
#include "farm/farm_integration.h"
#include "panels/log_panel.h"
#include "plugin/sdk/plugin_loader.h"
#include "run/run_queue.h"

static void svInitUiResources() {
    Q_INIT_RESOURCE(sv_ui);
}

namespace sv::ui {

void initResources() {
    svInitUiResources();
}

void setupApplication(QApplication& app) {
    initResources();
    QApplication::setOrganizationName(QStringLiteral("SanaVideo"));
    QApplication::setApplicationName(QStringLiteral("sanavideo-studio"));
    QApplication::setApplicationDisplayName(QStringLiteral("Sana Video Studio"));
    QApplication::setApplicationVersion(QStringLiteral(SV_UI_VERSION_STRING));
    QApplication::setDesktopFileName(QStringLiteral("sanavideo-studio"));
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/sanavideo-studio.png")));
    applyTheme(app);
}

QStringList templateFolders() {
    initResources();
    return {
        QDir::cleanPath(QApplication::applicationDirPath() + QStringLiteral("/../share/sanavideo/graphs")),
        QDir::cleanPath(QStringLiteral(SV_SOURCE_RESOURCES_DIR "/graphs")),
        QStringLiteral(":/graphs"),
    };
}

QString defaultGraphPath(const QString& name) {
    for (const QString& folder : templateFolders())
        if (QFileInfo::exists(folder + u'/' + name)) return folder + u'/' + name;
    return {};
}

QList<GraphTemplate> graphTemplates() {
    for (const QString& folder : templateFolders()) {
        QStringList files = QDir(folder).entryList({QStringLiteral("*.json")}, QDir::Files, QDir::Name);
        if (files.isEmpty()) continue;
        auto rank = [](const QString& f) {
            return f == u"text-to-video.json" ? 0 : f == u"image-to-video.json" ? 1 : 2;
        };
        std::stable_sort(files.begin(), files.end(),
                         [&](const QString& a, const QString& b) { return rank(a) < rank(b); });
        QList<GraphTemplate> out;
        for (const QString& f : files) {
            GraphTemplate t{folder + u'/' + f, QFileInfo(f).completeBaseName(), {}};
            QFile file(t.path);
            if (file.open(QIODevice::ReadOnly)) {
                const QJsonObject meta = QJsonDocument::fromJson(file.readAll())
                                             .object()
                                             .value(QStringLiteral("metadata"))
                                             .toObject();
                t.title = meta.value(QStringLiteral("title")).toString(t.title);
                t.description = meta.value(QStringLiteral("description")).toString();
            }
            out.append(t);
        }
        return out;
    }
    return {};
}

bool isTemplateFile(const QString& path) {
    const QString folder = path.startsWith(u':') ? QFileInfo(path).path() : QFileInfo(path).canonicalPath();
    if (folder.isEmpty()) return false;
    for (const QString& f : templateFolders()) {
        const QString canonical = f.startsWith(u':') ? f : QFileInfo(f).canonicalFilePath();
        if (!canonical.isEmpty() && canonical == folder) return true;
    }
    return false;
}

StudioLaunch parseCommandLine(const QStringList& arguments, int* exitCode) {
    *exitCode = -1;
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Sana Video Studio — node editor for SANA-Video"));
    const QCommandLineOption help = parser.addHelpOption();
    const QCommandLineOption version = parser.addVersionOption();
    parser.addPositionalArgument(
        QStringLiteral("graph"),
        QStringLiteral("Graph JSON, or an MP4 written by Save Video, to open (default: the "
                       "text-to-video template)."));
    const QCommandLineOption set(
        QStringLiteral("set"), QStringLiteral("Set a parameter after opening, as the CLI does (repeatable)."),
        QStringLiteral("node.param=value"));
    const QCommandLineOption run(QStringLiteral("run"), QStringLiteral("Queue the graph right away."));
    const QCommandLineOption screenshot(
        QStringLiteral("screenshot"),
        QStringLiteral(
            "Save a picture of the window to <file> and quit (works with QT_QPA_PLATFORM=offscreen). "
            "The exit code is 3 when a queued job failed or was refused."),
        QStringLiteral("file"));
    const QCommandLineOption at(
        QStringLiteral("screenshot-at"),
        QStringLiteral("When to take the screenshot: idle (default: once the queue is idle) "
                       "or step:N (once a node reaches step N; the run is then cancelled)."),
        QStringLiteral("when"), QStringLiteral("idle"));
    parser.addOptions({set, run, screenshot, at});
    // Without an application object the usage line cannot know the program's name.
    auto helpText = [&parser] {
        return parser.helpText().replace(QStringLiteral("<executable_name>"),
                                         QStringLiteral("sanavideo-studio"));
    };
    auto fail = [&](const QString& message) {
        std::fprintf(stderr, "sanavideo-studio: %s\n%s", qPrintable(message), qPrintable(helpText()));
        *exitCode = 1;
        return StudioLaunch{};
    };
    if (!parser.parse(arguments)) return fail(parser.errorText());
    if (parser.isSet(help) || parser.isSet(QStringLiteral("help-all"))) {
        std::fputs(qPrintable(helpText()), stdout);
        *exitCode = 0;
        return {};
    }
    if (parser.isSet(version)) {
        std::printf("sanavideo-studio %s\n", SV_UI_VERSION_STRING);
        *exitCode = 0;
        return {};
    }
    StudioLaunch launch;
    launch.path = parser.positionalArguments().value(0);
    launch.sets = parser.values(set);
    launch.run = parser.isSet(run);
    launch.screenshot = parser.value(screenshot);
    launch.screenshotAt = parser.value(at);
    if (launch.screenshotAt != u"idle" && !launch.screenshotAt.startsWith(u"step:"))
        return fail(
            QStringLiteral("--screenshot-at expects idle or step:N, got %1").arg(launch.screenshotAt));
    return launch;
}

namespace {

void logPluginReports(MainWindow& window, const std::vector<sp::PluginReport>& reports, size_t types) {
    for (const sp::PluginReport& r : reports) {
        const QString file = QString::fromStdString(r.file.string());
        if (r.loaded) {
            window.logPanel()->info(
                QStringLiteral("plugins"),
                QObject::tr("%1: %n node type(s) from %2", nullptr, int(r.nodeTypes.size()))
                    .arg(QString::fromStdString(r.pack), file));
        } else {
            window.logPanel()->warning(QStringLiteral("plugins"),
                                       QStringLiteral("%1: %2").arg(file, QString::fromStdString(r.message)));
        }
    }
    if (types == 0)
        window.logPanel()->warning(
            QStringLiteral("plugins"),
            QObject::tr("No node pack found (looked next to the program and in SV_PLUGIN_PATH)"));
}

void openFirstGraph(MainWindow& window, const StudioLaunch& launch) {
    const bool recovered = launch.path.isEmpty() && window.offerRecovery(true);
    if (!launch.path.isEmpty()) {
        window.openFile(launch.path);
    } else if (!recovered) {
        const QString def = defaultGraphPath(QStringLiteral("text-to-video.json"));
        if (def.isEmpty()) {
            window.logPanel()->warning(
                QStringLiteral("file"),
                QObject::tr("The template text-to-video.json was not found; starting empty"));
        } else {
            window.openTemplate(def);
        }
    }
    const QStringList problems = window.applyOverrides(launch.sets);
    for (int i = 0; i < problems.size(); ++i)
        if (!problems[i].isEmpty()) {
            window.logPanel()->error(QStringLiteral("--set"), problems[i]);
            std::fprintf(stderr, "sanavideo-studio: --set %s\n", qPrintable(problems[i]));
        }
}

/// Takes the screenshot when the launch says (the queue idle, or a node at step N), then quits with the exit
/// code: 3 when a job failed or was refused.
void scheduleScreenshot(MainWindow& window, const StudioLaunch& launch, const bool& failed) {
    const qint64 atStep =
        launch.screenshotAt.startsWith(u"step:") ? launch.screenshotAt.mid(5).toLongLong() : 0;
    auto* poll = new QTimer(&window);
    auto clock = std::make_shared<QElapsedTimer>();
    auto reachedAt = std::make_shared<qint64>(-1);
    clock->start();
    QObject::connect(poll, &QTimer::timeout, &window,
                     [&window, &launch, &failed, poll, clock, reachedAt, atStep] {
                         if (clock->elapsed() > qint64(launch.timeoutSeconds) * 1000) {
                             window.logPanel()->error(QStringLiteral("screenshot"), QObject::tr("timed out"));
                             QCoreApplication::exit(2);
                             return;
                         }
                         RunQueue& queue = window.runQueue();
                         const Job* running = queue.job(queue.currentJob());
                         if (atStep > 0 && running && running->nodeProgress.step >= atStep && *reachedAt < 0)
                             *reachedAt = clock->elapsed();
                         // At a step: give the preview a moment to show that step. Idle: the run, if any, is
                         // over.
                         const bool now = *reachedAt >= 0 ? clock->elapsed() - *reachedAt > 400
                                                          : !queue.isBusy() && clock->elapsed() > 500;
                         if (!now) return;
                         poll->stop();
                         const bool ok = window.grab().save(launch.screenshot);
                         std::fprintf(ok ? stdout : stderr, "%s %s\n", ok ? "wrote" : "cannot write",
                                      qPrintable(launch.screenshot));
                         if (queue.isBusy()) queue.cancelCurrent();
                         QCoreApplication::exit(!ok ? 1 : failed ? 3 : 0);
                     });
    poll->start(100);
}

}  // namespace

int runStudio(QApplication& app, const StudioLaunch& launch) {
    sp::NodeRegistry registry;
    sp::PluginLoader loader;
    const auto reports = loader.loadDefault(registry);

    MainWindow window(registry);
    new FarmIntegration(window);  // the Farm menu and dock; owned by the window
    logPluginReports(window, reports, registry.size());
    window.show();
    openFirstGraph(window, launch);

    bool failed = false;
    QObject::connect(&window.runQueue(), &RunQueue::jobEnded, &window, [&window, &failed](int id) {
        const Job* j = window.runQueue().job(id);
        if (j && j->state == Job::State::Failed) failed = true;
    });
    if (launch.run && window.runGraph() == 0) failed = true;
    if (!launch.screenshot.isEmpty()) scheduleScreenshot(window, launch, failed);
    return app.exec();
}

}  // namespace sv::ui
