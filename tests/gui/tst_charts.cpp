// The charts pane, offscreen, on a real embedded master (LocalBackend) running two
// drover-demo-worker processes with an HTTP readiness probe: the master's, a worker's and a
// pool's series fill from history and live batches, a restart becomes a marker, pause freezes
// the lines while points are still kept, CSV and PNG exports are readable, a longer window
// reloads the history, a worker that goes away leaves an empty state, the theme follows the
// palette. Set DROVER_CHARTS_SHOT=<file.png> to save screenshots (a pool, a worker) to look at.
#include "../integration/markedprocesses.h"
#include "config/loader.h"
#include "embeddedmaster.h"
#include "local/localbackend.h"
#include "models/backendbridge.h"
#include "models/workersmodel.h"
#include "ui/chartspane.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QFile>
#include <QImage>
#include <QPalette>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>
#include <QUuid>
#include <QtCharts/QChart>
#include <QtCharts/QChartView>

#include <nlohmann/json.hpp>

#include <arpa/inet.h>
#include <cmath>
#include <netinet/in.h>
#include <optional>
#include <sys/socket.h>
#include <unistd.h>

extern char **environ;

using namespace drover;
using nlohmann::json;

namespace {

/// Whether 127.0.0.1:port can be bound now.
bool portFree(int port)
{
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(std::uint16_t(port));
    const bool ok = ::bind(fd, reinterpret_cast<sockaddr *>(&a), sizeof a) == 0;
    ::close(fd);
    return ok;
}

/// The first of `count` free ports in a row, from a random start (other tests run alongside).
int freePorts(int count)
{
    const int start = 21000 + int(QDateTime::currentMSecsSinceEpoch() % 20000);
    for (int base = start; base < 64000; base += count) {
        bool all = true;
        for (int p = base; p < base + count && all; ++p)
            all = portFree(p);
        if (all)
            return base;
    }
    return 0;
}

} // namespace

class TestCharts : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void masterByDefault();
    void worker();
    void poolAndRestartMarker();
    void severalWorkers();
    void pauseHoldsTheLines();
    void exports();
    void longerWindowReloads();
    void goneWorkerShowsEmptyState();
    void themeFollowsPalette();

private:
    /// A LocalBackend running `pools` in a fresh state dir, its processes marked for cleanup.
    std::shared_ptr<local::LocalBackend> embedded(const std::string &pools)
    {
        return test::startEmbedded(pools, m_dir.path() + QStringLiteral("/state"), m_mark,
                                   "  metrics: {retention: 1h, resolution: 1s}\n");
    }
    /// A request through the bridge, waited for on the GUI thread.
    std::optional<api::Reply> call(const std::string &op, const json &args)
    {
        auto reply = std::make_shared<std::optional<api::Reply>>(); // outlives a timeout
        m_bridge->request(op, args, [reply](const api::Reply &r) { *reply = r; });
        QElapsedTimer t;
        t.start();
        while (!*reply && t.elapsed() < 10'000)
            QTest::qWait(20);
        return *reply;
    }
    QString workerState(const QString &id) const
    {
        const int row = m_bridge->workers()->rowOf(id.toStdString());
        return row < 0 ? QString()
                       : QString::fromStdString(
                             std::string(api::toString(m_bridge->workers()->at(row)->state)));
    }
    /// The newest shown value of `series`, NaN when it has none.
    double lastValue(const QString &series) const
    {
        const QList<QPointF> points = m_pane->points(series);
        return points.isEmpty() ? std::nan("") : points.back().y();
    }
    /// Every shown point of `series` is inside the pane's window, oldest first.
    bool inWindow(const QString &series) const
    {
        const QList<QPointF> points = m_pane->points(series);
        const double from =
            double(QDateTime::currentMSecsSinceEpoch() - std::int64_t(m_pane->window()) * 1000);
        for (qsizetype i = 0; i < points.size(); ++i) {
            if (points[i].x() < from - 2000 || (i > 0 && points[i].x() <= points[i - 1].x()))
                return false;
        }
        return true;
    }

    QTemporaryDir m_dir;
    std::string m_mark =
        "DROVER_TEST_MARK=" + QUuid::createUuid().toString(QUuid::WithoutBraces).toStdString();
    std::shared_ptr<local::LocalBackend> m_backend;
    std::unique_ptr<models::BackendBridge> m_bridge;
    std::unique_ptr<ui::ChartsPane> m_pane;
};

