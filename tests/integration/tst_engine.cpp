// The engine with real processes: spawning, crash loops and backoff, stopping process trees,
// scaling, depends_on, re-adoption, PID files, limits, logs, reload and 1000 workers.
// Every worker carries a marker in its environment; a test fails if any is left running.
#include "engine/observe/metricsstore.h"
#include "engine/statestore.h"
#include "enginefixture.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QTest>
#include <QUuid>

#include <boost/asio/io_context.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <csignal>
#include <dirent.h>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <utility> // before Asio: Boost 1.74 + g++ 12

extern char **environ;

using namespace drover;
using api::WorkerState;
using nlohmann::json;
using test::alive;
using test::markedProcesses;
using test::readFile;
using test::Recorder;

class TestEngine : public QObject, public test::EngineFixture
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    void spawnsWithEnvAndLog();
    void cannotSpawn_data();
    void cannotSpawn();
    void crashLoopBackoff();
    void restartPolicies_data();
    void restartPolicies();
    void stopKillsAfterTimeout();
    void stopsProcessTreeWhole();
    void crashTakesItsTreeAlong();
    void scaleUpAndDown();
    void dependsOnOrdersStartAndStop();
    void readoptAfterMasterLoss();
    void pidReuseIsGuarded();
    void stateJournal();
    void adoptsFromPidFile();
    void nofileLimit();
    void nofileRaisedForMasterOnly();
    void memoryLimitKills();
    void logRotationAndTail();
    void reloadChangesPools();
    void requestsAnswerOnce();
    void resumeFromSeq();
    void usageIsSampled();
    void thousandWorkers();
};

void TestEngine::init()
{
    setUp();
}

void TestEngine::cleanup()
{
    tearDown();
}

void TestEngine::spawnsWithEnvAndLog()
{
    start(R"(pools:
  - name: p
    command: ["sh", "-c", "echo hello $DROVER_WORKER $PORT $DROVER_POOL $GREETING; exec sleep 100"]
    env: {GREETING: "hi-{{index}}"}
    replicas: 2
    ports: 20100-20109
)");
    QVERIFY(runUntil([&] {
        return m_rec->state("p-0") == WorkerState::Ready &&
               m_rec->state("p-1") == WorkerState::Ready;
    }));
    auto w0 = m_rec->workers["p-0"], w1 = m_rec->workers["p-1"];
    QVERIFY(alive(w0.pid) && alive(w1.pid));
    QCOMPARE(w0.port.value_or(0), 20100);
    QCOMPARE(w1.port.value_or(0), 20101);
    QCOMPARE(getpgid(w0.pid), w0.pid); // its own process group
    std::string log = m_engine->stateDir() + "/logs/p-0.log";
    QVERIFY(runUntil([&] { return readFile(log).find("hello") != std::string::npos; }));
    QCOMPARE(readFile(log), std::string("hello p-0 20100 p hi-0\n"));
    // The path through states: starting, running, then ready (no readiness probe).
    std::vector<std::string> path;
    for (const auto &e : m_rec->transitions("p-1"))
        path.push_back(e.to);
    QVERIFY(path == (std::vector<std::string>{"starting", "running", "ready"}));
    // stdin is /dev/null.
    QCOMPARE(QFile::symLinkTarget(QStringLiteral("/proc/%1/fd/0").arg(w0.pid)),
             QStringLiteral("/dev/null"));
    QCOMPARE(m_rec->pools["p"].ready, 2);
}

void TestEngine::cannotSpawn_data()
{
    QTest::addColumn<QString>("pool");
    QTest::addColumn<QString>("reason");
    QTest::newRow("missing command")
        << "command: [\"no-such-program-drover\"]"
        << "command not found: \"no-such-program-drover\" (searched PATH=";
    QTest::newRow("missing file") << "command: [\"/nonexistent/drover/x\"]"
                                  << "cannot execute \"/nonexistent/drover/x\": No such file or "
                                     "directory";
    QTest::newRow("not executable")
        << "command: [\"@DIR@/plain.txt\"]"
        << "cannot execute \"@DIR@/plain.txt\": Permission denied (not executable)";
    QTest::newRow("bad cwd") << "command: [\"sleep\", \"10\"]\n    cwd: /nonexistent/dir"
                             << "cannot change to directory \"/nonexistent/dir\": No such file "
                                "or directory";
}

void TestEngine::cannotSpawn()
{
    QFETCH(QString, pool);
    QFETCH(QString, reason);
    QFile plain(m_dir->filePath(QStringLiteral("plain.txt")));
    QVERIFY(plain.open(QIODevice::WriteOnly));
    plain.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    pool.replace(QStringLiteral("@DIR@"), m_dir->path());
    reason.replace(QStringLiteral("@DIR@"), m_dir->path());
    start("pools:\n  - name: bad\n    " + pool.toStdString() + "\n");
    QVERIFY(runUntil([&] { return m_rec->state("bad-0") == WorkerState::Failed; }));
    const std::string &got = m_rec->workers["bad-0"].reason;
    QVERIFY2(got.rfind(reason.toStdString(), 0) == 0, got.c_str());
    QCOMPARE(m_rec->workers["bad-0"].pid, 0);
}

