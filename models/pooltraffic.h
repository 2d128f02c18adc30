#pragma once

#include <QAbstractTableModel>
#include <QColor>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QTimer>

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <memory>
#include <vector>

namespace drover::models {

class BackendBridge;

/// One routing decision of a pool's flight recorder (`pool.traffic` `recent`).
struct TrafficDecision
{
    qint64 timeMs = 0; ///< arrival (Unix ms, the master's clock)
    QString requestId;
    QString method;
    QString target;
    QString worker; ///< empty when none took it
    double queueMs = 0;
    double latencyMs = 0;
    int status = 0;
    QString outcome; ///< `ok`, `retried`, `queue-full`, `timeout`, `worker-error`, `lease`...
    int attempts = 1;
    QString detail;
};

/// What the debugger shows of one decision: its outcome, in a few classes of one colour each.
enum class DecisionClass {
    Ok,          ///< answered, under 400
    Retried,     ///< answered after another worker failed
    ClientError, ///< 4xx other than 429, or the client went away
    WorkerError, ///< the worker failed: 5xx, a broken connection
    Timeout,     ///< 504: the worker did not answer in time
    Rejected,    ///< 503 from the gateway itself: queue full, no worker in time, closing
    RateLimited, ///< 429
    Lease,       ///< a lease granted (pool.acquire)
};
DecisionClass classify(const TrafficDecision &decision);
/// The colour a class is drawn in, on the timeline and in the table.
QColor decisionColor(DecisionClass c);
/// The class's name for the legend (translated).
QString decisionClassText(DecisionClass c);
inline constexpr int kDecisionClasses = int(DecisionClass::Lease) + 1;

struct TrafficWorker
{
    QString worker;
    int port = 0;
    bool ready = false;
    int inflight = 0;
    qint64 served = 0;
    QString breaker; ///< `closed`, `open`, `half-open`
    qint64 ejections = 0;
};

struct TrafficLease
{
    QString lease;
    QString worker;
    QString endpoint;
    qint64 expiresAtMs = 0; ///< the master's clock
};

struct ScaleEvent
{
    qint64 timeMs = 0;
    int from = 0;
    int to = 0;
    QString why;
};

/// A `pool.traffic` reply, decoded (on the backend's thread, so that the GUI thread only
/// swaps it in).
struct PoolTraffic
{
    QString pool;
    bool hasDoor = false; ///< the pool has a gateway, or has lent workers: the figures exist
    QString gateway;      ///< the listen address; empty for a pool with leases only
    int inflight = 0;
    int queued = 0;
    int queueMax = 0;
    int perWorkerConcurrency = 0; ///< 0: the master did not say
    int tunnels = 0;
    qint64 requests = 0;
    qint64 status2xx = 0, status3xx = 0, status4xx = 0, status5xx = 0;
    qint64 status429 = 0, status503 = 0, status504 = 0;
    qint64 retries = 0;
    qint64 coldStarts = 0;
    double lastColdStartMs = 0;
    qint64 ejections = 0;
    qint64 leasesGranted = 0;
    qint64 leasesExpired = 0;
    double queueWaitP50 = 0, queueWaitP99 = 0;
    double latencyP50 = 0, latencyP99 = 0;
    std::vector<TrafficWorker> workers;
    std::vector<TrafficLease> leases;
    std::vector<TrafficDecision> recent; ///< oldest first
    std::vector<ScaleEvent> scaleEvents; ///< oldest first

    qint64 receivedAtMs = 0;       ///< when the reply came (this machine's clock)
    double requestsPerSecond = -1; ///< since the previous reply; -1 before there is one
};

/// Decodes a `pool.traffic` payload; missing fields keep their defaults.
PoolTraffic trafficFromJson(const nlohmann::json &payload);

/// The flight recorder as a table, oldest first. Each reply merges in: decisions the master
/// dropped leave from the top, new ones are appended at the bottom (one remove and one insert
/// per reply), so a selection stays on its decision; a reset only when the two do not overlap.
class DecisionsModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column {
        Time,
        RequestId,
        Method,
        Target,
        Worker,
        QueueMs,
        LatencyMs,
        Status,
        Outcome,
        Attempts,
        Detail,
        ColumnCount
    };
    enum Role {
        ValueRole = Qt::UserRole + 1, ///< the raw value, for sorting
        ClassRole,                    ///< int(DecisionClass)
    };

    explicit DecisionsModel(QObject *parent = nullptr);

    /// Merges the newest recorder (oldest first).
    void merge(const std::vector<TrafficDecision> &recent);
    void clear();
    const std::vector<TrafficDecision> &rows() const { return m_rows; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    std::vector<TrafficDecision> m_rows;
};

/// Polls `pool.traffic` for one pool while active: once a second, the next request only once
/// the last reply came (a slow master is not flooded). The reply is decoded on the backend's
/// thread; the GUI thread gets the decoded value, and a reply for an earlier pool is dropped.
class PoolTrafficPoller : public QObject
{
    Q_OBJECT

public:
    explicit PoolTrafficPoller(BackendBridge *bridge, QObject *parent = nullptr);

    /// The pool to follow (empty: none). Forgets what was shown for another pool.
    void setPool(const QString &pool);
    QString pool() const { return m_pool; }
    /// Polls while active (the debugger is on screen); asks at once when it becomes active.
    void setActive(bool active);
    bool isActive() const { return m_timer.isActive(); }
    void setInterval(int ms) { m_timer.setInterval(ms); }
    /// Decisions asked for (`recent`, at most 1000).
    void setRecent(int recent) { m_recent = recent; }

    /// The newest reply for the current pool; null before the first.
    const PoolTraffic *current() const { return m_current.get(); }
    std::shared_ptr<const PoolTraffic> shared() const { return m_current; }
    /// Why the last request failed (empty when it did not).
    QString error() const { return m_error; }
    /// Replies taken in since the poller was made.
    int replies() const { return m_replies; }

public slots:
    /// Asks now (unless a request is already under way).
    void poll();

signals:
    /// A new reply for the current pool is in current(), or an error in error().
    void updated();

private:
    QPointer<BackendBridge> m_bridge;
    QTimer m_timer;
    QString m_pool;
    int m_recent = 1000;
    quint64 m_generation = 0;
    bool m_pending = false;
    std::shared_ptr<const PoolTraffic> m_current;
    QString m_error;
    int m_replies = 0;
};

} // namespace drover::models
