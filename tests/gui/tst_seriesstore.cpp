// MetricSeriesStore, the charts pane's data, without a master: scripted history replies and
// live batches merged into ordered points without duplicates, late and repeated points,
// trimming at the window and at kMaxPoints, stale replies dropped, one signal per batch, and
// the marker kind of every event shape.
#include "models/metricseriesstore.h"

#include <QSignalSpy>
#include <QTest>

#include <nlohmann/json.hpp>

#include <optional>

using namespace drover;
using models::MarkerKind;
using models::MetricSeriesStore;
using nlohmann::json;

Q_DECLARE_METATYPE(std::optional<drover::models::MarkerKind>)
Q_DECLARE_METATYPE(std::optional<QPointF>)

namespace {

const QString kCpu = QStringLiteral("worker/w-1/cpu_percent");
const QString kRss = QStringLiteral("worker/w-1/rss_bytes");
constexpr std::int64_t kNow = 1'800'000'000'000; // Unix ms
constexpr std::int64_t kSecond = 1000;

/// One second's batch: (series, value) pairs at `timeMs`.
api::MetricBatch batch(std::int64_t timeMs, std::vector<std::pair<QString, double>> values)
{
    api::MetricBatch b;
    b.timeMs = timeMs;
    for (const auto &[series, value] : values)
        b.points.push_back({series.toStdString(), value});
    return b;
}

api::Event stateEvent(std::uint64_t id, std::int64_t timeMs, const std::string &worker,
                      const std::string &from, const std::string &to)
{
    api::Event e;
    e.id = id;
    e.timeMs = timeMs;
    e.kind = "worker.state";
    e.subject = worker;
    e.from = from;
    e.to = to;
    e.message = worker + ": " + from + " -> " + to;
    return e;
}

/// Times (in seconds before kNow) of `points`.
QList<double> secondsBefore(const QList<QPointF> &points)
{
    QList<double> seconds;
    for (const QPointF &p : points)
        seconds.append(double(kNow - std::int64_t(p.x())) / 1000.0);
    return seconds;
}

QList<QPointF> at(std::initializer_list<std::pair<int, double>> secondsAgoAndValue)
{
    QList<QPointF> points;
    for (const auto &[ago, value] : secondsAgoAndValue)
        points.append(QPointF(double(kNow - ago * kSecond), value));
    return points;
}

} // namespace

class TestSeriesStore : public QObject
{
    Q_OBJECT

private slots:
    void markerKinds_data();
    void markerKinds();
    void historyPointsParse();
    void historyUnderLivePoints_data();
    void historyUnderLivePoints();
    void staleRepliesDropped();
    void latePoints_data();
    void latePoints();
    void trimAtWindow_data();
    void trimAtWindow();
    void trimAtMaxPoints();
    void oneSignalPerBatch();
    void markersOrderedOnceAndFiltered();
    void markersTrimmedAndBackWithLongerWindow();
    void nearest_data();
    void nearest();
};

// Every event shape the engine sends, and whether (and how) it is a marker.
void TestSeriesStore::markerKinds_data()
{
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QString>("from");
    QTest::addColumn<QString>("to");
    QTest::addColumn<std::optional<MarkerKind>>("expected");
    using K = std::optional<MarkerKind>;
    const QString state = QStringLiteral("worker.state");
    QTest::newRow("crash") << state << "ready"
                           << "exited" << K(MarkerKind::Exited);
    QTest::newRow("exit while starting") << state << "starting"
                                         << "exited" << K(MarkerKind::Exited);
    QTest::newRow("restart limit") << state << "exited"
                                   << "failed" << K(MarkerKind::Failed);
    QTest::newRow("cannot spawn") << state << "pending"
                                  << "failed" << K(MarkerKind::Failed);
    QTest::newRow("backoff") << state << "exited"
                             << "backoff" << K(MarkerKind::Backoff);
    QTest::newRow("crash straight to backoff") << state << "ready"
                                               << "backoff" << K(MarkerKind::Exited);
    QTest::newRow("crash while starting") << state << "starting"
                                          << "backoff" << K(MarkerKind::Exited);
    QTest::newRow("start after exit") << state << "exited"
                                      << "starting" << K(MarkerKind::Restarted);
    QTest::newRow("start after backoff") << state << "backoff"
                                         << "starting" << K(MarkerKind::Restarted);
    QTest::newRow("first start") << state << "pending"
                                 << "starting" << K();
    QTest::newRow("start after stop") << state << "stopped"
                                      << "starting" << K();
    QTest::newRow("running") << state << "starting"
                             << "running" << K();
    QTest::newRow("readiness passed") << state << "running"
                                      << "ready" << K();
    QTest::newRow("readiness failed") << state << "ready"
                                      << "running" << K();
    QTest::newRow("draining") << state << "ready"
                              << "draining" << K();
    QTest::newRow("stopping") << state << "ready"
                              << "stopping" << K();
    QTest::newRow("stopped") << state << "stopping"
                             << "stopped" << K();
    QTest::newRow("unknown state") << state << "ready"
                                   << "vanished" << K();
    QTest::newRow("pool scaled") << "pool.scaled"
                                 << ""
                                 << "exited" << K(MarkerKind::Scaled);
    QTest::newRow("not a state change") << "pool.revision"
                                        << ""
                                        << "exited" << K();
    QTest::newRow("probe event") << "probe.changed"
                                 << "passing"
                                 << "failing" << K();
}