void TestEngine::crashLoopBackoff()
{
    start(R"(pools:
  - name: c
    command: ["sh", "-c", "exit 3"]
    restart: {policy: on-failure, backoff: {initial: 100ms, max: 1s, factor: 2, jitter: 0},
              max_restarts: 3, window: 1m}
)");
    QVERIFY(runUntil([&] { return m_rec->state("c-0") == WorkerState::Failed; }, 15000));
    // exited -> backoff 100 ms, 200 ms, 400 ms -> failed on the 4th crash.
    std::vector<std::int64_t> backoffAt, startAt;
    for (const auto &e : m_rec->transitions("c-0")) {
        if (e.to == "backoff")
            backoffAt.push_back(e.timeMs);
        if (e.to == "starting" && !backoffAt.empty())
            startAt.push_back(e.timeMs);
    }
    QCOMPARE(backoffAt.size(), std::size_t(3));
    QCOMPARE(startAt.size(), std::size_t(3));
    const std::int64_t expected[] = {100, 200, 400};
    for (int i = 0; i < 3; ++i) {
        std::int64_t waited = startAt[i] - backoffAt[i];
        qInfo("backoff %d: %lld ms (expected %lld)", i, (long long)waited, (long long)expected[i]);
        QVERIFY(waited >= expected[i] - 5);
        QVERIFY(waited <= expected[i] + 250); // a loaded 2-core machine
    }
    const api::WorkerInfo &w = m_rec->workers["c-0"];
    QCOMPARE(w.reason, std::string("restart limit: 4 crashes within 1m (last exit:3)"));
    QCOMPARE(w.restarts, 4);
    QCOMPARE(w.lastExit, std::string("exit:3"));
    // The backoff reason says when and why.
    const auto transitions = m_rec->transitions("c-0");
    auto firstBackoff = std::find_if(transitions.begin(), transitions.end(),
                                     [](const api::Event &e) { return e.to == "backoff"; });
    QVERIFY(firstBackoff != transitions.end());
    QCOMPARE(firstBackoff->reason, std::string("restart in 100ms (exit:3)"));
    // One exit, one transition: straight from its process's state to backoff (no `exited`
    // step), in one worker delta that carries how it ended and when it starts again.
    QVERIFY(std::none_of(transitions.begin(), transitions.end(),
                         [](const api::Event &e) { return e.to == "exited"; }));
    QCOMPARE(firstBackoff->from, std::string("ready"));
    int backoffDeltas = 0;
    for (const api::Delta &d : m_rec->deltas) {
        if (d.kind != api::DeltaKind::WorkerUpsert)
            continue;
        const auto &w = std::get<api::WorkerInfo>(d.value);
        if (w.id == "c-0" && w.state == WorkerState::Backoff) {
            ++backoffDeltas;
            QCOMPARE(w.lastExit, std::string("exit:3"));
            QVERIFY(w.nextStartAtMs > 0);
            QVERIFY(w.reason.starts_with("restart in "));
        }
    }
    QCOMPARE(backoffDeltas, 3);
    // An operator start brings it back with the counter reset; operator restarts don't count.
    json r = call("worker.start", {{"worker", "c-0"}});
    QCOMPARE(r["changed"].get<bool>(), true);
    QVERIFY(runUntil([&] { return m_rec->workers["c-0"].restarts >= 1; }));
    QVERIFY(m_rec->workers["c-0"].restarts <= 2);
}

void TestEngine::restartPolicies_data()
{
    QTest::addColumn<QString>("policy");
    QTest::addColumn<int>("code");
    QTest::addColumn<bool>("restarts");
    QTest::newRow("never, failing") << "never" << 1 << false;
    QTest::newRow("on-failure, clean") << "on-failure" << 0 << false;
    QTest::newRow("on-failure, failing") << "on-failure" << 2 << true;
    QTest::newRow("always, clean") << "always" << 0 << true;
}

void TestEngine::restartPolicies()
{
    QFETCH(QString, policy);
    QFETCH(int, code);
    QFETCH(bool, restarts);
    start("pools:\n  - name: j\n    command: [\"sh\", \"-c\", \"sleep 0.1; exit " +
          std::to_string(code) + "\"]\n    restart: {policy: " + policy.toStdString() +
          ", backoff: {initial: 50ms, jitter: 0}, max_restarts: 50}\n");
    QVERIFY(runUntil([&] { return !m_rec->workers["j-0"].lastExit.empty(); }));
    runUntil([] { return false; }, 400);
    const api::WorkerInfo &w = m_rec->workers["j-0"];
    QCOMPARE(w.lastExit, "exit:" + std::to_string(code));
    if (restarts) {
        QVERIFY(w.restarts >= 2);
    } else {
        QCOMPARE(w.restarts, 0);
        QVERIFY(w.state == WorkerState::Exited);
        QCOMPARE(w.reason, "exit:" + std::to_string(code));
    }
}

