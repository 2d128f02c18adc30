// The pool debugger, offscreen, on a real embedded master: a pool with a gateway in front of
// two drover-demo-worker processes and real HTTP requests through it. The tiles' in-flight
// counts rise while slow requests are under way, the flight recorder's rows name the worker
// and the outcome, a 503 shows as one, a click on the timeline selects the same decision in
// the table, a lease appears and goes, a pool without a gateway explains itself, the pool's
// charts get the gateway's series and a scale marker. With 1000 decisions it measures the GUI
// thread's time per traffic update. DROVER_POOLDEBUGGER_SHOTS=<dir> saves the screenshots of
// the README (pool-debugger-en.png, pool-debugger-de.png) into <dir>.
#include "../integration/markedprocesses.h"
#include "embeddedmaster.h"
#include "local/localbackend.h"
#include "models/backendbridge.h"
#include "models/poolsmodel.h"
#include "models/pooltraffic.h"
#include "ui/chartspane.h"
#include "ui/masterview.h"
#include "ui/pooldebugger.h"
#include "ui/poolspane.h"
#include "ui/pooltiles.h"
#include "ui/traffictimeline.h"
#include "ui/translations.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QImage>
#include <QItemSelectionModel>
#include <QMouseEvent>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProgressBar>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeWidget>
#include <QUuid>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace drover;
using models::DecisionsModel;

namespace {

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

/// The first of `count` free ports in a row in 28000-28999 (this test's range), from a random
/// start.
int freePorts(int count)
{
    const int start = 28000 + int(QRandomGenerator::global()->bounded(900));
    for (int k = 0; k < 1000; k += count) {
        const int base = 28000 + (start - 28000 + k) % (1000 - count);
        bool all = true;
        for (int p = base; p < base + count && all; ++p)
            all = portFree(p);
        if (all)
            return base;
    }
    return 0;
}

} // namespace

class TestPoolDebugger : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void decodeAndMerge();
    void poolWithoutGatewayExplains();
    void inflightOnTiles();
    void recorderRowsAndSelection();
    void statusShowsAsSuch();
    void scrubbing();
    void leaseComesAndGoes();
    void coldStartIsAScaleEvent();
    void breakerOpens();
    void chartsFollowTheDoor();
    void thousandDecisions();
    void screenshots();

private:
    /// Sends `n` GETs of `path` through the gateway (answered: m_outstanding goes down).
    void send(const QString &path, int n = 1, int port = 0)
    {
        for (int i = 0; i < n; ++i) {
            QNetworkRequest request(QUrl(
                QStringLiteral("http://127.0.0.1:%1%2").arg(port ? port : m_gateway).arg(path)));
            // Spread over several managers: each opens at most six connections to a host.
            QNetworkReply *r = m_net[m_sent++ % std::size(m_net)].get(request);
            ++m_outstanding;
            connect(r, &QNetworkReply::finished, this, [this, r] {
                --m_outstanding;
                r->deleteLater();
            });
        }
    }
    void selectPool(const QString &name)
    {
        QTableView *view = m_view->poolsPane()->view();
        QAbstractItemModel *m = view->model();
        for (int r = 0; r < m->rowCount(); ++r) {
            if (m->index(r, 0).data(models::PoolsModel::NameRole).toString() == name) {
                view->selectRow(r);
                return;
            }
        }
        QFAIL(qPrintable(QStringLiteral("no pool ") + name));
    }
    ui::PoolDebugger *debugger() const { return m_view->poolsPane()->debugger(); }
    /// The newest recorder row for `target`, or -1.
    int rowFor(const QString &target) const
    {
        const auto &rows = debugger()->decisions()->rows();
        for (int i = int(rows.size()) - 1; i >= 0; --i) {
            if (rows[std::size_t(i)].target == target)
                return i;
        }
        return -1;
    }

    QTemporaryDir m_dir;
    std::string m_mark =
        "DROVER_TEST_MARK=" + QUuid::createUuid().toString(QUuid::WithoutBraces).toStdString();
    std::shared_ptr<local::LocalBackend> m_backend;
    std::unique_ptr<ui::MasterView> m_view;
    QNetworkAccessManager m_net[4];
    std::size_t m_sent = 0;
    int m_gateway = 0;
    int m_autoGateway = 0;
    int m_outstanding = 0;
};