void TestCharts::initTestCase()
{
    QVERIFY(m_dir.isValid());
    const QString worker = QStringLiteral(DROVER_BIN_DIR "/drover-demo-worker");
    QVERIFY2(QFile::exists(worker), qPrintable(worker));
    const int port = freePorts(4); // 2 workers, plus the rollout's surge
    QVERIFY(port > 0);
    const std::string ports = std::to_string(port) + "-" + std::to_string(port + 3);
    m_backend = embedded("  - name: web\n    command: [\"" + worker.toStdString() +
                         "\", \"--port\", \"{{port}}\"]\n    ports: " + ports +
                         "\n    replicas: 2\n    stop: {timeout: 2s}\n"
                         "    probes:\n      readiness: {http: {url: "
                         "\"http://127.0.0.1:{{port}}/ready\"}, interval: 1s}\n");
    QVERIFY(m_backend);
    m_bridge = std::make_unique<models::BackendBridge>(m_backend);
    m_bridge->start();
    m_pane = std::make_unique<ui::ChartsPane>(m_bridge.get());
    m_pane->resize(900, 720);
    m_pane->show();
    QTRY_VERIFY_WITH_TIMEOUT(workerState(QStringLiteral("web-0")) == QLatin1String("ready") &&
                                 workerState(QStringLiteral("web-1")) == QLatin1String("ready"),
                             10'000);
}

void TestCharts::cleanupTestCase()
{
    m_pane.reset();
    m_bridge.reset();
    m_backend.reset(); // stops its workers
    QVERIFY(test::killLeftovers(m_mark, 3000).empty());
}

// Before anything is asked for, the master: its CPU, RSS and workers, and no invented series.
void TestCharts::masterByDefault()
{
    QCOMPARE(m_pane->subject(), QStringLiteral("master"));
    QCOMPARE(m_pane->seriesNames(),
             QStringList({QStringLiteral("master/cpu_percent"), QStringLiteral("master/rss_bytes"),
                          QStringLiteral("master/workers")}));
    QTRY_VERIFY_WITH_TIMEOUT(m_pane->pointCount(QStringLiteral("master/workers")) > 2, 8000);
    QCOMPARE(lastValue(QStringLiteral("master/workers")), 2.0);
    QVERIFY(lastValue(QStringLiteral("master/rss_bytes")) > 1024 * 1024);
    QVERIFY(inWindow(QStringLiteral("master/workers")));
    QCOMPARE(m_pane->markerCount(), 0);
    QVERIFY(m_pane->emptyText().isEmpty());
}

void TestCharts::worker()
{
    m_pane->showWorker(QStringLiteral("web-0"));
    QCOMPARE(m_pane->subject(), QStringLiteral("worker/web-0"));
    const QString cpu = QStringLiteral("worker/web-0/cpu_percent");
    const QString rss = QStringLiteral("worker/web-0/rss_bytes");
    const QString readiness = QStringLiteral("worker/web-0/probe/readiness/latency_ms");
    QTRY_VERIFY_WITH_TIMEOUT(m_pane->pointCount(cpu) > 2 && m_pane->pointCount(rss) > 2, 8000);
    // The probe's line comes once it has points; probes it does not have never do.
    QTRY_VERIFY_WITH_TIMEOUT(m_pane->seriesNames().contains(readiness), 8000);
    QTRY_VERIFY_WITH_TIMEOUT(m_pane->pointCount(readiness) > 0, 8000);
    QCOMPARE(m_pane->seriesNames(), QStringList({cpu, rss, readiness}));
    for (const QPointF &p : m_pane->points(rss))
        QVERIFY2(p.y() > 100 * 1024, qPrintable(QString::number(p.y()))); // bytes, as recorded
    for (const QPointF &p : m_pane->points(cpu))
        QVERIFY(p.y() >= 0);
    QVERIFY(m_pane->points(readiness).back().y() >= 0);
    QVERIFY(inWindow(cpu));
    QVERIFY(inWindow(rss));
    // Live: a later second brings a new point, and the probe (once a second) goes on too.
    const double last = m_pane->points(cpu).back().x();
    const int probes = m_pane->pointCount(readiness);
    QTRY_VERIFY_WITH_TIMEOUT(m_pane->points(cpu).back().x() > last, 5000);
    QTRY_VERIFY_WITH_TIMEOUT(m_pane->pointCount(readiness) >= probes + 2, 8000);
    QVERIFY(inWindow(readiness));
}

void TestCharts::poolAndRestartMarker()
{
    m_pane->showPool(QStringLiteral("web"));
    QCOMPARE(m_pane->subject(), QStringLiteral("pool/web"));
    QCOMPARE(m_pane->seriesNames(),
             QStringList({QStringLiteral("pool/web/workers"), QStringLiteral("pool/web/running"),
                          QStringLiteral("pool/web/ready"), QStringLiteral("pool/web/restarts")}));
    for (const char *s : {"workers", "running", "ready"}) {
        const QString name = QStringLiteral("pool/web/") + QLatin1String(s);
        QTRY_VERIFY_WITH_TIMEOUT(m_pane->pointCount(name) > 2, 8000);
        QTRY_COMPARE_WITH_TIMEOUT(lastValue(name), 2.0, 5000);
    }
    QTRY_VERIFY_WITH_TIMEOUT(m_pane->pointCount(QStringLiteral("pool/web/restarts")) > 2, 8000);
    QCOMPARE(m_pane->markerCount(), 0); // starting for the first time is no marker

    // A restart of one of its workers: its exit and its start again are marked.
    const int pid = m_bridge->workers()->at(m_bridge->workers()->rowOf("web-1"))->pid;
    auto reply = call("worker.restart", {{"worker", "web-1"}});
    QVERIFY(reply && reply->ok());
    QTRY_VERIFY_WITH_TIMEOUT(m_pane->markerCount() >= 2, 8000);
    QTRY_VERIFY_WITH_TIMEOUT(workerState(QStringLiteral("web-1")) == QLatin1String("ready"), 8000);
    QVERIFY(m_bridge->workers()->at(m_bridge->workers()->rowOf("web-1"))->pid != pid);
    const int poolMarkers = m_pane->markerCount();

    // A screenshot to look at: the pool with its markers, and the restarted worker.
    const QByteArray shot = qgetenv("DROVER_CHARTS_SHOT");
    if (!shot.isEmpty()) {
        m_pane->setWindow(60);
        QTest::qWait(3000);
        QTRY_VERIFY_WITH_TIMEOUT(m_pane->markerCount() == poolMarkers, 5000);
        QVERIFY(m_pane->grab().save(QString::fromLocal8Bit(shot).replace(
            QStringLiteral(".png"), QStringLiteral("-pool.png"))));
        m_pane->showWorker(QStringLiteral("web-1"));
        QTRY_VERIFY_WITH_TIMEOUT(m_pane->markerCount() == poolMarkers, 5000);
        QTest::qWait(2000);
        QVERIFY(m_pane->grab().save(QString::fromLocal8Bit(shot)));
        m_pane->setWindow(300);
    }

    // The worker's own charts find the restart in the past events; the other worker has none.
    m_pane->showWorker(QStringLiteral("web-1"));
    QCOMPARE(m_pane->markerCount(), 0);
    QTRY_COMPARE_WITH_TIMEOUT(m_pane->markerCount(), poolMarkers, 5000);
    m_pane->showWorker(QStringLiteral("web-0"));
    QTRY_VERIFY_WITH_TIMEOUT(m_pane->pointCount(QStringLiteral("worker/web-0/cpu_percent")) > 2,
                             8000);
    QCOMPARE(m_pane->markerCount(), 0);
}

// Selected workers side by side: a colour per worker on every chart, the restart marked on
// the restarted worker's line; a selection larger than kMaxWorkers charts the first of it.
void TestCharts::severalWorkers()
{
    m_pane->showWorkers(
        {QStringLiteral("web-0"), QStringLiteral("web-1"), QStringLiteral("web-0")});
    QCOMPARE(m_pane->subject(), QStringLiteral("workers/web-0,web-1"));
    QStringList expected;
    for (const char *id : {"web-0", "web-1"}) {
        const QString prefix = QStringLiteral("worker/%1/").arg(QLatin1String(id));
        expected << prefix + QStringLiteral("cpu_percent") << prefix + QStringLiteral("rss_bytes")
                 << prefix + QStringLiteral("probe/readiness/latency_ms");
    }
    for (const QString &series : expected)
        QTRY_VERIFY_WITH_TIMEOUT(m_pane->pointCount(series) > 1, 8000);
    QCOMPARE(m_pane->seriesNames(), expected);
    const QColor web0 = m_pane->lineColor(expected[0]);
    const QColor web1 = m_pane->lineColor(expected[3]);
    QVERIFY(web0.isValid() && web1.isValid());
    QVERIFY(web0 != web1);
    QCOMPARE(m_pane->lineColor(expected[1]), web0);
    QCOMPARE(m_pane->lineColor(expected[2]), web0);
    QCOMPARE(m_pane->lineColor(expected[4]), web1);
    QCOMPARE(m_pane->lineColor(expected[5]), web1);
    // web-1 was restarted (poolAndRestartMarker): its exit and start again, from past events.
    QTRY_VERIFY_WITH_TIMEOUT(m_pane->markerCount() >= 2, 5000);
    // Both stay live.
    const double last = m_pane->points(expected[3]).back().x();
    QTRY_VERIFY_WITH_TIMEOUT(m_pane->points(expected[3]).back().x() > last, 5000);

    const QByteArray shot = qgetenv("DROVER_CHARTS_SHOT");
    if (!shot.isEmpty()) {
        QTest::qWait(2000);
        QVERIFY(m_pane->grab().save(QString::fromLocal8Bit(shot).replace(
            QStringLiteral(".png"), QStringLiteral("-several.png"))));
    }

    // More than kMaxWorkers selected: the first of them.
    QStringList many;
    for (int i = 0; i < ui::ChartsPane::kMaxWorkers + 4; ++i)
        many << QStringLiteral("web-%1").arg(i);
    m_pane->showWorkers(many);
    QCOMPARE(m_pane->subject(),
             QStringLiteral("workers/") +
                 many.mid(0, ui::ChartsPane::kMaxWorkers).join(QLatin1Char(',')));
    QTRY_VERIFY_WITH_TIMEOUT(m_pane->pointCount(QStringLiteral("worker/web-1/cpu_percent")) > 1,
                             8000);
    QVERIFY(m_pane->emptyText().isEmpty()); // two of them exist
    m_pane->showWorkers({});
    QCOMPARE(m_pane->subject(), QStringLiteral("master"));
}

void TestCharts::pauseHoldsTheLines()
{
    m_pane->showMaster();
    const QString workers = QStringLiteral("master/workers");
    QTRY_VERIFY_WITH_TIMEOUT(m_pane->pointCount(workers) > 2, 8000);
    m_pane->setPaused(true);
    QVERIFY(m_pane->isPaused());
    const int shown = m_pane->pointCount(workers);
    const double last = m_pane->points(workers).back().x();
    QTest::qWait(3500);
    QCOMPARE(m_pane->pointCount(workers), shown);
    QCOMPARE(m_pane->points(workers).back().x(), last);
    QVERIFY2(m_pane->bufferedCount(workers) >= shown + 2, // kept meanwhile
             qPrintable(QString::number(m_pane->bufferedCount(workers))));
    m_pane->setPaused(false);
    QTRY_VERIFY_WITH_TIMEOUT(m_pane->pointCount(workers) >= shown + 2, 3000);
    QVERIFY(m_pane->points(workers).back().x() >= last + 2000);
}

void TestCharts::exports()
{
    m_pane->showPool(QStringLiteral("web"));
    QTRY_VERIFY_WITH_TIMEOUT(m_pane->pointCount(QStringLiteral("pool/web/ready")) > 2, 8000);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());

    const QString csv = dir.filePath(QStringLiteral("web.csv"));
    QVERIFY(m_pane->exportCsv(csv));
    QFile file(csv);
    QVERIFY(file.open(QIODevice::ReadOnly | QIODevice::Text));
    const QStringList lines =
        QString::fromUtf8(file.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    QVERIFY(lines.size() > 3);
    QCOMPARE(lines[0], QStringLiteral("time,") + m_pane->seriesNames().join(QLatin1Char(',')));
    QDateTime previous;
    int readyColumn = m_pane->seriesNames().indexOf(QStringLiteral("pool/web/ready")) + 1;
    int readyValues = 0;
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QStringList fields = lines[i].split(QLatin1Char(','));
        QCOMPARE(fields.size(), m_pane->seriesNames().size() + 1);
        const QDateTime t = QDateTime::fromString(fields[0], Qt::ISODateWithMs);
        QVERIFY2(t.isValid(), qPrintable(fields[0]));
        QVERIFY(!previous.isValid() || t > previous);
        previous = t;
        for (qsizetype c = 1; c < fields.size(); ++c) {
            bool ok = true;
            if (!fields[c].isEmpty())
                fields[c].toDouble(&ok);
            QVERIFY2(ok, qPrintable(lines[i]));
        }
        if (!fields[readyColumn].isEmpty())
            ++readyValues;
    }
    QCOMPARE(readyValues, m_pane->pointCount(QStringLiteral("pool/web/ready")));

    const QString png = dir.filePath(QStringLiteral("web.png"));
    QVERIFY(m_pane->exportPng(png));
    QImage image(png);
    QVERIFY(!image.isNull());
    QVERIFY(image.width() > 100 && image.height() > 100);
    QVERIFY(image.height() < m_pane->height()); // the charts, not the toolbar
    // Not one flat colour: something is drawn.
    QSet<QRgb> colours;
    for (int y = 0; y < image.height(); y += 7) {
        for (int x = 0; x < image.width(); x += 7)
            colours.insert(image.pixel(x, y));
    }
    QVERIFY(colours.size() > 3);
}