void TestEngine::stopKillsAfterTimeout()
{
    start(R"(pools:
  - name: s
    command: ["${BIN}/drover-demo-worker", "--port", "{{port}}", "--ignore-sigterm"]
    ports: 20200-20201
    stop: {signal: SIGTERM, timeout: 500ms}
    probes:
      readiness: {tcp: {port: "{{port}}"}, interval: 100ms}
)");
    // Ready once it listens, which the demo worker does after it ignores SIGTERM.
    QVERIFY(runUntil([&] { return m_rec->state("s-0") == WorkerState::Ready; }));
    int pid = m_rec->workers["s-0"].pid;
    QElapsedTimer t;
    t.start();
    json r = call("worker.stop", {{"worker", "s-0"}});
    qint64 took = t.elapsed();
    qInfo("stop took %lld ms (timeout 500 ms)", took);
    QVERIFY(took >= 480);
    QVERIFY(took < 3000);
    QCOMPARE(r["worker"]["state"].get<std::string>(), std::string("stopped"));
    QCOMPARE(r["worker"]["reason"].get<std::string>(),
             std::string("operator; killed after the stop timeout (signal:SIGKILL)"));
    QVERIFY(!alive(pid));
    // Stopped stays stopped.
    runUntil([] { return false; }, 200);
    QVERIFY(m_rec->state("s-0") == WorkerState::Stopped);
}

void TestEngine::stopsProcessTreeWhole()
{
    start(R"(pools:
  - name: t
    command: ["sh", "-c", "sleep 100 & sleep 100 & (sleep 100 &) ; wait"]
    stop: {timeout: 2s}
)");
    QVERIFY(runUntil([&] { return m_rec->state("t-0") == WorkerState::Ready; }));
    QVERIFY(runUntil([&] { return markedProcesses(m_mark).size() == 4; }));
    call("worker.stop", {{"worker", "t-0"}});
    QVERIFY(m_rec->state("t-0") == WorkerState::Stopped);
    QVERIFY(runUntil([&] { return markedProcesses(m_mark).empty(); }, 3000));
}

void TestEngine::crashTakesItsTreeAlong()
{
    // The leader exits and leaves a child behind: the child is killed with it.
    start(R"(pools:
  - name: o
    command: ["sh", "-c", "sleep 100 & sleep 0.2; exit 1"]
    restart: {policy: never}
)");
    QVERIFY(runUntil([&] { return m_rec->state("o-0") == WorkerState::Exited; }));
    QVERIFY(runUntil([&] { return markedProcesses(m_mark).empty(); }, 3000));
}

void TestEngine::scaleUpAndDown()
{
    start(R"(pools:
  - name: s
    command: ["sleep", "100"]
    replicas: 2
    ports: 20300-20309
)");
    QVERIFY(runUntil([&] { return m_rec->pools["s"].ready == 2; }));
    json r = call("pool.scale", {{"pool", "s"}, {"replicas", 5}});
    QCOMPARE(r["pool"]["desired"].get<int>(), 5);
    QVERIFY(runUntil([&] { return m_rec->pools["s"].ready == 5; }));
    std::set<int> ports;
    for (int i = 0; i < 5; ++i)
        ports.insert(m_rec->workers["s-" + std::to_string(i)].port.value_or(0));
    QCOMPARE(ports, (std::set<int>{20300, 20301, 20302, 20303, 20304}));
    // Down to 2: the newest three go (s-4, s-3, s-2), and are removed.
    call("pool.scale", {{"pool", "s"}, {"replicas", 2}});
    QVERIFY(runUntil([&] { return m_rec->workers.size() == 2; }));
    QVERIFY(m_rec->workers.count("s-0") && m_rec->workers.count("s-1"));
    QCOMPARE(m_rec->pools["s"].running, 2);
    // Up again: the lowest free indices and ports come back.
    call("pool.scale", {{"pool", "s"}, {"replicas", 3}});
    QVERIFY(runUntil([&] { return m_rec->state("s-2") == WorkerState::Ready; }));
    QCOMPARE(m_rec->workers["s-2"].port.value_or(0), 20302);
    api::Error err;
    call("pool.scale", {{"pool", "s"}, {"replicas", 11}}, &err);
    QCOMPARE(std::string(api::toString(err.code)), std::string("bad_request"));
    QCOMPARE(err.message,
             std::string("args.replicas: 11 is out of range for pool \"s\" (0 to 10)"));
    call("pool.scale", {{"pool", "nope"}, {"replicas", 1}}, &err);
    QCOMPARE(std::string(api::toString(err.code)), std::string("not_found"));
}

