#include "models/pooltraffic.h"

#include "api/ops.h"
#include "models/backendbridge.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QLocale>

#include <nlohmann/json.hpp>

namespace drover::models {

using nlohmann::json;

namespace {

QString text(const json &j, const char *key)
{
    auto it = j.find(key);
    return it != j.end() && it->is_string() ? QString::fromStdString(it->get<std::string>())
                                            : QString();
}

template <class T>
T number(const json &j, const char *key, T fallback = T())
{
    auto it = j.find(key);
    return it != j.end() && it->is_number() ? it->get<T>() : fallback;
}

double percentile(const json &j, const char *key, const char *which)
{
    auto it = j.find(key);
    return it != j.end() && it->is_object() ? number<double>(*it, which) : 0.0;
}

} // namespace

DecisionClass classify(const TrafficDecision &d)
{
    const QString &o = d.outcome;
    if (o == QLatin1String("lease"))
        return DecisionClass::Lease;
    if (o == QLatin1String("rate-limited") || d.status == 429)
        return DecisionClass::RateLimited;
    if (o == QLatin1String("queue-full") || o == QLatin1String("queue-timeout") ||
        o == QLatin1String("closing"))
        return DecisionClass::Rejected;
    if (o == QLatin1String("timeout") || d.status == 504)
        return DecisionClass::Timeout;
    if (o == QLatin1String("worker-error") || o == QLatin1String("worker-5xx") || d.status >= 500)
        return DecisionClass::WorkerError;
    if (o == QLatin1String("client-error") || o == QLatin1String("client-gone") || d.status >= 400)
        return DecisionClass::ClientError;
    if (o == QLatin1String("retried"))
        return DecisionClass::Retried;
    return DecisionClass::Ok;
}

QColor decisionColor(DecisionClass c)
{
    switch (c) {
    case DecisionClass::Ok:
        return QColor(0x3c, 0x9a, 0x4a);
    case DecisionClass::Retried:
        return QColor(0xd4, 0xa0, 0x17);
    case DecisionClass::ClientError:
        return QColor(0x8a, 0x8f, 0x98);
    case DecisionClass::WorkerError:
        return QColor(0xdc, 0x32, 0x2f);
    case DecisionClass::Timeout:
        return QColor(0x9b, 0x1b, 0x5a);
    case DecisionClass::Rejected:
        return QColor(0xef, 0x7d, 0x12);
    case DecisionClass::RateLimited:
        return QColor(0x86, 0x5c, 0xd6);
    case DecisionClass::Lease:
        return QColor(0x2f, 0x7e, 0xd8);
    }
    return {};
}

QString decisionClassText(DecisionClass c)
{
    switch (c) {
    case DecisionClass::Ok:
        return DecisionsModel::tr("ok");
    case DecisionClass::Retried:
        return DecisionsModel::tr("retried");
    case DecisionClass::ClientError:
        return DecisionsModel::tr("client error");
    case DecisionClass::WorkerError:
        return DecisionsModel::tr("worker error");
    case DecisionClass::Timeout:
        return DecisionsModel::tr("timeout");
    case DecisionClass::Rejected:
        return DecisionsModel::tr("rejected (503)");
    case DecisionClass::RateLimited:
        return DecisionsModel::tr("rate-limited");
    case DecisionClass::Lease:
        return DecisionsModel::tr("lease");
    }
    return {};
}

PoolTraffic trafficFromJson(const json &j)
{
    PoolTraffic t;
    if (!j.is_object())
        return t;
    t.pool = text(j, "pool");
    t.gateway = text(j, "gateway");
    // A pool whose door never opened has only `gateway: null` and its scale events.
    t.hasDoor = j.contains("inflight");
    t.inflight = number<int>(j, "inflight");
    t.queued = number<int>(j, "queued");
    t.queueMax = number<int>(j, "queue_max");
    t.perWorkerConcurrency = number<int>(j, "per_worker_concurrency");
    t.tunnels = number<int>(j, "tunnels");
    t.requests = number<qint64>(j, "requests");
    if (auto s = j.find("status"); s != j.end() && s->is_object()) {
        t.status2xx = number<qint64>(*s, "2xx");
        t.status3xx = number<qint64>(*s, "3xx");
        t.status4xx = number<qint64>(*s, "4xx");
        t.status5xx = number<qint64>(*s, "5xx");
        t.status429 = number<qint64>(*s, "429");
        t.status503 = number<qint64>(*s, "503");
        t.status504 = number<qint64>(*s, "504");
    }
    t.retries = number<qint64>(j, "retries");
    t.coldStarts = number<qint64>(j, "cold_starts");
    t.lastColdStartMs = number<double>(j, "last_cold_start_ms");
    t.ejections = number<qint64>(j, "ejections");
    t.leasesGranted = number<qint64>(j, "leases_granted");
    t.leasesExpired = number<qint64>(j, "leases_expired");
    t.queueWaitP50 = percentile(j, "queue_wait_ms", "p50");
    t.queueWaitP99 = percentile(j, "queue_wait_ms", "p99");
    t.latencyP50 = percentile(j, "latency_ms", "p50");
    t.latencyP99 = percentile(j, "latency_ms", "p99");
    auto list = [&j](const char *key) -> const json & {
        static const json empty = json::array();
        auto it = j.find(key);
        return it != j.end() && it->is_array() ? *it : empty;
    };
    for (const json &w : list("workers")) {
        t.workers.push_back({text(w, "worker"), number<int>(w, "port"), w.value("ready", false),
                             number<int>(w, "inflight"), number<qint64>(w, "served"),
                             text(w, "breaker"), number<qint64>(w, "ejections")});
    }
    for (const json &l : list("leases"))
        t.leases.push_back({text(l, "lease"), text(l, "worker"), text(l, "endpoint"),
                            number<qint64>(l, "expires_at_ms")});
    t.recent.reserve(list("recent").size());
    for (const json &d : list("recent")) {
        t.recent.push_back({number<qint64>(d, "time_ms"), text(d, "request_id"), text(d, "method"),
                            text(d, "target"), text(d, "worker"), number<double>(d, "queue_ms"),
                            number<double>(d, "latency_ms"), number<int>(d, "status"),
                            text(d, "outcome"), number<int>(d, "attempts", 1), text(d, "detail")});
    }
    for (const json &e : list("scale_events"))
        t.scaleEvents.push_back({number<qint64>(e, "time_ms"), number<int>(e, "from"),
                                 number<int>(e, "to"), text(e, "why")});
    return t;
}

// --- DecisionsModel ---

DecisionsModel::DecisionsModel(QObject *parent)
    : QAbstractTableModel(parent)
{}

namespace {

bool sameDecision(const TrafficDecision &a, const TrafficDecision &b)
{
    return a.timeMs == b.timeMs && a.requestId == b.requestId && a.worker == b.worker &&
           a.status == b.status && a.latencyMs == b.latencyMs;
}

} // namespace

void DecisionsModel::merge(const std::vector<TrafficDecision> &recent)
{
    // Where the newest row held sits in the reply: what is before it is held already (the
    // master's recorder is a ring: it only drops from the front and appends at the back).
    std::ptrdiff_t last = -1;
    if (!m_rows.empty()) {
        for (std::ptrdiff_t i = std::ptrdiff_t(recent.size()) - 1; i >= 0; --i) {
            if (sameDecision(recent[std::size_t(i)], m_rows.back())) {
                last = i;
                break;
            }
        }
    }
    const std::size_t kept = std::size_t(last + 1); // rows of the reply held already
    const bool overlaps = last >= 0 && kept <= m_rows.size() &&
                          sameDecision(recent.front(), m_rows[m_rows.size() - kept]);
    if (!overlaps) {
        if (m_rows.empty() && recent.empty())
            return;
        beginResetModel();
        m_rows = recent;
        endResetModel();
        return;
    }
    const std::size_t drop = m_rows.size() - kept;
    if (drop > 0) {
        beginRemoveRows({}, 0, int(drop) - 1);
        m_rows.erase(m_rows.begin(), m_rows.begin() + std::ptrdiff_t(drop));
        endRemoveRows();
    }
    if (kept < recent.size()) {
        beginInsertRows({}, int(m_rows.size()), int(recent.size()) - 1);
        m_rows.insert(m_rows.end(), recent.begin() + std::ptrdiff_t(kept), recent.end());
        endInsertRows();
    }
    Q_ASSERT(m_rows.size() == recent.size());
}

void DecisionsModel::clear()
{
    if (m_rows.empty())
        return;
    beginResetModel();
    m_rows.clear();
    endResetModel();
}

int DecisionsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int DecisionsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant DecisionsModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= int(m_rows.size()))
        return {};
    const TrafficDecision &d = m_rows[std::size_t(index.row())];
    if (role == ClassRole)
        return int(classify(d));
    if (role == Qt::ForegroundRole && (index.column() == Outcome || index.column() == Status)) {
        const DecisionClass c = classify(d);
        return c == DecisionClass::Ok ? QVariant() : QVariant(decisionColor(c));
    }
    if (role == Qt::TextAlignmentRole) {
        switch (index.column()) {
        case QueueMs:
        case LatencyMs:
        case Status:
        case Attempts:
            return int(Qt::AlignRight | Qt::AlignVCenter);
        default:
            return {};
        }
    }
    if (role == Qt::ToolTipRole && (index.column() == Detail || index.column() == Target))
        return index.column() == Detail ? d.detail : d.target;
    if (role != Qt::DisplayRole && role != ValueRole)
        return {};
    const bool raw = role == ValueRole;
    switch (index.column()) {
    case Time:
        return raw ? QVariant(d.timeMs)
                   : QVariant(QDateTime::fromMSecsSinceEpoch(d.timeMs).toString(
                         QStringLiteral("HH:mm:ss.zzz")));
    case RequestId:
        return d.requestId;
    case Method:
        return d.method;
    case Target:
        return d.target;
    case Worker:
        return raw || !d.worker.isEmpty() ? QVariant(d.worker) : QVariant(QStringLiteral("–"));
    case QueueMs:
        return raw ? QVariant(d.queueMs) : QVariant(QLocale().toString(d.queueMs, 'f', 1));
    case LatencyMs:
        return raw ? QVariant(d.latencyMs) : QVariant(QLocale().toString(d.latencyMs, 'f', 1));
    case Status:
        return raw || d.status ? QVariant(d.status) : QVariant(QStringLiteral("–"));
    case Outcome:
        return d.outcome;
    case Attempts:
        return d.attempts;
    case Detail:
        return d.detail;
    }
    return {};
}

