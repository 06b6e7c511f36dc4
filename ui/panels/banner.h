// Banner: a strip above the canvas that says what went wrong — a run refused by validation (every problem,
// one per line) or a failed run — until it is closed or the next run starts. "Show" selects and frames the
// nodes concerned; the full text stays in the log.
#pragma once

#include <QFrame>
#include <QStringList>

class QLabel;
class QPushButton;

namespace sv::ui {

class Banner : public QFrame {
    Q_OBJECT
  public:
    enum class Kind { Error, Warning, Info };
    static constexpr int kMaxLines = 8;

    explicit Banner(QWidget* parent = nullptr);

    /// Shows `title` and `lines` (at most kMaxLines, then "… and N more"); `nodeIds` are the nodes "Show"
    /// frames (the button is hidden when empty).
    void showMessage(Kind kind, const QString& title, const QStringList& lines = {},
                     const QStringList& nodeIds = {}, const QString& context = {});
    void dismiss();

    Kind kind() const { return kind_; }
    /// What the caller said the message is about (e.g. "check" for problems found before queueing).
    const QString& context() const { return context_; }
    QString title() const;
    const QStringList& lines() const { return lines_; }
    const QStringList& nodeIds() const { return nodeIds_; }
    /// The text shown (title and lines), for tests.
    QString text() const;

  signals:
    void showNodesRequested(const QStringList& ids);

  private:
    Kind kind_ = Kind::Info;
    QString context_;
    QStringList lines_;
    QStringList nodeIds_;
    QLabel* title_ = nullptr;
    QLabel* body_ = nullptr;
    QPushButton* show_ = nullptr;
};

}  // namespace sv::ui
