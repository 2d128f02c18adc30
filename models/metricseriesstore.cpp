#include "models/metricseriesstore.h"

#include "models/jobsmodel.h"

#include <QRegularExpression>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string_view>

namespace drover::models {

std::optional<MarkerKind> markerKind(const api::Event &event)
{
    if (event.kind == "pool.scaled")
        return MarkerKind::Scaled;
    if (event.kind == "job.finished")
        return MarkerKind::JobRun;
    // A rollout's turns (not the operators' requests, which their outcome follows).
    static constexpr std::string_view kRollout[] = {
        "rollout.started",  "rollout.step",        "rollout.switched", "rollout.rollback",
        "rollout.complete", "rollout.rolled-back", "rollout.aborted",  "rollout.failed"};
    if (std::find(std::begin(kRollout), std::end(kRollout), event.kind) != std::end(kRollout))
        return MarkerKind::Rollout;
    if (event.kind != "worker.state")
        return std::nullopt;
    const std::optional<api::WorkerState> to = api::parseWorkerState(event.to);
    if (!to)
        return std::nullopt;
    switch (*to) {
    case api::WorkerState::Exited:
        return MarkerKind::Exited;
    case api::WorkerState::Failed:
        return MarkerKind::Failed;
    case api::WorkerState::Backoff: {
        // The engine goes straight from a live process to backoff when it restarts a crashed
        // worker (one exit, one transition): that is the exit itself.
        const std::optional<api::WorkerState> from = api::parseWorkerState(event.from);
        if (from && api::hasProcess(*from))
            return MarkerKind::Exited;
        return MarkerKind::Backoff;
    }
    case api::WorkerState::Starting: {
        // A first start (from pending or stopped) is no marker; coming back after an exit is.
        const std::optional<api::WorkerState> from = api::parseWorkerState(event.from);
        if (from == api::WorkerState::Exited || from == api::WorkerState::Backoff)
            return MarkerKind::Restarted;
        return std::nullopt;
    }
    default:
        return std::nullopt;
    }
}

QString MetricSeriesStore::jobRunText(const api::Event &event)
{
    // The engine writes `job <pool> run <n> <outcome words> after <s>s[ (<exit>)]`; the
    // number and the seconds are what the tooltip needs, the outcome is the event's reason.
    static const QRegularExpression words(
        QStringLiteral("^job .+ run (\\d+) .* after (\\d+(?:\\.\\d+)?)s(?: \\((.+)\\))?$"));
    const QString message = QString::fromStdString(event.message);
    const QRegularExpressionMatch m = words.match(message);
    if (!m.hasMatch())
        return message;
    const QString outcome = JobsModel::outcomeText(QString::fromStdString(event.reason));
    const QString took = JobsModel::durationText(std::llround(m.captured(2).toDouble() * 1000));
    return m.captured(3).isEmpty()
               ? tr("Run %1: %2 after %3").arg(m.captured(1), outcome, took)
               : tr("Run %1: %2 after %3 (%4)").arg(m.captured(1), outcome, took, m.captured(3));
}

MetricSeriesStore::MetricSeriesStore(QObject *parent)
    : QObject(parent)
{}

void MetricSeriesStore::setSeries(const QStringList &names)
{
    ++m_generation; // replies for the series held before are stale now
    m_names.clear();
    m_index.clear();
    m_points.clear();
    m_markers.clear();
    m_eventIds.clear();
    for (const QString &name : names) {
        if (m_index.contains(name))
            continue;
        m_index.insert(name, int(m_names.size()));
        m_names.append(name);
        m_points.emplace_back();
    }
}

void MetricSeriesStore::setMarkerFilter(std::function<bool(const api::Event &)> concerns)
{
    m_concerns = std::move(concerns);
}

quint64 MetricSeriesStore::beginLoad()
{
    for (QList<QPointF> &points : m_points)
        points.clear();
    return ++m_generation;
}

QList<QPointF> MetricSeriesStore::historyPoints(const nlohmann::json &payload)
{
    QList<QPointF> points;
    if (!payload.is_object())
        return points;
    const auto it = payload.find("points");
    if (it == payload.end() || !it->is_array())
        return points;
    points.reserve(qsizetype(it->size()));
    for (const nlohmann::json &p : *it) {
        if (!p.is_array() || p.size() != 2 || !p[0].is_number() || !p[1].is_number())
            continue;
        points.append(QPointF(p[0].get<double>(), p[1].get<double>()));
    }
    return points;
}

bool MetricSeriesStore::mergeHistory(quint64 generation, const QString &series,
                                     const QList<QPointF> &points, std::int64_t nowMs)
{
    const int i = m_index.value(series, -1);
    if (!isCurrent(generation) || i < 0)
        return false;
    ++m_historyMerges;
    QList<QPointF> &held = m_points[std::size_t(i)];
    // Live points may have come first: the history fills in before them.
    const double before =
        held.isEmpty() ? std::numeric_limits<double>::infinity() : held.front().x();
    QList<QPointF> merged;
    merged.reserve(points.size() + held.size());
    for (const QPointF &p : points) {
        if (p.x() < before)
            merged.append(p);
    }
    merged.append(held);
    held = std::move(merged);
    trimPoints(held, nowMs);
    emit pointsChanged({series});
    return true;
}

void MetricSeriesStore::addBatches(const std::vector<api::MetricBatch> &batches, std::int64_t nowMs)
{
    QStringList changed;
    for (const api::MetricBatch &batch : batches) {
        const double t = double(batch.timeMs);
        for (const api::MetricPoint &p : batch.points) {
            const QString name = QString::fromStdString(p.series);
            const int i = m_index.value(name, -1);
            if (i < 0)
                continue;
            QList<QPointF> &held = m_points[std::size_t(i)];
            if (!held.isEmpty() && held.back().x() > t)
                continue; // older than what is held
            if (!held.isEmpty() && held.back().x() == t)
                held.back().setY(p.value);
            else
                held.append(QPointF(t, p.value));
            if (!changed.contains(name))
                changed.append(name);
        }
    }
    if (changed.isEmpty())
        return;
    trim(nowMs);
    emit pointsChanged(changed);
}

void MetricSeriesStore::addEvents(const std::vector<api::Event> &events)
{
    if (!m_concerns)
        return;
    bool changed = false;
    for (const api::Event &e : events) {
        const std::optional<MarkerKind> kind = markerKind(e);
        if (!kind || m_eventIds.contains(e.id) || !m_concerns(e))
            continue;
        m_eventIds.insert(e.id);
        SeriesMarker m;
        m.timeMs = e.timeMs;
        m.worker = QString::fromStdString(e.subject);
        m.kind = *kind;
        m.message = QString::fromStdString(e.message);
        if (*kind == MarkerKind::Scaled && !e.reason.empty())
            m.message += QStringLiteral(": ") + QString::fromStdString(e.reason);
        if (*kind == MarkerKind::JobRun) {
            m.outcome = QString::fromStdString(e.reason);
            m.message = jobRunText(e);
        }
        m.eventId = e.id;
        // After those of the same time: the order they happened in.
        auto at = std::upper_bound(
            m_markers.begin(), m_markers.end(), m.timeMs,
            [](std::int64_t t, const SeriesMarker &other) { return t < other.timeMs; });
        m_markers.insert(at, std::move(m));
        changed = true;
    }
    if (changed)
        emit markersChanged();
}

void MetricSeriesStore::trim(std::int64_t nowMs)
{
    for (QList<QPointF> &points : m_points)
        trimPoints(points, nowMs);
    trimMarkers(nowMs);
}

void MetricSeriesStore::trimPoints(QList<QPointF> &points, std::int64_t nowMs) const
{
    const double cutoff = double(nowMs - m_windowMs);
    auto first = std::find_if(points.begin(), points.end(),
                              [cutoff](const QPointF &p) { return p.x() >= cutoff; });
    qsizetype drop = first - points.begin();
    drop = std::max(drop, points.size() - kMaxPoints);
    if (drop > 0)
        points.remove(0, drop); // at the front: Qt 6 moves the start, no copy
}

void MetricSeriesStore::trimMarkers(std::int64_t nowMs)
{
    // Out of the window: forgotten, ids too, so that a longer window's query brings them back.
    const std::int64_t cutoff = nowMs - m_windowMs;
    auto first = std::find_if(m_markers.begin(), m_markers.end(),
                              [cutoff](const SeriesMarker &m) { return m.timeMs >= cutoff; });
    for (auto it = m_markers.begin(); it != first; ++it)
        m_eventIds.remove(it->eventId);
    m_markers.erase(m_markers.begin(), first);
}

QList<QPointF> MetricSeriesStore::points(const QString &series) const
{
    const int i = m_index.value(series, -1);
    return i < 0 ? QList<QPointF>() : m_points[std::size_t(i)];
}

int MetricSeriesStore::pointCount(const QString &series) const
{
    const int i = m_index.value(series, -1);
    return i < 0 ? 0 : int(m_points[std::size_t(i)].size());
}

std::optional<QPointF> MetricSeriesStore::nearest(const QList<QPointF> &points, double timeMs)
{
    if (points.isEmpty())
        return std::nullopt;
    auto after = std::lower_bound(points.begin(), points.end(), timeMs,
                                  [](const QPointF &p, double x) { return p.x() < x; });
    auto best = after == points.end() ? after - 1 : after;
    if (after != points.begin() && after != points.end() &&
        timeMs - (after - 1)->x() < after->x() - timeMs)
        best = after - 1;
    return *best;
}

} // namespace drover::models
