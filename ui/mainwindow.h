#pragma once

#include <QMainWindow>

#include <memory>

class QLabel;
class QTabWidget;
class QTreeWidget;

namespace drover::api {
class Backend;
}
namespace drover::models {
class BackendBridge;
}

namespace drover::ui {

class EventsPane;
class PoolsPane;
class WorkersPane;

/// The console's main window for one master: the connections sidebar, the workers, pools and
/// events panes, and a status bar with the connection, the role and the master's state.
/// Window layout and column widths are kept in QSettings.
class MainWindow : public QMainWindow
{
    Q_OBJECT

public:
    /// `name` says which master this is ("Embedded master (demo.yaml)").
    MainWindow(std::shared_ptr<api::Backend> backend, const QString &name,
               QWidget *parent = nullptr);
    ~MainWindow() override;

    models::BackendBridge *bridge() const { return m_bridge; }
    WorkersPane *workersPane() const { return m_workers; }
    PoolsPane *poolsPane() const { return m_pools; }
    EventsPane *eventsPane() const { return m_events; }
    QTabWidget *tabs() const { return m_tabs; }

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void updateSidebar();
    void updateStatus();

    models::BackendBridge *m_bridge;
    QString m_name;
    QTreeWidget *m_sidebar;
    QTabWidget *m_tabs;
    WorkersPane *m_workers;
    PoolsPane *m_pools;
    EventsPane *m_events;
    QLabel *m_connection;
    QLabel *m_summary;
};

} // namespace drover::ui
