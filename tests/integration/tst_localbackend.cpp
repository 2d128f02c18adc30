// LocalBackend, the console's embedded master: the engine on its own thread behind the Backend
// interface. Called from this (the "GUI") thread: a snapshot then gapless deltas, every
// request answered exactly once on the engine thread, subscriptions made before start.
// Every worker carries a marker in its environment; a test fails if any is left running.
#include "config/loader.h"
#include "local/localbackend.h"
#include "markedprocesses.h"

#include <QTemporaryDir>
#include <QTest>
#include <QUuid>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <condition_variable>
#include <csignal>
#include <dirent.h>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <thread>
#include <unistd.h>

extern char **environ;

using namespace drover;
using nlohmann::json;
using test::markedProcesses;

namespace {

/// What a listener saw, guarded: callbacks come on the engine thread, the test reads here.
struct Recorder : api::StreamListener
{
    mutable std::mutex mutex;
    int snapshots = 0;
    std::uint64_t snapshotSeq = 0;
    std::vector<std::uint64_t> seqs;
    std::map<std::string, api::WorkerInfo> workers;
    std::vector<std::thread::id> threads;
    int metricBatches = 0;
    std::vector<std::string> lastBatch;  ///< series names of the newest metric batch
    std::map<std::string, int> pointsOf; ///< points received per series
    int points(const std::string &series) const
    {
        std::lock_guard lock(mutex);
        auto it = pointsOf.find(series);
        return it == pointsOf.end() ? 0 : it->second;
    }

    void onSnapshot(const api::Snapshot &s) override
    {
        std::lock_guard lock(mutex);
        ++snapshots;
        snapshotSeq = s.seq;
        threads.push_back(std::this_thread::get_id());
        for (const api::WorkerInfo &w : s.workers)
            workers[w.id] = w;
    }
    void onDelta(const api::Delta &d) override
    {
        std::lock_guard lock(mutex);
        seqs.push_back(d.seq);
        threads.push_back(std::this_thread::get_id());
        if (d.kind == api::DeltaKind::WorkerUpsert) {
            const auto &w = std::get<api::WorkerInfo>(d.value);
            workers[w.id] = w;
        } else if (d.kind == api::DeltaKind::WorkerRemoved) {
            workers.erase(std::get<std::string>(d.value));
        }
    }
    void onMetrics(const api::MetricBatch &batch) override
    {
        std::lock_guard lock(mutex);
        ++metricBatches;
        lastBatch.clear();
        for (const auto &point : batch.points) {
            lastBatch.push_back(point.series);
            ++pointsOf[point.series];
        }
    }
    bool lastBatchHas(const std::string &series) const
    {
        std::lock_guard lock(mutex);
        return std::find(lastBatch.begin(), lastBatch.end(), series) != lastBatch.end();
    }
    api::WorkerState state(const std::string &id) const
    {
        std::lock_guard lock(mutex);
        auto it = workers.find(id);
        return it == workers.end() ? api::WorkerState::Pending : it->second.state;
    }
    int pid(const std::string &id) const
    {
        std::lock_guard lock(mutex);
        auto it = workers.find(id);
        return it == workers.end() ? 0 : it->second.pid;
    }
};

/// Collects replies: how many came for each request, and on which thread.
class Replies
{
public:
    api::ReplyFn expect(int key)
    {
        return [this, key](api::Reply reply) {
            std::lock_guard lock(m_mutex);
            m_count[key] += 1;
            m_replies.insert_or_assign(key, std::move(reply));
            m_threads[key] = std::this_thread::get_id();
            m_changed.notify_all();
        };
    }
    /// Waits for the reply to `key`; nothing after `ms`.
    std::optional<api::Reply> wait(int key, int ms = 30000)
    {
        std::unique_lock lock(m_mutex);
        if (!m_changed.wait_for(lock, std::chrono::milliseconds(ms),
                                [&] { return m_replies.count(key) > 0; }))
            return std::nullopt;
        return m_replies.at(key);
    }
    int count(int key) const
    {
        std::lock_guard lock(m_mutex);
        auto it = m_count.find(key);
        return it == m_count.end() ? 0 : it->second;
    }
    std::thread::id thread(int key) const
    {
        std::lock_guard lock(m_mutex);
        return m_threads.at(key);
    }

private:
    mutable std::mutex m_mutex;
    std::condition_variable m_changed;
    std::map<int, api::Reply> m_replies;
    std::map<int, int> m_count;
    std::map<int, std::thread::id> m_threads;
};

} // namespace

class TestLocalBackend : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();
    void requestBeforeStart();
    void streamAndRequests();
    void probeLatencyIsLive();

