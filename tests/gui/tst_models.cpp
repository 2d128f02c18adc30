// The console's models over a real embedded master: BackendBridge feeding WorkersModel and
// PoolsModel from a LocalBackend that runs real processes, with QAbstractItemModelTester on
// every model and on a sort/filter proxy; and the row bookkeeping of KeyedTableModel checked
// signal by signal.
#include "../integration/markedprocesses.h"
#include "config/loader.h"
#include "embeddedmaster.h"
#include "local/localbackend.h"
#include "models/backendbridge.h"
#include "models/eventsmodel.h"
#include "models/poolsmodel.h"
#include "models/rolloutsmodel.h"
#include "models/workerfilter.h"
#include "models/workersmodel.h"

#include <QAbstractItemModelTester>
#include <QElapsedTimer>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QTemporaryDir>
#include <QTest>
#include <QUuid>

#include <nlohmann/json.hpp>

extern char **environ;

using namespace drover;
using models::PoolsModel;
using models::WorkersModel;
using nlohmann::json;

namespace {

api::WorkerInfo worker(const std::string &id, int pid = 0)
{
    api::WorkerInfo w;
    w.id = id;
    w.pool = "p";
    w.pid = pid;
    w.state = pid ? api::WorkerState::Ready : api::WorkerState::Stopped;
    return w;
}

} // namespace

class TestModels : public QObject
{
    Q_OBJECT

private slots:
    void keyedRowsSendOnlyWhatChanged();
    void rolloutRowSaysWhereItIs();
    void liveMaster();

private:
    /// Waits for the reply of one request on the backend's thread.
    static api::Reply call(api::Backend &backend, const std::string &op, const json &args)
    {
        return test::callAndWait(backend, op, args);
    }
};

// Rows that come or go are inserted or removed, changed rows are dataChanged ranges, and a
// row whose value did not change sends nothing.
void TestModels::keyedRowsSendOnlyWhatChanged()
{
    WorkersModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    std::vector<api::WorkerInfo> rows;
    for (int i = 0; i < 6; ++i)
        rows.push_back(worker("w-" + std::to_string(i), 100 + i));
    model.reset(rows);
    QCOMPARE(model.rowCount(), 6);

    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    QSignalSpy reset(&model, &QAbstractItemModel::modelReset);

    std::map<std::string, std::optional<api::WorkerInfo>> batch;
    batch["w-1"] = worker("w-1", 201); // changed
    batch["w-2"] = worker("w-2", 202); // changed, next to w-1: one range
    batch["w-4"] = rows[4];            // the same as before: nothing
    batch["w-3"] = std::nullopt;       // gone
    batch["w-5"] = std::nullopt;       // gone
    batch["w-9"] = worker("w-9", 109); // new
    batch["w-7"] = worker("w-7", 107); // new
    model.apply(batch);

    QCOMPARE(reset.count(), 0);
    QCOMPARE(removed.count(), 2); // rows 5 and 3 are not neighbours
    QCOMPARE(changed.count(), 1);
    QCOMPARE(changed[0][0].value<QModelIndex>().row(), 1);
    QCOMPARE(changed[0][1].value<QModelIndex>().row(), 2);
    QCOMPARE(inserted.count(), 1);
    QCOMPARE(inserted[0][1].toInt(), 4);
    QCOMPARE(inserted[0][2].toInt(), 5);
    QStringList ids;
    for (int r = 0; r < model.rowCount(); ++r)
        ids << model.index(r, WorkersModel::Name).data().toString();
    QCOMPARE(ids,
             (QStringList{QStringLiteral("w-0"), QStringLiteral("w-1"), QStringLiteral("w-2"),
                          QStringLiteral("w-4"), QStringLiteral("w-7"), QStringLiteral("w-9")}));
    QCOMPARE(model.index(1, WorkersModel::Pid).data().toInt(), 201);
    QCOMPARE(model.rowOf("w-9"), 5);
    QCOMPARE(model.rowOf("w-3"), -1);

    // Neighbouring removals are one signal.
    removed.clear();
    model.apply({{"w-1", std::nullopt}, {"w-2", std::nullopt}});
    QCOMPARE(removed.count(), 1);
    QCOMPARE(model.rowCount(), 4);
}