void TestEngine::dependsOnOrdersStartAndStop()
{
    start(R"(pools:
  - name: db
    command: ["sleep", "100"]
  - name: app
    command: ["sleep", "100"]
    replicas: 2
    depends_on: [db]
  - name: broken
    command: ["no-such-program-drover"]
  - name: waits
    command: ["sleep", "100"]
    depends_on: [broken]
)");
    QVERIFY(runUntil([&] { return m_rec->pools["app"].ready == 2; }));
    // app's workers started after db's was up.
    auto firstStart = [&](const std::string &id) {
        for (const auto &e : m_rec->events) {
            if (e.subject == id && e.to == "starting")
                return e.id;
        }
        return std::uint64_t(0);
    };
    auto readyAt = [&](const std::string &id) {
        for (const auto &e : m_rec->events) {
            if (e.subject == id && e.to == "ready")
                return e.id;
        }
        return std::uint64_t(0);
    };
    QVERIFY(readyAt("db-0") < firstStart("app-0"));
    // A dependency that cannot start keeps its dependants waiting, visibly.
    QCOMPARE(m_rec->pools["waits"].waitingFor, std::string("broken"));
    QCOMPARE(m_rec->pools["waits"].running, 0);
    // Shutdown: app's workers stop before db's.
    stopEngine();
    std::uint64_t appStopped = 0, dbStopping = 0;
    for (const auto &e : m_rec->events) {
        if (e.subject == "app-1" && e.to == "stopped")
            appStopped = e.id;
        if (e.subject == "db-0" && e.to == "stopping")
            dbStopping = e.id;
    }
    QVERIFY(appStopped && dbStopping);
    QVERIFY(appStopped < dbStopping);
}

void TestEngine::readoptAfterMasterLoss()
{
    const std::string yaml = R"(pools:
  - name: r
    command: ["sh", "-c", "while :; do echo tick; sleep 0.1; done"]
    replicas: 3
    ports: 20400-20409
    restart: {backoff: {initial: 0ms, jitter: 0}}
)";
    start(yaml);
    QVERIFY(runUntil([&] { return m_rec->pools["r"].ready == 3; }));
    std::map<std::string, int> pids;
    for (auto &[id, w] : m_rec->workers)
        pids[id] = w.pid;
    // The master goes away without stopping anything (as with kill -9).
    m_engine.reset();
    for (auto &[id, pid] : pids)
        QVERIFY(alive(pid));
    std::string log = m_dir->path().toStdString() + "/state/logs/r-1.log";
    auto lines = [&] {
        const std::string text = readFile(log);
        return std::size_t(std::count(text.begin(), text.end(), '\n'));
    };
    const std::size_t before = lines();

    m_rec = std::make_shared<Recorder>();
    QElapsedTimer t;
    t.start();
    start(yaml);
    QVERIFY(runUntil([&] { return m_rec->pools["r"].ready == 3; }));
    qInfo("re-adopted 3 workers in %lld ms", t.elapsed());
    for (auto &[id, pid] : pids) {
        QCOMPARE(m_rec->workers[id].pid, pid);
        QCOMPARE(m_rec->workers[id].port.value_or(0), 20400 + m_rec->workers[id].index);
    }
    for (const auto &e : m_rec->events)
        QVERIFY2(e.to != "starting", e.message.c_str()); // nothing spawned
    QCOMPARE(m_rec->workers["r-0"].reason, std::string("no readiness probe"));
    QVERIFY(m_rec->transitions("r-0")[0].reason.find("re-adopted pid") == 0);
    // Its log goes on.
    QVERIFY(runUntil([&] { return lines() > before + 2; }, 3000));
    // A re-adopted worker that dies is restarted like any other.
    ::kill(pids["r-1"], SIGKILL);
    QVERIFY(runUntil([&] {
        const auto &w = m_rec->workers["r-1"];
        return w.state == WorkerState::Ready && w.pid != pids["r-1"];
    }));
    QCOMPARE(m_rec->workers["r-1"].restarts, 1);
}

