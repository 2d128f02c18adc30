// The metrics store: the record rules (same slot replaces, older ignored, gaps), retention and
// time jumps, bit-exact round trips across chunk boundaries, query ranges and averaging, series
// names, a randomized comparison with a plain reference model, and the memory it takes.
#include "engine/observe/metricsstore.h"

#include <QTest>

#include <bit>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <random>
#include <utility>
#include <vector>

using drover::engine::MetricsStore;
using namespace std::chrono_literals;

using Records = std::vector<std::pair<qint64, double>>;
Q_DECLARE_METATYPE(Records)

namespace {

constexpr qint64 kMin = std::numeric_limits<qint64>::min();
constexpr qint64 kMax = std::numeric_limits<qint64>::max();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

/// "t:v t:v ...", values with 17 digits (so equal text means equal bits, -0 included).
QString text(const std::vector<MetricsStore::Point> &points)
{
    QStringList parts;
    for (const MetricsStore::Point &p : points) {
        char buf[64];
        std::snprintf(buf, sizeof buf, "%lld:%.17g", static_cast<long long>(p.t), p.v);
        parts << QString::fromLatin1(buf);
    }
    return parts.join(QLatin1Char(' '));
}

QStringList names(const std::vector<std::string> &list)
{
    QStringList out;
    for (const std::string &s : list)
        out << QString::fromStdString(s);
    return out;
}

std::int64_t floorDiv(std::int64_t a, std::int64_t b)
{
    return a / b - (a % b != 0 && a < 0 ? 1 : 0);
}

std::int64_t ceilDiv(std::int64_t a, std::int64_t b)
{
    return a / b + (a % b != 0 && a > 0 ? 1 : 0);
}

/// The store's rules written as plainly as possible: every point in a std::map.
class Model
{
public:
    Model(std::int64_t resolutionMs, std::int64_t retentionSlots)
        : m_res(resolutionMs)
        , m_retention(retentionSlots)
    {}

    void record(const std::string &name, std::int64_t t, double v)
    {
        if (!std::isfinite(v) || t < -(std::int64_t(1) << 62) || t > (std::int64_t(1) << 62))
            return;
        const std::int64_t slot = floorDiv(t, m_res);
        if (m_hasNow && slot < cutoff())
            return;
        if (!m_hasNow || slot > m_now)
            m_now = slot;
        m_hasNow = true;
        std::map<std::int64_t, double> &points = m_series[name];
        if (!points.empty() && slot < points.rbegin()->first)
            return;
        points[slot] = v;
    }

    void removePrefix(const std::string &prefix)
    {
        std::erase_if(m_series, [&](const auto &e) { return e.first.starts_with(prefix); });
    }

    std::vector<MetricsStore::Point> query(const std::string &name, std::int64_t from,
                                           std::int64_t to, std::size_t maxPoints) const
    {
        std::vector<MetricsStore::Point> raw;
        auto it = m_series.find(name);
        if (it == m_series.end())
            return raw;
        const std::int64_t first = std::max(ceilDiv(from, m_res), cutoff());
        const std::int64_t last = floorDiv(to, m_res);
        for (const auto &[slot, v] : it->second) {
            if (slot >= first && slot <= last)
                raw.push_back({slot, v});
        }
        std::vector<MetricsStore::Point> out;
        if (maxPoints == 0 || raw.size() <= maxPoints) {
            out = raw;
        } else {
            const std::int64_t start = raw.front().t;
            const std::int64_t span = raw.back().t - start + 1;
            const std::int64_t width = ceilDiv(span, static_cast<std::int64_t>(maxPoints));
            std::map<std::int64_t, std::pair<long double, int>> buckets;
            for (const MetricsStore::Point &p : raw) {
                auto &b = buckets[(p.t - start) / width];
                b.first += p.v;
                ++b.second;
            }
            for (const auto &[index, b] : buckets)
                out.push_back({start + index * width, static_cast<double>(b.first / b.second)});
        }
        for (MetricsStore::Point &p : out)
            p.t *= m_res;
        return out;
    }

    std::vector<std::string> names() const
    {
        std::vector<std::string> out;
        for (const auto &[name, points] : m_series) {
            if (!points.empty() && points.rbegin()->first >= cutoff())
                out.push_back(name);
        }
        return out;
    }

private:
    std::int64_t cutoff() const { return m_hasNow ? m_now - m_retention + 1 : kMin; }

    std::int64_t m_res;
    std::int64_t m_retention;
    bool m_hasNow = false;
    std::int64_t m_now = 0;
    std::map<std::string, std::map<std::int64_t, double>> m_series;
};

} // namespace

class TestMetricsStore : public QObject
{
    Q_OBJECT

private slots:
    void recordRules_data();
    void recordRules();
    void queryRanges_data();
    void queryRanges();
    void maxPoints_data();
    void maxPoints();
    void retentionDrops();
    void retentionBoundsMemory();
    void timeJump_data();
    void timeJump();
    void expiredSeriesForgotten();
    void roundTrip_data();
    void roundTrip();
    void latest();
    void seriesNames();
    void removePrefix();
    void handles();
    void holdAndRelease();
    void holdAcrossRetention();
    void settingsClamped();
    void hostileTimes();
    void againstModel_data();
    void againstModel();
    void memoryIdleHour();
    void memoryManySeries();
};

