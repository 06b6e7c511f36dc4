#include "app/application.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QIcon>
#include <QTimer>

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

QString defaultGraphPath(const QString& name) {
    initResources();
    const QStringList candidates = {
        QApplication::applicationDirPath() + QStringLiteral("/../share/sanavideo/graphs/") + name,
        QStringLiteral(SV_SOURCE_RESOURCES_DIR "/graphs/") + name,
        QStringLiteral(":/graphs/") + name,
    };
    for (const QString& c : candidates)
        if (QFileInfo::exists(c)) return c;
    return {};
}

int runStudio(QApplication& app, const StudioLaunch& launch) {
    const QString& path = launch.path;
    sp::NodeRegistry registry;
    sp::PluginLoader loader;
    const auto reports = loader.loadDefault(registry);

    MainWindow window(registry);
    new FarmIntegration(window);  // the Farm menu and dock; owned by the window
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
    if (registry.size() == 0)
        window.logPanel()->warning(
            QStringLiteral("plugins"),
            QObject::tr("No node pack found (looked next to the program and in SV_PLUGIN_PATH)"));
    window.show();

    const bool recovered = path.isEmpty() && window.offerRecovery(true);
    if (!path.isEmpty()) {
        window.openFile(path);
    } else if (!recovered) {
        const QString def = defaultGraphPath(QStringLiteral("text-to-video.json"));
        if (def.isEmpty()) {
            window.logPanel()->warning(
                QStringLiteral("file"),
                QObject::tr("The default graph text-to-video.json was not found; starting empty"));
        } else {
            window.openTemplate(def);
        }
    }
    if (launch.run) window.runGraph();
    if (!launch.screenshot.isEmpty()) {
        // Poll until the queue is idle (the run, if any, is over), then grab the window and quit.
        auto* poll = new QTimer(&window);
        QElapsedTimer clock;
        clock.start();
        QObject::connect(poll, &QTimer::timeout, &window, [&, poll, clock] {
            if (clock.elapsed() > qint64(launch.timeoutSeconds) * 1000) {
                window.logPanel()->error(QStringLiteral("screenshot"), QObject::tr("timed out"));
                QCoreApplication::exit(2);
                return;
            }
            if (window.runQueue().isBusy() || clock.elapsed() < 500) return;
            poll->stop();
            const bool ok = window.grab().save(launch.screenshot);
            std::fprintf(ok ? stdout : stderr, "%s %s\n", ok ? "wrote" : "cannot write",
                         qPrintable(launch.screenshot));
            QCoreApplication::exit(ok ? 0 : 1);
        });
        poll->start(200);
    }
    return app.exec();
}

}  // namespace sv::ui