// The state store's journal on its own: replay, a line cut short, a bad line, records of the
// file-per-worker layout folded in, and rewriting that keeps it small.
void TestEngine::stateJournal()
{
    const std::string dir = m_dir->path().toStdString() + "/journal";
    auto record = [](std::string id, int pid) {
        engine::WorkerRecord r;
        r.id = std::move(id);
        r.pool = "j";
        r.pid = pid;
        r.pgid = pid;
        r.startTime = 1000 + std::uint64_t(pid);
        r.port = 20000 + pid;
        return r;
    };
    auto lineCount = [&] {
        const std::string text = readFile(dir + "/workers.journal");
        return std::size_t(std::count(text.begin(), text.end(), '\n'));
    };
    {
        engine::StateStore store(dir);
        QVERIFY(!store.open());
        std::vector<std::string> problems;
        QVERIFY(store.load(problems).empty());
        QVERIFY(problems.empty());
        QVERIFY(!store.save(record("j-0", 100)));
        QVERIFY(!store.save(record("j-1", 101)));
        QVERIFY(!store.save(record("j-2", 102)));
        store.remove("j-1");
        QVERIFY(!store.save(record("j-2", 202))); // restarted: the newer record counts
        QCOMPARE(lineCount(), std::size_t(5));
    }
    // A master killed in the middle of a write leaves at most a line without its newline;
    // a damaged line is reported and skipped. A record of the older layout is read too.
    {
        std::ofstream(dir + "/workers.journal", std::ios::app) << "not json\n{\"op\":\"up\",\"id";
        QDir().mkpath(QString::fromStdString(dir + "/workers"));
        std::ofstream(dir + "/workers/old-0.json")
            << R"({"id":"old-0","pool":"old","pid":300,"start_time":7})";
    }
    {
        engine::StateStore store(dir);
        QVERIFY(!store.open());
        std::vector<std::string> problems;
        std::vector<engine::WorkerRecord> live = store.load(problems);
        QCOMPARE(problems.size(), std::size_t(1));
        QVERIFY2(problems[0].find("workers.journal\" line 6: not a worker record") !=
                     std::string::npos,
                 problems[0].c_str());
        std::map<std::string, engine::WorkerRecord> byId;
        for (auto &r : live)
            byId[r.id] = r;
        QCOMPARE(byId.size(), std::size_t(3));
        QCOMPARE(byId["j-0"].pid, 100);
        QCOMPARE(byId["j-0"].port.value_or(0), 20100);
        QCOMPARE(byId["j-2"].pid, 202);
        QCOMPARE(byId["j-2"].startTime, std::uint64_t(1202));
        QCOMPARE(byId["old-0"].pid, 300);
        QVERIFY(!byId.count("j-1"));
        // Rewritten with the live records only; the old layout's file folded in and gone.
        QCOMPARE(lineCount(), std::size_t(3));
        QVERIFY(!QFileInfo::exists(QString::fromStdString(dir + "/workers")));
        // A worker restarted 5000 times: the journal stays near four times the live records
        // (or 1024 lines) instead of growing without end.
        for (int i = 0; i < 5000; ++i) {
            store.remove("j-0");
            QVERIFY(!store.save(record("j-0", 1000 + i)));
        }
        QVERIFY2(lineCount() <= 1025, std::to_string(lineCount()).c_str());
    }
    engine::StateStore store(dir);
    QVERIFY(!store.open());
    std::vector<std::string> problems;
    std::vector<engine::WorkerRecord> live = store.load(problems);
    QVERIFY(problems.empty());
    QCOMPARE(live.size(), std::size_t(3));
    for (const auto &r : live) {
        if (r.id == "j-0")
            QCOMPARE(r.pid, 5999);
    }
}

void TestEngine::pidReuseIsGuarded()
{
    // A record whose pid now belongs to another process (different start time).
    pid_t other = fork();
    if (other == 0) {
        execlp("sleep", "sleep", "100", nullptr);
        _exit(127);
    }
    m_ownChildren.push_back(other);
    QDir().mkpath(m_dir->filePath(QStringLiteral("state")));
    engine::StateStore store(m_dir->path().toStdString() + "/state");
    engine::WorkerRecord rec;
    rec.id = "g-0";
    rec.pool = "g";
    rec.pid = other;
    rec.pgid = other;
    rec.startTime = 12345; // not its start time
    QVERIFY(!store.save(rec));
    start("pools:\n  - name: g\n    command: [\"sleep\", \"100\"]\n");
    QVERIFY(runUntil([&] { return m_rec->state("g-0") == WorkerState::Ready; }));
    QVERIFY(m_rec->workers["g-0"].pid != other); // spawned fresh
    QVERIFY(alive(other));                       // and the stranger is untouched
    stopEngine();
    QVERIFY(alive(other));
}

void TestEngine::adoptsFromPidFile()
{
    std::string pidFile = m_dir->path().toStdString() + "/legacy.pid";
    pid_t legacy = fork();
    if (legacy == 0) {
        setenv("DROVER_TEST_MARK", m_mark.substr(m_mark.find('=') + 1).c_str(), 1);
        execlp("sleep", "sleep", "100", nullptr);
        _exit(127);
    }
    m_ownChildren.push_back(legacy);
    std::ofstream(pidFile) << legacy << "\n";
    start("adopted:\n  - name: legacy\n    pid_file: " + pidFile +
          "\n  - name: respawned\n    pid_file: " + m_dir->path().toStdString() +
          "/missing.pid\n    command: [\"sleep\", \"100\"]\n");
    QVERIFY(runUntil([&] { return m_rec->state("legacy") == WorkerState::Ready; }));
    QCOMPARE(m_rec->workers["legacy"].pid, int(legacy));
    QVERIFY(m_rec->workers["legacy"].adopted);
    QVERIFY(m_rec->transitions("legacy")[0].reason.find("adopted pid") == 0);
    // No PID file but a command: started by us.
    QVERIFY(runUntil([&] { return m_rec->state("respawned") == WorkerState::Ready; }));
    // It dies: without a command it cannot be restarted, and says so.
    ::kill(legacy, SIGKILL);
    waitpid(legacy, nullptr, 0);
    QVERIFY(runUntil([&] { return m_rec->state("legacy") == WorkerState::Exited; }));
    QCOMPARE(m_rec->workers["legacy"].reason,
             std::string("exited (status unknown: not started by this droverd); no command to "
                         "restart it"));
    api::Error err;
    call("worker.restart", {{"worker", "legacy"}}, &err);
    QCOMPARE(std::string(api::toString(err.code)), std::string("conflict"));
    // One with a command is restarted when it dies.
    int before = m_rec->workers["respawned"].pid;
    ::kill(before, SIGKILL);
    QVERIFY(runUntil([&] {
        return m_rec->state("respawned") == WorkerState::Ready &&
               m_rec->workers["respawned"].pid != before;
    }));
}