void TestPoolDebugger::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    ui::installTranslations(QStringLiteral("en"));
    QVERIFY(m_dir.isValid());
    const QString worker = QStringLiteral(DROVER_BIN_DIR "/drover-demo-worker");
    QVERIFY2(QFile::exists(worker), qPrintable(worker));
    // 2 workers, a third when scaled, the surge, the gateway; the lending pool's two; the
    // autoscaled pool's two and its gateway.
    const int port = freePorts(11);
    QVERIFY(port > 0);
    m_gateway = port + 5;
    m_autoGateway = port + 10;
    const std::string command = "[\"" + worker.toStdString() +
                                "\", \"--port\", \"{{port}}\", "
                                "\"--quiet\"]";
    m_backend = test::startEmbedded(
        "  - name: web\n    command: " + command + "\n    ports: " + std::to_string(port) + "-" +
            std::to_string(port + 4) +
            "\n    replicas: 2\n    stop: {timeout: 2s}\n"
            "    probes:\n      readiness: {http: {url: \"http://127.0.0.1:{{port}}/ready\"}, "
            "interval: 1s}\n"
            "    gateway:\n      listen: 127.0.0.1:" +
            std::to_string(m_gateway) +
            "\n      strategy: round-robin\n      per_worker_concurrency: 4\n"
            "      queue: {max: 32, timeout: 5s}\n"
            "  - name: lend\n    command: [\"sleep\", \"1000\"]\n    stop: {timeout: 1s}\n"
            "    ports: " +
            std::to_string(port + 6) + "-" + std::to_string(port + 7) +
            "\n"
            "  - name: auto\n    command: " +
            command + "\n    ports: " + std::to_string(port + 8) + "-" + std::to_string(port + 9) +
            "\n    autoscale: {min: 0, max: 1, scale_down_after: 5m}\n"
            "    stop: {timeout: 2s}\n"
            "    probes:\n      readiness: {http: {url: \"http://127.0.0.1:{{port}}/ready\"}, "
            "interval: 1s}\n"
            "    gateway: {listen: \"127.0.0.1:" +
            std::to_string(port + 10) +
            "\", circuit_breaker: {consecutive_failures: 2, open_for: 2m}}\n",
        m_dir.path() + QStringLiteral("/state"), m_mark);
    QVERIFY(m_backend);
    m_view = std::make_unique<ui::MasterView>(m_backend, QStringLiteral("test"));
    m_view->resize(1280, 860);
    m_view->showPane(ui::MasterView::Pools);
    m_view->show();
    debugger()->poller()->setInterval(200); // the console asks once a second
    QTRY_VERIFY_WITH_TIMEOUT(m_view->bridge()->pools()->rowCount() == 3, 5000);
    // Both workers ready: the gateway sends them requests.
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            const int row = m_view->bridge()->pools()->rowOf("web");
            return row >= 0 && m_view->bridge()->pools()->at(row)->ready == 2;
        }(),
        15'000);
}

void TestPoolDebugger::cleanupTestCase()
{
    m_view.reset();
    m_backend.reset(); // stops its workers
    QVERIFY(test::killLeftovers(m_mark, 3000).empty());
}