void TestCharts::longerWindowReloads()
{
    const int shown = m_pane->historyLoads();
    m_pane->showMaster();
    QCOMPARE(m_pane->window(), 300);
    // One per series asked for: CPU, RSS, workers and clients (none recorded here).
    QTRY_COMPARE_WITH_TIMEOUT(m_pane->historyLoads(), shown + 4, 5000);
    QTRY_VERIFY_WITH_TIMEOUT(m_pane->pointCount(QStringLiteral("master/workers")) > 2, 8000);
    const int loads = m_pane->historyLoads();
    m_pane->setWindow(3600);
    QCOMPARE(m_pane->window(), 3600);
    QTRY_COMPARE_WITH_TIMEOUT(m_pane->historyLoads(), loads + 4, 5000); // one per series
    // The history over the hour is the store's, as metrics.query gives it.
    const std::int64_t now = QDateTime::currentMSecsSinceEpoch();
    auto reply = call(
        "metrics.query",
        {{"series", "master/workers"}, {"from", now - 3600'000}, {"to", now}, {"max_points", 600}});
    QVERIFY(reply && reply->ok());
    const auto stored = int((**reply)["points"].size());
    QTRY_VERIFY_WITH_TIMEOUT(m_pane->pointCount(QStringLiteral("master/workers")) >= stored - 1,
                             3000);
    QVERIFY(m_pane->pointCount(QStringLiteral("master/workers")) <= stored + 3);
    QVERIFY(inWindow(QStringLiteral("master/workers")));
    m_pane->setWindow(60);
    QTRY_COMPARE_WITH_TIMEOUT(m_pane->historyLoads(), loads + 8, 5000);
    QTRY_VERIFY_WITH_TIMEOUT(m_pane->pointCount(QStringLiteral("master/workers")) > 2 &&
                                 m_pane->pointCount(QStringLiteral("master/workers")) <= 62 &&
                                 inWindow(QStringLiteral("master/workers")),
                             3000);
}

void TestCharts::goneWorkerShowsEmptyState()
{
    m_pane->showWorker(QStringLiteral("web-1"));
    QTRY_VERIFY_WITH_TIMEOUT(m_pane->pointCount(QStringLiteral("worker/web-1/cpu_percent")) > 0,
                             8000);
    QVERIFY(m_pane->emptyText().isEmpty());
    auto reply = call("pool.scale", {{"pool", "web"}, {"replicas", 1}});
    QVERIFY(reply && reply->ok());
    QTRY_VERIFY_WITH_TIMEOUT(m_bridge->workers()->rowOf("web-1") < 0, 8000);
    QTRY_VERIFY_WITH_TIMEOUT(m_pane->emptyText().contains(QStringLiteral("web-1")), 2000);
    QVERIFY(m_pane->emptyText().startsWith(QStringLiteral("No data for")));
    // A subject that is there shows charts again.
    m_pane->showPool(QStringLiteral("web"));
    QVERIFY(m_pane->emptyText().isEmpty());
    QTRY_COMPARE_WITH_TIMEOUT(lastValue(QStringLiteral("pool/web/workers")), 1.0, 8000);
}

void TestCharts::themeFollowsPalette()
{
    const QList<QChartView *> views = m_pane->findChildren<QChartView *>();
    QVERIFY(!views.isEmpty());
    QPalette dark = m_pane->palette();
    dark.setColor(QPalette::Window, QColor(30, 30, 30));
    m_pane->setPalette(dark);
    for (QChartView *v : m_pane->findChildren<QChartView *>())
        QCOMPARE(v->chart()->theme(), QChart::ChartThemeDark);
    QPalette light = m_pane->palette();
    light.setColor(QPalette::Window, QColor(240, 240, 240));
    m_pane->setPalette(light);
    for (QChartView *v : m_pane->findChildren<QChartView *>())
        QCOMPARE(v->chart()->theme(), QChart::ChartThemeLight);
    for (QChartView *v : m_pane->findChildren<QChartView *>())
        QVERIFY(v->renderHints().testFlag(QPainter::Antialiasing));
}

QTEST_MAIN(TestCharts)
#include "tst_charts.moc"
