#include "models/backendbridge.h"

#include "models/jobsmodel.h"
#include "models/poolsmodel.h"
#include "models/rolloutsmodel.h"
#include "models/workersmodel.h"

#include <QCoreApplication>
#include <QPointer>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <map>
#include <mutex>
#include <optional>

namespace drover::models {

/// What came from the backend since the last drain: the newest state per worker and pool
/// (nullopt: removed), or a whole snapshot, plus the events, samples and metrics in order.
struct BackendBridge::Inbox
{
    /// Kept at most this many events/samples/batches between drains (a burst beyond them
    /// keeps the newest; the models never depend on them).
    static constexpr std::size_t kMaxEvents = 5000;

    std::mutex mutex;
    std::optional<api::Snapshot> snapshot;
    std::map<std::string, std::optional<api::WorkerInfo>> workers;
    std::map<std::string, std::optional<api::PoolInfo>> pools;
    std::map<std::string, std::optional<api::RolloutInfo>> rollouts;
    std::vector<api::Event> events;
    std::vector<api::HealthSample> samples;
    std::vector<api::MetricBatch> metrics;
    std::uint64_t deltas = 0;

    template <class T>
    static void keep(std::vector<T> &list, T value)
    {
        if (list.size() >= kMaxEvents)
            list.erase(list.begin(), list.begin() + std::ptrdiff_t(list.size() / 2));
        list.push_back(std::move(value));
    }
};

class BackendBridge::Listener : public api::StreamListener
{
public:
    explicit Listener(std::shared_ptr<Inbox> inbox)
        : m_inbox(std::move(inbox))
    {}