QVariant DecisionsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Time:
        return tr("Time");
    case RequestId:
        return tr("Request ID");
    case Method:
        return tr("Method");
    case Target:
        return tr("Target");
    case Worker:
        return tr("Worker");
    case QueueMs:
        return tr("Queue ms");
    case LatencyMs:
        return tr("Latency ms");
    case Status:
        return tr("Status");
    case Outcome:
        return tr("Outcome");
    case Attempts:
        return tr("Attempts");
    case Detail:
        return tr("Detail");
    }
    return {};
}

// --- PoolTrafficPoller ---

PoolTrafficPoller::PoolTrafficPoller(BackendBridge *bridge, QObject *parent)
    : QObject(parent)
    , m_bridge(bridge)
{
    m_timer.setInterval(1000);
    connect(&m_timer, &QTimer::timeout, this, &PoolTrafficPoller::poll);
}

void PoolTrafficPoller::setPool(const QString &pool)
{
    if (pool == m_pool)
        return;
    m_pool = pool;
    ++m_generation; // a reply under way is for the old pool
    m_pending = false;
    m_current.reset();
    m_error.clear();
    emit updated();
    if (isActive())
        poll();
}

void PoolTrafficPoller::setActive(bool active)
{
    if (active == isActive())
        return;
    if (active) {
        m_timer.start();
        poll();
    } else {
        m_timer.stop();
    }
}