// The reply's decoding (missing fields keep defaults) and the recorder table's merge, under a
// model tester: rows leave from the top and come at the bottom, a gap is a reset.
void TestPoolDebugger::decodeAndMerge()
{
    const nlohmann::json payload = nlohmann::json::parse(R"({
        "pool": "p", "gateway": "127.0.0.1:1", "inflight": 2, "queued": 1, "queue_max": 8,
        "per_worker_concurrency": 4, "requests": 10,
        "status": {"2xx": 7, "5xx": 1, "503": 2},
        "queue_wait_ms": {"p50": 0.5, "p99": 12}, "latency_ms": {"p50": 3, "p99": 40},
        "workers": [{"worker": "p-0", "port": 5, "ready": true, "inflight": 2, "served": 9,
                     "breaker": "half-open", "ejections": 1}],
        "leases": [{"lease": "l1", "worker": "p-0", "endpoint": "127.0.0.1:5",
                    "expires_at_ms": 99}],
        "recent": [{"time_ms": 1, "request_id": "a", "worker": "p-0", "status": 200,
                    "outcome": "ok"}, {"time_ms": 2, "request_id": "b", "status": 503,
                    "outcome": "queue-full", "detail": "full"}],
        "scale_events": [{"time_ms": 5, "from": 0, "to": 1, "why": "cold start"}]})");
    const models::PoolTraffic t = models::trafficFromJson(payload);
    QVERIFY(t.hasDoor);
    QCOMPARE(t.perWorkerConcurrency, 4);
    QCOMPARE(t.status2xx, 7);
    QCOMPARE(t.status503, 2);
    QCOMPARE(t.status4xx, 0);
    QCOMPARE(t.queueWaitP99, 12.0);
    QCOMPARE(t.workers.at(0).breaker, QStringLiteral("half-open"));
    QCOMPARE(t.leases.at(0).expiresAtMs, 99);
    QCOMPARE(t.recent.size(), std::size_t(2));
    QCOMPARE(t.recent[1].attempts, 1);
    QCOMPARE(models::classify(t.recent[1]), models::DecisionClass::Rejected);
    QCOMPARE(t.scaleEvents.at(0).why, QStringLiteral("cold start"));
    // A pool whose door never opened: only its name, `gateway: null` and scale events.
    QVERIFY(!models::trafficFromJson(
                 nlohmann::json::parse(R"({"pool": "q", "gateway": null, "scale_events": []})"))
                 .hasDoor);

    DecisionsModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    auto decisions = [](int from, int to) {
        std::vector<models::TrafficDecision> out;
        for (int i = from; i < to; ++i)
            out.push_back({i,
                           QString::number(i),
                           QStringLiteral("GET"),
                           QStringLiteral("/"),
                           QStringLiteral("w"),
                           0,
                           double(i),
                           200,
                           QStringLiteral("ok"),
                           1,
                           {}});
        return out;
    };
    QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
    QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    model.merge(decisions(0, 5));
    QCOMPARE(model.rowCount(), 5);
    model.merge(decisions(2, 9)); // 0 and 1 dropped, 5..8 new
    QCOMPARE(reset.size(), 1);
    QCOMPARE(removed.size(), 1);
    QCOMPARE(removed[0][2].toInt(), 1);
    QCOMPARE(inserted.size(), 1);
    QCOMPARE(model.rowCount(), 7);
    QCOMPARE(model.index(0, DecisionsModel::RequestId).data().toString(), QStringLiteral("2"));
    QCOMPARE(model.index(6, DecisionsModel::RequestId).data().toString(), QStringLiteral("8"));
    model.merge(decisions(2, 9)); // nothing new: no signal
    QCOMPARE(removed.size() + inserted.size() + reset.size(), 3);
    model.merge(decisions(20, 22)); // no overlap: a reset
    QCOMPARE(reset.size(), 2);
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(model.index(1, DecisionsModel::LatencyMs).data(DecisionsModel::ValueRole).toDouble(),
             21.0);
    model.merge({});
    QCOMPARE(model.rowCount(), 0);
}

// No pool: a hint. A pool without a gateway that lent nothing: why there is nothing to show,
// not empty widgets.
void TestPoolDebugger::poolWithoutGatewayExplains()
{
    QVERIFY(debugger()->explanation().contains(QStringLiteral("Select a pool")));
    QVERIFY(!debugger()->poller()->isActive());
    selectPool(QStringLiteral("lend"));
    QVERIFY(debugger()->poller()->isActive());
    QTRY_VERIFY(debugger()->explanation().contains(QStringLiteral("has no gateway")));
    QVERIFY(!debugger()->tabs()->isVisible());
    QVERIFY(!debugger()->queueGauge()->isVisible());
    // Behind another tab it does not ask.
    m_view->showPane(ui::MasterView::Workers);
    QVERIFY(!debugger()->poller()->isActive());
    m_view->showPane(ui::MasterView::Pools);
    QVERIFY(debugger()->poller()->isActive());
}

