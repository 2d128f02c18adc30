// The fleet end to end: a real etcd on loopback, real droverds registering in it, droverctl
// reading it and the console following it offscreen (issue: many masters in one console).
#include "../integration/etcdfixture.h"
#include "api/version.h"
#include "models/backendbridge.h"
#include "models/fleetmodel.h"
#include "models/workersmodel.h"
#include "ui/fleetview.h"
#include "ui/mainwindow.h"
#include "ui/masterstore.h"
#include "ui/masterview.h"
#include "ui/translations.h"

#include <QAbstractItemModelTester>
#include <QItemSelectionModel>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QSettings>
#include <QSignalSpy>
#include <QTableView>
#include <QTest>
#include <QTreeWidget>

#include <csignal>

using namespace drover;

namespace {

/// `master:` lines that register the droverd in `etcd` under `prefix` as `name`.
QByteArray fleetLines(const QString &etcd, const QString &prefix, const QString &name,
                      const QString &ttl = QStringLiteral("3s"))
{
    return "  fleet:\n    etcd: [\"" + etcd.toUtf8() + "\"]\n    prefix: \"" + prefix.toUtf8() +
           "\"\n    name: \"" + name.toUtf8() + "\"\n    ttl: " + ttl.toUtf8() + "\n";
}

const fleet::MasterRecord *find(const models::FleetModel *model, const QString &name)
{
    const int row = model->rowOf(name);
    return row < 0 ? nullptr : model->master(row);
}

/// The sidebar's item of the fleet named `name`.
QTreeWidgetItem *fleetItem(ui::MainWindow &window, const QString &name)
{
    for (int i = 0; i < window.sidebar()->topLevelItemCount(); ++i) {
        QTreeWidgetItem *item = window.sidebar()->topLevelItem(i);
        if (item->text(0).startsWith(QStringLiteral("Fleet ") + name + QStringLiteral(" ·")))
            return item;
    }
    return nullptr;
}

} // namespace

class TestFleet : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void modelWorstFirst();
    void registerFollowAndLeave();
    void etcdLostAndBack();
    void tlsEtcd();
    void badFleetConfig();
};