void TestMetricsStore::recordRules_data()
{
    QTest::addColumn<Records>("records");
    QTest::addColumn<QString>("expected");

    QTest::newRow("one point") << Records{{5000, 1}} << QStringLiteral("5000:1");
    QTest::newRow("rounded down to the slot") << Records{{5999, 1}} << QStringLiteral("5000:1");
    QTest::newRow("same slot replaces")
        << Records{{5000, 1}, {5500, 2}, {5999, 3}} << QStringLiteral("5000:3");
    QTest::newRow("same slot replaces after a gap")
        << Records{{1000, 1}, {5000, 2}, {5999, 3}} << QStringLiteral("1000:1 5000:3");
    QTest::newRow("older than the newest is ignored")
        << Records{{5000, 1}, {4999, 2}, {1000, 7}, {6000, 3}} << QStringLiteral("5000:1 6000:3");
    QTest::newRow("older ignored after a replacement")
        << Records{{5000, 1}, {6000, 2}, {6500, 3}, {5000, 4}} << QStringLiteral("5000:1 6000:3");
    QTest::newRow("skipped slots are gaps") << Records{{0, 1}, {3000, 2}, {4000, 2}, {9000, 2}}
                                            << QStringLiteral("0:1 3000:2 4000:2 9000:2");
    QTest::newRow("repeats") << Records{{0, 5}, {1000, 5}, {2000, 5}, {3000, 6}, {4000, 5}}
                             << QStringLiteral("0:5 1000:5 2000:5 3000:6 4000:5");
    QTest::newRow("not finite is ignored")
        << Records{{0, 1}, {500, kNaN}, {1000, kInf}, {2000, -kInf}, {3000, 2}}
        << QStringLiteral("0:1 3000:2");
    QTest::newRow("only NaN") << Records{{0, kNaN}} << QString();
    QTest::newRow("negative times") << Records{{-2500, 1}, {-1500, 2}, {-1, 3}, {0, 4}}
                                    << QStringLiteral("-3000:1 -2000:2 -1000:3 0:4");
    QTest::newRow("signed zeros kept apart")
        << Records{{0, -0.0}, {1000, 0.0}, {2000, -0.0}} << QStringLiteral("0:-0 1000:0 2000:-0");
    QTest::newRow("extreme values")
        << Records{{0, std::numeric_limits<double>::max()},
                   {1000, std::numeric_limits<double>::lowest()},
                   {2000, std::numeric_limits<double>::denorm_min()},
                   {3000, -std::numeric_limits<double>::min()}}
        << QStringLiteral("0:1.7976931348623157e+308 1000:-1.7976931348623157e+308 "
                          "2000:4.9406564584124654e-324 3000:-2.2250738585072014e-308");
    QTest::newRow("times beyond 2^62 ms are ignored")
        << Records{{0, 3}, {kMax, 1}, {kMin, 2}, {(qint64(1) << 62) + 1, 4}}
        << QStringLiteral("0:3");
}

void TestMetricsStore::recordRules()
{
    QFETCH(Records, records);
    QFETCH(QString, expected);

    MetricsStore store(1s, 1h);
    for (const auto &[t, v] : records)
        store.record("s", t, v);
    QCOMPARE(text(store.query("s", kMin, kMax)), expected);
    QCOMPARE(store.seriesCount(), std::size_t(expected.isEmpty() ? 0 : 1));
}

void TestMetricsStore::queryRanges_data()
{
    QTest::addColumn<qint64>("from");
    QTest::addColumn<qint64>("to");
    QTest::addColumn<QString>("expected");

    // The series (below): slots 10..19, value = slot, with a gap at 14 and 15.
    QTest::newRow("everything") << kMin << kMax
                                << QStringLiteral("10000:10 11000:11 12000:12 13000:13 16000:16 "
                                                  "17000:17 18000:18 19000:19");
    QTest::newRow("inclusive bounds")
        << qint64(12000) << qint64(16000) << QStringLiteral("12000:12 13000:13 16000:16");
    QTest::newRow("from between slots")
        << qint64(12001) << qint64(16999) << QStringLiteral("13000:13 16000:16");
    QTest::newRow("to between slots")
        << qint64(11999) << qint64(12999) << QStringLiteral("12000:12");
    QTest::newRow("inside the gap") << qint64(14000) << qint64(15999) << QString();
    QTest::newRow("before the first point") << qint64(0) << qint64(9999) << QString();
    QTest::newRow("after the newest point") << qint64(20000) << qint64(30000) << QString();
    QTest::newRow("from after to") << qint64(16000) << qint64(12000) << QString();
    QTest::newRow("only the newest")
        << qint64(19000) << qint64(19000) << QStringLiteral("19000:19");
    QTest::newRow("from negative") << qint64(-5000) << qint64(10000) << QStringLiteral("10000:10");
    QTest::newRow("to past the newest") << qint64(18500) << kMax << QStringLiteral("19000:19");
}

void TestMetricsStore::queryRanges()
{
    QFETCH(qint64, from);
    QFETCH(qint64, to);
    QFETCH(QString, expected);

    MetricsStore store(1s, 1h);
    for (int slot = 10; slot < 20; ++slot) {
        if (slot != 14 && slot != 15)
            store.record("s", slot * 1000, slot);
    }
    QCOMPARE(text(store.query("s", from, to)), expected);
    QCOMPARE(text(store.query("other", from, to)), QString());
}