// Slow requests in flight: both tiles show them against per_worker_concurrency.
void TestPoolDebugger::inflightOnTiles()
{
    selectPool(QStringLiteral("web"));
    QTRY_VERIFY(debugger()->explanation().isEmpty());
    QVERIFY(debugger()->tabs()->isVisible());
    ui::PoolTiles *tiles = m_view->poolsPane()->tiles();
    QTRY_VERIFY(tiles->trafficOf(QStringLiteral("web-0")) &&
                tiles->trafficOf(QStringLiteral("web-1")));
    QCOMPARE(debugger()->poller()->current()->perWorkerConcurrency, 4);
    QCOMPARE(tiles->trafficOf(QStringLiteral("web-0"))->inflight, 0);
    QCOMPARE(tiles->trafficOf(QStringLiteral("web-0"))->breaker, QStringLiteral("closed"));

    // Six at once: three on each worker.
    send(QStringLiteral("/work?ms=800"), 6);
    QTRY_VERIFY_WITH_TIMEOUT(tiles->trafficOf(QStringLiteral("web-0"))->inflight >= 2 &&
                                 tiles->trafficOf(QStringLiteral("web-1"))->inflight >= 2,
                             2000);
    QVERIFY(debugger()->figure(QStringLiteral("inflight")).toInt() >= 4);
    // And back to zero once they are answered.
    QTRY_VERIFY_WITH_TIMEOUT(tiles->trafficOf(QStringLiteral("web-0"))->inflight == 0 &&
                                 tiles->trafficOf(QStringLiteral("web-1"))->inflight == 0,
                             5000);
    QTRY_VERIFY(tiles->trafficOf(QStringLiteral("web-0"))->served >= 3);
}

// The recorder: one row per request, with the worker that took it, queue wait and latency.
void TestPoolDebugger::recorderRowsAndSelection()
{
    const auto &rows = debugger()->decisions()->rows();
    QTRY_VERIFY(std::count_if(rows.begin(), rows.end(), [](const models::TrafficDecision &d) {
                    return d.target == QLatin1String("/work?ms=800");
                }) == 6);
    QSet<QString> workers;
    for (const models::TrafficDecision &d : rows) {
        if (d.target != QLatin1String("/work?ms=800"))
            continue;
        QCOMPARE(d.outcome, QStringLiteral("ok"));
        QCOMPARE(d.status, 200);
        QCOMPARE(d.method, QStringLiteral("GET"));
        QVERIFY2(d.latencyMs >= 790, qPrintable(QString::number(d.latencyMs)));
        QVERIFY(d.queueMs < d.latencyMs);
        QVERIFY(!d.requestId.isEmpty());
        workers.insert(d.worker);
    }
    QCOMPARE(workers, (QSet<QString>{QStringLiteral("web-0"), QStringLiteral("web-1")}));
    QCOMPARE(debugger()->decisionsView()->model()->rowCount(), int(rows.size()));

    // A click on a mark selects its row in the table, and says what happened.
    const int row = rowFor(QStringLiteral("/work?ms=800"));
    QVERIFY(row >= 0);
    ui::TrafficTimeline *timeline = debugger()->timeline();
    QTest::mouseClick(timeline, Qt::LeftButton, {}, timeline->markAt(row).toPoint());
    // The six arrived together: their marks may lie on each other; one under the pointer.
    const int picked = timeline->selected();
    QVERIFY(picked >= 0);
    QVERIFY((timeline->markAt(picked) - timeline->markAt(row)).manhattanLength() < 3);
    const QModelIndexList selected =
        debugger()->decisionsView()->selectionModel()->selectedRows(DecisionsModel::RequestId);
    QCOMPARE(selected.size(), 1);
    QCOMPARE(selected[0].data().toString(), rows[std::size_t(picked)].requestId);
    QVERIFY(debugger()->selectionText().contains(rows[std::size_t(picked)].worker));
    QVERIFY(debugger()->selectionText().contains(QStringLiteral("waiting in the queue")));

    // The other way: a row picked in the table is the timeline's selection.
    QTableView *table = debugger()->decisionsView();
    table->selectRow(0);
    const int source = static_cast<QSortFilterProxyModel *>(table->model())
                           ->mapToSource(table->model()->index(0, 0))
                           .row();
    QCOMPARE(timeline->selected(), source);
}