void TestFleet::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true); // QSettings in a test location
    QCoreApplication::setOrganizationName(QStringLiteral("drover-test"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_fleet"));
    QSettings().clear();
    qputenv("DROVER_NO_KEYCHAIN", "1");
    ui::installTranslations(QStringLiteral("en"));
    QVERIFY2(!test::EtcdServer::program().isEmpty(),
             "etcd is not installed: ./setup.sh test installs Debian's etcd-server");
}

void TestFleet::modelWorstFirst()
{
    models::FleetModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    auto master = [](const char *name, int ready) {
        fleet::MasterRecord m;
        m.key = std::string("/f/") + name;
        m.name = name;
        m.pools = {{"web", 2, 2, ready, 0, false}};
        return m;
    };
    model.setMasters({master("a", 2), master("b", 2), master("c", 1)});
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(model.columnCount(), models::FleetModel::FixedColumns + 1 + 3);
    QCOMPARE(model.master(0)->name, std::string("c")); // degraded first
    QItemSelectionModel selection(&model);
    selection.select(model.index(model.rowOf(QStringLiteral("b")), 0),
                     QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
    // b fails: it moves to the top, and the selection goes with it.
    model.setMasters({master("a", 2), master("b", 0), master("c", 1)});
    QCOMPARE(resets.count(), 0);
    QCOMPARE(model.master(0)->name, std::string("b"));
    QCOMPARE(selection.selectedRows().value(0).row(), 0);
    QCOMPARE(model.data(model.index(0, models::FleetModel::Health)).toString(),
             QStringLiteral("failing"));
    QCOMPARE(model.data(model.index(0, models::FleetModel::FixedColumns)).toString(),
             QStringLiteral("0/2"));
    // A master gone, a pool column new: a reset.
    fleet::MasterRecord d = master("d", 1);
    d.pools.push_back({"api", 1, 1, 1, 0, false});
    model.setMasters({master("a", 2), d});
    QCOMPARE(resets.count(), 1);
    QCOMPARE(model.poolColumns(), (QStringList{QStringLiteral("api"), QStringLiteral("web")}));
    QCOMPARE(
        model.data(model.index(model.rowOf(QStringLiteral("a")), models::FleetModel::FixedColumns))
            .toString(),
        QStringLiteral("·")); // a has no api pool
}

void TestFleet::registerFollowAndLeave()
{
    test::EtcdServer etcd;
    QVERIFY2(etcd.start(), qPrintable(etcd.log()));
    const QString prefix = QStringLiteral("/drover-test/fleet/");
    test::Droverd d1, d2, d3;
    QVERIFY(d1.writeConfig(d1.yaml("  - name: web\n    command: [\"sleep\", \"1000\"]\n"
                                   "    replicas: 2\n    stop: {timeout: 2s}\n",
                                   fleetLines(etcd.url(), prefix, QStringLiteral("d1")))));
    QVERIFY(d2.writeConfig(d2.yaml("  - name: api\n    command: [\"sleep\", \"1000\"]\n",
                                   fleetLines(etcd.url(), prefix, QStringLiteral("d2")))));
    // d3 has a pool that never becomes ready: the worst of the fleet.
    QVERIFY(d3.writeConfig(d3.yaml("  - name: broken\n    command: [\"sh\", \"-c\", \"exit 3\"]\n"
                                   "    restart: {backoff: {initial: 1s}}\n",
                                   fleetLines(etcd.url(), prefix, QStringLiteral("d3")))));
    const QString token = d2.createToken(QStringLiteral("vera"), QStringLiteral("viewer"));
    QVERIFY(!token.isEmpty());
    for (test::Droverd *d : {&d1, &d2, &d3})
        QVERIFY2(d->start(), qPrintable(d->log()));

    ui::MainWindow window;
    window.show();
    ui::FleetView *view = window.followFleet(
        models::FleetWatch::Spec::plain(QStringLiteral("lab"), {etcd.url()}, prefix));
    const models::FleetModel *model = view->watch()->model();
    QTRY_COMPARE_WITH_TIMEOUT(model->rowCount(), 3, 20'000);
    QTRY_VERIFY_WITH_TIMEOUT(find(model, QStringLiteral("d1")) &&
                                 find(model, QStringLiteral("d1"))->ready() == 2,
                             20'000);

    // The record: what a console needs to connect, and the pools at a glance.
    const fleet::MasterRecord *r1 = find(model, QStringLiteral("d1"));
    QCOMPARE(QString::fromStdString(r1->url), d1.url());
    QCOMPARE(r1->version, std::string(kVersion));
    QCOMPARE(r1->pid, int(d1.pid()));
    QVERIFY(r1->fingerprint.empty()); // ws: no certificate
    QVERIFY(r1->roles.empty());       // no tokens: loopback, open
    QCOMPARE(r1->pools.size(), std::size_t(1));
    QCOMPARE(r1->pools[0].name, std::string("web"));
    QCOMPARE(r1->pools[0].desired, 2);
    QVERIFY(find(model, QStringLiteral("d2"))->roles == std::vector<std::string>{"viewer"});
    // Worst first: d3's pool is not ready.
    QTRY_COMPARE_WITH_TIMEOUT(QString::fromStdString(model->master(0)->name), QStringLiteral("d3"),
                              10'000);
    QVERIFY(model->master(0)->health() == fleet::Health::Failing);
    QCOMPARE(model->poolColumns(),
             (QStringList{QStringLiteral("api"), QStringLiteral("broken"), QStringLiteral("web")}));

    // The sidebar lists the fleet and its masters.
    QTreeWidgetItem *item = fleetItem(window, QStringLiteral("lab"));
    QVERIFY(item);
    QTRY_COMPARE(item->childCount(), 3);
    QVERIFY2(item->text(0).contains(QStringLiteral("3 masters")), qPrintable(item->text(0)));
    QVERIFY(item->child(0)->text(0).startsWith(QStringLiteral("d3 ·")));

    // droverctl reads the same, worst first.
    test::Run ls =
        test::runProgram(QStringLiteral("droverctl"),
                         {QStringLiteral("fleet"), QStringLiteral("ls"), QStringLiteral("--etcd"),
                          etcd.url(), QStringLiteral("--prefix"), prefix});
    QVERIFY2(ls.code == 0, qPrintable(ls.err));
    QVERIFY2(ls.out.contains(QStringLiteral("3 masters under ") + prefix), qPrintable(ls.out));
    QVERIFY2(ls.out.contains(QStringLiteral("web(2/2)")), qPrintable(ls.out));
    test::Run json =
        test::runProgram(QStringLiteral("droverctl"),
                         {QStringLiteral("fleet"), QStringLiteral("ls"), QStringLiteral("--json")},
                         {{QStringLiteral("DROVER_ETCD"), etcd.url()},
                          {QStringLiteral("DROVER_FLEET_PREFIX"), prefix}});
    QVERIFY2(json.code == 0, qPrintable(json.err));
    const QJsonArray all = QJsonDocument::fromJson(json.out.toUtf8()).array();
    QCOMPARE(all.size(), 3);
    QCOMPARE(all[0].toObject()[QStringLiteral("name")].toString(), QStringLiteral("d3"));
    QCOMPARE(all[0].toObject()[QStringLiteral("health")].toString(), QStringLiteral("failing"));
    QCOMPARE(all[0].toObject()[QStringLiteral("key")].toString(), prefix + QStringLiteral("d3"));

    // A change on a master reaches the console within about a second.
    test::Run scaled = test::runProgram(
        QStringLiteral("droverctl"), {QStringLiteral("--master"), d1.url(), QStringLiteral("scale"),
                                      QStringLiteral("web"), QStringLiteral("3")});
    QVERIFY2(scaled.code == 0, qPrintable(scaled.err));
    QTRY_VERIFY_WITH_TIMEOUT(find(model, QStringLiteral("d1"))->desired() == 3 &&
                                 find(model, QStringLiteral("d1"))->ready() == 3,
                             10'000);

    if (const QByteArray shot = qgetenv("DROVER_FLEET_SHOT"); !shot.isEmpty()) {
        window.resize(1180, 520);
        QTest::qWait(300);
        QVERIFY(window.grab().save(QString::fromLocal8Bit(shot)));
    }

    // Connecting from the fleet: d1 is saved (no token needed on loopback), so it connects
    // with what is saved, as any master.
    ui::MasterStore::put({QStringLiteral("d1"), d1.url(), {}, {}});
    window.connectToFleetMaster(*find(model, QStringLiteral("d1")));
    QTRY_COMPARE_WITH_TIMEOUT(window.masters().size(), 1, 5000);
    ui::MasterView *master = window.masters()[0];
    QCOMPARE(master->name(), QStringLiteral("d1"));
    QTRY_VERIFY_WITH_TIMEOUT(master->link().state == ui::MasterLink::State::Connected, 10'000);
    QTRY_COMPARE_WITH_TIMEOUT(master->bridge()->workers()->rowCount(), 3, 10'000);
    QCOMPARE(window.current(), master);

    // A clean stop removes the key at once; a master killed leaves when its lease ends.
    QElapsedTimer clock;
    clock.start();
    QCOMPARE(d2.stop(), 0);
    QTRY_VERIFY_WITH_TIMEOUT(!find(model, QStringLiteral("d2")), 5000);
    qInfo("d2 stopped: gone from the console %lld ms after SIGTERM", clock.elapsed());
    QVERIFY2(d2.log().contains(QStringLiteral("fleet.removed")), qPrintable(d2.log()));

    ::kill(pid_t(d3.pid()), SIGKILL);
    clock.restart();
    QTest::qWait(500);
    QVERIFY(find(model, QStringLiteral("d3"))); // its lease still runs
    QTRY_VERIFY_WITH_TIMEOUT(!find(model, QStringLiteral("d3")), 3000 + 2000);
    qInfo("d3 killed: gone from the console %lld ms after SIGKILL (lease 3 s)", clock.elapsed());
    QCOMPARE(model->rowCount(), 1);
    QTRY_COMPARE(item->childCount(), 1);
}

void TestFleet::etcdLostAndBack()
{
    test::EtcdServer etcd;
    QVERIFY2(etcd.start(), qPrintable(etcd.log()));
    const QString prefix = QStringLiteral("/drover-test/lost/");
    test::Droverd d;
    QVERIFY(d.writeConfig(
        d.yaml("  - name: keep\n    command: [\"sleep\", \"1000\"]\n",
               fleetLines(etcd.url(), prefix, QStringLiteral("solo"), QStringLiteral("2s")))));
    QVERIFY2(d.start(), qPrintable(d.log()));
    ui::MainWindow window;
    window.show();
    ui::FleetView *view = window.followFleet(
        models::FleetWatch::Spec::plain(QStringLiteral("lost"), {etcd.url()}, prefix));
    models::FleetWatch *watch = view->watch();
    QTRY_COMPARE_WITH_TIMEOUT(watch->model()->rowCount(), 1, 20'000);

    etcd.kill();
    // The console says etcd is lost and keeps the masters as last seen.
    QTRY_VERIFY_WITH_TIMEOUT(watch->status().state == fleet::FollowerStatus::State::Retrying,
                             10'000);
    QCOMPARE(watch->model()->rowCount(), 1);
    QVERIFY2(view->statusLabel()->text().contains(QStringLiteral("etcd lost")),
             qPrintable(view->statusLabel()->text()));
    // droverd says so too (its log, its events, /metrics), and goes on supervising: a worker
    // killed is started again.
    QTRY_VERIFY_WITH_TIMEOUT(d.log().contains(QStringLiteral("fleet.lost")), 10'000);
    QTRY_VERIFY(test::httpGet(d.port, "/metrics").body.find("\ndrover_fleet_registered 0\n") !=
                std::string::npos);
    auto workerPid = [&]() -> qint64 {
        test::Run r = test::runProgram(QStringLiteral("droverctl"),
                                       {QStringLiteral("--master"), d.url(),
                                        QStringLiteral("workers"), QStringLiteral("--json")});
        const QJsonArray workers = QJsonDocument::fromJson(r.out.toUtf8()).array();
        return workers.isEmpty() ? 0 : workers[0].toObject()[QStringLiteral("pid")].toInteger();
    };
    const qint64 before = workerPid();
    QVERIFY(before > 0);
    ::kill(pid_t(before), SIGKILL);
    QTRY_VERIFY_WITH_TIMEOUT(workerPid() > 0 && workerPid() != before, 10'000);
    test::Run events =
        test::runProgram(QStringLiteral("droverctl"),
                         {QStringLiteral("--master"), d.url(), QStringLiteral("events")});
    QVERIFY2(events.out.contains(QStringLiteral("etcd lost")), qPrintable(events.out));

    // etcd back (same data, same port): droverd registers again, the console follows again.
    QVERIFY2(etcd.start(), qPrintable(etcd.log()));
    QTRY_VERIFY_WITH_TIMEOUT(d.log().count(QStringLiteral("fleet.registered")) >= 2, 40'000);
    QVERIFY(test::httpGet(d.port, "/metrics").body.find("\ndrover_fleet_registered 1\n") !=
            std::string::npos);
    QTRY_VERIFY_WITH_TIMEOUT(watch->status().state == fleet::FollowerStatus::State::Following,
                             20'000);
    QTRY_COMPARE_WITH_TIMEOUT(watch->model()->rowCount(), 1, 10'000);
    QCOMPARE(QString::fromStdString(watch->model()->master(0)->name), QStringLiteral("solo"));
}

void TestFleet::tlsEtcd()
{
    // etcd over https that wants a client certificate from the test CA; droverd serving TLS
    // of its own registers through it, and its record carries its certificate's fingerprint.
    test::EtcdServer etcd;
    const QString dir = etcd.dir.path();
    QVERIFY(test::makeTestCertificates(dir));
    auto file = [&](const char *name) -> QString {
        return dir + QLatin1Char('/') + QLatin1String(name);
    };
    etcd.https = true;
    etcd.extraArgs = {QStringLiteral("--cert-file"),
                      file("server.pem"),
                      QStringLiteral("--key-file"),
                      file("server.key"),
                      QStringLiteral("--client-cert-auth"),
                      QStringLiteral("--trusted-ca-file"),
                      file("ca.pem")};
    QVERIFY2(etcd.start(), qPrintable(etcd.log()));
    const QString prefix = QStringLiteral("/drover-test/tls/");
    test::Droverd d;
    const QByteArray lines = "  tls: {cert: \"" + file("server.pem").toUtf8() + "\", key: \"" +
                             file("server.key").toUtf8() + "\"}\n  fleet:\n    etcd: [\"" +
                             etcd.url().toUtf8() + "\"]\n    prefix: \"" + prefix.toUtf8() +
                             "\"\n    name: secure\n    tls: {ca: \"" + file("ca.pem").toUtf8() +
                             "\", cert: \"" + file("client.pem").toUtf8() + "\", key: \"" +
                             file("client.key").toUtf8() + "\"}\n";
    QVERIFY(d.writeConfig(d.yaml("  - name: s\n    command: [\"sleep\", \"1000\"]\n", lines)));
    QVERIFY2(d.start(), qPrintable(d.log()));
    QTRY_VERIFY_WITH_TIMEOUT(d.log().contains(QStringLiteral("fleet.registered")), 15'000);

    const QStringList ls{QStringLiteral("fleet"),
                         QStringLiteral("ls"),
                         QStringLiteral("--json"),
                         QStringLiteral("--etcd"),
                         etcd.url(),
                         QStringLiteral("--prefix"),
                         prefix,
                         QStringLiteral("--etcd-ca"),
                         file("ca.pem")};
    test::Run ok =
        test::runProgram(QStringLiteral("droverctl"),
                         ls + QStringList{QStringLiteral("--etcd-cert"), file("client.pem"),
                                          QStringLiteral("--etcd-key"), file("client.key")});
    QVERIFY2(ok.code == 0, qPrintable(ok.err));
    const QJsonArray all = QJsonDocument::fromJson(ok.out.toUtf8()).array();
    QCOMPARE(all.size(), 1);
    const QJsonObject secure = all[0].toObject();
    QCOMPARE(secure[QStringLiteral("url")].toString(),
             QStringLiteral("wss://127.0.0.1:%1").arg(d.port));
    // The fingerprint droverd logged at start (what the console asks its user to compare).
    const QString logged =
        d.log().section(QStringLiteral("fingerprint="), 1).section(QLatin1Char('\n'), 0, 0);
    QVERIFY(!logged.isEmpty());
    QCOMPARE(secure[QStringLiteral("fingerprint")].toString(), logged.trimmed());

    // Without a client certificate etcd refuses; without the CA its certificate is not
    // trusted: droverctl says so and exits 3.
    test::Run noCert = test::runProgram(QStringLiteral("droverctl"), ls);
    QCOMPARE(noCert.code, 3);
    test::Run noCa = test::runProgram(QStringLiteral("droverctl"), ls.mid(0, ls.size() - 2));
    QCOMPARE(noCa.code, 3);
    QVERIFY2(noCa.err.contains(QStringLiteral("TLS")), qPrintable(noCa.err));
}

void TestFleet::badFleetConfig()
{
    // Errors at file:line:column, the config refused whole.
    test::Droverd d;
    QVERIFY(d.writeConfig(d.yaml({}, "  fleet:\n    etcd: [\"127.0.0.1:2379\"]\n    ttl: 1s\n"
                                     "    prefix: drover\n")));
    test::Run r =
        test::runProgram(QStringLiteral("droverd"), {QStringLiteral("--check"), d.config});
    QCOMPARE(r.code, 1);
    QVERIFY2(r.err.contains(QStringLiteral(":6:12: master.fleet.etcd[0]: expected an etcd client "
                                           "URL")),
             qPrintable(r.err));
    QVERIFY2(r.err.contains(QStringLiteral(":7:10: master.fleet.ttl:")), qPrintable(r.err));
    QVERIFY2(r.err.contains(QStringLiteral(":8:13: master.fleet.prefix: expected a key prefix")),
             qPrintable(r.err));
    // A good one is said by --check.
    QVERIFY(d.writeConfig(d.yaml({}, "  fleet:\n    etcd: [\"http://127.0.0.1:2379\"]\n")));
    r = test::runProgram(QStringLiteral("droverd"), {QStringLiteral("--check"), d.config});
    QCOMPARE(r.code, 0);
    QVERIFY2(r.out.contains(QStringLiteral("fleet: registers as <hostname>:<port> under "
                                           "/drover/fleet/ in etcd http://127.0.0.1:2379 (lease "
                                           "10s)")),
             qPrintable(r.out));
}

QTEST_MAIN(TestFleet)
#include "tst_fleet.moc"
