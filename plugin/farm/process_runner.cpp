#include "plugin/farm/process_runner.h"

#include <QFileInfo>
#include <QProcess>
#include <QStandardPaths>
#include <QStringList>

#include "base/error.h"

namespace sv::farm {

namespace {

std::string trimmed(const std::string& s) {
    const size_t b = s.find_first_not_of(" \t\r\n");
    if (b == std::string::npos) return {};
    return s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
}

}  // namespace

std::string ProcessResult::describe(const std::string& program) const {
    if (!started) return concat(program, ": ", error);
    if (timedOut) return concat(program, ": ", error);
    std::string text = trimmed(err);
    if (text.empty()) text = trimmed(out);
    return concat(program, ": exit code ", exitCode, text.empty() ? "" : ": ", text);
}

ProcessResult runProcess(const std::string& program, const std::vector<std::string>& args,
                         std::chrono::milliseconds timeout) {
    ProcessResult r;
    QStringList qargs;
    for (const std::string& a : args) qargs << QString::fromStdString(a);
    QProcess p;
    p.setProgram(QString::fromStdString(program));
    p.setArguments(qargs);
    p.setStandardInputFile(QProcess::nullDevice());
    p.start();
    if (!p.waitForStarted(int(std::min<int64_t>(timeout.count(), 30000)))) {
        r.error = p.error() == QProcess::FailedToStart
                      ? "not found or not executable (is it installed and on PATH?)"
                      : p.errorString().toStdString();
        return r;
    }
    r.started = true;
    if (!p.waitForFinished(int(timeout.count()))) {
        p.kill();
        p.waitForFinished(5000);
        r.timedOut = true;
        r.error = concat("no answer within ", timeout.count() / 1000, " s (killed)");
    } else if (p.exitStatus() == QProcess::NormalExit) {
        r.exitCode = p.exitCode();
    } else {
        r.error = "crashed";
    }
    r.out = p.readAllStandardOutput().toStdString();
    r.err = p.readAllStandardError().toStdString();
    return r;
}

CommandRunner defaultCommandRunner() {
    return [](const std::string& program, const std::vector<std::string>& args) {
        return runProcess(program, args);
    };
}

std::optional<std::filesystem::path> findProgram(const std::string& program) {
    if (program.find('/') != std::string::npos) {
        const QString p = QString::fromStdString(program);
        if (QFileInfo(p).isExecutable() && QFileInfo(p).isFile()) return std::filesystem::path(program);
        return std::nullopt;
    }
    const QString found = QStandardPaths::findExecutable(QString::fromStdString(program));
    if (found.isEmpty()) return std::nullopt;
    return std::filesystem::path(found.toStdString());
}

}  // namespace sv::farm