private:
    std::shared_ptr<const config::Config> load(const std::string &pools);

    std::unique_ptr<QTemporaryDir> m_dir;
    std::string m_mark;
    std::unique_ptr<local::LocalBackend> m_backend;
};

void TestLocalBackend::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_mark = "DROVER_TEST_MARK=" + QUuid::createUuid().toString(QUuid::WithoutBraces).toStdString();
    engine::EngineOptions options;
    for (char **e = environ; *e; ++e)
        options.masterEnv.emplace_back(*e);
    options.masterEnv.push_back(m_mark);
    options.cgroupParent = drover::test::testCgroupParent();
    options.sampleInterval = std::chrono::milliseconds(200);
    m_backend = std::make_unique<local::LocalBackend>(options);
}

void TestLocalBackend::cleanup()
{
    if (m_backend) {
        m_backend->shutdown();
        m_backend.reset();
    }
    const std::vector<int> left = test::killLeftovers(m_mark);
    QVERIFY2(left.empty(),
             qPrintable(QStringLiteral("%1 worker processes left running").arg(left.size())));
}

std::shared_ptr<const config::Config> TestLocalBackend::load(const std::string &pools)
{
    std::string text = "version: 1\nmaster: {state_dir: " + m_dir->path().toStdString() +
                       "/state}\npools:\n" + pools;
    config::LoadResult result = config::loadText(text, "test.yaml");
    if (!result.ok()) {
        qWarning("%s", result.report().c_str());
        return nullptr;
    }
    return std::make_shared<const config::Config>(std::move(*result.config));
}