// The embedded master: rows appear, follow restarts and scaling, through the bridge's
// coalesced drains; every model and a proxy pass QAbstractItemModelTester throughout.
void TestModels::liveMaster()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const std::string mark =
        "DROVER_TEST_MARK=" + QUuid::createUuid().toString(QUuid::WithoutBraces).toStdString();
    const std::string text =
        "version: 1\nmaster:\n  state_dir: \"" + dir.path().toStdString() +
        "/state\"\npools:\n"
        "  - name: web\n    command: [\"sleep\", \"1000\"]\n    replicas: 3\n"
        "    stop: {timeout: 2s}\n"
        "  - name: flap\n    command: [\"sh\", \"-c\", \"sleep 0.2; exit 3\"]\n"
        "    restart: {policy: always, backoff: {initial: 0ms, max: 1ms}, "
        "max_restarts: 100000, window: 1s}\n";
    auto loaded = config::loadText(text, dir.filePath(QStringLiteral("drover.yaml")).toStdString());
    QVERIFY2(loaded.ok(), loaded.report().c_str());
    engine::EngineOptions options;
    for (char **e = environ; *e; ++e)
        options.masterEnv.emplace_back(*e);
    options.masterEnv.push_back(mark);
    options.cgroupParent = drover::test::testCgroupParent();
    auto backend = std::make_shared<local::LocalBackend>(options);
    {
        models::BackendBridge bridge(backend);
        QAbstractItemModelTester workersTester(
            bridge.workers(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QAbstractItemModelTester poolsTester(
            bridge.pools(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSortFilterProxyModel proxy;
        proxy.setSourceModel(bridge.workers());
        proxy.setSortRole(WorkersModel::SortRole);
        proxy.setFilterKeyColumn(WorkersModel::Pool);
        proxy.sort(WorkersModel::Name);
        QAbstractItemModelTester proxyTester(
            &proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
        // The workers pane's own proxy, and the events pane's model and search.
        models::WorkerFilter filter;
        filter.setSourceModel(bridge.workers());
        filter.sort(WorkersModel::Name);
        QAbstractItemModelTester filterTester(
            &filter, QAbstractItemModelTester::FailureReportingMode::QtTest);
        models::EventsModel events;
        QObject::connect(&bridge, &models::BackendBridge::eventsArrived, &events,
                         &models::EventsModel::append);
        QAbstractItemModelTester eventsTester(
            &events, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSortFilterProxyModel eventSearch;
        eventSearch.setSourceModel(&events);
        eventSearch.setFilterKeyColumn(-1);
        eventSearch.setFilterFixedString(QStringLiteral("web-1"));
        QAbstractItemModelTester searchTester(
            &eventSearch, QAbstractItemModelTester::FailureReportingMode::QtTest);
        bridge.start();
        QVERIFY(backend->start(std::make_shared<config::Config>(std::move(*loaded.config))).ok());

        WorkersModel *workers = bridge.workers();
        auto pidOf = [&](const char *id) {
            int row = workers->rowOf(id);
            return row < 0 ? 0 : workers->index(row, WorkersModel::Pid).data().toInt();
        };
        QTRY_COMPARE_WITH_TIMEOUT(workers->rowCount(), 4, 5000);
        QTRY_VERIFY_WITH_TIMEOUT(pidOf("web-2") > 0, 5000);
        QVERIFY(bridge.role() == api::Role::Admin);
        QVERIFY(!bridge.configVersion().isEmpty());
        QTRY_COMPARE_WITH_TIMEOUT(bridge.pools()->rowCount(), 2, 5000);

        // Sorted naturally by the proxy, filtered by pool.
        proxy.setFilterFixedString(QStringLiteral("web"));
        QCOMPARE(proxy.rowCount(), 3);
        QCOMPARE(proxy.index(0, WorkersModel::Name).data().toString(), QStringLiteral("web-0"));
        QCOMPARE(proxy.index(2, WorkersModel::Name).data().toString(), QStringLiteral("web-2"));
        proxy.setFilterFixedString({});

        // The pane's proxy sorts naturally and filters by state.
        filter.setPool(QStringLiteral("web"));
        QCOMPARE(filter.rowCount(), 3);
        QCOMPARE(filter.index(2, WorkersModel::Name).data().toString(), QStringLiteral("web-2"));
        filter.setPool({});
        QTRY_VERIFY_WITH_TIMEOUT(events.rowCount() >= 6, 5000);
        QVERIFY(eventSearch.rowCount() >= 1);
        QVERIFY(eventSearch.rowCount() < events.rowCount());

        // A restart: the row's pid changes, the row stays.
        const int before = pidOf("web-1");
        const int row = workers->rowOf("web-1");
        QVERIFY(call(*backend, "worker.restart", {{"worker", "web-1"}}).ok());
        QTRY_VERIFY_WITH_TIMEOUT(pidOf("web-1") > 0 && pidOf("web-1") != before, 5000);
        QCOMPARE(workers->rowOf("web-1"), row);

        // Scaling: rows go, rows come, without a reset.
        QSignalSpy resets(workers, &QAbstractItemModel::modelReset);
        QVERIFY(call(*backend, "pool.scale", {{"pool", "web"}, {"replicas", 1}}).ok());
        QTRY_COMPARE_WITH_TIMEOUT(workers->rowCount(), 2, 10'000);
        QVERIFY(call(*backend, "pool.scale", {{"pool", "web"}, {"replicas", 5}}).ok());
        QTRY_COMPARE_WITH_TIMEOUT(workers->rowCount(), 6, 10'000);
        QTRY_VERIFY_WITH_TIMEOUT(pidOf("web-4") > 0, 5000);
        QCOMPARE(resets.count(), 0);
        const int webRow = bridge.pools()->rowOf("web");
        QTRY_COMPARE_WITH_TIMEOUT(bridge.pools()->index(webRow, PoolsModel::Desired).data().toInt(),
                                  5, 5000);

        // The flapping worker sends deltas all the time; the GUI takes them in batches.
        QTRY_VERIFY_WITH_TIMEOUT(
            workers->index(workers->rowOf("flap-0"), WorkersModel::Restarts).data().toInt() >= 5,
            10'000);
        QVERIFY2(bridge.deltasSeen() > bridge.drains(),
                 qPrintable(QStringLiteral("%1 deltas in %2 drains")
                                .arg(bridge.deltasSeen())
                                .arg(bridge.drains())));
        QCOMPARE(workers->index(workers->rowOf("flap-0"), WorkersModel::LastExit).data().toString(),
                 QStringLiteral("exit:3"));
    }
    backend->shutdown();
    backend.reset();
    QVERIFY(test::killLeftovers(mark, 3000).empty());
}

QTEST_MAIN(TestModels)
void TestModels::rolloutRowSaysWhereItIs()
{
    models::RolloutsModel model;
    QAbstractItemModelTester tester(&model);
    api::RolloutInfo r;
    r.pool = "web";
    r.number = 3;
    r.strategy = "canary";
    r.phase = "progressing";
    r.fromRevision = "aaa";
    r.toRevision = "bbb";
    r.desired = 4;
    r.updatedReady = 1;
    r.old = 4;
    r.startedAtMs = 1'000;
    r.deadlineAtMs = 61'000;
    r.step = "step 1 of 2 (25%): 0 of 12 requests failed so far";
    model.setNowMs(11'000);
    model.reset({r});
    auto text = [&](int column) { return model.index(0, column).data().toString(); };
    QCOMPARE(text(models::RolloutsModel::Revisions), QStringLiteral("aaa → bbb"));
    QCOMPARE(text(models::RolloutsModel::NewReady), QStringLiteral("1 of 4"));
    QCOMPARE(text(models::RolloutsModel::Deadline), QStringLiteral("10 s in, 50 s left"));
    QVERIFY(text(models::RolloutsModel::Step).startsWith(QStringLiteral("step 1 of 2")));
    QVERIFY(model.index(0, 0).data(models::RolloutsModel::ActiveRole).toBool());
    // Paused: no deadline runs. Rolled back: the reason, and how long it took.
    r.phase = "paused";
    r.deadlineAtMs = 0;
    model.apply({{"web", r}});
    QCOMPARE(text(models::RolloutsModel::Deadline), QStringLiteral("10 s in, paused"));
    r.phase = "rolled-back";
    r.reason = "canary step 1 of 2 (25%): 5 of 20 requests failed (25%), over max_error_rate 1%";
    r.finishedAtMs = 13'500;
    model.apply({{"web", r}});
    QCOMPARE(text(models::RolloutsModel::Deadline), QStringLiteral("took 12.5 s"));
    QCOMPARE(text(models::RolloutsModel::Step), QString::fromStdString(r.reason));
    QVERIFY(!model.index(0, 0).data(models::RolloutsModel::ActiveRole).toBool());
    model.apply({{"web", std::nullopt}});
    QCOMPARE(model.rowCount(), 0);
}

#include "tst_models.moc"
