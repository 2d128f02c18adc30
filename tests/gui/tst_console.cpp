// The console's main window, offscreen, on real masters: an embedded one (LocalBackend on a
// test config) and a real droverd reached with a viewer's token. Rows appear, actions act
// (restart changes the pid, stop asks first), filters filter, a viewer's actions are disabled
// with the reason, the layout survives a restart of the console, German loads, the rollouts
// pane follows an applied change to its end and undoes it, the jobs pane starts a run and
// follows it to its end (its log, its bar, its marker on the pool's chart) and cancels one.
#include "../integration/droverdfixture.h"
#include "../integration/testimage.h"
#include "config/loader.h"
#include "embeddedmaster.h"
#include "engine/containers/podman.h"
#include "local/localbackend.h"
#include "models/backendbridge.h"
#include "models/jobsmodel.h"
#include "models/poolsmodel.h"
#include "models/rolloutsmodel.h"
#include "models/workerfilter.h"
#include "models/workersmodel.h"
#include "ui/chartspane.h"
#include "ui/eventspane.h"
#include "ui/jobdurationchart.h"
#include "ui/jobspane.h"
#include "ui/mainwindow.h"
#include "ui/masterstore.h"
#include "ui/masterview.h"
#include "ui/poolspane.h"
#include "ui/pooltiles.h"
#include "ui/rolloutspane.h"
#include "ui/translations.h"
#include "ui/workerdetail.h"
#include "ui/workerspane.h"

#include <QAction>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHeaderView>
#include <QImage>
#include <QLabel>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QRegularExpression>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTableView>
#include <QTest>
#include <QTextBrowser>
#include <QTreeWidget>

#include <optional>
#include <sys/stat.h>
#include <utility>
#include <vector>

extern char **environ;

using namespace drover;
using models::WorkersModel;

class TestConsole : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void embeddedMaster();
    void viewerCannotAct();
    void severalMasters();
    void unknownCertificateIsAsked();
    void layoutIsKept();
    void germanLoads();
    void rolloutsPaneFollowsAndUndoes();
    void jobsPaneRunsAndCancels();
    void jobsScreenshot();
    void containerWorkerDetail();

private:
    /// A LocalBackend running `pools` in a fresh state dir, its processes marked for cleanup.
    std::shared_ptr<local::LocalBackend> embedded(const std::string &pools)
    {
        return test::startEmbedded(pools, m_dir.path() + QStringLiteral("/state-%1").arg(++m_runs),
                                   m_mark);
    }
    /// The row of worker `id` in the pane's view, or -1.
    static int viewRow(ui::WorkersPane *pane, const QString &id)
    {
        QAbstractItemModel *m = pane->view()->model();
        for (int r = 0; r < m->rowCount(); ++r) {
            if (m->index(r, 0).data(WorkersModel::IdRole).toString() == id)
                return r;
        }
        return -1;
    }
    static int pidOf(ui::WorkersPane *pane, const QString &id)
    {
        int r = viewRow(pane, id);
        return r < 0 ? 0 : pane->view()->model()->index(r, WorkersModel::Pid).data().toInt();
    }
    static QString stateOf(ui::WorkersPane *pane, const QString &id)
    {
        int r = viewRow(pane, id);
        return r < 0 ? QString()
                     : pane->view()->model()->index(r, WorkersModel::State).data().toString();
    }
    static void select(ui::WorkersPane *pane, const QString &id)
    {
        pane->view()->clearSelection();
        pane->view()->selectRow(viewRow(pane, id));
    }

    QTemporaryDir m_dir;
    std::string m_mark =
        "DROVER_TEST_MARK=" + QUuid::createUuid().toString(QUuid::WithoutBraces).toStdString();
    int m_runs = 0;
};

