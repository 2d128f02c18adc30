// The console's models over a real embedded master: BackendBridge feeding WorkersModel,
// PoolsModel and JobsModel from a LocalBackend that runs real processes, with
// QAbstractItemModelTester on every model and on a sort/filter proxy; and the row bookkeeping
// of KeyedTableModel, JobsModel and JobRunsModel checked signal by signal.
#include "../integration/markedprocesses.h"
#include "config/loader.h"
#include "embeddedmaster.h"
#include "local/localbackend.h"
#include "models/backendbridge.h"
#include "models/eventsmodel.h"
#include "models/jobsmodel.h"
#include "models/metricseriesstore.h"
#include "models/poolsmodel.h"
#include "models/rolloutsmodel.h"
#include "models/workerfilter.h"
#include "models/workersmodel.h"

#include <QAbstractItemModelTester>
#include <QBrush>
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
    void jobRowsFollowPoolDeltas();
    void jobRunsMergeByNumber();
    void jobMarkerText();
    void liveMaster();
    void liveJobs();

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

// The jobs among the pools: only pools whose PoolInfo has a job are rows; a pool delta that
// changes nothing of its job sends nothing, a change of its counts sends the columns that show
// them, and a pool that goes or stops being a job takes its row with it.
void TestModels::jobRowsFollowPoolDeltas()
{
    models::JobsModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setNowMs(100'000);
    api::PoolInfo web;
    web.name = "web";
    web.desired = 2;
    api::PoolInfo report;
    report.name = "report";
    api::JobStatus job;
    job.schedule = "*/20 * * * * *";
    job.timezone = "UTC";
    job.concurrency = "forbid";
    job.nextRunAtMs = 112'000;
    report.job = job;
    model.resetPools({web, report});
    QCOMPARE(model.rowCount(), 1);
    QCOMPARE(model.rowOf("web"), -1);
    auto text = [&](const char *pool, int column) {
        return model.index(model.rowOf(pool), column).data().toString();
    };
    QCOMPARE(text("report", models::JobsModel::Job), QStringLiteral("report"));
    QCOMPARE(text("report", models::JobsModel::Schedule), QStringLiteral("*/20 * * * * * (UTC)"));
    QVERIFY2(text("report", models::JobsModel::NextRun).endsWith(QStringLiteral("(in 12 s)")),
             qPrintable(text("report", models::JobsModel::NextRun)));
    QCOMPARE(text("report", models::JobsModel::LastResult), QStringLiteral("no run yet"));
    QCOMPARE(text("report", models::JobsModel::Took), QString());

    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    QSignalSpy reset(&model, &QAbstractItemModel::modelReset);

    // The pools' counts change, not the job: nothing for the jobs table.
    web.ready = 2;
    report.ready = 1;
    model.applyPools({{"web", web}, {"report", report}});
    QCOMPARE(changed.count(), 0);

    // A run ended: its counts and result change, in the columns that show them.
    job.runs = 1;
    job.succeeded = 1;
    job.lastNumber = 1;
    job.lastOutcome = "succeeded";
    job.lastDurationMs = 3'200;
    job.lastSuccessAtMs = 99'000;
    report.job = job;
    model.applyPools({{"report", report}});
    QCOMPARE(changed.count(), 1);
    QCOMPARE(changed[0][0].value<QModelIndex>().column(), int(models::JobsModel::LastResult));
    QCOMPARE(changed[0][1].value<QModelIndex>().column(), int(models::JobsModel::Succeeded));
    QCOMPARE(text("report", models::JobsModel::LastResult), QStringLiteral("succeeded"));
    QCOMPARE(text("report", models::JobsModel::Took), QStringLiteral("3.2 s"));
    QCOMPARE(model.index(0, models::JobsModel::Succeeded).data().toInt(), 1);
    QCOMPARE(model.index(0, models::JobsModel::LastResult)
                 .data(Qt::ForegroundRole)
                 .value<QBrush>()
                 .color(),
             models::JobsModel::outcomeColor(QStringLiteral("succeeded")));
    // A second run, going; then over its deadline.
    job.active = 1;
    job.runs = 2;
    job.lastNumber = 2;
    report.job = job;
    model.applyPools({{"report", report}});
    QCOMPARE(model.index(0, models::JobsModel::Active).data().toInt(), 1);
    QCOMPARE(model.index(0, 0).data(models::JobsModel::ActiveRole).toInt(), 1);
    job.active = 0;
    job.failed = 1;
    job.lastOutcome = "deadline";
    job.lastDurationMs = 10'000;
    report.job = job;
    model.applyPools({{"report", report}});
    QCOMPARE(text("report", models::JobsModel::LastResult), QStringLiteral("over its deadline"));
    QCOMPARE(model.index(0, 0).data(models::JobsModel::OutcomeRole).toString(),
             QStringLiteral("deadline"));
    QCOMPARE(model.index(0, models::JobsModel::Failed).data().toInt(), 1);
    QCOMPARE(model.job("report")->lastDurationMs, std::int64_t(10'000));

    // A pool that is no job never becomes a row; a new job does, as a row inserted.
    api::PoolInfo batch;
    batch.name = "batch";
    model.applyPools({{"batch", batch}});
    QCOMPARE(model.rowCount(), 1);
    QCOMPARE(inserted.count(), 0);
    api::PoolInfo backup;
    backup.name = "backup";
    backup.job = api::JobStatus{};
    backup.job->schedule = "manual";
    model.applyPools({{"backup", backup}});
    QCOMPARE(inserted.count(), 1);
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(text("backup", models::JobsModel::Schedule), QStringLiteral("only when asked"));
    QCOMPARE(text("backup", models::JobsModel::NextRun), QStringLiteral("when asked"));

    // A pool that stops being a job, and one that is removed: their rows go.
    report.job.reset();
    model.applyPools({{"report", report}});
    QCOMPARE(model.rowCount(), 1);
    QCOMPARE(model.rowOf("report"), -1);
    QVERIFY(!model.job("report"));
    model.applyPools({{"backup", std::nullopt}, {"gone", std::nullopt}});
    QCOMPARE(model.rowCount(), 0);
    QCOMPARE(removed.count(), 2);
    QCOMPARE(reset.count(), 0);
}

namespace {

api::JobRun jobRun(std::uint64_t number, const char *outcome, std::int64_t startedAtMs,
                   std::int64_t endedAtMs)
{
    api::JobRun r;
    r.pool = "report";
    r.number = number;
    r.trigger = "schedule";
    r.worker = "report-0";
    r.startedAtMs = startedAtMs;
    r.endedAtMs = endedAtMs;
    r.outcome = outcome;
    return r;
}

} // namespace

// A job's runs, reply after reply: merged by number (the run that ended changes in place, new
// runs come, runs no longer kept go), newest first through a proxy; another job's runs reset.
void TestModels::jobRunsMergeByNumber()
{
    models::JobRunsModel runs;
    QAbstractItemModelTester tester(&runs, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSortFilterProxyModel newestFirst;
    newestFirst.setSourceModel(&runs);
    newestFirst.setSortRole(models::JobRunsModel::NumberRole);
    newestFirst.sort(models::JobRunsModel::Run, Qt::DescendingOrder);
    QAbstractItemModelTester proxyTester(&newestFirst,
                                         QAbstractItemModelTester::FailureReportingMode::QtTest);
    runs.setNowMs(50'000);
    api::JobRun failed = jobRun(2, "failed", 20'000, 21'500);
    failed.exit = "exit:1";
    failed.reason = "exit:1";
    api::JobRun going = jobRun(3, "running", 40'000, 0);
    runs.setRuns(QStringLiteral("report"),
                 {going, failed, jobRun(1, "succeeded", 1'000, 4'000)}); // newest first
    QCOMPARE(runs.rowCount(), 3);
    QCOMPARE(newestFirst.index(0, 0).data(models::JobRunsModel::NumberRole).toULongLong(),
             qulonglong(3));
    auto cell = [&](std::uint64_t number, int column) {
        return runs.index(runs.rowOf(std::to_string(number)), column).data().toString();
    };
    QCOMPARE(cell(3, models::JobRunsModel::Took), QStringLiteral("10.0 s so far"));
    QCOMPARE(cell(3, models::JobRunsModel::Outcome), QStringLiteral("running"));
    QCOMPARE(cell(2, models::JobRunsModel::Detail), QStringLiteral("exit:1")); // not twice
    QCOMPARE(cell(1, models::JobRunsModel::Took), QStringLiteral("3.0 s"));
    QCOMPARE(cell(1, models::JobRunsModel::Trigger), QStringLiteral("schedule"));

    QSignalSpy inserted(&runs, &QAbstractItemModel::rowsInserted);
    QSignalSpy removed(&runs, &QAbstractItemModel::rowsRemoved);
    QSignalSpy changed(&runs, &QAbstractItemModel::dataChanged);
    QSignalSpy reset(&runs, &QAbstractItemModel::modelReset);
    // Run 3 ended, run 4 (by hand) is going, run 1 is no longer kept.
    api::JobRun ended = going;
    ended.outcome = "deadline";
    ended.endedAtMs = 50'000;
    ended.reason = "over its deadline of 10s";
    ended.log = "waiting for a slow query";
    api::JobRun manual = jobRun(4, "running", 49'000, 0);
    manual.trigger = "manual";
    manual.by = "console";
    runs.setRuns(QStringLiteral("report"), {manual, ended, failed});
    QCOMPARE(reset.count(), 0);
    QCOMPARE(removed.count(), 1);
    QCOMPARE(changed.count(), 1);
    QCOMPARE(inserted.count(), 1);
    QCOMPARE(runs.rowCount(), 3);
    QVERIFY(!runs.run(1));
    QCOMPARE(runs.run(3)->log, std::string("waiting for a slow query"));
    QCOMPARE(cell(3, models::JobRunsModel::Outcome), QStringLiteral("over its deadline"));
    QCOMPARE(cell(3, models::JobRunsModel::Detail), QStringLiteral("over its deadline of 10s"));
    QCOMPARE(cell(4, models::JobRunsModel::Trigger), QStringLiteral("by console"));
    QCOMPARE(newestFirst.index(0, 0).data(models::JobRunsModel::NumberRole).toULongLong(),
             qulonglong(4));
    QCOMPARE(newestFirst.index(2, 0).data(models::JobRunsModel::NumberRole).toULongLong(),
             qulonglong(2));
    QCOMPARE(runs.index(runs.rowOf("3"), models::JobRunsModel::Outcome)
                 .data(Qt::ForegroundRole)
                 .value<QBrush>()
                 .color(),
             models::JobsModel::outcomeColor(QStringLiteral("deadline")));

    // Another job: its runs instead, in one reset.
    runs.setRuns(QStringLiteral("backup"), {jobRun(7, "succeeded", 1'000, 2'000)});
    QCOMPARE(reset.count(), 1);
    QCOMPARE(runs.rowCount(), 1);
    QCOMPARE(runs.pool(), QStringLiteral("backup"));
}

// A job's run on the charts says its number, how it ended and how long it took.
void TestModels::jobMarkerText()
{
    api::Event e;
    e.id = 9;
    e.timeMs = 1'000;
    e.kind = "job.finished";
    e.subject = "nightly-report";
    e.message =
        "job nightly-report run 12 was stopped at its deadline after 10.004s (signal:SIGTERM)";
    e.reason = "deadline";
    QCOMPARE(models::markerKind(e), std::optional(models::MarkerKind::JobRun));
    QCOMPARE(models::MetricSeriesStore::jobRunText(e),
             QStringLiteral("Run 12: over its deadline after 10.0 s (signal:SIGTERM)"));
    models::MetricSeriesStore store;
    store.setMarkerFilter([](const api::Event &) { return true; });
    store.addEvents({e});
    QCOMPARE(store.markers().size(), std::size_t(1));
    QCOMPARE(store.markers()[0].outcome, QStringLiteral("deadline"));
    // Another shape of message is shown as it is.
    e.message = "run 12 ended";
    QCOMPARE(models::MetricSeriesStore::jobRunText(e), QStringLiteral("run 12 ended"));
}

// A job on an embedded master: its row comes with the snapshot (the plain pool beside it never
// is one), a run asked for ends as succeeded in it, and it goes when the config drops the job.
void TestModels::liveJobs()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const std::string mark =
        "DROVER_TEST_MARK=" + QUuid::createUuid().toString(QUuid::WithoutBraces).toStdString();
    const QString stateDir = dir.path() + QStringLiteral("/state");
    const std::string web = "  - name: web\n    command: [\"sleep\", \"1000\"]\n"
                            "    stop: {timeout: 2s}\n";
    auto backend = test::startEmbedded(
        web + "  - name: report\n    command: [\"sh\", \"-c\", \"echo made; exit 0\"]\n"
              "    schedule: manual\n",
        stateDir, mark);
    QVERIFY(backend);
    {
        models::BackendBridge bridge(backend);
        QAbstractItemModelTester tester(bridge.jobs(),
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        bridge.start();
        models::JobsModel *jobs = bridge.jobs();
        QTRY_COMPARE_WITH_TIMEOUT(bridge.pools()->rowCount(), 2, 5000);
        QCOMPARE(jobs->rowCount(), 1);
        QCOMPARE(jobs->rowOf("web"), -1);
        const int row = jobs->rowOf("report");
        QCOMPARE(row, 0);
        QCOMPARE(jobs->index(row, models::JobsModel::Schedule).data(models::JobsModel::ValueRole),
                 QVariant(QStringLiteral("manual")));

        auto run = call(*backend, "job.run", {{"pool", "report"}});
        QVERIFY2(run.ok(), run.ok() ? "" : run.error().message.c_str());
        QTRY_COMPARE_WITH_TIMEOUT(jobs->index(row, models::JobsModel::Succeeded).data().toInt(), 1,
                                  10'000);
        QCOMPARE(jobs->index(row, 0).data(models::JobsModel::OutcomeRole).toString(),
                 QStringLiteral("succeeded"));
        QCOMPARE(jobs->index(row, models::JobsModel::Active).data().toInt(), 0);
        QCOMPARE(jobs->job("report")->lastNumber, std::uint64_t(1));

        // The config without the job: its row goes, the plain pool stays.
        const std::string text =
            "version: 1\nmaster:\n  state_dir: \"" + stateDir.toStdString() + "\"\npools:\n" + web;
        auto applied = call(*backend, "config.apply", {{"text", text}});
        QVERIFY2(applied.ok(), applied.ok() ? "" : applied.error().message.c_str());
        QTRY_COMPARE_WITH_TIMEOUT(jobs->rowCount(), 0, 10'000);
        QTRY_COMPARE_WITH_TIMEOUT(bridge.pools()->rowCount(), 1, 10'000);
    }
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