    void onSnapshot(const api::Snapshot &snapshot) override
    {
        std::lock_guard lock(m_inbox->mutex);
        m_inbox->snapshot = snapshot;
        m_inbox->workers.clear(); // older than the snapshot
        m_inbox->pools.clear();
        m_inbox->rollouts.clear();
    }
    void onDelta(const api::Delta &delta) override
    {
        std::lock_guard lock(m_inbox->mutex);
        ++m_inbox->deltas;
        switch (delta.kind) {
        case api::DeltaKind::WorkerUpsert: {
            const auto &w = std::get<api::WorkerInfo>(delta.value);
            m_inbox->workers[w.id] = w;
            break;
        }
        case api::DeltaKind::WorkerRemoved:
            m_inbox->workers[std::get<std::string>(delta.value)] = std::nullopt;
            break;
        case api::DeltaKind::PoolUpsert: {
            const auto &p = std::get<api::PoolInfo>(delta.value);
            m_inbox->pools[p.name] = p;
            break;
        }
        case api::DeltaKind::EventAdded:
            Inbox::keep(m_inbox->events, std::get<api::Event>(delta.value));
            break;
        case api::DeltaKind::HealthSampled:
            Inbox::keep(m_inbox->samples, std::get<api::HealthSample>(delta.value));
            break;
        case api::DeltaKind::RolloutUpsert: {
            const auto &r = std::get<api::RolloutInfo>(delta.value);
            m_inbox->rollouts[r.pool] = r;
            break;
        }
        case api::DeltaKind::PoolRemoved:
            m_inbox->pools[std::get<std::string>(delta.value)] = std::nullopt;
            m_inbox->rollouts[std::get<std::string>(delta.value)] = std::nullopt;
            break;
        }
    }
    void onMetrics(const api::MetricBatch &batch) override
    {
        std::lock_guard lock(m_inbox->mutex);
        Inbox::keep(m_inbox->metrics, batch);
    }

private:
    std::shared_ptr<Inbox> m_inbox;
};

BackendBridge::BackendBridge(std::shared_ptr<api::Backend> backend, QObject *parent)
    : QObject(parent)
    , m_backend(std::move(backend))
    , m_inbox(std::make_shared<Inbox>())
    , m_listener(std::make_shared<Listener>(m_inbox))
    , m_workers(new WorkersModel(this))
    , m_pools(new PoolsModel(this))
    , m_rollouts(new RolloutsModel(this))
    , m_jobs(new JobsModel(this))
{
    m_timer.setInterval(100);
    connect(&m_timer, &QTimer::timeout, this, &BackendBridge::drain);
}

BackendBridge::~BackendBridge()
{
    if (m_subscription)
        m_backend->unsubscribe(m_subscription);
}

void BackendBridge::start()
{
    if (!m_subscription)
        m_subscription = m_backend->subscribe(m_listener, 0);
    m_timer.start();
}

void BackendBridge::followMetrics(const QString &who, std::vector<std::string> series)
{
    if (series.empty())
        m_metricWishes.erase(who);
    else
        m_metricWishes[who] = std::move(series);
    std::vector<std::string> all;
    for (const auto &[_, wanted] : m_metricWishes)
        all.insert(all.end(), wanted.begin(), wanted.end());
    std::sort(all.begin(), all.end());
    all.erase(std::unique(all.begin(), all.end()), all.end());
    if (!m_subscription)
        m_subscription = m_backend->subscribe(m_listener, 0);
    m_backend->setMetricSeries(m_subscription, std::move(all));
}

void BackendBridge::setDrainInterval(int ms)
{
    m_timer.setInterval(ms);
}

void BackendBridge::request(const std::string &op, const nlohmann::json &args,
                            std::function<void(const api::Reply &)> onReply)
{
    QPointer<BackendBridge> self(this);
    m_backend->request(op, args, [self, onReply = std::move(onReply)](api::Reply reply) {
        QMetaObject::invokeMethod(
            qApp,
            [self, onReply, reply = std::move(reply)] {
                if (self && onReply)
                    onReply(reply);
            },
            Qt::QueuedConnection);
    });
}

void BackendBridge::drain()
{
    // Taken out under the lock in one swap each; the models are fed without it.
    std::optional<api::Snapshot> snapshot;
    std::map<std::string, std::optional<api::WorkerInfo>> workers;
    std::map<std::string, std::optional<api::PoolInfo>> pools;
    std::map<std::string, std::optional<api::RolloutInfo>> rollouts;
    std::vector<api::Event> events;
    std::vector<api::HealthSample> samples;
    std::vector<api::MetricBatch> metrics;
    {
        std::lock_guard lock(m_inbox->mutex);
        snapshot.swap(m_inbox->snapshot);
        workers.swap(m_inbox->workers);
        pools.swap(m_inbox->pools);
        rollouts.swap(m_inbox->rollouts);
        events.swap(m_inbox->events);
        samples.swap(m_inbox->samples);
        metrics.swap(m_inbox->metrics);
        m_deltasSeen += m_inbox->deltas;
        m_inbox->deltas = 0;
    }
    ++m_drains;
    if (snapshot) {
        m_role = snapshot->role;
        m_configVersion = QString::fromStdString(snapshot->configVersion);
        m_workers->reset(std::move(snapshot->workers));
        m_jobs->resetPools(snapshot->pools);
        m_pools->reset(std::move(snapshot->pools));
        m_rollouts->reset(std::move(snapshot->rollouts));
        m_hasSnapshot = true;
    }
    if (!workers.empty())
        m_workers->apply(workers);
    if (!pools.empty()) {
        m_pools->apply(pools);
        m_jobs->applyPools(pools);
    }
    if (!rollouts.empty())
        m_rollouts->apply(rollouts);
    for (const api::Event &e : events) {
        if ((e.kind == "master.started" || e.kind == "config.reloaded") && !e.to.empty())
            m_configVersion = QString::fromStdString(e.to);
    }
    if (snapshot)
        emit snapshotApplied();
    if (!events.empty())
        emit eventsArrived(events);
    if (!samples.empty())
        emit healthSampled(samples);
    if (!metrics.empty())
        emit metricsArrived(metrics);
}

} // namespace drover::models