void TestSeriesStore::markerKinds()
{
    QFETCH(QString, kind);
    QFETCH(QString, from);
    QFETCH(QString, to);
    QFETCH(std::optional<MarkerKind>, expected);
    api::Event e = stateEvent(1, kNow, "w-1", from.toStdString(), to.toStdString());
    e.kind = kind.toStdString();
    QCOMPARE(models::markerKind(e), expected);
    // Exits are red, restarts orange.
    if (expected) {
        QCOMPARE(models::isExit(*expected),
                 *expected == MarkerKind::Exited || *expected == MarkerKind::Failed);
    }
}

void TestSeriesStore::historyPointsParse()
{
    const json payload = {
        {"points",
         json::array({json::array({1000, 1.5}), json::array({2000, 2}), "bad", json::array({3000}),
                      json::array({"4000", 1}), json::array({5000, 3.25})})}};
    QCOMPARE(MetricSeriesStore::historyPoints(payload),
             QList<QPointF>({QPointF(1000, 1.5), QPointF(2000, 2), QPointF(5000, 3.25)}));
    QVERIFY(MetricSeriesStore::historyPoints(json::object()).isEmpty());
    QVERIFY(MetricSeriesStore::historyPoints(json::array()).isEmpty());
    QVERIFY(MetricSeriesStore::historyPoints({{"points", 3}}).isEmpty());
}

// Live points that came while the history query was under way stay; the history fills in
// only before the first of them: ordered, no time twice, the live value wins.
void TestSeriesStore::historyUnderLivePoints_data()
{
    QTest::addColumn<QList<QPointF>>("live");    // arrived first, oldest first
    QTest::addColumn<QList<QPointF>>("history"); // the reply
    QTest::addColumn<QList<QPointF>>("expected");
    QTest::newRow("no live points")
        << QList<QPointF>() << at({{5, 1}, {4, 2}, {3, 3}}) << at({{5, 1}, {4, 2}, {3, 3}});
    QTest::newRow("no history") << at({{2, 7}, {1, 8}}) << QList<QPointF>() << at({{2, 7}, {1, 8}});
    QTest::newRow("overlapping") << at({{3, 30}, {2, 20}, {1, 10}})
                                 << at({{6, 6}, {5, 5}, {4, 4}, {3, 3}, {2, 2}})
                                 << at({{6, 6}, {5, 5}, {4, 4}, {3, 30}, {2, 20}, {1, 10}});
    QTest::newRow("history ends before live")
        << at({{2, 20}, {1, 10}}) << at({{6, 6}, {5, 5}}) << at({{6, 6}, {5, 5}, {2, 20}, {1, 10}});
    QTest::newRow("history all newer") << at({{4, 40}}) << at({{3, 3}, {2, 2}}) << at({{4, 40}});
    QTest::newRow("history out of the window")
        << QList<QPointF>() << at({{400, 1}, {2, 2}}) << at({{2, 2}});
}