// A worker's 503 is a row with status 503 in the worker-error colour, and counted.
void TestPoolDebugger::statusShowsAsSuch()
{
    send(QStringLiteral("/status?code=503"));
    send(QStringLiteral("/status?code=404"));
    QTRY_VERIFY(rowFor(QStringLiteral("/status?code=503")) >= 0 &&
                rowFor(QStringLiteral("/status?code=404")) >= 0);
    const auto &rows = debugger()->decisions()->rows();
    const int row = rowFor(QStringLiteral("/status?code=503"));
    const models::TrafficDecision &d = rows[std::size_t(row)];
    QCOMPARE(d.status, 503);
    QVERIFY(d.worker.startsWith(QStringLiteral("web-")));
    QCOMPARE(models::classify(d), models::DecisionClass::WorkerError);
    const QModelIndex status = debugger()->decisions()->index(row, DecisionsModel::Status);
    QCOMPARE(status.data().toString(), QStringLiteral("503"));
    QCOMPARE(status.data(Qt::ForegroundRole).value<QColor>(),
             models::decisionColor(models::DecisionClass::WorkerError));
    QCOMPARE(models::classify(rows[std::size_t(rowFor(QStringLiteral("/status?code=404")))]),
             models::DecisionClass::ClientError);
    // The figures: "429 · 503 · 504" and "2xx · 4xx · 5xx".
    QTRY_COMPARE(debugger()->figure(QStringLiteral("rejected")), QStringLiteral("0 · 1 · 0"));
    QTRY_VERIFY(
        debugger()->figure(QStringLiteral("responses")).endsWith(QStringLiteral("· 1 · 1")));
}

// Dragging across the timeline selects the decision nearest in time under the pointer.
void TestPoolDebugger::scrubbing()
{
    ui::TrafficTimeline *timeline = debugger()->timeline();
    const int n = debugger()->decisions()->rowCount();
    QVERIFY(n >= 8);
    const QPointF first = timeline->markAt(0);
    const QPointF last = timeline->markAt(n - 1);
    QTest::mousePress(timeline, Qt::LeftButton, {}, QPoint(int(first.x()), 5));
    QCOMPARE(timeline->rowAt(QPointF(first.x(), 5), -1) >= 0, true);
    const int atStart = timeline->selected();
    QVERIFY(atStart >= 0);
    QMouseEvent move(QEvent::MouseMove, QPointF(last.x(), 5),
                     timeline->mapToGlobal(QPointF(last.x(), 5)), Qt::NoButton, Qt::LeftButton, {});
    QApplication::sendEvent(timeline, &move);
    QTest::mouseRelease(timeline, Qt::LeftButton, {}, QPoint(int(last.x()), 5));
    QCOMPARE(timeline->selected(), timeline->rowAt(QPointF(last.x(), 5), -1));
    QCOMPARE(debugger()->decisions()->rows()[std::size_t(timeline->selected())].timeMs,
             debugger()->decisions()->rows()[std::size_t(n - 1)].timeMs);
    // The keys step through it.
    timeline->setFocus();
    QTest::keyClick(timeline, Qt::Key_Home);
    QCOMPARE(timeline->selected(), 0);
    QTest::keyClick(timeline, Qt::Key_Right);
    QCOMPARE(timeline->selected(), 1);
    QVERIFY(!debugger()->selectionText().isEmpty());
}