void PoolTrafficPoller::poll()
{
    if (!m_bridge || m_pool.isEmpty() || m_pending)
        return;
    m_pending = true;
    const quint64 generation = m_generation;
    QPointer<PoolTrafficPoller> self(this);
    m_bridge->backend().request(
        api::opName(api::Op::PoolTraffic), {{"pool", m_pool.toStdString()}, {"recent", m_recent}},
        [self, generation](api::Reply reply) {
            // Decoded here, on the backend's thread: the GUI thread only swaps it in.
            std::shared_ptr<PoolTraffic> traffic;
            QString error;
            if (reply.ok())
                traffic = std::make_shared<PoolTraffic>(trafficFromJson(*reply));
            else
                error = QString::fromStdString(reply.error().message);
            QMetaObject::invokeMethod(
                qApp,
                [self, generation, traffic = std::move(traffic), error] {
                    if (!self || generation != self->m_generation)
                        return;
                    self->m_pending = false;
                    ++self->m_replies;
                    self->m_error = error;
                    if (traffic) {
                        traffic->receivedAtMs = QDateTime::currentMSecsSinceEpoch();
                        if (const PoolTraffic *before = self->m_current.get()) {
                            const double seconds =
                                double(traffic->receivedAtMs - before->receivedAtMs) / 1000.0;
                            if (seconds > 0.05 && traffic->requests >= before->requests)
                                traffic->requestsPerSecond =
                                    double(traffic->requests - before->requests) / seconds;
                        }
                        self->m_current = traffic;
                    }
                    emit self->updated();
                },
                Qt::QueuedConnection);
        });
}

} // namespace drover::models