void TestSeriesStore::historyUnderLivePoints()
{
    QFETCH(QList<QPointF>, live);
    QFETCH(QList<QPointF>, history);
    QFETCH(QList<QPointF>, expected);
    MetricSeriesStore store;
    store.setSeries({kCpu, kRss});
    store.setWindowMs(300 * kSecond);
    const quint64 load = store.beginLoad();
    std::vector<api::MetricBatch> batches;
    for (const QPointF &p : live)
        batches.push_back(batch(std::int64_t(p.x()), {{kCpu, p.y()}}));
    store.addBatches(batches, kNow);
    QSignalSpy changed(&store, &MetricSeriesStore::pointsChanged);
    QVERIFY(store.mergeHistory(load, kCpu, history, kNow));
    QCOMPARE(changed.size(), 1);
    QCOMPARE(changed.front().front().toStringList(), QStringList({kCpu}));
    QCOMPARE(secondsBefore(store.points(kCpu)), secondsBefore(expected));
    QCOMPARE(store.points(kCpu), expected);
    QCOMPARE(store.pointCount(kRss), 0); // the other series untouched
    QCOMPARE(store.historyMerges(), 1);
}

// A reply for an earlier load, or another subject's series, changes nothing.
void TestSeriesStore::staleRepliesDropped()
{
    MetricSeriesStore store;
    store.setSeries({kCpu});
    const quint64 first = store.beginLoad();
    const quint64 second = store.beginLoad(); // the window changed meanwhile
    QVERIFY(!store.isCurrent(first));
    QVERIFY(store.isCurrent(second));
    QSignalSpy changed(&store, &MetricSeriesStore::pointsChanged);
    QVERIFY(!store.mergeHistory(first, kCpu, at({{3, 1}}), kNow));
    QVERIFY(!store.mergeHistory(second, kRss, at({{3, 1}}), kNow)); // not held
    QCOMPARE(changed.size(), 0);
    QCOMPARE(store.historyMerges(), 0);
    QVERIFY(store.mergeHistory(second, kCpu, at({{3, 1}}), kNow));
    QCOMPARE(store.pointCount(kCpu), 1);

    // A new subject: the old load's replies are stale too, and its points are gone.
    store.setSeries({kCpu, kRss});
    QVERIFY(!store.isCurrent(second));
    QCOMPARE(store.pointCount(kCpu), 0);
    QCOMPARE(store.seriesNames(), QStringList({kCpu, kRss}));
    // A new load drops the points, not the series.
    store.addBatches({batch(kNow, {{kCpu, 1}})}, kNow);
    QCOMPARE(store.pointCount(kCpu), 1);
    store.beginLoad();
    QCOMPARE(store.pointCount(kCpu), 0);
    QVERIFY(store.contains(kCpu));
}

// Live batches: a later time appends, the same time replaces the value, an earlier one is
// dropped (the line never goes back in time).
void TestSeriesStore::latePoints_data()
{
    QTest::addColumn<QList<QPointF>>("arrivals"); // one batch each, in this order
    QTest::addColumn<QList<QPointF>>("expected");
    QTest::newRow("in order") << at({{3, 1}, {2, 2}, {1, 3}}) << at({{3, 1}, {2, 2}, {1, 3}});
    QTest::newRow("late point dropped") << at({{3, 1}, {1, 3}, {2, 2}}) << at({{3, 1}, {1, 3}});
    QTest::newRow("same time replaces") << at({{3, 1}, {2, 2}, {2, 5}}) << at({{3, 1}, {2, 5}});
    QTest::newRow("late then on") << at({{4, 1}, {2, 2}, {3, 9}, {2, 4}, {1, 5}})
                                  << at({{4, 1}, {2, 4}, {1, 5}});
}

void TestSeriesStore::latePoints()
{
    QFETCH(QList<QPointF>, arrivals);
    QFETCH(QList<QPointF>, expected);
    MetricSeriesStore store;
    store.setSeries({kCpu});
    store.beginLoad();
    // Each as its own drain, and all in one: the same points.
    for (const QPointF &p : arrivals)
        store.addBatches({batch(std::int64_t(p.x()), {{kCpu, p.y()}})}, kNow);
    QCOMPARE(store.points(kCpu), expected);
    MetricSeriesStore together;
    together.setSeries({kCpu});
    std::vector<api::MetricBatch> batches;
    for (const QPointF &p : arrivals)
        batches.push_back(batch(std::int64_t(p.x()), {{kCpu, p.y()}}));
    together.addBatches(batches, kNow);
    QCOMPARE(together.points(kCpu), expected);
}