void TestMetricsStore::maxPoints_data()
{
    QTest::addColumn<QList<int>>("slotList"); // value = slot
    QTest::addColumn<qint64>("from");
    QTest::addColumn<qint64>("to");
    QTest::addColumn<int>("maxPoints");
    QTest::addColumn<QString>("expected");

    const QList<int> ten{0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
    const QString all = QStringLiteral("0:0 1000:1 2000:2 3000:3 4000:4 5000:5 6000:6 7000:7 "
                                       "8000:8 9000:9");
    QTest::newRow("0 means all") << ten << kMin << kMax << 0 << all;
    QTest::newRow("exactly maxPoints") << ten << kMin << kMax << 10 << all;
    QTest::newRow("more than the points") << ten << kMin << kMax << 1000 << all;
    QTest::newRow("pairs") << ten << kMin << kMax << 5
                           << QStringLiteral("0:0.5 2000:2.5 4000:4.5 6000:6.5 8000:8.5");
    QTest::newRow("width 3, short last bucket")
        << ten << kMin << kMax << 4 << QStringLiteral("0:1 3000:4 6000:7 9000:9");
    QTest::newRow("width 4") << ten << kMin << kMax << 3
                             << QStringLiteral("0:1.5 4000:5.5 8000:8.5");
    QTest::newRow("one bucket") << ten << kMin << kMax << 1 << QStringLiteral("0:4.5");
    QTest::newRow("empty bucket in a gap") << QList<int>{0, 1, 2, 7, 8, 9} << kMin << kMax << 4
                                           << QStringLiteral("0:1 6000:7.5 9000:9");
    QTest::newRow("buckets start at the first point in range")
        << ten << qint64(2500) << qint64(8000) << 2 << QStringLiteral("3000:4 6000:7");
    QTest::newRow("across a chunk boundary")
        << QList<int>{250, 251, 252, 253, 254, 255, 256, 257, 258, 259} << kMin << kMax << 2
        << QStringLiteral("250000:252 255000:257");
}

void TestMetricsStore::maxPoints()
{
    QFETCH(QList<int>, slotList);
    QFETCH(qint64, from);
    QFETCH(qint64, to);
    QFETCH(int, maxPoints);
    QFETCH(QString, expected);

    MetricsStore store(1s, 1h);
    for (int slot : slotList)
        store.record("s", slot * 1000, slot);
    const auto points = store.query("s", from, to, static_cast<std::size_t>(maxPoints));
    QCOMPARE(text(points), expected);
    QVERIFY(points.size() <= static_cast<std::size_t>(maxPoints) || maxPoints == 0);
}

void TestMetricsStore::retentionDrops()
{
    // 600 slots of retention: the first slot kept is always newest - 599.
    MetricsStore store(1s, 10min);
    QCOMPARE(store.retention(), std::chrono::milliseconds(10min));
    for (int t = 0; t < 2000; ++t) {
        store.record("s", t * 1000, t % 7);
        if (t == 599 || t == 600 || t == 1023 || t == 1999) {
            const auto points = store.query("s", kMin, kMax);
            QCOMPARE(points.size(), std::size_t(std::min(t + 1, 600)));
            QCOMPARE(points.front().t, qint64(std::max(0, t - 599)) * 1000);
            QCOMPARE(points.back().t, qint64(t) * 1000);
            for (const MetricsStore::Point &p : points)
                QCOMPARE(p.v, double(p.t / 1000 % 7));
        }
    }
    // The retention edge is inclusive; anything before it is gone, averaged or not.
    QCOMPARE(text(store.query("s", 1399000, 1400000)), QStringLiteral("1400000:0"));
    QCOMPARE(text(store.query("s", 0, 1401000, 1)), QStringLiteral("1400000:0.5"));
    // A point older than the retention is not taken, in a new series either.
    store.record("s", 1300000, 1);
    store.record("new", 1300000, 1);
    QCOMPARE(store.query("s", kMin, kMax).size(), std::size_t(600));
    QCOMPARE(store.seriesCount(), std::size_t(1));
}

void TestMetricsStore::retentionBoundsMemory()
{
    // Noisy values for 3 and then 30 retentions: whole chunks are dropped, memory stays flat.
    MetricsStore store(1s, 10min);
    std::mt19937_64 rng(7);
    std::uniform_real_distribution<double> noise(0, 100);
    std::size_t after3 = 0;
    for (int t = 0; t < 18000; ++t) {
        store.record("s", t * 1000, noise(rng));
        if (t == 1800)
            after3 = store.memoryBytes();
    }
    const std::size_t after30 = store.memoryBytes();
    qInfo("noisy series, 600 s retention: %zu bytes after 3 retentions, %zu after 30", after3,
          after30);
    QVERIFY(after30 <= after3 + after3 / 4);
    QVERIFY(after30 < (600 + 256) * 10);
    QCOMPARE(store.query("s", kMin, kMax).size(), std::size_t(600));
}

void TestMetricsStore::timeJump_data()
{
    QTest::addColumn<qint64>("jump"); // in slots, from the newest point
    QTest::addColumn<int>("expected");

    QTest::newRow("one slot less than the retention") << qint64(599) << 2;
    QTest::newRow("exactly the retention") << qint64(600) << 1;
    QTest::newRow("ten retentions") << qint64(6000) << 1;
    QTest::newRow("a million years") << qint64(31'557'600'000'000) << 1;
}

void TestMetricsStore::timeJump()
{
    QFETCH(qint64, jump);
    QFETCH(int, expected);

    MetricsStore store(1s, 10min);
    for (int t = 0; t < 100; ++t) {
        store.record("s", t * 1000, t);
        store.record("other", t * 1000, t);
    }
    const qint64 newest = 99 + jump;
    store.record("s", newest * 1000, -1);
    const auto points = store.query("s", kMin, kMax);
    QCOMPARE(points.size(), std::size_t(expected));
    QCOMPARE(points.back(), (MetricsStore::Point{newest * 1000, -1}));
    if (expected == 2)
        QCOMPARE(points.front(), (MetricsStore::Point{99000, 99}));
    QCOMPARE(store.seriesCount(), std::size_t(expected == 2 ? 2 : 1));
    QCOMPARE(store.query("other", kMin, kMax).size(), std::size_t(expected == 2 ? 1 : 0));

    // Times before the jump stay ignored; the series goes on after it (and the point at 99
    // leaves the retention).
    store.record("s", 50000, 5);
    store.record("s", (newest + 2) * 1000, -2);
    QCOMPARE(text(store.query("s", kMin, kMax)),
             QStringLiteral("%1:-1 %2:-2").arg(newest * 1000).arg((newest + 2) * 1000));
}

void TestMetricsStore::expiredSeriesForgotten()
{
    MetricsStore store(1s, 100s);
    for (int t = 0; t < 50; ++t) {
        store.record("a", t * 1000, 1);
        store.record("b", t * 1000, 2);
    }
    for (int t = 50; t <= 148; ++t)
        store.record("b", t * 1000, 2);
    // The retention is slots 49..148: "a" still has its newest point.
    MetricsStore::Point p;
    QVERIFY(store.latest("a", p));
    QCOMPARE(p, (MetricsStore::Point{49000, 1}));
    QCOMPARE(text(store.query("a", kMin, kMax)), QStringLiteral("49000:1"));
    QCOMPARE(store.seriesCount(), std::size_t(2));

    store.record("b", 149000, 2);
    QVERIFY(!store.latest("a", p));
    QCOMPARE(store.query("a", kMin, kMax).size(), std::size_t(0));
    QCOMPARE(names(store.seriesNames()), QStringList{QStringLiteral("b")});
    QCOMPARE(store.seriesCount(), std::size_t(1));

    // Much later, once swept, "a" can start again as a new series.
    for (int t = 150; t < 1000; ++t)
        store.record("b", t * 1000, 2);
    store.record("a", 999000, 3);
    QCOMPARE(text(store.query("a", kMin, kMax)), QStringLiteral("999000:3"));
    QCOMPARE(store.query("b", kMin, kMax).size(), std::size_t(100));
}

void TestMetricsStore::roundTrip_data()
{
    QTest::addColumn<QString>("kind");
    QTest::addColumn<int>("seed");
    QTest::addColumn<int>("gapPercent");

    for (const char *kind : {"random bits", "small integers", "slow walk", "extremes", "mixed"}) {
        for (int gapPercent : {0, 10, 60}) {
            for (int seed : {1, 2}) {
                QTest::addRow("%s, %d%% gaps, seed %d", kind, gapPercent, seed)
                    << QString::fromLatin1(kind) << seed << gapPercent;
            }
        }
    }
}

void TestMetricsStore::roundTrip()
{
    QFETCH(QString, kind);
    QFETCH(int, seed);
    QFETCH(int, gapPercent);

    // 3000 slots over 12 chunks of 256, all within the retention; values compared bit by bit.
    std::mt19937_64 rng(static_cast<std::uint64_t>(seed));
    const double extremes[] = {0.0,
                               -0.0,
                               1.0,
                               -1.0,
                               std::numeric_limits<double>::max(),
                               std::numeric_limits<double>::lowest(),
                               std::numeric_limits<double>::min(),
                               std::numeric_limits<double>::denorm_min(),
                               -std::numeric_limits<double>::denorm_min(),
                               1e-300,
                               -1e300,
                               123456789.125,
                               0.1};
    auto randomFinite = [&] {
        for (;;) {
            const double v = std::bit_cast<double>(rng());
            if (std::isfinite(v))
                return v;
        }
    };
    double walk = 1e6;
    auto value = [&](int i) -> double {
        if (kind == QLatin1String("random bits"))
            return randomFinite();
        if (kind == QLatin1String("small integers"))
            return double(rng() % 5);
        if (kind == QLatin1String("slow walk")) {
            if (rng() % 20 == 0)
                walk += 4096.0 * double(int(rng() % 5) - 2);
            return walk;
        }
        if (kind == QLatin1String("extremes"))
            return extremes[rng() % std::size(extremes)];
        // mixed: runs of each kind
        switch (i / 97 % 4) {
        case 0:
            return randomFinite();
        case 1:
            return 42;
        case 2:
            return extremes[rng() % std::size(extremes)];
        default:
            return double(rng() % 3) / 8;
        }
    };

    MetricsStore store(250ms, 3000 * 250ms);
    const qint64 start = -1000 * 250; // crosses zero and chunk boundaries at 0, 256, 512, ...
    std::vector<std::pair<qint64, double>> expected;
    for (int i = 0; i < 3000; ++i) {
        const bool gap = int(rng() % 100) < gapPercent;
        if (gap)
            continue;
        const qint64 t = start + i * 250;
        const double v = value(i);
        // Sometimes a first value in the slot that the second one replaces.
        if (rng() % 10 == 0)
            store.record("s", t, randomFinite());
        store.record("s", t + qint64(rng() % 250), v);
        expected.emplace_back(t, v);
    }
    const auto points = store.query("s", kMin, kMax);
    QCOMPARE(points.size(), expected.size());
    for (std::size_t i = 0; i < points.size(); ++i) {
        if (points[i].t != expected[i].first ||
            std::bit_cast<std::uint64_t>(points[i].v) !=
                std::bit_cast<std::uint64_t>(expected[i].second)) {
            QFAIL(qPrintable(QStringLiteral("point %1: got %2, expected t=%3 v=%4")
                                 .arg(i)
                                 .arg(text({points[i]}))
                                 .arg(expected[i].first)
                                 .arg(expected[i].second, 0, 'g', 17)));
        }
    }
}

void TestMetricsStore::latest()
{
    MetricsStore store(1s, 1h);
    MetricsStore::Point p{1, 1};
    QVERIFY(!store.latest("s", p));
    QCOMPARE(p, (MetricsStore::Point{1, 1}));
    store.record("s", 1500, 1);
    QVERIFY(store.latest("s", p));
    QCOMPARE(p, (MetricsStore::Point{1000, 1}));
    store.record("s", 1999, 2);
    QVERIFY(store.latest("s", p));
    QCOMPARE(p, (MetricsStore::Point{1000, 2}));
    store.record("s", 9000, 3);
    store.record("s", 8000, 4);
    QVERIFY(store.latest("s", p));
    QCOMPARE(p, (MetricsStore::Point{9000, 3}));
}

void TestMetricsStore::seriesNames()
{
    MetricsStore store(1s, 1h);
    for (const char *name :
         {"worker/api-2/rss_bytes", "master/cpu_percent", "worker/api-10/cpu_percent",
          "pool/api/ready", "worker/api-1/cpu_percent", "worker/api-1/rss_bytes"})
        store.record(name, 0, 1);
    store.record("never", 0, kNaN);
    QCOMPARE(store.seriesCount(), std::size_t(6));
    QCOMPARE(names(store.seriesNames()),
             (QStringList{QStringLiteral("master/cpu_percent"), QStringLiteral("pool/api/ready"),
                          QStringLiteral("worker/api-1/cpu_percent"),
                          QStringLiteral("worker/api-1/rss_bytes"),
                          QStringLiteral("worker/api-10/cpu_percent"),
                          QStringLiteral("worker/api-2/rss_bytes")}));
    QCOMPARE(names(store.seriesNames("worker/api-1")),
             (QStringList{QStringLiteral("worker/api-1/cpu_percent"),
                          QStringLiteral("worker/api-1/rss_bytes"),
                          QStringLiteral("worker/api-10/cpu_percent")}));
    QCOMPARE(names(store.seriesNames("worker/api-1/")),
             (QStringList{QStringLiteral("worker/api-1/cpu_percent"),
                          QStringLiteral("worker/api-1/rss_bytes")}));
    QCOMPARE(names(store.seriesNames("master/cpu_percent")),
             QStringList{QStringLiteral("master/cpu_percent")});
    QCOMPARE(names(store.seriesNames("nothing/")), QStringList());
}

void TestMetricsStore::removePrefix()
{
    MetricsStore store(1s, 1h);
    for (const char *name : {"worker/api-1/cpu_percent", "worker/api-1/rss_bytes",
                             "worker/api-10/cpu_percent", "master/cpu_percent"}) {
        for (int t = 0; t < 300; ++t)
            store.record(name, t * 1000, t);
    }
    const std::size_t before = store.memoryBytes();
    store.removePrefix("worker/api-1/");
    QCOMPARE(names(store.seriesNames()),
             (QStringList{QStringLiteral("master/cpu_percent"),
                          QStringLiteral("worker/api-10/cpu_percent")}));
    QCOMPARE(store.query("worker/api-1/cpu_percent", kMin, kMax).size(), std::size_t(0));
    QCOMPARE(store.query("worker/api-10/cpu_percent", kMin, kMax).size(), std::size_t(300));
    QVERIFY(store.memoryBytes() < before);

    // A removed name starts again from nothing, even with an older time.
    store.record("worker/api-1/cpu_percent", 5000, 9);
    QCOMPARE(text(store.query("worker/api-1/cpu_percent", kMin, kMax)), QStringLiteral("5000:9"));

    store.removePrefix("nothing");
    QCOMPARE(store.seriesCount(), std::size_t(3));
    store.removePrefix("");
    QCOMPARE(store.seriesCount(), std::size_t(0));
    QCOMPARE(names(store.seriesNames()), QStringList());
}

// Recording through a handle is recording by its name: also after its series was forgotten
// (removed by prefix, or expired), after the map grew (rehashing), and in a second store.
void TestMetricsStore::handles()
{
    MetricsStore store(1s, 10s);
    MetricsStore::Handle a(std::string("worker/a/cpu_percent"));
    MetricsStore::Handle b(std::string("worker/b/cpu_percent"));
    QCOMPARE(a.name(), std::string("worker/a/cpu_percent"));
    QVERIFY(MetricsStore::Handle().empty() && !a.empty());
    store.record(a, 0, 1);
    store.record(b, 0, 2);
    for (int i = 0; i < 5000; ++i) // rehashes the map several times
        store.record("filler/" + std::to_string(i), 1000, i);
    store.record(a, 1000, 3);
    QCOMPARE(text(store.query("worker/a/cpu_percent", kMin, kMax)), QStringLiteral("0:1 1000:3"));

    store.removePrefix("worker/a/");
    store.record(a, 2000, 4);
    QCOMPARE(text(store.query("worker/a/cpu_percent", kMin, kMax)), QStringLiteral("2000:4"));
    store.record(b, 2000, 5);
    QCOMPARE(text(store.query("worker/b/cpu_percent", kMin, kMax)), QStringLiteral("0:2 2000:5"));

    // 30 s later every series above has expired and was forgotten, b's included.
    store.record("other", 40000, 0);
    QCOMPARE(store.seriesCount(), std::size_t(1));
    store.record(b, 40000, 6);
    QCOMPARE(text(store.query("worker/b/cpu_percent", kMin, kMax)), QStringLiteral("40000:6"));
    store.record(a, 41000, kNaN); // ignored, as by name
    QCOMPARE(store.query("worker/a/cpu_percent", kMin, kMax).size(), std::size_t(0));

    MetricsStore second(1s, 1h);
    second.record(b, 0, 7);
    QCOMPARE(text(second.query("worker/b/cpu_percent", kMin, kMax)), QStringLiteral("0:7"));
    store.record(b, 42000, 8);
    QCOMPARE(text(store.query("worker/b/cpu_percent", kMin, kMax)),
             QStringLiteral("40000:6 42000:8"));
}

// A held series goes on with its newest value at every slot the store reaches, without being
// recorded; the next record or a release ends it.
void TestMetricsStore::holdAndRelease()
{
    MetricsStore store(1s, 1h);
    MetricsStore::Handle s(std::string("worker/a/rss_bytes"));
    MetricsStore::Handle never(std::string("worker/none/rss_bytes"));
    store.hold(never); // no such series: nothing happens
    QCOMPARE(store.seriesCount(), std::size_t(0));

    for (int t = 0; t <= 2; ++t)
        store.record(s, t * 1000, 5);
    store.hold(s);
    for (int t = 3; t <= 9; ++t)
        store.record("other", t * 1000, t);
    QCOMPARE(text(store.query("worker/a/rss_bytes", kMin, kMax)),
             QStringLiteral("0:5 1000:5 2000:5 3000:5 4000:5 5000:5 6000:5 7000:5 8000:5 9000:5"));
    QCOMPARE(text(store.query("worker/a/rss_bytes", 7000, kMax)),
             QStringLiteral("7000:5 8000:5 9000:5"));
    QCOMPARE(text(store.query("worker/a/rss_bytes", kMin, kMax, 5)),
             QStringLiteral("0:5 2000:5 4000:5 6000:5 8000:5"));
    MetricsStore::Point p;
    QVERIFY(store.latest("worker/a/rss_bytes", p));
    QCOMPARE(p, (MetricsStore::Point{9000, 5}));

    // A record ends the hold: the value changes at its slot, later slots are gaps again.
    store.record(s, 10000, 7);
    for (int t = 11; t <= 12; ++t)
        store.record("other", t * 1000, t);
    QCOMPARE(text(store.query("worker/a/rss_bytes", 8000, kMax)),
             QStringLiteral("8000:5 9000:5 10000:7"));

    // Held, then released at 102.5 s while the store is at 105 s: the value goes on through
    // 102 s only. (Times away from a sweep: at 1 h, the store writes holds out when now is
    // 15 s past a multiple of 256 s.)
    MetricsStore::Handle r(std::string("worker/r/rss_bytes"));
    store.record(r, 100000, 7);
    store.hold(r);
    for (int t = 101; t <= 105; ++t)
        store.record("other", t * 1000, t);
    store.release(r, 102500);
    store.record("other", 106000, 106);
    QCOMPARE(text(store.query("worker/r/rss_bytes", kMin, kMax)),
             QStringLiteral("100000:7 101000:7 102000:7"));
    QVERIFY(store.latest("worker/r/rss_bytes", p));
    QCOMPARE(p, (MetricsStore::Point{102000, 7}));

    // Held, then removed: gone; recording through the handle starts it over.
    store.hold(s);
    store.removePrefix("worker/a/");
    QCOMPARE(store.query("worker/a/rss_bytes", kMin, kMax).size(), std::size_t(0));
    store.record(s, 107000, 1);
    QCOMPARE(text(store.query("worker/a/rss_bytes", kMin, kMax)), QStringLiteral("107000:1"));
}

// A held series stays in the retention however long it is held: the points that are written
// out when the store sweeps are the held value, and a jump past the whole retention starts it
// over.
void TestMetricsStore::holdAcrossRetention()
{
    MetricsStore store(1s, 10s);
    MetricsStore::Handle s(std::string("pool/p/ready"));
    store.record(s, 0, 3);
    store.hold(s);
    for (int t = 1; t <= 1000; ++t) // past several sweeps (every 256 slots)
        store.record("master/workers", t * 1000, 1);
    QCOMPARE(store.seriesCount(), std::size_t(2));
    QCOMPARE(names(store.seriesNames("pool/")), QStringList{QStringLiteral("pool/p/ready")});
    QCOMPARE(text(store.query("pool/p/ready", kMin, kMax)),
             QStringLiteral("991000:3 992000:3 993000:3 994000:3 995000:3 996000:3 997000:3 "
                            "998000:3 999000:3 1000000:3"));
    store.record("master/workers", 100'000'000, 1); // a jump of days
    QCOMPARE(text(store.query("pool/p/ready", kMin, kMax)), QStringLiteral("100000000:3"));
    store.record(s, 100'001'000, 4);
    QCOMPARE(text(store.query("pool/p/ready", kMin, kMax)),
             QStringLiteral("100000000:3 100001000:4"));
    // Bounded memory: a long hold costs what a run of repeats costs.
    QVERIFY(store.memoryBytes() < 4096);
}

void TestMetricsStore::settingsClamped()
{
    MetricsStore zero(0ms, 0ms);
    QCOMPARE(zero.resolution(), 1ms);
    QCOMPARE(zero.retention(), 1ms);
    zero.record("s", 5, 1);
    zero.record("s", 6, 2);
    QCOMPARE(text(zero.query("s", kMin, kMax)), QStringLiteral("6:2"));

    MetricsStore negative(-5s, -1h);
    QCOMPARE(negative.resolution(), 1ms);
    QCOMPARE(negative.retention(), 1ms);

    MetricsStore huge(1ms, std::chrono::hours(24 * 365 * 100));
    QCOMPARE(huge.retention(), std::chrono::milliseconds(std::int64_t(1) << 26));
    huge.record("s", 0, 1);
    huge.record("s", (std::int64_t(1) << 26) - 1, 2); // a gap of 2^26 - 2 slots
    QCOMPARE(text(huge.query("s", kMin, kMax)), QStringLiteral("0:1 67108863:2"));

    MetricsStore rounded(1s, 2500ms);
    QCOMPARE(rounded.retention(), std::chrono::milliseconds(2000));
    for (int t = 0; t < 5; ++t)
        rounded.record("s", t * 1000, t);
    QCOMPARE(text(rounded.query("s", kMin, kMax)), QStringLiteral("3000:3 4000:4"));
}

void TestMetricsStore::hostileTimes()
{
    MetricsStore store(1s, 1h);
    store.record("s", kMin, 1);
    store.record("s", kMax, 1);
    QCOMPARE(store.seriesCount(), std::size_t(0));
    const qint64 edge = qint64(1) << 62;
    store.record("s", -edge, 1);
    store.record("s", -edge + 1000, 2);
    QCOMPARE(text(store.query("s", kMin, kMax)),
             QStringLiteral("%1:1 %2:2").arg(-edge / 1000 * 1000 - 1000).arg(-edge / 1000 * 1000));
    QCOMPARE(store.query("s", kMax, kMin).size(), std::size_t(0));
    QCOMPARE(store.query("s", kMin, kMin).size(), std::size_t(0));
    QCOMPARE(store.query("s", kMin, kMax, 1).size(), std::size_t(1));
    store.record("s", edge, 3); // clears: everything before is out of the retention
    QCOMPARE(text(store.query("s", kMin, kMax, 7)), QStringLiteral("%1:3").arg(edge / 1000 * 1000));
    store.record("s", 0, 4);
    QCOMPARE(store.query("s", kMin, kMax).size(), std::size_t(1));
}

void TestMetricsStore::againstModel_data()
{
    QTest::addColumn<int>("seed");
    QTest::addColumn<qint64>("resolutionMs");
    QTest::addColumn<qint64>("retentionSlots");
    QTest::addColumn<qint64>("startMs");

    QTest::newRow("1 s, 700 slots")
        << 1 << qint64(1000) << qint64(700) << qint64(1'700'000'000'000);
    QTest::newRow("250 ms, 300 slots, negative times")
        << 2 << qint64(250) << qint64(300) << qint64(-400'000);
    QTest::newRow("1 ms, 256 slots (one chunk)") << 3 << qint64(1) << qint64(256) << qint64(0);
    QTest::newRow("1 ms, 1 slot") << 4 << qint64(1) << qint64(1) << qint64(5);
    QTest::newRow("5 s, 2000 slots") << 5 << qint64(5000) << qint64(2000) << qint64(-7);
    QTest::newRow("1 s, 513 slots") << 6 << qint64(1000) << qint64(513) << qint64(123'456);
}

void TestMetricsStore::againstModel()
{
    QFETCH(int, seed);
    QFETCH(qint64, resolutionMs);
    QFETCH(qint64, retentionSlots);
    QFETCH(qint64, startMs);

    // Random records on a few series (steps, same-slot writes, late writes, gaps of every size,
    // jumps past the retention, removals), checked against the model after every step.
    MetricsStore store{std::chrono::milliseconds(resolutionMs),
                       std::chrono::milliseconds(resolutionMs * retentionSlots)};
    Model model(resolutionMs, retentionSlots);
    const std::vector<std::string> series{"a/x", "a/y", "b/x", "c"};
    std::mt19937_64 rng(static_cast<std::uint64_t>(seed));
    auto pick = [&](std::uint64_t n) { return static_cast<std::int64_t>(rng() % n); };
    const double palette[] = {0, 1, 1.5, -3, 1e9, 0.1, -0.0};
    qint64 now = startMs;
    for (int step = 0; step < 20000; ++step) {
        const int r = int(pick(1000));
        if (r < 600)
            now += resolutionMs;
        else if (r < 700)
            now += pick(resolutionMs);
        else if (r < 790)
            now += resolutionMs * (2 + pick(300));
        else if (r < 795)
            now += resolutionMs * (retentionSlots - 2 + pick(5));
        else if (r < 797)
            now += resolutionMs * retentionSlots * (1 + pick(50));
        const std::string &name = series[std::size_t(pick(series.size()))];
        qint64 t = now;
        if (pick(20) == 0)
            t -= pick(resolutionMs * 5 + 1); // late or in an earlier slot
        double v;
        const int kind = int(pick(10));
        if (kind < 5)
            v = palette[pick(std::size(palette))];
        else if (kind < 8)
            v = double(pick(1000)) / 16;
        else if (kind < 9)
            v = std::ldexp(double(pick(1 << 20)), int(pick(200)) - 100);
        else
            v = pick(50) == 0 ? kNaN : -double(pick(100));
        store.record(name, t, v);
        model.record(name, t, v);
        if (pick(2000) == 0) {
            const std::string prefix = pick(2) ? "a/" : "c";
            store.removePrefix(prefix);
            model.removePrefix(prefix);
        }

        if (step % 97 != 0 && step < 19990)
            continue;
        QCOMPARE(names(store.seriesNames()), names(model.names()));
        QCOMPARE(store.seriesCount(), model.names().size());
        for (const std::string &s : series) {
            const auto full = model.query(s, kMin, kMax, 0);
            QCOMPARE(text(store.query(s, kMin, kMax)), text(full));
            MetricsStore::Point p;
            QCOMPARE(store.latest(s, p), !full.empty());
            if (!full.empty())
                QCOMPARE(p, full.back());
            const qint64 span = resolutionMs * (retentionSlots + 300);
            const qint64 from = now - pick(span);
            const qint64 to = from + pick(span);
            const std::size_t maxPoints = std::size_t(pick(40));
            QCOMPARE(text(store.query(s, from, to, maxPoints)),
                     text(model.query(s, from, to, maxPoints)));
        }
    }
}

void TestMetricsStore::memoryIdleHour()
{
    // A constant series for one hour at 1 s, then for a second hour (chunks dropped).
    MetricsStore store(1s, 1h);
    const qint64 start = 1'700'000'000'000;
    for (int t = 0; t < 3600; ++t)
        store.record("worker/api-3/cpu_percent", start + t * 1000, 0.5);
    const std::size_t oneHour = store.memoryBytes();
    for (int t = 3600; t < 7200; ++t)
        store.record("worker/api-3/cpu_percent", start + t * 1000, 0.5);
    const std::size_t twoHours = store.memoryBytes();
    qInfo("idle series: %zu bytes after 1 h, %zu after 2 h", oneHour, twoHours);
    QVERIFY(oneHour < 600);
    QVERIFY(twoHours < 600);
    const auto points = store.query("worker/api-3/cpu_percent", kMin, kMax);
    QCOMPARE(points.size(), std::size_t(3600));
    QCOMPARE(points.front(), (MetricsStore::Point{start + 3600 * 1000, 0.5}));
    QCOMPARE(points.back(), (MetricsStore::Point{start + 7199 * 1000, 0.5}));
}

void TestMetricsStore::memoryManySeries()
{
    // 1000 workers x 4 series for an hour at 1 s, slowly varying: whole CPU percents that move
    // every 10-20 s, RSS growing by pages now and then, threads and fds that rarely change.
    MetricsStore store(1s, 1h);
    constexpr int kWorkers = 1000;
    std::vector<std::string> names;
    for (int w = 0; w < kWorkers; ++w) {
        for (const char *metric : {"cpu_percent", "rss_bytes", "threads", "fds"})
            names.push_back("worker/api-" + std::to_string(w) + "/" + metric);
    }
    std::mt19937 rng(11);
    std::vector<double> values(names.size());
    for (int w = 0; w < kWorkers; ++w) {
        values[w * 4 + 0] = rng() % 30;
        values[w * 4 + 1] = 50e6 + (rng() % 1000) * 4096.0;
        values[w * 4 + 2] = 4 + rng() % 8;
        values[w * 4 + 3] = 10 + rng() % 20;
    }
    const qint64 start = 1'700'000'000'000;
    for (int t = 0; t < 3600; ++t) {
        for (std::size_t i = 0; i < names.size(); ++i) {
            const std::uint32_t r = rng();
            switch (i % 4) {
            case 0:
                if (r % 15 == 0)
                    values[i] = std::max(0.0, values[i] + double(int(r >> 8) % 7 - 3));
                break;
            case 1:
                if (r % 30 == 0)
                    values[i] += 4096.0 * double((r >> 8) % 16);
                break;
            case 2:
                if (r % 600 == 0)
                    values[i] += (r >> 8) % 2 ? 1 : -1;
                break;
            default:
                if (r % 60 == 0)
                    values[i] += (r >> 8) % 2 ? 1 : -1;
            }
            store.record(names[i], start + t * 1000, values[i]);
        }
    }
    const std::size_t bytes = store.memoryBytes();
    qInfo("4000 series x 3600 points: %zu bytes (%.2f bytes per point; uncompressed doubles: "
          "%zu)",
          bytes, double(bytes) / (4000.0 * 3600), std::size_t(4000) * 3600 * sizeof(double));
    QCOMPARE(store.seriesCount(), std::size_t(4000));
    QVERIFY(bytes < 4 * 1024 * 1024);
    MetricsStore::Point p;
    QVERIFY(store.latest(names[5], p));
    QCOMPARE(p.v, values[5]);
    QCOMPARE(store.query(names[7], kMin, kMax).size(), std::size_t(3600));
}

QTEST_APPLESS_MAIN(TestMetricsStore)
#include "tst_metricsstore.moc"
