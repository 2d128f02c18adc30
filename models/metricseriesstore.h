#pragma once

#include "api/types.h"

#include <QHash>
#include <QList>
#include <QObject>
#include <QPointF>
#include <QSet>
#include <QStringList>

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

namespace drover::models {

/// What an event marker on the charts stands for. Decided once, by markerKind(), from the
/// event's kind and states; the charts only ask isExit() for its colour.
enum class MarkerKind {
    Exited,    ///< the process went away (on its own, or to be restarted)
    Failed,    ///< gave up: restart limit hit or cannot be spawned
    Backoff,   ///< waiting before the next start
    Restarted, ///< starting again after an exit or a backoff
    Scaled,    ///< a pool's desired size changed (`pool.scaled`: by hand or by the autoscaler)
    Rollout,   ///< a pool's rollout started, stepped, switched, rolled back or ended
    JobRun,    ///< a job's run ended (`job.finished`), coloured by its outcome
};

/// The marker `event` makes, or none: a `worker.state` event to exited, failed or backoff (an
/// exit when it comes straight from a live process), or to starting from exited or backoff; a
/// `pool.scaled` event; a rollout's turn; a job's run that ended. A first start, a stop or a
/// probe verdict is none.
std::optional<MarkerKind> markerKind(const api::Event &event);
/// Whether `kind` is an exit (the process is gone: exited, failed) rather than a restart
/// (backoff, started again).
constexpr bool isExit(MarkerKind kind)
{
    return kind == MarkerKind::Exited || kind == MarkerKind::Failed;
}

/// One event on the charts' time axis.
struct SeriesMarker
{
    std::int64_t timeMs = 0;
    QString worker; ///< the event's subject: whose line it sits on (a pool's name when Scaled)
    MarkerKind kind = MarkerKind::Exited;
    QString message;
    std::uint64_t eventId = 0;
    QString outcome; ///< JobRun: how the run ended (`succeeded`, `failed`, `deadline`...)
};

/// The data behind the charts pane (GUI thread): the points of each followed metric series
/// over a time window, and the event markers of the charted workers.
///
/// A series' points are (Unix ms, raw value), oldest first, one per time. Its history comes
/// from a `metrics.query` reply, merged under the live points that arrived while the query was
/// under way; live batches only append (a later time) or overwrite (the same time), and points
/// older than the newest held are dropped. Points older than the window, and any beyond
/// kMaxPoints, are trimmed. Markers are kept ordered by time, each event once.
///
/// The store tells its user coarsely: one pointsChanged() per batch drain or history reply,
/// one markersChanged() per batch of events; never one signal per point.
class MetricSeriesStore : public QObject
{
    Q_OBJECT

public:
    /// Points held per series at most: an hour at one point a second.
    static constexpr int kMaxPoints = 3600;

    explicit MetricSeriesStore(QObject *parent = nullptr);

    /// Holds `names` from now on, with no points, and no markers; replies of earlier loads are
    /// dropped. Names already held and repeated are kept once.
    void setSeries(const QStringList &names);
    /// The series held, in the order given to setSeries().
    QStringList seriesNames() const { return m_names; }
    bool contains(const QString &series) const { return m_index.contains(series); }

    /// The width of the time window: points older than `now - windowMs` are trimmed.
    void setWindowMs(std::int64_t windowMs) { m_windowMs = windowMs; }
    std::int64_t windowMs() const { return m_windowMs; }

    /// Which events make markers: those `concerns` accepts (the charted workers'). None (the
    /// default, and the master's charts): no markers at all.
    void setMarkerFilter(std::function<bool(const api::Event &)> concerns);

    /// Starts loading the window's history anew: drops every series' points (markers stay)
    /// and returns the load's generation, to hand back with its replies.
    quint64 beginLoad();
    /// Whether `generation` is the newest load's (a reply for an earlier one is stale).
    bool isCurrent(quint64 generation) const { return generation == m_generation; }

    /// The points of a `metrics.query` reply payload (`{"points": [[ms, value], ...]}`);
    /// malformed entries are skipped.
    static QList<QPointF> historyPoints(const nlohmann::json &payload);
    /// Merges the history of `series` for load `generation`: its points older than the first
    /// live point held go before the live ones, the rest are dropped (the live ones are newer
    /// or the same); then trims at `nowMs`. False, and nothing changes, when the generation is
    /// stale or the series is not held. Emits pointsChanged() for the series.
    bool mergeHistory(quint64 generation, const QString &series, const QList<QPointF> &points,
                      std::int64_t nowMs);
    /// History replies merged since the store was made.
    int historyMerges() const { return m_historyMerges; }

    /// Takes in live batches (oldest first): a point of a held series at a later time than its
    /// newest is appended, at the same time it replaces that one's value, older it is dropped.
    /// Then every series is trimmed at `nowMs`. One pointsChanged() with the series that got
    /// points, if any did.
    void addBatches(const std::vector<api::MetricBatch> &batches, std::int64_t nowMs);
    /// Takes in events: those the filter accepts and markerKind() marks become markers, each
    /// event id once. One markersChanged() if any marker came.
    void addEvents(const std::vector<api::Event> &events);

    /// Drops the points (and markers) older than the window at `nowMs`, and points beyond
    /// kMaxPoints. Quiet: no signal (a redraw calls it).
    void trim(std::int64_t nowMs);

    /// The points held of `series` (empty when not held).
    QList<QPointF> points(const QString &series) const;
    int pointCount(const QString &series) const;
    /// The markers held, oldest first.
    const std::vector<SeriesMarker> &markers() const { return m_markers; }

    /// A `job.finished` event in the console's words: `Run 12: succeeded after 3.0 s (exit:0)`
    /// (its message as it is when it does not read as the engine writes it).
    static QString jobRunText(const api::Event &event);

    /// The point of `points` (ordered by time) nearest to `timeMs`, or none when it is empty.
    static std::optional<QPointF> nearest(const QList<QPointF> &points, double timeMs);

signals:
    /// The points of `series` changed (came, or were replaced); once per batch or reply.
    void pointsChanged(const QStringList &series);
    /// Markers came.
    void markersChanged();

private:
    void trimPoints(QList<QPointF> &points, std::int64_t nowMs) const;
    void trimMarkers(std::int64_t nowMs);

    QStringList m_names;
    QHash<QString, int> m_index;          ///< series name -> index in m_points
    std::vector<QList<QPointF>> m_points; ///< per series, oldest first
    std::vector<SeriesMarker> m_markers;  ///< oldest first
    QSet<quint64> m_eventIds;             ///< of the markers held
    std::function<bool(const api::Event &)> m_concerns;
    std::int64_t m_windowMs = 300'000;
    quint64 m_generation = 0;
    int m_historyMerges = 0;
};

} // namespace drover::models
