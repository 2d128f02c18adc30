#pragma once

#include "api/backend.h"
#include "api/types.h"

#include <QObject>
#include <QTimer>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace drover::models {

class JobsModel;
class PoolsModel;
class RolloutsModel;
class WorkersModel;

/// Feeds a backend's stream to the GUI thread (ARCHITECTURE.md): the backend's callbacks, on
/// its own thread, only keep the newest state of each worker and pool in a small locked
/// inbox; a GUI-thread timer (10 Hz by default) drains it into the models in one batch. The
/// GUI's cost is bounded by the drain rate, not by the rate of deltas: a worker that changed
/// 50 times since the last drain is one row update.
class BackendBridge : public QObject
{
    Q_OBJECT

public:
    explicit BackendBridge(std::shared_ptr<api::Backend> backend, QObject *parent = nullptr);
    ~BackendBridge() override; ///< unsubscribes; callbacks still under way find the inbox only

    /// Subscribes; the first drain after the snapshot fills the models.
    void start();
    void setDrainInterval(int ms);
    /// Moves what the inbox holds into the models now (the timer does this on its own).
    void drain();

    api::Backend &backend() const { return *m_backend; }
    /// A request whose reply comes back on the GUI thread (dropped if the bridge is gone).
    void request(const std::string &op, const nlohmann::json &args,
                 std::function<void(const api::Reply &)> onReply);
    /// The metric series `who` (a pane, a chart) wants once a second through metricsArrived:
    /// exact names or prefixes ending in `/`. The backend follows the union of every `who`'s
    /// list; an empty list drops `who`'s wishes.
    void followMetrics(const QString &who, std::vector<std::string> series);
    WorkersModel *workers() const { return m_workers; }
    PoolsModel *pools() const { return m_pools; }
    RolloutsModel *rollouts() const { return m_rollouts; }
    /// The jobs among the pools (those whose PoolInfo has a job), fed with the pools.
    JobsModel *jobs() const { return m_jobs; }
    /// From the newest snapshot: what this connection may do, and the config's version.
    api::Role role() const { return m_role; }
    QString configVersion() const { return m_configVersion; }
    /// Whether a snapshot has been shown.
    bool hasSnapshot() const { return m_hasSnapshot; }
    /// Drains so far, and the deltas they took in (for the benchmark and tests).
    quint64 drains() const { return m_drains; }
    quint64 deltasSeen() const { return m_deltasSeen; }

signals:
    /// After a drain that applied a snapshot (a full reset of the models).
    void snapshotApplied();
    /// Events since the last drain, oldest first.
    void eventsArrived(const std::vector<drover::api::Event> &events);
    /// Probe results since the last drain, oldest first.
    void healthSampled(const std::vector<drover::api::HealthSample> &samples);
    /// Metric batches since the last drain, oldest first.
    void metricsArrived(const std::vector<drover::api::MetricBatch> &batches);

private:
    struct Inbox;
    class Listener;

    std::shared_ptr<api::Backend> m_backend;
    std::shared_ptr<Inbox> m_inbox;
    std::shared_ptr<Listener> m_listener;
    std::uint64_t m_subscription = 0;
    std::map<QString, std::vector<std::string>> m_metricWishes;
    QTimer m_timer;
    WorkersModel *m_workers;
    PoolsModel *m_pools;
    RolloutsModel *m_rollouts;
    JobsModel *m_jobs;
    api::Role m_role = api::Role::Viewer;
    QString m_configVersion;
    bool m_hasSnapshot = false;
    quint64 m_drains = 0;
    quint64 m_deltasSeen = 0;
};

} // namespace drover::models
