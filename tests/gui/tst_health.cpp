// The console's health pane on an embedded master running real workers: a drover-demo-worker
// whose /ready fails for its first seconds (http readiness) next to a passing tcp liveness
// probe, a shell worker that writes a line every 0.1 s with an exec readiness probe that fails
// every other two seconds, and a worker without probes. The history comes, live results follow,
// there is a strip per probe, a failure's details show the log lines written before it, the
// failures filter filters, switching workers drops the old ones (and their late replies), and
// a worker without probes says so. The models pass QAbstractItemModelTester throughout.
#include "../integration/markedprocesses.h"
#include "config/loader.h"
#include "embeddedmaster.h"
#include "local/localbackend.h"
#include "models/backendbridge.h"
#include "models/healthmodel.h"
#include "models/workersmodel.h"
#include "ui/healthpane.h"
#include "ui/healthtimeline.h"

#include <QAbstractItemModelTester>
#include <QCheckBox>
#include <QDateTime>
#include <QElapsedTimer>
#include <QImage>
#include <QRegularExpression>
#include <QSet>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QTemporaryDir>
#include <QTest>
#include <QUuid>

#include <nlohmann/json.hpp>

#include <mutex>

extern char **environ;

using namespace drover;
using models::HealthResultsModel;
using nlohmann::json;

class TestHealth : public QObject
{
    Q_OBJECT

private slots:
    void modelKeepsNewestFirstAndBounded();
    void timelinePaintsRunsCheaply();
    void timelineMarksWhatTheMasterDropped();
    void paneOnEmbeddedMaster();

private:
    /// A LocalBackend running `pools` in a fresh state dir, its processes marked for cleanup.
    std::shared_ptr<local::LocalBackend> embedded(const std::string &pools)
    {
        return test::startEmbedded(pools, m_dir.path() + QStringLiteral("/state-%1").arg(++m_runs),
                                   m_mark, "  probes: {history: 1000}\n");
    }
    /// Waits for the reply of one request on the backend's thread.
    static api::Reply call(api::Backend &backend, const std::string &op, const json &args)
    {
        return test::callAndWait(backend, op, args);
    }
    /// The results of the model that satisfy `pred`.
    template <class Pred>
    static std::vector<api::HealthSample> where(const HealthResultsModel *m, Pred pred)
    {
        std::vector<api::HealthSample> out;
        for (int r = 0; r < m->rowCount(); ++r) {
            if (pred(m->sample(r)))
                out.push_back(m->sample(r));
        }
        return out;
    }
    static int count(const HealthResultsModel *m, bool ok)
    {
        return int(where(m, [ok](const api::HealthSample &s) { return s.ok == ok; }).size());
    }
    static bool onlyOf(const HealthResultsModel *m, const QStringList &workers)
    {
        return where(m,
                     [&](const api::HealthSample &s) {
                         return !workers.contains(QString::fromStdString(s.worker));
                     })
            .empty();
    }
    /// The numbers of the `tick N` lines in `text`.
    static std::vector<int> ticks(const QString &text)
    {
        std::vector<int> out;
        static const QRegularExpression tick(QStringLiteral("^tick (\\d+)$"),
                                             QRegularExpression::MultilineOption);
        for (auto it = tick.globalMatch(text); it.hasNext();)
            out.push_back(it.next().captured(1).toInt());
        return out;
    }

    QTemporaryDir m_dir;
    std::string m_mark =
        "DROVER_TEST_MARK=" + QUuid::createUuid().toString(QUuid::WithoutBraces).toStdString();
    int m_runs = 0;
};