// Points older than the window go, at the next batch or redraw (trim()); one exactly at the
// window's start stays.
void TestSeriesStore::trimAtWindow_data()
{
    QTest::addColumn<int>("windowSeconds");
    QTest::addColumn<int>("laterSeconds"); // how long after kNow it is trimmed
    QTest::addColumn<int>("expectedPoints");
    // Points at kNow - 100 s ... kNow, one a second: 101 of them.
    QTest::newRow("1 min") << 60 << 0 << 61;
    QTest::newRow("5 min") << 300 << 0 << 101;
    QTest::newRow("1 min, 30 s later") << 60 << 30 << 31;
    QTest::newRow("1 min, all gone") << 60 << 200 << 0;
}

void TestSeriesStore::trimAtWindow()
{
    QFETCH(int, windowSeconds);
    QFETCH(int, laterSeconds);
    QFETCH(int, expectedPoints);
    MetricSeriesStore store;
    store.setSeries({kCpu});
    store.setWindowMs(windowSeconds * kSecond);
    const quint64 load = store.beginLoad();
    QList<QPointF> history;
    for (int ago = 100; ago >= 0; --ago)
        history.append(QPointF(double(kNow - ago * kSecond), ago));
    QVERIFY(store.mergeHistory(load, kCpu, history, kNow));
    store.trim(kNow + laterSeconds * kSecond);
    const QList<QPointF> points = store.points(kCpu);
    QCOMPARE(points.size(), expectedPoints);
    if (!points.isEmpty()) {
        const std::int64_t windowStart = kNow + (laterSeconds - windowSeconds) * kSecond;
        QCOMPARE(points.front().x(), double(std::max(windowStart, kNow - 100 * kSecond)));
        QCOMPARE(points.back().x(), double(kNow));
    }
}

// An hour of points at more than one a second: the newest kMaxPoints are kept.
void TestSeriesStore::trimAtMaxPoints()
{
    MetricSeriesStore store;
    store.setSeries({kCpu});
    store.setWindowMs(3600 * kSecond);
    store.beginLoad();
    std::vector<api::MetricBatch> batches;
    const int count = MetricSeriesStore::kMaxPoints + 250;
    for (int i = 0; i < count; ++i)
        batches.push_back(batch(kNow - (count - 1 - i) * 500, {{kCpu, double(i)}}));
    store.addBatches(batches, kNow);
    const QList<QPointF> points = store.points(kCpu);
    QCOMPARE(points.size(), qsizetype(MetricSeriesStore::kMaxPoints));
    QCOMPARE(points.front().y(), 250.0);
    QCOMPARE(points.back().y(), double(count - 1));
}

// One pointsChanged per drain, naming each series that got points once; none for points of
// series not held.
void TestSeriesStore::oneSignalPerBatch()
{
    MetricSeriesStore store;
    store.setSeries({kCpu, kRss});
    store.beginLoad();
    QSignalSpy changed(&store, &MetricSeriesStore::pointsChanged);
    std::vector<api::MetricBatch> batches;
    for (int s = 3; s >= 1; --s)
        batches.push_back(batch(kNow - s * kSecond,
                                {{kCpu, 1}, {kRss, 2}, {QStringLiteral("master/workers"), 3}}));
    store.addBatches(batches, kNow);
    QCOMPARE(changed.size(), 1);
    QCOMPARE(changed.front().front().toStringList(), QStringList({kCpu, kRss}));
    QCOMPARE(store.pointCount(kCpu), 3);
    QCOMPARE(store.pointCount(kRss), 3);
    QCOMPARE(store.pointCount(QStringLiteral("master/workers")), 0);
    store.addBatches({batch(kNow, {{QStringLiteral("master/workers"), 3}})}, kNow);
    store.addBatches({}, kNow);
    QCOMPARE(changed.size(), 1);
}