// pool.acquire on a pool without a gateway: it has a door now, and the lease is listed until
// it is released.
void TestPoolDebugger::leaseComesAndGoes()
{
    selectPool(QStringLiteral("lend"));
    const api::Reply acquired =
        test::callAndWait(*m_backend, "pool.acquire", {{"pool", "lend"}, {"ttl_ms", 60000}});
    QVERIFY2(acquired.ok(), acquired.ok() ? "" : acquired.error().message.c_str());
    const QString lease = QString::fromStdString((*acquired)["lease"].get<std::string>());
    QTreeWidget *leases = debugger()->leasesView();
    QTRY_COMPARE(leases->topLevelItemCount(), 1);
    QCOMPARE(leases->topLevelItem(0)->text(0), lease);
    QCOMPARE(leases->topLevelItem(0)->text(1), QStringLiteral("lend-0"));
    QVERIFY(leases->topLevelItem(0)->text(3).startsWith(QStringLiteral("in ")));
    QVERIFY(debugger()->explanation().isEmpty());
    QVERIFY(debugger()->tabs()->tabText(2).contains(QStringLiteral("(1)")));
    QCOMPARE(m_view->poolsPane()->tiles()->trafficOf(QStringLiteral("lend-0"))->inflight, 1);
    QCOMPARE(debugger()->poller()->current()->perWorkerConcurrency, 1);

    const api::Reply released = test::callAndWait(
        *m_backend, "pool.release", {{"pool", "lend"}, {"lease", lease.toStdString()}});
    QVERIFY(released.ok());
    QTRY_COMPARE(leases->topLevelItemCount(), 0);
    QCOMPARE(debugger()->tabs()->tabText(2), QStringLiteral("Leases"));
}

// A pool at zero: the first request starts a worker. The scale event is on the timeline and
// in the list with its reason, and the cold start is counted with its wait.
void TestPoolDebugger::coldStartIsAScaleEvent()
{
    selectPool(QStringLiteral("auto"));
    QTRY_VERIFY(debugger()->poller()->current() &&
                debugger()->poller()->current()->pool == QLatin1String("auto"));
    QVERIFY(debugger()->poller()->current()->hasDoor);
    QVERIFY(debugger()->poller()->current()->workers.empty());
    QCOMPARE(debugger()->figure(QStringLiteral("cold_starts")), QStringLiteral("0"));
    send(QStringLiteral("/"), 1, m_autoGateway);
    QTRY_VERIFY_WITH_TIMEOUT(m_outstanding == 0, 15'000);
    QTreeWidget *list = debugger()->scaleEventsView();
    QTRY_VERIFY_WITH_TIMEOUT(list->topLevelItemCount() >= 1, 5000);
    QCOMPARE(list->topLevelItem(list->topLevelItemCount() - 1)->text(1), QStringLiteral("0 → 1"));
    QVERIFY(!list->topLevelItem(0)->text(2).isEmpty()); // why
    QCOMPARE(debugger()->scaleTimeline()->events().front().to, 1);
    QVERIFY(debugger()->tabs()->tabText(1).contains(QStringLiteral("(")));
    QTRY_VERIFY(
        debugger()->figure(QStringLiteral("cold_starts")).startsWith(QStringLiteral("1 (")));
    // The request that waited for the worker to start: its queue wait is most of its time.
    const auto &rows = debugger()->decisions()->rows();
    QTRY_VERIFY(!debugger()->decisions()->rows().empty());
    QCOMPARE(rows.front().worker, QStringLiteral("auto-0"));
    QCOMPARE(rows.front().status, 200);
    QVERIFY(rows.front().queueMs > rows.front().latencyMs / 2);
    selectPool(QStringLiteral("web"));
}

// Two 500s in a row open the worker's breaker: the tile says so in red, the ejection counts.
void TestPoolDebugger::breakerOpens()
{
    selectPool(QStringLiteral("auto"));
    ui::PoolTiles *tiles = m_view->poolsPane()->tiles();
    QTRY_VERIFY(tiles->trafficOf(QStringLiteral("auto-0")));
    QCOMPARE(tiles->trafficOf(QStringLiteral("auto-0"))->breaker, QStringLiteral("closed"));
    for (int i = 0; i < 2; ++i) { // one after the other: consecutive
        send(QStringLiteral("/status?code=500"), 1, m_autoGateway);
        QTRY_VERIFY_WITH_TIMEOUT(m_outstanding == 0, 5000);
    }
    QTRY_COMPARE(tiles->trafficOf(QStringLiteral("auto-0"))->breaker, QStringLiteral("open"));
    QCOMPARE(tiles->trafficOf(QStringLiteral("auto-0"))->ejections, 1);
    QCOMPARE(debugger()->figure(QStringLiteral("ejections")), QStringLiteral("1"));
    // Drawn: the tile's pill in the open colour.
    const QRect tile = tiles->tiles().front().rect;
    const QImage image = tiles->grab(tile).toImage();
    bool red = false;
    for (int y = 0; y < image.height() && !red; ++y) {
        for (int x = 0; x < image.width() && !red; ++x)
            red = image.pixelColor(x, y) == QColor(0xdc, 0x32, 0x2f);
    }
    QVERIFY(red);
    selectPool(QStringLiteral("web"));
}

// The pool's charts get the door's series once they have points, and a scale is a marker.
void TestPoolDebugger::chartsFollowTheDoor()
{
    ui::ChartsPane *charts = m_view->chartsPane();
    m_view->showPane(ui::MasterView::Charts);
    charts->showPool(QStringLiteral("web"));
    for (const char *s : {"rps", "inflight", "queued", "latency_p50_ms", "latency_p99_ms",
                          "queue_wait_p99_ms", "errors_per_s"}) {
        const QString name = QStringLiteral("pool/web/gateway/") + QLatin1String(s);
        QTRY_VERIFY_WITH_TIMEOUT(charts->seriesNames().contains(name), 5000);
    }
    // The 800 ms requests are in the latency p99 history.
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            const QList<QPointF> p =
                charts->points(QStringLiteral("pool/web/gateway/latency_p99_ms"));
            return std::any_of(p.begin(), p.end(), [](const QPointF &x) { return x.y() >= 790; });
        }(),
        5000);
    // A pool without a gateway or leases gets no empty door charts.
    const api::Reply scaled =
        test::callAndWait(*m_backend, "pool.scale", {{"pool", "web"}, {"replicas", 3}});
    QVERIFY(scaled.ok());
    QTRY_VERIFY_WITH_TIMEOUT(charts->scaleMarkerCount() >= 1, 5000);
    QCOMPARE(charts->store()->markers().back().kind, models::MarkerKind::Scaled);
    QVERIFY(charts->store()->markers().back().message.contains(QStringLiteral("2 to 3")));
    m_view->showPane(ui::MasterView::Pools);
    selectPool(QStringLiteral("web"));
}