namespace {

api::HealthSample sample(const std::string &worker, std::int64_t t, bool ok)
{
    api::HealthSample s;
    s.worker = worker;
    s.probe = "readiness";
    s.kind = "http";
    s.timeMs = t;
    s.ok = ok;
    s.latencyMs = 1.24;
    s.message = ok ? "200 OK" : "503 Service Unavailable";
    return s;
}

/// A fixed "now", and the hour before it that pinnedHour() shows.
constexpr std::int64_t kNow = 1'800'000'000'000;
constexpr std::int64_t kHour = 3'600'000;

/// `timeline` 1000 pixels wide, showing the hour before kNow.
void pinnedHour(ui::HealthTimeline &timeline, int height)
{
    timeline.resize(1000, height);
    timeline.setNow(kNow);
    timeline.setWindow(kHour);
}

} // namespace

// The model alone: a reset sorts newest first, append takes only shown workers' results and
// puts them on top, the oldest beyond the capacity go with a removal, a worker's history
// replaces its rows but keeps the live ones newer than it, transitions are not doubled.
void TestHealth::modelKeepsNewestFirstAndBounded()
{
    HealthResultsModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSortFilterProxyModel proxy;
    proxy.setSourceModel(&model);
    proxy.setSortRole(HealthResultsModel::SortRole);
    proxy.sort(HealthResultsModel::Latency);
    QAbstractItemModelTester proxyTester(&proxy,
                                         QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setWorkers({QStringLiteral("a"), QStringLiteral("b")});
    model.setCapacity(5);
    model.reset({sample("a", 100, true), sample("b", 300, false), sample("a", 200, true)});
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(model.sample(0).timeMs, std::int64_t(300));
    QCOMPARE(model.sample(2).timeMs, std::int64_t(100));
    QCOMPARE(model.failures(), 1);
    QCOMPARE(model.index(0, HealthResultsModel::Result).data().toString(), QStringLiteral("fail"));
    QCOMPARE(
        model.index(0, HealthResultsModel::Time).data(HealthResultsModel::SortRole).toLongLong(),
        qlonglong(300));
    QCOMPARE(model.index(0, HealthResultsModel::Latency).data().toString(),
             QStringLiteral("1.2 ms").replace(QLatin1Char('.'), QLocale().decimalPoint()));
    QCOMPARE(model.index(0, HealthResultsModel::Result).data(Qt::ForegroundRole).value<QColor>(),
             HealthResultsModel::resultColor(false));
    QCOMPARE(model.index(1, 0).data(HealthResultsModel::SampleRole).value<api::HealthSample>(),
             model.sample(1));

    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
    QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
    // c is not shown; 4 of the 5 are taken, in one insertion; 7 rows: the 2 oldest go.
    model.append({sample("a", 400, false), sample("c", 410, false), sample("b", 420, true),
                  sample("a", 430, true), sample("b", 440, false)});
    QCOMPARE(resets.count(), 0);
    QCOMPARE(inserted.count(), 1);
    QCOMPARE(inserted[0][1].toInt(), 0);
    QCOMPARE(inserted[0][2].toInt(), 3);
    QCOMPARE(removed.count(), 1);
    QCOMPARE(removed[0][1].toInt(), 5);
    QCOMPARE(removed[0][2].toInt(), 6);
    QCOMPARE(model.rowCount(), 5);
    QCOMPARE(model.sample(0).timeMs, std::int64_t(440));
    QCOMPARE(model.sample(4).timeMs, std::int64_t(300));
    QCOMPARE(model.failures(), 3); // 440, 400, 300
    QCOMPARE(model.rowOf(sample("a", 430, true)), 1);
    QCOMPARE(model.rowOf(sample("c", 410, false)), -1);
    // A result the model has (from a history) coming again live is not a second row.
    inserted.clear();
    model.append({sample("b", 440, false)});
    QCOMPARE(inserted.count(), 0);
    QCOMPARE(model.rowCount(), 5);

    // a's history (made at 425): its rows are replaced, its live row at 430 stays.
    model.replaceWorker("a", {sample("a", 50, false), sample("a", 425, true)},
                        {{"a", "readiness", 425, "failing", "passing", "ok again"}});
    QCOMPARE(model.rowCount(), 5);
    QStringList rows;
    for (int r = 0; r < model.rowCount(); ++r)
        rows << QStringLiteral("%1@%2")
                    .arg(QString::fromStdString(model.sample(r).worker))
                    .arg(model.sample(r).timeMs);
    QCOMPARE(rows,
             (QStringList{QStringLiteral("b@440"), QStringLiteral("a@430"), QStringLiteral("a@425"),
                          QStringLiteral("b@420"), QStringLiteral("b@300")}));
    QCOMPARE(model.transitions().size(), std::size_t(1));
    // The same change as an event (a few ms later) is not a second one; a new one is.
    QVERIFY(!model.addTransition({"a", "readiness", 427, "failing", "passing", "ok again"}));
    QVERIFY(model.addTransition({"a", "readiness", 5000, "passing", "failing", "boom"}));
    QVERIFY(!model.addTransition({"c", "readiness", 6000, "passing", "failing", "not shown"}));
    QCOMPARE(model.transitions().size(), std::size_t(2));
    QCOMPARE(model.transitions().back().timeMs, std::int64_t(5000));
}

// 20 strips of 1800 results each over an hour (a result every 2 s, narrower than a pixel):
// a failure still colours its pixel red, passes are green, where nothing ran is grey, a
// verdict change is a dark tick, a click there picks the failure, and a paint stays cheap.
void TestHealth::timelinePaintsRunsCheaply()
{
    ui::HealthTimeline timeline;
    pinnedHour(timeline, 700);
    const std::int64_t now = kNow;
    const std::int64_t hour = kHour;
    std::vector<ui::HealthTimeline::Strip> strips;
    for (int w = 0; w < 10; ++w) {
        for (const char *probe : {"liveness", "readiness"})
            strips.push_back({"w-" + std::to_string(w), probe, "http", "GET /"});
    }
    timeline.setStrips(strips);
    QCOMPARE(timeline.stripCount(), 20);
    const std::int64_t lonely = now - hour / 2 + 1; // strip 0's only failure
    const std::int64_t change = now - hour / 6;     // strip 3's verdict change
    for (int w = 0; w < 10; ++w) {
        const std::string worker = "w-" + std::to_string(w);
        std::vector<api::HealthSample> samples;
        for (int p = 0; p < 2; ++p) {
            const int strip = 2 * w + p;
            for (int i = 0; i < 1800; ++i) {
                const std::int64_t t = now - hour + 1 + std::int64_t(i) * 2000;
                if (strip == 2 && t < now - hour / 2)
                    continue; // nothing ran in its first half hour
                bool ok = strip == 1 ? i % 2 == 0 : !(strip == 0 && t == lonely);
                api::HealthSample s = sample(worker, t, ok);
                s.probe = p == 0 ? "liveness" : "readiness";
                samples.push_back(s);
            }
        }
        std::vector<api::HealthTransition> transitions;
        if (w == 1)
            transitions.push_back({worker, "readiness", change, "passing", "failing", "boom"});
        timeline.setHistory(worker, samples, transitions);
    }
    QCOMPARE(timeline.sampleCount(0), 1800);
    QCOMPARE(timeline.sampleCount(2), 900);

    QImage image;
    QElapsedTimer clock;
    clock.start();
    for (int i = 0; i < 10; ++i)
        image = timeline.grab().toImage();
    const qint64 perPaint = clock.elapsed() / 10;
    QVERIFY2(perPaint < 60, qPrintable(QStringLiteral("%1 ms per paint").arg(perPaint)));
    qInfo("20 strips x 1800 results: %lld ms per paint", perPaint);
    if (const QByteArray shot = qgetenv("DROVER_HEALTH_SHOT"); !shot.isEmpty())
        QVERIFY(image.save(QString::fromLocal8Bit(shot).replace(QStringLiteral(".png"),
                                                                QStringLiteral("-timeline.png"))));

    const QColor red = HealthResultsModel::resultColor(false);
    const QColor green = HealthResultsModel::resultColor(true);
    auto colorAt = [&](int strip, std::int64_t t) {
        return image.pixelColor(timeline.pointAt(strip, t));
    };
    QCOMPARE(colorAt(0, lonely), red);
    QCOMPARE(colorAt(0, now - hour / 4), green);
    QCOMPARE(colorAt(1, now - hour / 3), red); // alternating: failures win their pixels
    QCOMPARE(colorAt(2, now - hour / 2 + 60'000), green);
    const QColor none = colorAt(2, now - hour * 3 / 4);
    QVERIFY(none != red && none != green);
    const QPoint tick = timeline.pointAt(3, change);
    QVERIFY(image.pixelColor(tick) == QColor(0x20, 0x24, 0x2a) ||
            image.pixelColor(tick - QPoint(1, 0)) == QColor(0x20, 0x24, 0x2a));
    QVERIFY(timeline.toolTipAt(tick).contains(QStringLiteral("boom")));

    // A click on strip 0's failure picks it, though it is narrower than a pixel.
    QSignalSpy clicked(&timeline, &ui::HealthTimeline::sampleClicked);
    QTest::mouseClick(&timeline, Qt::LeftButton, {}, timeline.pointAt(0, lonely));
    QCOMPARE(clicked.count(), 1);
    QCOMPARE(clicked[0][0].value<api::HealthSample>().timeMs, lonely);
    // On a pass nothing is emitted (only failures have details worth a click).
    QTest::mouseClick(&timeline, Qt::LeftButton, {}, timeline.pointAt(0, now - hour / 4));
    QCOMPARE(clicked.count(), 1);
}

// The master keeps the newest `kept` results per worker: before the oldest it holds, the
// strip is hatched "not kept" (tooltip says why), not grey "not run"; with nothing dropped
// the same stretch is plain "not run".
void TestHealth::timelineMarksWhatTheMasterDropped()
{
    ui::HealthTimeline timeline;
    pinnedHour(timeline, 200);
    const std::int64_t now = kNow;
    const std::int64_t hour = kHour;
    timeline.setStrips({{"w-0", "readiness", "http", "GET /ready"}});
    std::vector<api::HealthSample> samples;
    for (std::int64_t t = now - hour / 3; t <= now; t += 10'000) // the newest 20 min
        samples.push_back(sample("w-0", t, true));
    const std::int64_t keptFrom = samples.front().timeMs;

    // The colours along 20 pixels of the strip, 37.5 min ago (between two grid lines).
    auto coloursBefore = [&] {
        const QImage image = timeline.grab().toImage();
        const QPoint at = timeline.pointAt(0, now - hour * 5 / 8);
        QSet<QRgb> seen;
        for (int dx = 0; dx < 20; ++dx)
            seen.insert(image.pixel(at + QPoint(dx, 0)));
        return seen.size();
    };
    timeline.setHistory("w-0", samples, {}, keptFrom, 100);
    QVERIFY2(coloursBefore() >= 2, "hatched"); // the hatch's lines over the grey
    if (const QByteArray shot = qgetenv("DROVER_HEALTH_SHOT"); !shot.isEmpty())
        QVERIFY(timeline.grab().save(QString::fromLocal8Bit(shot).replace(
            QStringLiteral(".png"), QStringLiteral("-dropped.png"))));
    const QString dropped = timeline.toolTipAt(timeline.pointAt(0, now - hour * 2 / 3));
    QVERIFY2(dropped.contains(QStringLiteral("100")) &&
                 dropped.contains(QStringLiteral("master.probes.history")),
             qPrintable(dropped));
    // After the oldest kept result: the results themselves.
    QVERIFY(timeline.toolTipAt(timeline.pointAt(0, keptFrom + 15'000))
                .contains(QStringLiteral("pass")));

    timeline.setHistory("w-0", samples, {}, 0, 100); // nothing dropped: it did not run then
    QCOMPARE(coloursBefore(), 1);
    QVERIFY(timeline.toolTipAt(timeline.pointAt(0, now - hour * 2 / 3))
                .contains(QStringLiteral("did not run")));
}

void TestHealth::paneOnEmbeddedMaster()
{
    const std::string demo = DROVER_BIN_DIR "/drover-demo-worker";
    auto backend = embedded(
        "  - name: web\n    command: [\"" + demo +
        "\", \"--port\", \"{{port}}\", \"--ready-after\", \"2.5\"]\n"
        "    ports: 23470-23479\n    stop: {timeout: 2s}\n"
        "    probes:\n"
        "      liveness: {tcp: {port: \"{{port}}\"}, interval: 300ms}\n"
        "      readiness: {http: {url: \"http://127.0.0.1:{{port}}/ready\"}, interval: 300ms,\n"
        "                  failure_threshold: 2}\n"
        "  - name: talker\n"
        "    command: [\"sh\", \"-c\", \"i=0; while :; do i=$((i+1)); echo tick $i; sleep 0.1; "
        "done\"]\n"
        "    probes:\n"
        "      readiness:\n"
        "        exec: {command: [\"/bin/sh\", \"-c\", \"if [ $(( $(date +%s) % 4 )) -lt 2 ]; "
        "then exit 0; fi; echo boom; exit 1\"]}\n"
        "        interval: 300ms\n        failure_threshold: 2\n"
        "  - name: plain\n    command: [\"sleep\", \"1000\"]\n");
    QVERIFY(backend);
    {
        models::BackendBridge bridge(backend);
        bridge.start();
        ui::HealthPane pane(&bridge);
        pane.resize(1100, 640);
        pane.show();
        QAbstractItemModelTester tester(pane.results(),
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        QAbstractItemModelTester proxyTester(
            pane.proxy(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        HealthResultsModel *results = pane.results();

        // Nothing selected: the pane says what to do.
        QVERIFY(pane.emptyText().contains(QStringLiteral("Select one or more workers")));
        QCOMPARE(pane.stripCount(), 0);

        // Let some history pile up (web's readiness fails for 2.5 s, talker's flaps).
        QTRY_VERIFY_WITH_TIMEOUT(bridge.workers()->rowOf("talker-0") >= 0 &&
                                     bridge.workers()->rowOf("web-0") >= 0,
                                 5000);
        QTest::qWait(3500);

        // One worker: its history, then live results; one strip for its one probe.
        const qint64 shownAt = QDateTime::currentMSecsSinceEpoch();
        pane.showWorkers({QStringLiteral("talker-0")});
        QCOMPARE(pane.workers(), QStringList{QStringLiteral("talker-0")});
        QCOMPARE(pane.title(), QStringLiteral("Health of talker-0"));
        QTRY_COMPARE_WITH_TIMEOUT(pane.pending(), 0, 5000);
        QVERIFY(pane.emptyText().isEmpty());
        QCOMPARE(pane.stripCount(), 1);
        QCOMPARE(pane.timeline()->strip(0).probe, std::string("readiness"));
        QVERIFY2(results->rowCount() >= 5, qPrintable(QString::number(results->rowCount())));
        QVERIFY(results->sample(results->rowCount() - 1).timeMs < shownAt); // from the history
        QVERIFY(onlyOf(results, {QStringLiteral("talker-0")}));
        QTRY_VERIFY_WITH_TIMEOUT(results->sample(0).timeMs > shownAt + 500, 5000); // live
        QTRY_VERIFY_WITH_TIMEOUT(count(results, false) > 0 && count(results, true) > 0, 8000);
        QTRY_VERIFY_WITH_TIMEOUT(!results->transitions().empty(), 8000);
        QCOMPARE(pane.timeline()->sampleCount(0), results->rowCount());
        const api::HealthSample failed =
            where(results, [](const api::HealthSample &s) { return !s.ok; }).front();
        QCOMPARE(failed.kind, std::string("exec"));
        QVERIFY2(failed.logOffset > 0, "a failure knows where the log had got");
        QVERIFY(QString::fromStdString(failed.excerpt).contains(QStringLiteral("boom")));

        // Clicking that failure in the strip selects it.
        QSignalSpy clicked(pane.timeline(), &ui::HealthTimeline::sampleClicked);
        QTest::mouseClick(pane.timeline(), Qt::LeftButton, {},
                          pane.timeline()->pointAt(0, failed.timeMs));
        QCOMPARE(clicked.count(), 1);
        const auto picked = clicked[0][0].value<api::HealthSample>();
        QVERIFY(!picked.ok);
        QVERIFY(std::llabs(picked.timeMs - failed.timeMs) < 2000);
        QVERIFY(pane.timeline()
                    ->toolTipAt(pane.timeline()->pointAt(0, failed.timeMs))
                    .contains(QStringLiteral("fail")));

        // Its details: the facts, the output, and the log lines written before it.
        pane.showSample(failed);
        QVERIFY(pane.detailsText().contains(QString::fromStdString(failed.message)));
        QVERIFY(pane.detailsText().contains(QStringLiteral("boom")));
        QVERIFY(pane.detailsText().contains(QStringLiteral("talker-0")));
        QTRY_VERIFY_WITH_TIMEOUT(!ticks(pane.detailsText()).empty(), 5000);
        QVERIFY(pane.detailsText().contains(QStringLiteral("Log before this failure:")));
        const std::vector<int> before = ticks(pane.detailsText());
        QVERIFY(before.size() <= 40);
        QVERIFY(std::is_sorted(before.begin(), before.end()));
        // Lines up to the failure only: the log has gone on since.
        QTest::qWait(600);
        api::Reply now = call(*backend, "logs.tail", {{"worker", "talker-0"}, {"lines", 1}});
        QVERIFY(now.ok());
        const std::vector<int> newest =
            ticks(QString::fromStdString((*now)["lines"][0].get<std::string>()));
        QCOMPARE(newest.size(), std::size_t(1));
        QVERIFY2(before.back() + 3 < newest.front(),
                 qPrintable(QStringLiteral("last tick before the failure %1, now %2")
                                .arg(before.back())
                                .arg(newest.front())));
        // ... and the failure's time agrees with the log: about 10 ticks a second.
        const double secondsSince = (QDateTime::currentMSecsSinceEpoch() - failed.timeMs) / 1000.0;
        QVERIFY2(std::abs((newest.front() - before.back()) / 10.0 - secondsSince) <
                     std::max(3.0, secondsSince / 2),
                 qPrintable(QString::number(secondsSince)));

        // Failures only.
        pane.failuresOnly()->setChecked(true);
        QCOMPARE(pane.proxy()->rowCount(), results->failures());
        QVERIFY(pane.proxy()->rowCount() > 0);
        for (int r = 0; r < pane.proxy()->rowCount(); ++r)
            QVERIFY(!pane.proxy()->index(r, 0).data(HealthResultsModel::OkRole).toBool());
        pane.failuresOnly()->setChecked(false);
        QCOMPARE(pane.proxy()->rowCount(), results->rowCount());

        // Another worker, chosen before the first one's reply is in: only the newer choice.
        pane.showWorkers({QStringLiteral("web-0"), QStringLiteral("talker-0")});
        QCOMPARE(pane.pending(), 2);
        pane.showWorkers({QStringLiteral("web-0")});
        QVERIFY(pane.detailsText().isEmpty()); // the talker's failure is not shown any more
        QTRY_COMPARE_WITH_TIMEOUT(pane.pending(), 0, 5000);
        QTest::qWait(300); // a late reply of the talker would land now
        QVERIFY(onlyOf(results, {QStringLiteral("web-0")}));
        QVERIFY(results->rowCount() > 0);
        QCOMPARE(pane.stripCount(), 2); // liveness, readiness
        QCOMPARE(pane.timeline()->strip(0).probe, std::string("liveness"));
        QCOMPARE(pane.timeline()->strip(1).probe, std::string("readiness"));
        // /ready failed before 2.5 s, then passed: both in the history, with the change.
        const auto webFailures = where(
            results, [](const api::HealthSample &s) { return s.probe == "readiness" && !s.ok; });
        QVERIFY(!webFailures.empty());
        QVERIFY(
            QString::fromStdString(webFailures.front().message).contains(QStringLiteral("503")));
        QVERIFY(!where(results, [](const api::HealthSample &s) {
                     return s.probe == "readiness" && s.ok;
                 }).empty());
        QVERIFY(std::any_of(results->transitions().begin(), results->transitions().end(),
                            [](const api::HealthTransition &t) {
                                return t.probe == "readiness" && t.to == "passing";
                            }));
        // The demo worker logs each request before it answers: the 503 is in the log before.
        pane.showSample(webFailures.front());
        QTRY_VERIFY_WITH_TIMEOUT(pane.detailsText().contains(QStringLiteral("GET /ready 503")),
                                 5000);

        // A longer window reloads the same worker.
        const int beforeReload = results->rowCount();
        pane.setWindow(15 * 60 * 1000);
        QCOMPARE(pane.timeline()->window(), std::int64_t(15 * 60 * 1000));
        QTRY_COMPARE_WITH_TIMEOUT(pane.pending(), 0, 5000);
        QVERIFY2(results->rowCount() >= beforeReload,
                 qPrintable(QStringLiteral("%1 rows before, %2 after: %3")
                                .arg(beforeReload)
                                .arg(results->rowCount())
                                .arg(pane.statusText())));
        QVERIFY(onlyOf(results, {QStringLiteral("web-0")}));

        // Two workers: a strip per probe of each.
        pane.showWorkers({QStringLiteral("web-0"), QStringLiteral("talker-0")});
        QCOMPARE(pane.title(), QStringLiteral("Health of 2 workers"));
        QTRY_COMPARE_WITH_TIMEOUT(pane.pending(), 0, 5000);
        QCOMPARE(pane.stripCount(), 3);
        QTRY_VERIFY_WITH_TIMEOUT(count(results, false) > 0, 5000);
        QVERIFY(!where(results, [](const api::HealthSample &s) {
                     return s.worker == "web-0";
                 }).empty());
        QVERIFY(!where(results, [](const api::HealthSample &s) {
                     return s.worker == "talker-0";
                 }).empty());

        if (const QByteArray shot = qgetenv("DROVER_HEALTH_SHOT"); !shot.isEmpty()) {
            pane.setWindow(5 * 60 * 1000);
            QTRY_COMPARE_WITH_TIMEOUT(pane.pending(), 0, 5000);
            QTest::qWait(2500);
            const auto talkerFailures = where(results, [](const api::HealthSample &s) {
                return s.worker == "talker-0" && !s.ok;
            });
            QVERIFY(!talkerFailures.empty());
            pane.showSample(talkerFailures.front());
            QTRY_VERIFY_WITH_TIMEOUT(!ticks(pane.detailsText()).empty(), 5000);
            pane.resize(1100, 640);
            QVERIFY(pane.grab().save(QString::fromLocal8Bit(shot)));
        }

        // A worker without probes, and none.
        pane.showWorkers({QStringLiteral("plain-0")});
        QTRY_COMPARE_WITH_TIMEOUT(pane.pending(), 0, 5000);
        QCOMPARE(pane.emptyText(), QStringLiteral("plain-0 has no health probes."));
        QCOMPARE(pane.stripCount(), 0);
        QCOMPARE(results->rowCount(), 0);
        pane.showWorkers({});
        QVERIFY(pane.emptyText().contains(QStringLiteral("Select one or more workers")));
        QCOMPARE(pane.title(), QStringLiteral("Health"));
    }
    backend.reset(); // stops its workers
    QVERIFY(test::killLeftovers(m_mark, 3000).empty());
}

QTEST_MAIN(TestHealth)
#include "tst_health.moc"
