// The console's main window, offscreen, on real masters: an embedded one (LocalBackend on a
// test config) and a real droverd reached with a viewer's token. Rows appear, actions act
// (restart changes the pid, stop asks first), filters filter, a viewer's actions are disabled
// with the reason, the layout survives a restart of the console, German loads, the rollouts
// pane follows an applied change to its end and undoes it.
#include "../integration/droverdfixture.h"
#include "config/loader.h"
#include "embeddedmaster.h"
#include "local/localbackend.h"
#include "models/backendbridge.h"
#include "models/poolsmodel.h"
#include "models/rolloutsmodel.h"
#include "models/workerfilter.h"
#include "models/workersmodel.h"
#include "ui/chartspane.h"
#include "ui/eventspane.h"
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
#include <QFileInfo>
#include <QHeaderView>
#include <QLabel>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QSettings>
#include <QStandardPaths>
#include <QTableView>
#include <QTest>
#include <QTextBrowser>
#include <QTreeWidget>

#include <sys/stat.h>

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
        master.yaml("  - name: web\n    command: [\"sleep\", \"1000\"]\n    replicas: 2\n")));
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
        QTRY_VERIFY_WITH_TIMEOUT(
            window.current() && window.current()->bridge()->workers()->rowCount() == 1, 15'000);
        QCOMPARE(asks, 1);
        QVERIFY(window.current()->link().state == ui::MasterLink::State::Connected);
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

#include "tst_console.moc"
