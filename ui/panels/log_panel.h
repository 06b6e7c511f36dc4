// The log panel: every message of the session (run events, node errors with their full text, file
// operations), one line each with time, level and source; errors in red. The window never shows a modal box
// for a run error.
#pragma once

#include <QWidget>

class QPlainTextEdit;

namespace sv::ui {

class LogPanel : public QWidget {
    Q_OBJECT
  public:
    enum class Level { Info, Warning, Error };

    explicit LogPanel(QWidget* parent = nullptr);

    /// Appends one message; `source` names where it came from (a node's title, "run", "file").
    void append(Level level, const QString& source, const QString& text);
    void info(const QString& source, const QString& text) { append(Level::Info, source, text); }
    void warning(const QString& source, const QString& text) { append(Level::Warning, source, text); }
    void error(const QString& source, const QString& text) { append(Level::Error, source, text); }

    /// The log as plain text (what the user can copy).
    QString plainText() const;
    int errorCount() const { return errors_; }

  public slots:
    void clear();

  signals:
    /// Emitted for every error, so the window can raise the panel.
    void errorLogged(const QString& source, const QString& text);

  private:
    QPlainTextEdit* text_ = nullptr;
    int errors_ = 0;
};

}  // namespace sv::ui