void TestEngine::nofileLimit()
{
    start(R"(pools:
  - name: n
    command: ["sh", "-c", "ulimit -n; exec sleep 100"]
    limits: {nofile: 256}
)");
    QVERIFY(runUntil([&] { return m_rec->state("n-0") == WorkerState::Ready; }));
    std::string log = m_engine->stateDir() + "/logs/n-0.log";
    QVERIFY(runUntil([&] { return !readFile(log).empty(); }));
    QCOMPARE(readFile(log), std::string("256\n"));
    const auto &limits = m_rec->workers["n-0"].limits;
    QVERIFY(std::find(limits.begin(), limits.end(), "nofile 256") != limits.end());
}

// The master raises its own soft open-files limit to the hard one (a thousand workers need
// thousands of descriptors; services start with 1024), and gives its workers the old one.
void TestEngine::nofileRaisedForMasterOnly()
{
    rlimit original{};
    QCOMPARE(::getrlimit(RLIMIT_NOFILE, &original), 0);
    rlimit lowered = original;
    lowered.rlim_cur = std::min<rlim_t>(1024, original.rlim_max / 2);
    QCOMPARE(::setrlimit(RLIMIT_NOFILE, &lowered), 0);
    start(R"(pools:
  - name: n
    command: ["sh", "-c", "ulimit -n; exec sleep 100"]
)");
    rlimit now{};
    ::getrlimit(RLIMIT_NOFILE, &now);
    ::setrlimit(RLIMIT_NOFILE, &original);
    QCOMPARE(now.rlim_cur, original.rlim_max);
    QVERIFY(runUntil([&] { return m_rec->state("n-0") == WorkerState::Ready; }));
    std::string log = m_engine->stateDir() + "/logs/n-0.log";
    QVERIFY(runUntil([&] { return !readFile(log).empty(); }));
    QCOMPARE(readFile(log), std::to_string(lowered.rlim_cur) + "\n");
}

void TestEngine::memoryLimitKills()
{
    if (geteuid() != 0)
        QSKIP("cgroup limits need root on this machine kind");
    start(R"(pools:
  - name: m
    command: ["${BIN}/drover-demo-worker", "--port", "{{port}}", "--grow-memory", "64"]
    ports: 20500-20501
    limits: {memory: 32Mi}
    restart: {policy: never}
)");
    QVERIFY(runUntil([&] { return m_rec->state("m-0") == WorkerState::Ready; }));
    const auto &w = m_rec->workers["m-0"];
    QVERIFY2(w.limitProblems.empty(), w.limitProblems.empty() ? "" : w.limitProblems[0].c_str());
    QVERIFY(runUntil([&] { return m_rec->state("m-0") == WorkerState::Exited; }, 15000));
    QCOMPARE(m_rec->workers["m-0"].lastExit, std::string("limit:memory"));
}

void TestEngine::logRotationAndTail()
{
    engine::EngineOptions options;
    options.sampleInterval = std::chrono::milliseconds(50);
    start(R"(pools:
  - name: l
    command: ["sh", "-c", "i=0; while [ $i -lt 3000 ]; do echo line-$i-0123456789abcdef; i=$((i+1)); [ $((i % 100)) = 0 ] && sleep 0.05; done; exec sleep 100"]
    logs: {max_size: 4Ki, files: 2}
)",
          options);
    std::string log = m_engine->stateDir() + "/logs/l-0.log";
    QVERIFY(runUntil([&] { return QFile::exists(QString::fromStdString(log + ".2")); }));
    QVERIFY(runUntil([&] {
        return (readFile(log) + readFile(log + ".1")).find("line-2999-") != std::string::npos;
    }));
    QVERIFY(runUntil([&] { return QFileInfo(QString::fromStdString(log)).size() <= 4096; }));
    QVERIFY(!QFile::exists(QString::fromStdString(log + ".3")));
    json r = call("logs.tail", {{"worker", "l-0"}, {"lines", 3}});
    QCOMPARE(r["lines"].size(), std::size_t(3));
    QCOMPARE(r["lines"][2].get<std::string>(), std::string("line-2999-0123456789abcdef"));
}

