// The farm in the editor, attached to a MainWindow from outside (the window knows nothing of farms): a "Farm"
// menu with "Submit to Farm…" for the current graph, and the farm jobs panel as a dock tabbed with the queue.
#pragma once

#include <QObject>

class QAction;
class QDockWidget;

namespace sv::ui {

class FarmMonitor;
class FarmPanel;
class FarmSubmitDialog;
class MainWindow;

class FarmIntegration : public QObject {
    Q_OBJECT
  public:
    /// Adds the menu and the dock to `window` (and becomes its child).
    explicit FarmIntegration(MainWindow& window);

    FarmMonitor& monitor() { return *monitor_; }
    FarmPanel* panel() const { return panel_; }
    QDockWidget* dock() const { return dock_; }
    QAction* submitAction() const { return submit_; }

    /// The dialog "Submit to Farm…" opens, for the window's current graph (not shown; the caller owns it).
    FarmSubmitDialog* createSubmitDialog();
    /// Follows a submitted job: the panel shows it, the log says where it went.
    void jobSubmitted(const FarmSubmitDialog& dialog);

  private:
    void openSubmitDialog();

    MainWindow& window_;
    FarmMonitor* monitor_ = nullptr;
    FarmPanel* panel_ = nullptr;
    QDockWidget* dock_ = nullptr;
    QAction* submit_ = nullptr;
};

}  // namespace sv::ui