void TestConsole::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true); // QSettings in a test location
    QCoreApplication::setOrganizationName(QStringLiteral("drover-test"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_console"));
    QSettings().clear();
    ui::installTranslations(QStringLiteral("en"));
}

void TestConsole::embeddedMaster()
{
    auto backend = embedded("  - name: web\n    command: [\"sleep\", \"1000\"]\n    replicas: 3\n"
                            "    stop: {timeout: 2s}\n"
                            "  - name: crash\n    command: [\"sh\", \"-c\", \"exit 7\"]\n"
                            "    restart: {policy: never}\n"
                            "  - name: talker\n    command: [\"sh\", \"-c\", \"i=0; while :; do "
                            "i=$((i+1)); echo tick $i; sleep 0.1; done\"]\n");
    QVERIFY(backend);
    {
        ui::MainWindow window(backend, QStringLiteral("Embedded master (test)"));
        window.show();
        ui::WorkersPane *pane = window.workersPane();
        QTRY_COMPARE_WITH_TIMEOUT(pane->view()->model()->rowCount(), 5, 5000);
        QTRY_VERIFY_WITH_TIMEOUT(pidOf(pane, QStringLiteral("web-2")) > 0, 5000);
        QTRY_COMPARE_WITH_TIMEOUT(stateOf(pane, QStringLiteral("crash-0")),
                                  QStringLiteral("exited"), 5000);
        // Sorted naturally; the crash's exit in its row.
        QCOMPARE(pane->view()->model()->index(0, 0).data().toString(), QStringLiteral("crash-0"));
        QCOMPARE(pane->view()
                     ->model()
                     ->index(viewRow(pane, QStringLiteral("crash-0")), WorkersModel::LastExit)
                     .data()
                     .toString(),
                 QStringLiteral("exit:7"));

        // Nothing selected (the first worker is, at start): the actions say why they are off.
        QTRY_VERIFY(!pane->selectedWorkers().isEmpty());
        pane->view()->clearSelection();
        QVERIFY(!pane->restartAction()->isEnabled());
        QVERIFY(pane->restartAction()->toolTip().contains(QStringLiteral("Select")));

        // Restart through the action: a new pid.
        const int before = pidOf(pane, QStringLiteral("web-1"));
        select(pane, QStringLiteral("web-1"));
        QVERIFY(pane->restartAction()->isEnabled());
        pane->restartAction()->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(pidOf(pane, QStringLiteral("web-1")) > 0 &&
                                     pidOf(pane, QStringLiteral("web-1")) != before,
                                 5000);

        // Stop asks first; "no" changes nothing, "yes" stops.
        QString asked;
        pane->setConfirm([&asked](const QString &q) {
            asked = q;
            return false;
        });
        select(pane, QStringLiteral("web-0"));
        pane->stopAction()->trigger();
        QVERIFY(asked.contains(QStringLiteral("web-0")));
        QTest::qWait(300);
        QCOMPARE(stateOf(pane, QStringLiteral("web-0")), QStringLiteral("ready"));
        pane->setConfirm([](const QString &) { return true; });
        pane->stopAction()->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(stateOf(pane, QStringLiteral("web-0")), QStringLiteral("stopped"),
                                  5000);

        // Filters: text, state, pool.
        pane->filter()->setText(QStringLiteral("web-2"));
        QCOMPARE(pane->view()->model()->rowCount(), 1);
        pane->filter()->setText({});
        pane->filter()->setState(api::WorkerState::Stopped);
        QCOMPARE(pane->view()->model()->rowCount(), 1);
        pane->filter()->setState(std::nullopt);
        pane->showPool(QStringLiteral("web"));
        QCOMPARE(pane->view()->model()->rowCount(), 3);
        pane->showPool({});
        QCOMPARE(pane->view()->model()->rowCount(), 5);

        // The selected worker's detail: its facts, and its log followed as it grows.
        select(pane, QStringLiteral("talker-0"));
        QCOMPARE(pane->detail()->worker(), QStringLiteral("talker-0"));
        QVERIFY(pane->detail()->summary()->text().contains(QStringLiteral("talker-0")));
        auto lastTick = [pane] {
            const QStringList lines = pane->detail()->log()->toPlainText().split(QLatin1Char('\n'));
            for (auto it = lines.rbegin(); it != lines.rend(); ++it) {
                if (it->startsWith(QStringLiteral("tick ")))
                    return it->mid(5).toInt();
            }
            return 0;
        };
        QTRY_VERIFY_WITH_TIMEOUT(lastTick() > 0, 5000);
        const int first = lastTick();
        QTRY_VERIFY_WITH_TIMEOUT(lastTick() >= first + 3, 5000);

        // Scale from the pools pane.
        ui::PoolsPane *pools = window.poolsPane();
        QTRY_COMPARE_WITH_TIMEOUT(pools->view()->model()->rowCount(), 3, 5000);
        for (int r = 0; r < 3; ++r) {
            if (pools->view()->model()->index(r, 0).data().toString() == QLatin1String("web"))
                pools->view()->selectRow(r);
        }
        QVERIFY(pools->scaleAction()->isEnabled());
        pools->setAskSize([](const QString &, int current, int &size) {
            size = current + 2;
            return true;
        });
        pools->scaleAction()->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(pane->view()->model()->rowCount(), 7, 10'000);

        // The pool view: the selected pool's workers as tiles; a double-click opens one.
        window.tabs()->setCurrentWidget(pools);
        QTRY_COMPARE_WITH_TIMEOUT(pools->tiles()->tiles().size(), std::size_t(5), 5000);
        const ui::PoolTiles::Tile tile = pools->tiles()->tiles().back();
        QCOMPARE(tile.worker, QStringLiteral("web-4"));
        QCOMPARE(pools->tiles()->workerAt(tile.rect.center()), tile.worker);
        QTest::mouseDClick(pools->tiles(), Qt::LeftButton, {}, tile.rect.center());
        QCOMPARE(window.tabs()->currentWidget(), pane);
        QCOMPARE(pane->selectedWorkers(), QStringList{tile.worker});
        // The detail says what it runs and what happened to it.
        QTRY_VERIFY_WITH_TIMEOUT(
            pane->detail()->process()->toPlainText().contains(QStringLiteral("sleep 1000")), 5000);
        QVERIFY(pane->detail()->process()->toPlainText().contains(
            QStringLiteral("DROVER_WORKER=web-4")));
        QTRY_VERIFY_WITH_TIMEOUT(pane->detail()->events()->topLevelItemCount() > 0, 5000);

        // The events pane has the history and what came after.
        QTRY_VERIFY_WITH_TIMEOUT(window.eventsPane()->view()->model()->rowCount() > 10, 5000);
    }
    backend.reset(); // stops its workers
    QVERIFY(test::killLeftovers(m_mark, 3000).empty());
}

// A viewer connected to a real droverd sees everything and may do nothing: the actions are
// disabled and say which role would be needed.
void TestConsole::viewerCannotAct()
{
    test::Droverd master;
    QVERIFY(master.writeConfig(
        master.yaml("  - name: web\n    command: [\"sleep\", \"1000\"]\n    replicas: 2\n"
                    "  - name: report\n    command: [\"true\"]\n    schedule: manual\n")));
    const QString viewer = master.createToken(QStringLiteral("vera"), QStringLiteral("viewer"));
    QVERIFY(viewer.startsWith(QStringLiteral("drv_")));
    QVERIFY2(master.start(), qPrintable(master.log()));
    auto remote = std::make_shared<remote::RemoteBackend>(test::Link::options(master.port, viewer));
    remote->start();
    {
        ui::MainWindow window(remote, master.url());
        window.show();
        ui::WorkersPane *pane = window.workersPane();
        QTRY_COMPARE_WITH_TIMEOUT(pane->view()->model()->rowCount(), 2, 10'000);
        QTRY_VERIFY(window.bridge()->role() == api::Role::Viewer);
        select(pane, QStringLiteral("web-0"));
        for (QAction *a : {pane->startAction(), pane->stopAction(), pane->restartAction()}) {
            QVERIFY(!a->isEnabled());
            QVERIFY2(a->toolTip().contains(QStringLiteral("viewer")) &&
                         a->toolTip().contains(QStringLiteral("operator")),
                     qPrintable(a->toolTip()));
        }
        window.poolsPane()->view()->selectRow(0);
        QVERIFY(!window.poolsPane()->scaleAction()->isEnabled());
        // The job is listed, its runs can be read; a viewer may not start or cancel one.
        ui::JobsPane *jobs = window.current()->jobsPane();
        window.current()->showPane(ui::MasterView::Jobs);
        QTRY_COMPARE_WITH_TIMEOUT(jobs->view()->model()->rowCount(), 1, 5000);
        QCOMPARE(jobs->selectedJob(), QStringLiteral("report"));
        QTRY_COMPARE_WITH_TIMEOUT(jobs->runs()->pool(), QStringLiteral("report"), 5000);
        for (ui::JobsPane::Action a : {ui::JobsPane::RunNow, ui::JobsPane::Cancel}) {
            QVERIFY(!jobs->action(a)->isEnabled());
            QVERIFY2(jobs->action(a)->toolTip().contains(QStringLiteral("viewer")) &&
                         jobs->action(a)->toolTip().contains(QStringLiteral("operator")),
                     qPrintable(jobs->action(a)->toolTip()));
        }
    }
    remote.reset();
    QCOMPARE(master.stop(), 0);
}

// A saved remote master beside the embedded one: its token in a 0600 file (no keychain here),
// never in QSettings; connected with its own tree in the sidebar; when its droverd goes, the
// sidebar counts down to the next try, and it comes back on its own.
void TestConsole::severalMasters()
{
    qputenv("DROVER_NO_KEYCHAIN", "1");
    QSettings().remove(QStringLiteral("masters"));
    test::Droverd master;
    QVERIFY(master.writeConfig(
        master.yaml("  - name: far\n    command: [\"sleep\", \"1000\"]\n    replicas: 2\n")));
    const QString token = master.createToken(QStringLiteral("olga"), QStringLiteral("operator"));
    QVERIFY2(master.start(), qPrintable(master.log()));
    auto backend = embedded("  - name: near\n    command: [\"sleep\", \"1000\"]\n");
    QVERIFY(backend);
    {
        ui::MainWindow window(backend, QStringLiteral("Embedded"));
        window.show();
        ui::MasterStore::put({QStringLiteral("lab"), master.url(), {}, {}});
        ui::TokenStore tokens;
        bool written = false;
        QString where;
        tokens.write(QStringLiteral("lab"), token, [&](bool ok, const QString &w) {
            written = ok;
            where = w;
        });
        QTRY_VERIFY(written);
        QVERIFY2(where.contains(ui::TokenStore::fileFor(QStringLiteral("lab"))), qPrintable(where));
        struct stat st;
        QCOMPARE(
            ::stat(QFile::encodeName(ui::TokenStore::fileFor(QStringLiteral("lab"))).constData(),
                   &st),
            0);
        QCOMPARE(st.st_mode & 0777, 0600u);
        QSettings settings;
        for (const QString &key : settings.allKeys())
            QVERIFY2(!settings.value(key).toString().contains(token), qPrintable(key));

        window.connectSaved();
        QTRY_COMPARE_WITH_TIMEOUT(window.masters().size(), 2, 5000);
        ui::MasterView *lab = window.masters()[1];
        QCOMPARE(lab->name(), QStringLiteral("lab"));
        QTRY_COMPARE_WITH_TIMEOUT(lab->bridge()->workers()->rowCount(), 2, 10'000);
        QVERIFY(lab->link().state == ui::MasterLink::State::Connected);
        QVERIFY(lab->bridge()->role() == api::Role::Operator);
        QVERIFY(lab->link().server.startsWith(QStringLiteral("droverd/")));
        // Each master its own tree: the embedded one's pool under it, lab's under lab.
        QCOMPARE(window.sidebar()->topLevelItemCount(), 2);
        QTRY_VERIFY_WITH_TIMEOUT(
            window.sidebar()->topLevelItem(1)->text(0) == QStringLiteral("lab · 2/2"), 10'000);
        QCOMPARE(window.sidebar()->topLevelItem(1)->child(0)->text(0), QStringLiteral("far · 2/2"));
        QCOMPARE(window.sidebar()->topLevelItem(0)->child(0)->text(0),
                 QStringLiteral("near · 1/1"));
        // The remote master's own chart counts its clients (this console among them); the
        // embedded master, which serves none, has no such line.
        window.setCurrent(lab);
        lab->showMasterCharts();
        const QString clients = QStringLiteral("master/clients");
        QCOMPARE(lab->chartsPane()->subject(), QStringLiteral("master")); // not the selection
        QTRY_VERIFY_WITH_TIMEOUT(lab->chartsPane()->pointCount(clients) > 0, 10'000);
        QVERIFY(lab->chartsPane()->points(clients).back().y() >= 1);
        window.setCurrent(window.masters()[0]);
        window.masters()[0]->showMasterCharts();
        QTRY_VERIFY_WITH_TIMEOUT(
            window.masters()[0]->chartsPane()->pointCount(QStringLiteral("master/workers")) > 0,
            10'000);
        QVERIFY(!window.masters()[0]->chartsPane()->seriesNames().contains(clients));

        QCOMPARE(master.stop(), 0);
        QTRY_VERIFY_WITH_TIMEOUT(lab->link().state == ui::MasterLink::State::Waiting, 10'000);
        QTRY_VERIFY_WITH_TIMEOUT(
            window.sidebar()->topLevelItem(1)->text(0).startsWith(QStringLiteral("lab · retry in")),
            5000);
        QVERIFY2(master.start(), qPrintable(master.log()));
        QTRY_VERIFY_WITH_TIMEOUT(lab->link().state == ui::MasterLink::State::Connected, 30'000);
        QTRY_COMPARE_WITH_TIMEOUT(lab->bridge()->workers()->rowCount(), 2, 10'000);

        window.removeMaster(lab);
        QCOMPARE(window.masters().size(), 1);
        QCOMPARE(window.sidebar()->topLevelItemCount(), 1);
    }
    ui::MasterStore::remove(QStringLiteral("lab"));
    ui::TokenStore().remove(QStringLiteral("lab"));
    QVERIFY(!QFile::exists(ui::TokenStore::fileFor(QStringLiteral("lab"))));
    backend.reset();
    QCOMPARE(master.stop(), 0);
    QVERIFY(test::killLeftovers(m_mark, 3000).empty());
}

// A wss master whose certificate nothing vouches for: the console shows its fingerprint (the
// one droverd logged) and asks; trusted, it is pinned in the saved master and the link comes
// up; not trusted, the master stays refused.
void TestConsole::unknownCertificateIsAsked()
{
    QSettings().remove(QStringLiteral("masters"));
    test::Droverd master;
    const QString dir = m_dir.path();
    QProcess openssl;
    openssl.setWorkingDirectory(dir);
    openssl.start(QStringLiteral("openssl"),
                  {QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-newkey"),
                   QStringLiteral("ec"), QStringLiteral("-pkeyopt"),
                   QStringLiteral("ec_paramgen_curve:prime256v1"), QStringLiteral("-nodes"),
                   QStringLiteral("-keyout"), QStringLiteral("key.pem"), QStringLiteral("-out"),
                   QStringLiteral("cert.pem"), QStringLiteral("-days"), QStringLiteral("2"),
                   QStringLiteral("-subj"), QStringLiteral("/CN=127.0.0.1"),
                   QStringLiteral("-addext"), QStringLiteral("subjectAltName=IP:127.0.0.1")});
    QVERIFY(openssl.waitForFinished(30'000));
    QCOMPARE(openssl.exitCode(), 0);
    QVERIFY(master.writeConfig(
        master.yaml("  - name: safe\n    command: [\"sleep\", \"1000\"]\n",
                    "  tls: {cert: \"" + (dir + QStringLiteral("/cert.pem")).toUtf8() +
                        "\", key: \"" + (dir + QStringLiteral("/key.pem")).toUtf8() + "\"}\n")));
    QVERIFY2(master.start(), qPrintable(master.log()));
    const QString url = QStringLiteral("wss://127.0.0.1:%1").arg(master.port);
    {
        ui::MainWindow window;
        window.show();
        QString asked;
        window.setTrustPrompt([&asked](const QString &, const QString &fingerprint) {
            asked = fingerprint;
            return false;
        });
        ui::MasterView *view = window.connectTo({QStringLiteral("doubtful"), url, {}, {}}, {});
        QTRY_VERIFY_WITH_TIMEOUT(!asked.isEmpty(), 10'000);
        QVERIFY2(master.log().contains(QStringLiteral("fingerprint=") + asked),
                 qPrintable(master.log()));
        QVERIFY(view->link().state == ui::MasterLink::State::Refused);
        QCOMPARE(view->link().errorCode, QStringLiteral("tls"));
        QTest::qWait(300);
        QCOMPARE(window.masters().size(), 1); // still the refused one, not retried
    }
    {
        ui::MasterStore::put({QStringLiteral("secure"), url, {}, {}});
        ui::MainWindow window;
        window.show();
        int asks = 0;
        window.setTrustPrompt([&asks](const QString &master, const QString &) {
            ++asks;
            return master == QLatin1String("secure");
        });
        window.connectSaved();
        // The rows were once there before the link said Connected (a full run under load):
        // wait for both.
        QTRY_VERIFY_WITH_TIMEOUT(
            window.current() && window.current()->bridge()->workers()->rowCount() == 1 &&
                window.current()->link().state == ui::MasterLink::State::Connected,
            15'000);
        QCOMPARE(asks, 1);
        const QList<ui::SavedMaster> saved = ui::MasterStore::load();
        QCOMPARE(saved.size(), 1);
        QVERIFY(!saved[0].fingerprint.isEmpty());
        QVERIFY(master.log().contains(QStringLiteral("fingerprint=") + saved[0].fingerprint));
    }
    ui::MasterStore::remove(QStringLiteral("secure"));
    QCOMPARE(master.stop(), 0);
}

// Column widths, the current tab and the window's geometry come back.
void TestConsole::layoutIsKept()
{
    auto backend = embedded("  - name: one\n    command: [\"sleep\", \"1000\"]\n");
    QVERIFY(backend);
    {
        ui::MainWindow window(backend, QStringLiteral("first"));
        window.show();
        window.workersPane()->view()->setColumnWidth(WorkersModel::Pool, 211);
        window.tabs()->setCurrentIndex(2);
        window.resize(900, 555);
        window.close();
    }
    {
        ui::MainWindow window(backend, QStringLiteral("second"));
        window.show();
        QCOMPARE(window.workersPane()->view()->columnWidth(WorkersModel::Pool), 211);
        QCOMPARE(window.tabs()->currentIndex(), 2);
        QCOMPARE(window.size(), QSize(900, 555));
    }
    backend.reset(); // stops its workers
    QVERIFY(test::killLeftovers(m_mark, 3000).empty());
}

void TestConsole::germanLoads()
{
    QCOMPARE(ui::installTranslations(QStringLiteral("de")), QStringLiteral("de"));
    WorkersModel model;
    QCOMPARE(model.headerData(WorkersModel::State, Qt::Horizontal).toString(),
             QStringLiteral("Zustand"));
    QCOMPARE(WorkersModel::stateText(api::WorkerState::Stopped), QStringLiteral("angehalten"));
}

// A container worker (as root with podman, the image made by `podman import`) in the worker
// detail: its image, its container's id with podman's word on it, its network. With
// DROVER_CONTAINER_SHOT the window is saved there (the picture in docs/).
void TestConsole::containerWorkerDetail()
{
    const char *path = getenv("PATH");
    const engine::containers::PodmanSetup setup =
        engine::containers::detectPodman(path ? path : "/usr/bin:/bin");
    if (!setup.usable())
        QSKIP(("podman cannot run containers here: " + setup.problem).c_str());
    const QString problem = test::makeImage();
    if (!problem.isEmpty())
        QSKIP(qPrintable(problem));
    QCOMPARE(ui::installTranslations(QStringLiteral("en")), QStringLiteral("en"));
    auto backend = embedded(
        "  - name: web\n    image: " + test::kImage.toStdString() +
        "\n    command: [sh, -c, \"echo serving on {{port}}; exec httpd -f -p {{port}} -h /www\"]"
        "\n    network: private\n    replicas: 2\n    ports: 31500-31509\n"
        "    limits: {memory: 64Mi, pids: 100}\n    stop: {timeout: 1s}\n"
        "    probes:\n      readiness: {http: {url: \"http://127.0.0.1:{{port}}/index.html\"}, "
        "interval: 300ms}\n");
    QVERIFY(backend);
    // Its container, named after this master's state dir and the worker.
    const QString name = QString::fromStdString(
        "name=drover-" +
        config::shortDigest(
            QString(m_dir.path() + QStringLiteral("/state-%1")).arg(m_runs).toStdString()) +
        "-web-0");
    {
        ui::MainWindow window(backend, QStringLiteral("Embedded master (web.yaml)"));
        window.resize(1180, 700);
        window.show();
        ui::WorkersPane *pane = window.workersPane();
        // (by the state itself: an earlier case may have left the console in German)
        auto ready = [pane](const char *id) {
            const int r = viewRow(pane, QString::fromLatin1(id));
            return r >= 0 &&
                   pane->view()->model()->index(r, 0).data(WorkersModel::StateRole).toInt() ==
                       int(api::WorkerState::Ready);
        };
        QTRY_VERIFY_WITH_TIMEOUT(ready("web-0") && ready("web-1"), 60000);
        select(pane, QStringLiteral("web-0"));
        pane->detail()->tabs()->setCurrentIndex(1); // Process
        // The container podman runs for web-0, as podman itself names it.
        auto containerOfWeb0 = [name] {
            return test::podman({QStringLiteral("ps"), QStringLiteral("--filter"), name,
                                 QStringLiteral("--format"), QStringLiteral("{{.ID}}")})
                .left(12);
        };
        const QString id = containerOfWeb0();
        QCOMPARE(id.size(), 12);
        QTRY_VERIFY_WITH_TIMEOUT(pane->detail()->process()->toPlainText().contains(id), 10000);
        // (the words are checked where they are podman's or the config's: an earlier case may
        // have left the console in German)
        const QString text = pane->detail()->process()->toPlainText();
        QVERIFY2(text.contains(QStringLiteral("running")) && text.contains(test::kImage) &&
                     text.contains(QStringLiteral("127.0.0.1")) &&
                     text.contains(QStringLiteral("exec httpd -f -p 31500")),
                 qPrintable(text));
        QVERIFY(pane->detail()->summary()->text().contains(QStringLiteral("64Mi (podman)")));

        // A new container for web-0 (killed and replaced): the detail follows it.
        const int before = pidOf(pane, QStringLiteral("web-0"));
        ::kill(before, SIGKILL);
        QTRY_VERIFY_WITH_TIMEOUT(pidOf(pane, QStringLiteral("web-0")) > 0 &&
                                     pidOf(pane, QStringLiteral("web-0")) != before,
                                 60000);
        QTRY_VERIFY_WITH_TIMEOUT(ready("web-0"), 30000);
        const QString replaced = containerOfWeb0();
        QVERIFY(replaced != id);
        QTRY_VERIFY_WITH_TIMEOUT(pane->detail()->process()->toPlainText().contains(replaced),
                                 10000);
        if (qEnvironmentVariableIsSet("DROVER_CONTAINER_SHOT"))
            QVERIFY(window.grab().save(qEnvironmentVariable("DROVER_CONTAINER_SHOT")));
    }
    backend.reset(); // the master stops: its containers go
    QCOMPARE(test::podman({QStringLiteral("ps"), QStringLiteral("--all"), QStringLiteral("--quiet"),
                           QStringLiteral("--filter"), name}),
             QString());
}

QTEST_MAIN(TestConsole)
void TestConsole::rolloutsPaneFollowsAndUndoes()
{
    auto pools = [](const char *seconds) {
        return std::string("  - name: web\n    command: [\"sleep\", \"") + seconds +
               "\"]\n    replicas: 2\n    stop: {timeout: 2s}\n    rollout: {min_ready: 0s}\n";
    };
    const QString stateDir = m_dir.path() + QStringLiteral("/state-%1").arg(++m_runs);
    auto backend = test::startEmbedded(pools("1000"), stateDir, m_mark);
    QVERIFY(backend);
    ui::MainWindow window(backend, QStringLiteral("Embedded master (test)"));
    window.resize(1100, 600);
    window.show();
    ui::MasterView *view = window.current();
    view->showPane(ui::MasterView::Rollouts);
    ui::RolloutsPane *pane = view->rolloutsPane();
    models::RolloutsModel *model = view->bridge()->rollouts();
    QTRY_COMPARE_WITH_TIMEOUT(view->bridge()->pools()->rowCount(), 1, 5000);
    QCOMPARE(model->rowCount(), 0); // no rollout yet
    QVERIFY(!pane->action(ui::RolloutsPane::Undo)->isEnabled());
    auto phase = [&] {
        const int row = model->rowOf("web");
        return row < 0 ? QString()
                       : model->index(row, models::RolloutsModel::Phase).data().toString();
    };
    auto number = [&] {
        const int row = model->rowOf("web");
        return row < 0 ? 0 : int(model->at(row)->number);
    };
    // A new template applied: the pane shows the rollout and follows it to its end.
    const std::string text = "version: 1\nmaster:\n  state_dir: \"" + stateDir.toStdString() +
                             "\"\npools:\n" + pools("1001");
    bool applied = false;
    view->bridge()->request("config.apply", {{"text", text}}, [&](const api::Reply &r) {
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().message.c_str());
        applied = true;
    });
    QTRY_VERIFY_WITH_TIMEOUT(applied, 10000);
    QTRY_COMPARE_WITH_TIMEOUT(phase(), QStringLiteral("complete"), 15000);
    QCOMPARE(number(), 1);
    QCOMPARE(pane->selectedPool(), QStringLiteral("web")); // the first row is selected
    const int row = model->rowOf("web");
    QCOMPARE(model->index(row, models::RolloutsModel::Strategy).data().toString(),
             QStringLiteral("rolling"));
    // (Figures, not words: an earlier test may have left German installed.)
    QCOMPARE(model->at(row)->updatedReady, 2);
    QCOMPARE(model->at(row)->desired, 2);
    QVERIFY(model->at(row)->finishedAtMs >= model->at(row)->startedAtMs);
    QVERIFY(!model->index(row, models::RolloutsModel::Deadline).data().toString().isEmpty());
    QTRY_VERIFY_WITH_TIMEOUT(pane->events()->count() >= 2, 5000); // started, complete
    QVERIFY(pane->events()->item(0)->text().contains(QStringLiteral("rollout 1")));
    // Nothing to pause or resume now; undo and roll out again are there (an embedded master
    // is admin).
    QVERIFY(!pane->action(ui::RolloutsPane::Pause)->isEnabled());
    QVERIFY(!pane->action(ui::RolloutsPane::Resume)->isEnabled());
    QVERIFY(!pane->action(ui::RolloutsPane::Abort)->isEnabled());
    QVERIFY(pane->action(ui::RolloutsPane::Undo)->isEnabled());
    QVERIFY(pane->action(ui::RolloutsPane::Restart)->isEnabled());
    // Undo: a second rollout, back to the first template, followed to its end.
    const QString revision = model->index(row, models::RolloutsModel::Revisions).data().toString();
    pane->action(ui::RolloutsPane::Undo)->trigger();
    QTRY_COMPARE_WITH_TIMEOUT(number(), 2, 10000);
    QTRY_COMPARE_WITH_TIMEOUT(phase(), QStringLiteral("complete"), 15000);
    const QString back =
        model->index(model->rowOf("web"), models::RolloutsModel::Revisions).data().toString();
    QCOMPARE(back, revision.section(QStringLiteral(" → "), 1) + QStringLiteral(" → ") +
                       revision.section(QStringLiteral(" → "), 0, 0));
    QTRY_VERIFY_WITH_TIMEOUT(pane->events()->count() >= 4, 5000);
    const QByteArray shot = qgetenv("DROVER_ROLLOUTS_SHOT");
    if (!shot.isEmpty())
        QVERIFY(window.grab().save(QString::fromLocal8Bit(shot)));
    // The pool's tiles show each worker's revision in that revision's own colour.
    view->showPane(ui::MasterView::Pools);
    ui::PoolTiles *tiles = view->poolsPane()->tiles();
    QTRY_VERIFY_WITH_TIMEOUT(!tiles->tiles().empty(), 5000);
    const api::PoolInfo *web = view->bridge()->pools()->at(view->bridge()->pools()->rowOf("web"));
    QVERIFY(web);
    const QColor pill = ui::PoolTiles::revisionColor(
        web->revision, tiles->palette().color(QPalette::Window).lightness() < 128);
    const QImage image = tiles->grab(tiles->tiles().front().rect).toImage();
    bool found = false;
    for (int y = 0; y < image.height() && !found; ++y) {
        for (int x = 0; x < image.width() && !found; ++x)
            found = image.pixelColor(x, y).rgb() == pill.rgb();
    }
    QVERIFY(found);
    QVERIFY(ui::PoolTiles::revisionColor("7c779fff61f2", false) !=
            ui::PoolTiles::revisionColor("340c43c44e10", false));
    // The pool's charts mark both rollouts: each started and completed.
    view->showPane(ui::MasterView::Charts);
    view->chartsPane()->showPool(QStringLiteral("web"));
    QTRY_VERIFY_WITH_TIMEOUT(view->chartsPane()->rolloutMarkerCount() >= 4, 10000);
    if (!shot.isEmpty()) {
        view->chartsPane()->setWindow(60);
        QTest::qWait(2500); // a few points of the pool's lines
        QVERIFY(window.grab().save(QString::fromLocal8Bit(shot).replace(
            QStringLiteral(".png"), QStringLiteral("-charts.png"))));
    }
}

// The jobs pane on an embedded master: Run now starts a run of a job that runs only when asked,
// and the pane follows it to its end: succeeded in the jobs table and in the runs list, its
// log lines in the log view, a bar of its duration, a marker on its pool's chart. A job whose
// run is going may be cancelled; Run now while one goes is refused with the master's reason.
void TestConsole::jobsPaneRunsAndCancels()
{
    auto backend = embedded("  - name: web\n    command: [\"sleep\", \"1000\"]\n"
                            "    stop: {timeout: 2s}\n"
                            "  - name: report\n    command: [\"sh\", \"-c\", \"echo 'report line "
                            "1'; echo 'report line 2'; sleep 1; echo done\"]\n"
                            "    schedule: manual\n"
                            "  - name: slow\n    command: [\"sleep\", \"60\"]\n"
                            "    schedule: manual\n    stop: {timeout: 2s}\n");
    QVERIFY(backend);
    {
        ui::MainWindow window(backend, QStringLiteral("Embedded master (test)"));
        window.resize(1180, 700);
        window.show();
        ui::MasterView *view = window.current();
        view->showPane(ui::MasterView::Jobs);
        ui::JobsPane *pane = view->jobsPane();
        models::JobsModel *jobs = view->bridge()->jobs();
        QTRY_COMPARE_WITH_TIMEOUT(jobs->rowCount(), 2, 5000); // the jobs, not the plain pool
        QCOMPARE(jobs->rowOf("web"), -1);
        pane->selectJob(QStringLiteral("report"));
        QCOMPARE(pane->selectedJob(), QStringLiteral("report"));
        QTRY_COMPARE_WITH_TIMEOUT(pane->runs()->pool(), QStringLiteral("report"), 5000);
        QCOMPARE(pane->runs()->rowCount(), 0);
        // An embedded master is admin: Run now is there; nothing to cancel.
        QVERIFY(pane->action(ui::JobsPane::RunNow)->isEnabled());
        QVERIFY(!pane->action(ui::JobsPane::Cancel)->isEnabled());

        pane->action(ui::JobsPane::RunNow)->trigger();
        const int row = jobs->rowOf("report");
        // Going: counted in the table, listed as running, and Cancel is there.
        QTRY_COMPARE_WITH_TIMEOUT(jobs->index(row, models::JobsModel::Active).data().toInt(), 1,
                                  5000);
        QTRY_VERIFY_WITH_TIMEOUT(pane->runs()->run(1) && pane->runs()->run(1)->running(), 5000);
        QVERIFY(pane->action(ui::JobsPane::Cancel)->isEnabled());
        QVERIFY2(window.statusBar()->currentMessage().contains(QStringLiteral("report")),
                 qPrintable(window.statusBar()->currentMessage()));
        // Ended: succeeded in the table and in the list, selected, with its log lines.
        QTRY_COMPARE_WITH_TIMEOUT(jobs->index(row, models::JobsModel::Succeeded).data().toInt(), 1,
                                  10'000);
        QCOMPARE(jobs->index(row, 0).data(models::JobsModel::OutcomeRole).toString(),
                 QStringLiteral("succeeded"));
        QCOMPARE(jobs->index(row, models::JobsModel::Active).data().toInt(), 0);
        QVERIFY(!pane->action(ui::JobsPane::Cancel)->isEnabled());
        QTRY_COMPARE_WITH_TIMEOUT(pane->runs()->run(1)->outcome, std::string("succeeded"), 5000);
        QCOMPARE(pane->selectedRun(), std::uint64_t(1));
        QCOMPARE(pane->runsView()
                     ->model()
                     ->index(0, models::JobRunsModel::Outcome)
                     .data(models::JobRunsModel::OutcomeRole)
                     .toString(),
                 QStringLiteral("succeeded"));
        const QString log = pane->log()->toPlainText();
        QVERIFY2(log.contains(QStringLiteral("report line 1")) &&
                     log.contains(QStringLiteral("report line 2")) &&
                     log.contains(QStringLiteral("done")),
                 qPrintable(log));
        QVERIFY2(pane->runTitle()->text().contains(QStringLiteral("exit:0")),
                 qPrintable(pane->runTitle()->text()));
        QCOMPARE(pane->durations()->shown().size(), std::size_t(1));
        QVERIFY(pane->runs()->run(1)->durationMs() >= 1000); // it slept a second
        QCOMPARE(pane->durations()->barColor(0),
                 models::JobsModel::outcomeColor(QStringLiteral("succeeded")));
        // Its runs are asked for when its counts change, not on a timer.
        const int requests = pane->historyRequests();
        QVERIFY2(requests <= 4, qPrintable(QString::number(requests)));
        QTest::qWait(1500);
        QCOMPARE(pane->historyRequests(), requests);

        // The sidebar names the job as one; a click on it opens its runs.
        view->showPane(ui::MasterView::Workers);
        QTreeWidgetItem *master = window.sidebar()->topLevelItem(0);
        QTRY_COMPARE_WITH_TIMEOUT(master->childCount(), 3, 5000);
        QTreeWidgetItem *item = master->child(0); // report, slow, web
        QCOMPARE(item->data(0, Qt::UserRole).toString(), QStringLiteral("report"));
        QVERIFY2(!item->text(0).contains(QLatin1Char('/')), qPrintable(item->text(0)));
        pane->selectJob(QStringLiteral("slow"));
        window.sidebar()->scrollToItem(item);
        QTest::mouseClick(window.sidebar()->viewport(), Qt::LeftButton, {},
                          window.sidebar()->visualItemRect(item).center());
        QCOMPARE(window.tabs()->currentWidget(), pane);
        QCOMPARE(pane->selectedJob(), QStringLiteral("report"));

        // A long run: cancelled from the pane; Run now while it goes is refused.
        pane->selectJob(QStringLiteral("slow"));
        QTRY_COMPARE_WITH_TIMEOUT(pane->runs()->pool(), QStringLiteral("slow"), 5000);
        QVERIFY(pane->log()->toPlainText().isEmpty());
        pane->action(ui::JobsPane::RunNow)->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(pane->action(ui::JobsPane::Cancel)->isEnabled(), 5000);
        QTRY_VERIFY_WITH_TIMEOUT(pane->runs()->run(1) && pane->runs()->run(1)->running(), 5000);
        QSignalSpy messages(pane, &ui::JobsPane::message);
        pane->action(ui::JobsPane::RunNow)->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(messages.count(), 1, 5000);
        const QString refused = messages[0][0].toString();
        QVERIFY2(refused.contains(QStringLiteral("run 1 is still going")), qPrintable(refused));
        QTRY_COMPARE_WITH_TIMEOUT(window.statusBar()->currentMessage(), refused, 5000);
        pane->action(ui::JobsPane::Cancel)->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(pane->runs()->run(1) ? pane->runs()->run(1)->outcome
                                                       : std::string(),
                                  std::string("cancelled"), 10'000);
        QTRY_VERIFY_WITH_TIMEOUT(!pane->action(ui::JobsPane::Cancel)->isEnabled(), 5000);
        QCOMPARE(jobs->job("slow")->failed, std::uint64_t(1));

        // The runs on their pools' charts: a marker where each ended.
        view->showPane(ui::MasterView::Charts);
        view->chartsPane()->showPool(QStringLiteral("report"));
        QTRY_COMPARE_WITH_TIMEOUT(view->chartsPane()->jobRunMarkerCount(), 1, 10'000);
        QCOMPARE(view->chartsPane()->markerCount(), 0); // not the run's worker's exit as well
        view->chartsPane()->showPool(QStringLiteral("slow"));
        QTRY_COMPARE_WITH_TIMEOUT(view->chartsPane()->jobRunMarkerCount(), 1, 10'000);
        view->chartsPane()->showPool(QStringLiteral("web"));
        QTest::qWait(300);
        QCOMPARE(view->chartsPane()->jobRunMarkerCount(), 0);
    }
    backend.reset(); // stops its workers
    QVERIFY(test::killLeftovers(m_mark, 3000).empty());
}

// The pictures of the jobs pane in docs/screenshots: the demo config, run until its job has
// had a run of each kind (about two minutes), when DROVER_JOBS_SHOT names the file (and
// DROVER_JOBS_SHOT_LANG=de for German). Also the pool's chart with its runs, beside it
// (console-jobs-en.png: console-jobs-charts-en.png). Without DROVER_JOBS_SHOT the same pictures
// go to the test's own directory after the demo job's first run.
void TestConsole::jobsScreenshot()
{
    const bool forDocs = qEnvironmentVariableIsSet("DROVER_JOBS_SHOT");
    const QString shot = forDocs ? qEnvironmentVariable("DROVER_JOBS_SHOT")
                                 : m_dir.filePath(QStringLiteral("console-jobs-en.png"));
    const QString chartsShot =
        QString(shot).replace(QRegularExpression(QStringLiteral("(-[a-z][a-z])?\\.png$")),
                              QStringLiteral("-charts\\1.png"));
    const QString lang = qEnvironmentVariable("DROVER_JOBS_SHOT_LANG", QStringLiteral("en"));
    QCOMPARE(ui::installTranslations(lang), lang);
    // A state dir under a HOME of the test's own: no path of this machine in the picture.
    const QByteArray home = m_dir.filePath(QStringLiteral("home")).toUtf8();
    QDir().mkpath(QString::fromUtf8(home));
    // Put back after this case: podman, in the cases after it, keeps its state under them.
    struct Restore
    {
        std::vector<std::pair<const char *, std::optional<QByteArray>>> saved;
        void set(const char *name, const QByteArray &value)
        {
            saved.emplace_back(name, qEnvironmentVariableIsSet(name)
                                         ? std::optional<QByteArray>(qgetenv(name))
                                         : std::nullopt);
            qputenv(name, value);
        }
        ~Restore()
        {
            for (const auto &[name, value] : saved) {
                if (value)
                    qputenv(name, *value);
                else
                    qunsetenv(name);
            }
        }
    } env;
    env.set("HOME", home);
    env.set("DROVER_DEMO_WORKER", DROVER_BIN_DIR "/drover-demo-worker");
    env.set("XDG_RUNTIME_DIR", home);
    QFile file(QStringLiteral(DROVER_SOURCE_DIR "/resources/examples/demo.yaml"));
    QVERIFY(file.open(QIODevice::ReadOnly));
    const std::string text = file.readAll().toStdString();
    config::LoadOptions load; // after the environment above: the demo's ${VAR}s read it
    load.baseDir = m_dir.path().toStdString();
    auto loaded =
        config::loadText(text, m_dir.filePath(QStringLiteral("demo.yaml")).toStdString(), load);
    QVERIFY2(loaded.ok(), loaded.report().c_str());
    engine::EngineOptions options;
    for (char **e = environ; *e; ++e)
        options.masterEnv.emplace_back(*e);
    options.masterEnv.push_back(m_mark);
    options.cgroupParent = drover::test::testCgroupParent();
    std::shared_ptr<local::LocalBackend> backend(new local::LocalBackend(options),
                                                 [](local::LocalBackend *b) {
                                                     b->shutdown();
                                                     delete b;
                                                 });
    QVERIFY(backend->start(std::make_shared<config::Config>(std::move(*loaded.config))).ok());
    {
        ui::MainWindow window(backend, QCoreApplication::translate("main", "Embedded master (%1)")
                                           .arg(QStringLiteral("demo.yaml")));
        window.resize(1180, 720);
        window.show();
        ui::MasterView *view = window.current();
        view->showPane(ui::MasterView::Jobs);
        ui::JobsPane *pane = view->jobsPane();
        models::JobsModel *jobs = view->bridge()->jobs();
        QTRY_COMPARE_WITH_TIMEOUT(jobs->rowCount(), 1, 10'000);
        // Six runs make the demo's cycle: one failed, one over its deadline, four succeeded.
        auto ended = [&] {
            const api::JobStatus *j = jobs->job("nightly-report");
            return j ? j->succeeded + j->failed : 0;
        };
        QTRY_VERIFY_WITH_TIMEOUT(ended() >= (forDocs ? 7u : 1u), 180'000);
        if (forDocs) {
            QTRY_VERIFY_WITH_TIMEOUT(jobs->job("nightly-report")->active > 0, 60'000);
            QTest::qWait(1500);
        }
        // The failed run's lines, which say most.
        for (const api::JobRun &r : pane->runs()->rows()) {
            if (r.outcome == "failed")
                pane->selectRun(r.number);
        }
        QTest::qWait(300);
        QVERIFY(window.grab().save(shot));
        view->showPane(ui::MasterView::Charts);
        view->chartsPane()->showPool(QStringLiteral("nightly-report"));
        QTRY_VERIFY_WITH_TIMEOUT(view->chartsPane()->jobRunMarkerCount() >= (forDocs ? 6 : 1),
                                 10'000);
        QTest::qWait(forDocs ? 1500 : 300);
        QVERIFY(window.grab().save(chartsShot));
        for (const QString &png : {shot, chartsShot})
            QCOMPARE(QImage(png).size(), window.grab().size());
    }
    backend.reset();
    QVERIFY(test::killLeftovers(m_mark, 3000).empty());
}

#include "tst_console.moc"