// 1000 decisions: what one update costs the GUI thread (decode is on the backend's thread).
void TestPoolDebugger::thousandDecisions()
{
    const int before = debugger()->decisions()->rowCount();
    for (int wave = 0; wave < 12 && debugger()->decisions()->rowCount() < 1000; ++wave) {
        send(QStringLiteral("/"), 100);
        QTRY_VERIFY_WITH_TIMEOUT(m_outstanding == 0, 10'000);
        Q_UNUSED(before);
    }
    QTRY_COMPARE_WITH_TIMEOUT(debugger()->decisions()->rowCount(), 1000, 5000);
    std::vector<qint64> update;
    std::vector<qint64> paint;
    int seen = debugger()->poller()->replies();
    while (update.size() < 10) {
        // New requests so that every update merges rows in and out.
        send(QStringLiteral("/"), 5);
        QTRY_VERIFY(debugger()->poller()->replies() > seen);
        seen = debugger()->poller()->replies();
        update.push_back(debugger()->lastUpdateMicros());
        debugger()->timeline()->grab(); // a paint, also when not on screen
        paint.push_back(debugger()->timeline()->lastPaintMicros());
    }
    std::sort(update.begin(), update.end());
    std::sort(paint.begin(), paint.end());
    qInfo("1000 decisions: update %lld us median (%lld max), timeline paint %lld us median "
          "(%lld max)",
          update[5], update.back(), paint[5], paint.back());
    QCOMPARE(debugger()->decisions()->rowCount(), 1000);
    QVERIFY(update[5] < 50'000);
    QVERIFY(paint[5] < 50'000);
}

// The README's pictures: mixed traffic, a slow request picked. Only when asked for.
void TestPoolDebugger::screenshots()
{
    // Into the test's own directory unless DROVER_POOLDEBUGGER_SHOTS names one: the pictures
    // are made and saved in every run.
    QString dir = qEnvironmentVariable("DROVER_POOLDEBUGGER_SHOTS");
    if (dir.isEmpty())
        dir = m_dir.path() + QStringLiteral("/shots");
    QVERIFY(QDir().mkpath(dir));
    for (const QString &lang : {QStringLiteral("en"), QStringLiteral("de")}) {
        ui::installTranslations(lang);
        auto view = std::make_unique<ui::MasterView>(m_backend, QStringLiteral("demo"));
        view->resize(1280, 900);
        view->showPane(ui::MasterView::Pools);
        view->show();
        QTRY_VERIFY(view->bridge()->pools()->rowCount() == 3);
        std::swap(view, m_view);
        selectPool(QStringLiteral("web"));
        // Six seconds of mixed traffic: fast and slow requests, a few errors, bursts that have
        // to queue (12 slots: 3 workers, 4 each).
        QElapsedTimer t;
        t.start();
        int k = 0;
        while (t.elapsed() < 6000) {
            const int r = int(QRandomGenerator::global()->bounded(100));
            const QString path = r < 70   ? QStringLiteral("/work?ms=%1").arg(5 + r * 3)
                                 : r < 80 ? QStringLiteral("/")
                                 : r < 85 ? QStringLiteral("/status?code=500")
                                 : r < 88 ? QStringLiteral("/status?code=404")
                                          : QStringLiteral("/work?ms=%1").arg(600 + r * 5);
            send(path, k % 60 == 59 ? 16 : 1);
            ++k;
            QTest::qWait(25);
        }
        send(QStringLiteral("/work?ms=700"), 20);
        QTRY_VERIFY_WITH_TIMEOUT(m_outstanding == 0, 10'000);
        // Taken while a burst is in flight: full tiles, a queue.
        send(QStringLiteral("/work?ms=1500"), 20);
        QTest::qWait(900);
        // The longest wait in the queue picked, as an operator would.
        const auto &rows = debugger()->decisions()->rows();
        int slowest = 0;
        for (int i = 0; i < int(rows.size()); ++i) {
            if (rows[std::size_t(i)].queueMs > rows[std::size_t(slowest)].queueMs)
                slowest = i;
        }
        debugger()->selectDecision(slowest);
        QTest::qWait(300);
        const QString file = dir + QStringLiteral("/pool-debugger-%1.png").arg(lang);
        QVERIFY(m_view->grab().save(file));
        qInfo("saved %s", qPrintable(file));
        QTRY_VERIFY_WITH_TIMEOUT(m_outstanding == 0, 10'000);
        if (lang == QLatin1String("en")) {
            // The autoscaled pool after a cold start, on its scale events (to look at).
            selectPool(QStringLiteral("auto"));
            send(QStringLiteral("/"), 1, m_autoGateway);
            QTRY_VERIFY_WITH_TIMEOUT(m_outstanding == 0, 15'000);
            QTRY_VERIFY_WITH_TIMEOUT(debugger()->scaleEventsView()->topLevelItemCount() > 0, 5000);
            debugger()->tabs()->setCurrentIndex(1);
            QTest::qWait(300);
            QVERIFY(debugger()->grab().save(dir + QStringLiteral("/pool-debugger-scale-en.png")));
            debugger()->tabs()->setCurrentIndex(0);
            // The same pool's charts, its door's series among them.
            m_view->showPane(ui::MasterView::Charts);
            m_view->chartsPane()->setWindow(60);
            m_view->chartsPane()->showPool(QStringLiteral("web"));
            QTRY_VERIFY_WITH_TIMEOUT(m_view->chartsPane()->seriesNames().contains(
                                         QStringLiteral("pool/web/gateway/latency_p99_ms")),
                                     5000);
            QTest::qWait(1500);
            const QString charts = dir + QStringLiteral("/pool-gateway-charts-en.png");
            QVERIFY(m_view->grab().save(charts));
            qInfo("saved %s", qPrintable(charts));
        }
        std::swap(view, m_view);
    }
    ui::installTranslations(QStringLiteral("en"));
}

QTEST_MAIN(TestPoolDebugger)
#include "tst_pooldebugger.moc"