// Markers of the events the filter accepts, ordered by time whatever order they came in, each
// event once (a query and the stream overlap); none without a filter (the master).
void TestSeriesStore::markersOrderedOnceAndFiltered()
{
    MetricSeriesStore store;
    store.setSeries({kCpu});
    store.setWindowMs(300 * kSecond);
    QSignalSpy changed(&store, &MetricSeriesStore::markersChanged);
    const std::vector<api::Event> events = {
        stateEvent(1, kNow - 10 * kSecond, "w-1", "ready", "exited"),
        stateEvent(2, kNow - 10 * kSecond, "w-1", "exited", "backoff"),
        stateEvent(3, kNow - 9 * kSecond, "w-1", "backoff", "starting"),
        stateEvent(4, kNow - 8 * kSecond, "w-1", "starting", "running"),
        stateEvent(5, kNow - 7 * kSecond, "w-2", "ready", "exited"),
    };
    store.addEvents(events);
    QCOMPARE(changed.size(), 0);
    QVERIFY(store.markers().empty());

    store.setMarkerFilter([](const api::Event &e) { return e.subject == "w-1"; });
    // Live first (the newest), then the query's answer with all of them.
    store.addEvents({events[2]});
    QCOMPARE(changed.size(), 1);
    store.addEvents(events);
    QCOMPARE(changed.size(), 2);
    store.addEvents(events); // nothing new: no signal
    QCOMPARE(changed.size(), 2);
    const std::vector<models::SeriesMarker> &markers = store.markers();
    QCOMPARE(markers.size(), std::size_t(3));
    QCOMPARE(markers[0].eventId, std::uint64_t(1));
    QCOMPARE(markers[0].kind, MarkerKind::Exited);
    QCOMPARE(markers[1].eventId, std::uint64_t(2)); // the same time: in the order they came
    QCOMPARE(markers[1].kind, MarkerKind::Backoff);
    QCOMPARE(markers[2].eventId, std::uint64_t(3));
    QCOMPARE(markers[2].kind, MarkerKind::Restarted);
    QCOMPARE(markers[2].worker, QStringLiteral("w-1"));
    QCOMPARE(markers[2].message, QStringLiteral("w-1: backoff -> starting"));
    QCOMPARE(markers[2].timeMs, kNow - 9 * kSecond);

    // A load keeps them; a new subject drops them.
    store.beginLoad();
    QCOMPARE(store.markers().size(), std::size_t(3));
    store.setSeries({kCpu});
    QVERIFY(store.markers().empty());
}

// Markers before the window go with the points; a longer window's query brings them back.
void TestSeriesStore::markersTrimmedAndBackWithLongerWindow()
{
    MetricSeriesStore store;
    store.setSeries({kCpu});
    store.setMarkerFilter([](const api::Event &) { return true; });
    store.setWindowMs(60 * kSecond);
    const std::vector<api::Event> events = {
        stateEvent(1, kNow - 120 * kSecond, "w-1", "ready", "exited"),
        stateEvent(2, kNow - 30 * kSecond, "w-1", "ready", "failed"),
    };
    store.addEvents(events);
    store.trim(kNow);
    QCOMPARE(store.markers().size(), std::size_t(1));
    QCOMPARE(store.markers().front().kind, MarkerKind::Failed);
    store.setWindowMs(300 * kSecond);
    store.beginLoad();
    store.addEvents(events);
    store.trim(kNow);
    QCOMPARE(store.markers().size(), std::size_t(2));
    QCOMPARE(store.markers().front().kind, MarkerKind::Exited);
}

void TestSeriesStore::nearest_data()
{
    QTest::addColumn<QList<QPointF>>("points");
    QTest::addColumn<double>("time");
    QTest::addColumn<std::optional<QPointF>>("expected");
    const QList<QPointF> points = {{1000, 1}, {2000, 2}, {4000, 4}};
    QTest::newRow("empty") << QList<QPointF>() << 1000.0 << std::optional<QPointF>();
    QTest::newRow("before all") << points << 0.0 << std::optional<QPointF>(QPointF(1000, 1));
    QTest::newRow("after all") << points << 9000.0 << std::optional<QPointF>(QPointF(4000, 4));
    QTest::newRow("exact") << points << 2000.0 << std::optional<QPointF>(QPointF(2000, 2));
    QTest::newRow("nearer the earlier")
        << points << 2900.0 << std::optional<QPointF>(QPointF(2000, 2));
    QTest::newRow("nearer the later")
        << points << 3100.0 << std::optional<QPointF>(QPointF(4000, 4));
    QTest::newRow("halfway: the later")
        << points << 3000.0 << std::optional<QPointF>(QPointF(4000, 4));
}

void TestSeriesStore::nearest()
{
    QFETCH(QList<QPointF>, points);
    QFETCH(double, time);
    QFETCH(std::optional<QPointF>, expected);
    QCOMPARE(MetricSeriesStore::nearest(points, time), expected);
}

QTEST_GUILESS_MAIN(TestSeriesStore)
#include "tst_seriesstore.moc"
