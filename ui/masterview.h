#pragma once

#include <QString>
#include <QWidget>

#include <memory>

class QSettings;
class QTabWidget;

namespace drover::api {
class Backend;
}
namespace drover::models {
class BackendBridge;
}

namespace drover::ui {

class ChartsPane;
class ConfigPane;
class EventsPane;
class HealthPane;
class JobsPane;
class PoolsPane;
class RolloutsPane;
class WorkersPane;

/// Where the link to a master stands, as the sidebar and the status bar show it.
struct MasterLink
{
    enum class State {
        Embedded,   ///< runs in this process: always there
        Connecting, ///< first try, or after a drop
        Connected,
        Waiting, ///< the link dropped; the next try is at `retryAtMs`
        Refused, ///< will not work by trying again: a wrong token, an untrusted certificate
    };
    State state = State::Embedded;
    QString message;      ///< why it waits or was refused
    qint64 retryAtMs = 0; ///< Waiting: when the next try starts (Unix ms)
    QString server;       ///< `droverd/0.3.0` once connected
    QString fingerprint;  ///< the master's certificate (wss), to show and pin
    QString errorCode;    ///< Refused: `unauthorized`, `tls`...
};

/// Everything the console shows of one master: its bridge and the panes over it (workers,
/// pools, rollouts, jobs, health, charts, events, the config editor), wired together: the workers
/// selected are those whose health and charts are shown, a pool picked in the pools pane is
/// charted.
class MasterView : public QWidget
{
    Q_OBJECT

public:
    enum Pane { Workers, Pools, Rollouts, Jobs, Health, Charts, Events, Config };

    /// `name` says which master this is ("Embedded master (demo.yaml)", a saved name, a URL).
    MasterView(std::shared_ptr<api::Backend> backend, const QString &name,
               QWidget *parent = nullptr);
    ~MasterView() override;

    QString name() const { return m_name; }
    models::BackendBridge *bridge() const { return m_bridge; }
    QTabWidget *tabs() const { return m_tabs; }
    WorkersPane *workersPane() const { return m_workers; }
    PoolsPane *poolsPane() const { return m_pools; }
    RolloutsPane *rolloutsPane() const { return m_rollouts; }
    JobsPane *jobsPane() const { return m_jobs; }
    HealthPane *healthPane() const { return m_health; }
    ChartsPane *chartsPane() const { return m_charts; }
    EventsPane *eventsPane() const { return m_events; }
    ConfigPane *configPane() const { return m_config; }
    void showPane(Pane pane);
    /// The master's own CPU, memory and workers in the charts pane.
    void showMasterCharts();
    /// `workers`, `pools`, `rollouts`, `jobs`, `health`, `charts`, `events`, `config`; -1 for
    /// anything else.
    static int paneFromName(const QString &name);

    const MasterLink &link() const { return m_link; }
    void setLink(MasterLink link);

    /// Column widths and the like, shared by every master's panes.
    void saveLayout(QSettings &settings) const;
    void restoreLayout(const QSettings &settings);

signals:
    void linkChanged();
    /// A request's outcome or a hint for the status bar.
    void message(const QString &text);

private:
    void followSelection();

    QString m_name;
    models::BackendBridge *m_bridge;
    QTabWidget *m_tabs;
    WorkersPane *m_workers;
    PoolsPane *m_pools;
    RolloutsPane *m_rollouts;
    JobsPane *m_jobs;
    HealthPane *m_health;
    ChartsPane *m_charts;
    EventsPane *m_events;
    ConfigPane *m_config;
    MasterLink m_link;
    QString m_chartPool;        ///< picked in the pools pane after any worker: charted instead
    bool m_chartMaster = false; ///< "Master Charts" asked for since the last pick
};

} // namespace drover::ui