// A probe's latency is recorded at the probe's interval, not every second: each check still
// reaches a subscriber following the series, once.
void TestLocalBackend::probeLatencyIsLive()
{
    auto config = load("  - name: p\n"
                       "    command: [\"sleep\", \"100\"]\n"
                       "    probes:\n"
                       "      readiness: {exec: {command: [\"true\"]}, interval: 1500ms}\n");
    QVERIFY(config);
    auto rec = std::make_shared<Recorder>();
    std::uint64_t id = m_backend->subscribe(rec, 0);
    m_backend->setMetricSeries(id, {"worker/p-0/probe/"});
    auto started = m_backend->start(config);
    QVERIFY2(started.ok(), started.ok() ? "" : started.error().message.c_str());
    const std::string series = "worker/p-0/probe/readiness/latency_ms";
    QTRY_VERIFY_WITH_TIMEOUT(rec->points(series) >= 3, 10'000);
    // Each check once: as many points as the health history has results (the newest may
    // still be on its way).
    Replies replies;
    const int received = rec->points(series);
    m_backend->request("health.history", json{{"worker", "p-0"}}, replies.expect(1));
    QVERIFY(replies.wait(1) && replies.wait(1)->ok());
    const int checks = int(replies.wait(1)->value()["results"].size());
    QVERIFY2(received <= checks && received >= checks - 2,
             qPrintable(QStringLiteral("%1 received, %2 checks").arg(received).arg(checks)));
}

// Before start() there is no engine: a request is answered `unavailable`, once.
void TestLocalBackend::requestBeforeStart()
{
    Replies replies;
    m_backend->request("worker.restart", json{{"worker", "p-0"}}, replies.expect(1));
    std::optional<api::Reply> reply = replies.wait(1);
    QVERIFY(reply);
    QVERIFY(!reply->ok());
    QCOMPARE(std::string(api::toString(reply->error().code)), std::string("unavailable"));
    QTest::qWait(50);
    QCOMPARE(replies.count(1), 1);
}

void TestLocalBackend::streamAndRequests()
{
    auto config = load("  - name: p\n"
                       "    command: [\"sh\", \"-c\", \"echo started $DROVER_WORKER; exec sleep "
                       "100\"]\n"
                       "    replicas: 2\n");
    QVERIFY(config);
    // Subscribed before start: sees the empty snapshot, then every worker come up.
    auto early = std::make_shared<Recorder>();
    std::uint64_t earlyId = m_backend->subscribe(early, 0);
    m_backend->setMetricSeries(earlyId, {"worker/"});
    auto started = m_backend->start(config);
    QVERIFY2(started.ok(), started.ok() ? "" : started.error().message.c_str());
    QTRY_VERIFY_WITH_TIMEOUT(early->state("p-0") == api::WorkerState::Ready &&
                                 early->state("p-1") == api::WorkerState::Ready,
                             10000);
    {
        std::lock_guard lock(early->mutex);
        QCOMPARE(early->snapshots, 1);
        QCOMPARE(early->snapshotSeq, std::uint64_t(0));
    }
    QTRY_VERIFY_WITH_TIMEOUT(early->metricBatches >= 2, 5000);
    // Sleeping workers are looked at rarely and their series held: the batches still carry
    // them every time.
    QTRY_VERIFY_WITH_TIMEOUT(early->metricBatches >= 12, 10000);
    QVERIFY(early->lastBatchHas("worker/p-0/rss_bytes"));
    QVERIFY(early->lastBatchHas("worker/p-1/cpu_percent"));

    // Subscribed later: a snapshot with both workers, then deltas from snapshot.seq + 1.
    auto late = std::make_shared<Recorder>();
    m_backend->subscribe(late, 0);
    QTRY_VERIFY_WITH_TIMEOUT(late->state("p-1") == api::WorkerState::Ready, 5000);

    Replies replies;
    const int oldPid = late->pid("p-0");
    QVERIFY(oldPid > 0);
    m_backend->request("worker.restart", json{{"worker", "p-0"}}, replies.expect(1));
    m_backend->request("pool.scale", json{{"pool", "p"}, {"replicas", 3}}, replies.expect(2));
    m_backend->request("no.such.op", json::object(), replies.expect(3));
    m_backend->request("worker.stop", json{{"worker", "nobody"}}, replies.expect(4));
    for (int key = 1; key <= 4; ++key)
        QVERIFY2(replies.wait(key), qPrintable(QStringLiteral("no reply to request %1").arg(key)));
    QVERIFY(replies.wait(1)->ok());
    QVERIFY(replies.wait(1)->value()["worker"]["pid"].get<int>() != oldPid);
    QVERIFY(replies.wait(2)->ok());
    QCOMPARE(std::string(api::toString(replies.wait(3)->error().code)), std::string("bad_request"));
    QCOMPARE(std::string(api::toString(replies.wait(4)->error().code)), std::string("not_found"));
    QTRY_VERIFY_WITH_TIMEOUT(late->state("p-2") == api::WorkerState::Ready, 10000);

    const std::string log = m_dir->path().toStdString() + "/state/logs/p-2.log";
    auto logText = [&] {
        std::ifstream in(log);
        std::stringstream buf;
        buf << in.rdbuf();
        return buf.str();
    };
    QTRY_COMPARE_WITH_TIMEOUT(logText(), std::string("started p-2\n"), 5000);
    m_backend->request("logs.tail", json{{"worker", "p-2"}, {"lines", 5}}, replies.expect(5));
    m_backend->request("events.query", json{{"subject", "p-0"}}, replies.expect(6));
    m_backend->request("metrics.query", json{{"series", "master/rss_bytes"}}, replies.expect(7));
    m_backend->request("worker.stop", json{{"worker", "p-1"}}, replies.expect(8));
    for (int key = 5; key <= 8; ++key)
        QVERIFY2(replies.wait(key) && replies.wait(key)->ok(),
                 qPrintable(QStringLiteral("request %1 failed").arg(key)));
    QVERIFY(replies.wait(5)->value()["lines"] == json::array({"started p-2"}));
    QVERIFY(replies.wait(6)->value()["events"].size() >= 3);
    QVERIFY(late->state("p-1") == api::WorkerState::Stopped);

    // Exactly one reply each, all on the engine thread, none on ours.
    QTest::qWait(100);
    const std::thread::id engineThread = replies.thread(1);
    QVERIFY(engineThread != std::this_thread::get_id());
    for (int key = 1; key <= 8; ++key) {
        QCOMPARE(replies.count(key), 1);
        QVERIFY(replies.thread(key) == engineThread);
    }

    // The stream: one snapshot, then deltas without a gap, all on the engine thread.
    for (const auto &rec : {early, late}) {
        std::lock_guard lock(rec->mutex);
        QCOMPARE(rec->snapshots, 1);
        QVERIFY(!rec->seqs.empty());
        QCOMPARE(rec->seqs.front(), rec->snapshotSeq + 1);
        for (std::size_t i = 1; i < rec->seqs.size(); ++i)
            QCOMPARE(rec->seqs[i], rec->seqs[i - 1] + 1);
        for (std::thread::id t : rec->threads)
            QVERIFY(t == engineThread);
    }

    // shutdown() returns once every worker is gone.
    m_backend->shutdown();
    QVERIFY(markedProcesses(m_mark).empty());
    QTRY_VERIFY_WITH_TIMEOUT(early->state("p-0") == api::WorkerState::Stopped, 1000);
}

QTEST_GUILESS_MAIN(TestLocalBackend)
#include "tst_localbackend.moc"