void TestEngine::reloadChangesPools()
{
    start(R"(pools:
  - name: keep
    command: ["sleep", "100"]
    replicas: 2
  - name: gone
    command: ["sleep", "101"]
)");
    QVERIFY(runUntil(
        [&] { return m_rec->pools["keep"].ready == 2 && m_rec->pools["gone"].ready == 1; }));
    int gonePid = m_rec->workers["gone-0"].pid;
    int keepPid = m_rec->workers["keep-0"].pid;
    m_engine->reload(load(R"(pools:
  - name: keep
    command: ["sleep", "100"]
    replicas: 3
  - name: added
    command: ["sleep", "102"]
)"));
    QVERIFY(runUntil([&] {
        return m_rec->pools["keep"].ready == 3 && m_rec->pools.count("added") &&
               m_rec->pools["added"].ready == 1 && !m_rec->pools.count("gone");
    }));
    QVERIFY(!alive(gonePid));
    QCOMPARE(m_rec->workers["keep-0"].pid, keepPid); // untouched
    // A new revision is rolled out (max_surge 1, max_unavailable 0): each new worker is
    // ready before an old one stops.
    std::string oldRevision = m_rec->workers["keep-0"].revision;
    m_engine->reload(load(R"(pools:
  - name: keep
    command: ["sleep", "200"]
    replicas: 3
    rollout: {min_ready: 0s}
  - name: added
    command: ["sleep", "102"]
)"));
    QVERIFY(runUntil([&] {
        int renewed = 0;
        for (auto &[id, w] : m_rec->workers)
            renewed += w.pool == "keep" && w.revision != oldRevision && w.ready();
        return renewed == 3 && m_rec->mirror.rollouts["keep"].phase == "complete";
    }));
    // Never more than one old worker stopping at a time, each after a new one was ready.
    int down = 0, maxDown = 0;
    for (const auto &e : m_rec->events) {
        if (e.subject.rfind("keep-", 0) != 0 || e.kind != "worker.state")
            continue;
        if (e.to == "stopping")
            maxDown = std::max(maxDown, ++down);
        if (e.to == "ready" && e.from == "running" && down > 0)
            --down;
    }
    QCOMPARE(maxDown, 1);
}

void TestEngine::requestsAnswerOnce()
{
    engine::EngineOptions options;
    options.sampleInterval = std::chrono::milliseconds(100);
    start("pools:\n  - name: q\n    command: [\"sh\", \"-c\", \"echo one; echo two; exec sleep "
          "100\"]\n",
          options);
    QVERIFY(runUntil([&] { return m_rec->state("q-0") == WorkerState::Ready; }));
    QVERIFY(runUntil([&] { return m_rec->workers["q-0"].rssBytes > 0; }, 5000));
    api::Error err;
    json tail = call("logs.tail", {{"worker", "q-0"}, {"lines", 10}});
    QVERIFY(tail["lines"] == json::array({"one", "two"}));
    call("logs.tail", {{"worker", "nope"}}, &err);
    QCOMPARE(std::string(api::toString(err.code)), std::string("not_found"));
    call("worker.stop", json::object(), &err);
    QCOMPARE(std::string(api::toString(err.code)), std::string("bad_request"));
    call("no.such.op", json::object(), &err);
    QCOMPARE(err.message, std::string("unknown op \"no.such.op\""));
    json events = call("events.query", {{"subject", "q-0"}});
    QVERIFY(events["events"].size() >= 3);
    QCOMPARE(events["events"][0]["to"].get<std::string>(), std::string("starting"));
    QVERIFY(runUntil([&] {
        return m_engine->metrics().query("worker/q-0/rss_bytes", 0, INT64_MAX).size() >= 2;
    }));
    json m = call("metrics.query", {{"series", "worker/q-0/rss_bytes"}});
    QVERIFY(m["points"].size() >= 1);
    QVERIFY(m["points"][0][1].get<double>() > 0);
    // Restart: one reply, after the new process runs; not counted as a crash.
    int before = m_rec->workers["q-0"].pid;
    json r = call("worker.restart", {{"worker", "q-0"}});
    QVERIFY(r["worker"]["pid"].get<int>() != before);
    QCOMPARE(r["worker"]["restarts"].get<int>(), 0);
}

void TestEngine::resumeFromSeq()
{
    start("pools:\n  - name: z\n    command: [\"sleep\", \"100\"]\n");
    QVERIFY(runUntil([&] { return m_rec->state("z-0") == WorkerState::Ready; }));
    std::uint64_t last = m_rec->deltas.back().seq;
    call("worker.stop", {{"worker", "z-0"}});
    // A subscriber resuming from `last` gets exactly the deltas after it, in order.
    auto late = std::make_shared<Recorder>();
    m_engine->subscribe(late, last);
    QVERIFY(late->snapshot.workers.empty());
    QVERIFY(!late->deltas.empty());
    QCOMPARE(late->deltas.front().seq, last + 1);
    for (std::size_t i = 1; i < late->deltas.size(); ++i)
        QCOMPARE(late->deltas[i].seq, late->deltas[i - 1].seq + 1);
    QVERIFY(late->state("z-0") == WorkerState::Stopped);
    // From a point the ring no longer has: a snapshot.
    auto fresh = std::make_shared<Recorder>();
    m_engine->subscribe(fresh, 0);
    QCOMPARE(fresh->snapshot.workers.size(), std::size_t(1));
    QCOMPARE(fresh->snapshot.seq, late->deltas.back().seq);
}

// CPU %, RSS, threads and open fds of every worker and of the master, from /proc. The busy
// worker spins in two threads besides its idle main thread: its CPU must be the process's,
// not the main thread's.
void TestEngine::usageIsSampled()
{
    engine::EngineOptions options;
    options.sampleInterval = std::chrono::milliseconds(250);
    start("pools:\n"
          "  - name: busy\n"
          "    command: [\"${BIN}/drover-demo-worker\", \"--port\", \"0\", \"--burn-threads\", "
          "\"2\"]\n"
          "  - name: idle\n"
          "    command: [\"sleep\", \"100\"]\n",
          options);
    QVERIFY(runUntil([&] {
        const api::WorkerInfo &busy = m_rec->workers["busy-0"];
        const api::WorkerInfo &idle = m_rec->workers["idle-0"];
        return busy.threads == 3 && busy.cpuPercent >= 40 && busy.fds >= 3 && idle.threads == 1 &&
               idle.rssBytes > 0 && idle.fds >= 3;
    }));
    const api::WorkerInfo busy = m_rec->workers["busy-0"];
    const api::WorkerInfo idle = m_rec->workers["idle-0"];
    qInfo("busy: %.1f %% CPU, %lld kB, %d threads, %d fds; idle: %.1f %% CPU, %lld kB",
          busy.cpuPercent, (long long)busy.rssBytes / 1024, busy.threads, busy.fds, idle.cpuPercent,
          (long long)idle.rssBytes / 1024);
    QVERIFY(busy.cpuPercent <= 210); // two threads: at most two CPUs (and rounding)
    QVERIFY(busy.rssBytes > idle.rssBytes);
    // A sleeping process: no CPU once the meter has two readings.
    QVERIFY(runUntil([&] { return m_rec->workers["idle-0"].cpuPercent < 1; }, 3000));

    // The same figures as series, for the worker and for the master itself.
    const engine::MetricsStore &metrics = m_engine->metrics();
    QVERIFY(runUntil([&] {
        return metrics.query("worker/busy-0/cpu_percent", 0, INT64_MAX).size() >= 3 &&
               metrics.query("master/rss_bytes", 0, INT64_MAX).size() >= 3;
    }));
    engine::MetricsStore::Point last;
    QVERIFY(metrics.latest("worker/busy-0/threads", last));
    QCOMPARE(last.v, 3.0);
    QVERIFY(metrics.latest("worker/idle-0/fds", last));
    QVERIFY(last.v >= 3);
    QVERIFY(metrics.latest("master/rss_bytes", last));
    QVERIFY(last.v > 1024 * 1024);
    for (const char *name : {"master/cpu_percent", "master/threads", "master/fds"})
        QVERIFY2(metrics.latest(name, last), name);

    // The idle worker is looked at rarely and its series are held meanwhile: they still have a
    // point at every second, up to the newest one, as do the pool's unchanged counts.
    QVERIFY(runUntil(
        [&] { return metrics.query("worker/idle-0/rss_bytes", 0, INT64_MAX).size() >= 5; }));
    for (const char *name :
         {"worker/idle-0/rss_bytes", "worker/idle-0/cpu_percent", "pool/idle/ready"}) {
        const std::vector<engine::MetricsStore::Point> points = metrics.query(name, 0, INT64_MAX);
        QVERIFY2(points.size() >= 4, name);
        for (std::size_t i = 1; i < points.size(); ++i)
            QVERIFY2(points[i].t - points[i - 1].t == 1000, name);
        engine::MetricsStore::Point newest;
        QVERIFY(metrics.latest("master/workers", newest));
        QCOMPARE(points.back().t, newest.t);
    }

    // A worker idle long enough to be looked at only every 8th sample (2 s here) is seen
    // busy within that once it wakes up, and is sampled every time again.
    auto next =
        load("pools:\n"
             "  - name: late\n"
             "    command: [\"sh\", \"-c\", \"sleep 4; exec ${BIN}/drover-demo-worker --port 0 "
             "--burn-threads 1\"]\n");
    QVERIFY(next);
    m_engine->reload(next);
    QVERIFY(runUntil([&] { return m_rec->state("late-0") == WorkerState::Ready; }));
    QElapsedTimer clock;
    clock.start();
    QVERIFY(runUntil([&] { return m_rec->workers["late-0"].threads == 2; }, 10000));
    const qint64 seenAfter = clock.elapsed();
    QVERIFY2(seenAfter >= 3000, qPrintable(QString::number(seenAfter)));
    QVERIFY(runUntil([&] { return m_rec->workers["late-0"].cpuPercent >= 40; }, 3000));
}

void TestEngine::thousandWorkers()
{
    std::string yaml = "pools:\n  - name: k\n    command: [\"sleep\", \"1000\"]\n    replicas: "
                       "1000\n    stop: {timeout: 5s}\n";
    QElapsedTimer t;
    t.start();
    start(yaml);
    QVERIFY(runUntil([&] { return m_rec->pools["k"].ready == 1000; }, 60000));
    qInfo("1000 workers ready in %lld ms", t.elapsed());
    QCOMPARE(int(markedProcesses(m_mark).size()), 1000);
    t.restart();
    stopEngine();
    qInfo("1000 workers stopped in %lld ms", t.elapsed());
    QVERIFY(runUntil([&] { return markedProcesses(m_mark).empty(); }, 10000));
}

QTEST_GUILESS_MAIN(TestEngine)
#include "tst_engine.moc"
